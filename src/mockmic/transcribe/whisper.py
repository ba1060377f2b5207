"""Speech to timed words with faster-whisper, on the CPU, offline.

Only this module imports faster-whisper. Models are found by :mod:`.models`; words written
over silence are cleaned by :mod:`.cleanup`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import config
from ..errors import ConfigError, ModelError
from ..results import Transcript, Word
from .chunks import energy_clips
from .cleanup import drop_hallucinations, refine_word_times
from .heard import silero_speech_prob, unheard_words
from .models import resolve_model

# Disfluent prompt: makes Whisper write the "um"s and "uh"s it otherwise drops (DESIGN.md).
# Measured on ../shared/eval/mfa (30 um/uh in the references), tiny.en: no prompt kept 14,
# this one 27 with 3 extra; a longer prompt ending in a sentence was echoed over silence.
FILLER_PROMPT = "Um, uh, er, hmm. Like, you know, I mean."


# (seconds of audio transcribed, total seconds)
TranscribeProgress = Callable[[float, float], None]


MODES = ("batched", "sequential")


@dataclass(frozen=True)
class TranscribeOptions:
    """How faster-whisper is run. Defaults are tuned for keeping fillers on CPU.

    ``mode`` "batched" (the default) cuts the recording at pauses into clips of at most
    ``max_clip_s`` (:func:`.chunks.energy_clips`) and decodes up to ``batch_size`` clips at
    once with faster-whisper's ``BatchedInferencePipeline``, the filler prompt in every clip;
    "sequential" is faster-whisper's ``WhisperModel.transcribe`` over 30 s windows. Both decode
    at ``temperature`` 0 only (no random fallback), so the same audio gives the same words.
    """

    language: str | None = "en"
    beam_size: int = 5
    initial_prompt: str | None = FILLER_PROMPT
    # Sequential mode: the prompt also goes in as hotwords: faster-whisper puts those before the
    # previous text in every 30 s window, so the disfluent style holds for long answers.
    keep_prompt_in_force: bool = True
    condition_on_previous_text: bool = True
    compute_type: str = "int8"
    cpu_threads: int = 0  # 0: CTranslate2 picks (all cores)
    # A segment whose words sit on audio quieter than this share of the speech level is
    # taken as invented text over silence and dropped.
    hallucination_rel_level: float = 0.06
    mode: str = "batched"
    # Clips decoded at once. Memory grows with it (beam 5 keeps the encoder's keys and values for
    # every hypothesis): 10 min of speech, transcription alone, peaked at 806 MB with 8, 574 MB
    # with 4, 478 MB with 2, in 196 s, 201 s and 219 s (2 busy cores); the whole 10-minute
    # analysis peaked at 1040 MB with 4 and 937 MB with 2 (under the 1 GB target). README
    # "Speed and memory".
    batch_size: int = 2
    max_clip_s: float = 28.0
    temperature: float = 0.0
    # Words with no speech under them (.heard) leave the transcript for dropped_hallucinations.
    drop_unheard: bool = True

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ConfigError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}.")
        if self.batch_size < 1:
            raise ConfigError(f"batch_size must be 1 or more, not {self.batch_size}.")
        if not 1.0 <= self.max_clip_s <= 30.0:
            raise ConfigError(f"max_clip_s must lie between 1 and 30 seconds, not {self.max_clip_s}.")
        if not 0.0 <= self.temperature <= 1.0:
            raise ConfigError(f"temperature must lie between 0 and 1, not {self.temperature}.")


class Transcriber:
    """Owns one loaded WhisperModel; transcribes many signals with it."""

    def __init__(self, model: str | None = None, options: TranscribeOptions | None = None):
        self.options = options or TranscribeOptions()
        self.model_info = resolve_model(model)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            from faster_whisper import WhisperModel
        except ImportError as e:  # pragma: no cover - dependency of the package
            raise ModelError("faster-whisper is not installed: run ./scripts/demo to set up mockmic.") from e
        try:
            self._model = WhisperModel(
                str(self.model_info.path),
                device="cpu",
                compute_type=self.options.compute_type,
                cpu_threads=self.options.cpu_threads,
                local_files_only=True,
            )
        except Exception as e:  # CTranslate2 raises RuntimeError/ValueError on bad files
            raise ModelError(f"The model at {self.model_info.path} could not be loaded: {e}.") from e
        self._batched = None  # faster-whisper's BatchedInferencePipeline, made on first use
        if self.options.language and self.options.language != "en" and not self.model_info.multilingual:
            raise ModelError(
                f"The model {self.model_info.name} is English-only; use a multilingual model (e.g. --model base) for '{self.options.language}'."
            )

    @property
    def model_name(self) -> str:
        return self.model_info.name

    def transcribe(
        self,
        samples: np.ndarray,
        *,
        on_progress: TranscribeProgress | None = None,
        previous_text: str | None = None,
    ) -> Transcript:
        """Transcribe a 16 kHz mono float32 signal to words with times.

        ``previous_text`` is what was said just before this signal (streamed chunks): it joins
        the prompt, as Whisper's own ``condition_on_previous_text`` does across windows.
        """
        opts = self.options
        total_s = samples.size / config.SAMPLE_RATE
        language = opts.language if self.model_info.multilingual or opts.language == "en" else "en"
        started = time.perf_counter()
        prompt = _join_prompt(opts.initial_prompt, previous_text)
        if on_progress is not None:  # the stage's clock starts here: batched segments come a batch at a time
            on_progress(0.0, total_s)
        if opts.mode == "batched":
            segments, info = self._batched_segments(samples, language, prompt)
        else:
            segments, info = self._model.transcribe(
                samples,
                language=language,
                beam_size=opts.beam_size,
                word_timestamps=True,
                initial_prompt=prompt,
                hotwords=opts.initial_prompt if opts.keep_prompt_in_force else None,
                condition_on_previous_text=opts.condition_on_previous_text,
                temperature=opts.temperature,
                vad_filter=False,
            )
        kept: list[list[Word]] = []
        for seg in segments:
            words = [
                Word(w.word.strip(), float(w.start), float(w.end), float(w.probability))
                for w in (seg.words or [])
                if w.word.strip()
            ]
            if words:
                kept.append(words)
            if on_progress is not None:
                on_progress(min(float(seg.end), total_s), total_s)
        if on_progress is not None:
            on_progress(total_s, total_s)
        kept, dropped = drop_hallucinations(samples, kept, rel_level=opts.hallucination_rel_level)
        words = refine_word_times(samples, [w for seg in kept for w in seg])
        if opts.drop_unheard:
            words, unheard = _without_unheard(samples, words)
            dropped += unheard
        text = " ".join(w.text for w in words)
        return Transcript(
            text=text,
            language=(info.language if info is not None else None) or (language or "en"),
            model=self.model_name,
            words=tuple(words),
            transcribe_seconds=time.perf_counter() - started,
            dropped_hallucinations=tuple(dropped),
        )

    def _batched_segments(self, samples: np.ndarray, language: str | None, prompt: str | None):
        """faster-whisper's batched pipeline over mockmic's own clips (cut at pauses)."""
        opts = self.options
        if self._batched is None:
            from faster_whisper import BatchedInferencePipeline

            self._batched = BatchedInferencePipeline(self._model)
        clips = energy_clips(samples, max_clip_s=opts.max_clip_s)
        if not clips:
            return [], None
        sr = config.SAMPLE_RATE
        # clip_timestamps are in seconds here: the pipeline multiplies them by the sample rate.
        return self._batched.transcribe(
            samples,
            language=language,
            beam_size=opts.beam_size,
            word_timestamps=True,
            initial_prompt=prompt,
            without_timestamps=True,
            temperature=opts.temperature,
            clip_timestamps=[{"start": a / sr, "end": b / sr} for a, b in clips],
            batch_size=opts.batch_size,
            vad_filter=False,
        )


def _without_unheard(samples: np.ndarray, words: list[Word]) -> tuple[list[Word], list[str]]:
    """``words`` less those with no speech under them, and the dropped runs' text."""
    unheard = set(id(w) for w in unheard_words(samples, words, _speech_prob()))
    if not unheard:
        return words, []
    kept, runs, run = [], [], []
    for w in words:
        if id(w) in unheard:
            run.append(w.text)
            continue
        if run:
            runs.append(" ".join(run))
            run = []
        kept.append(w)
    if run:
        runs.append(" ".join(run))
    return kept, runs


_SPEECH_PROB = None


def _speech_prob():
    global _SPEECH_PROB
    if _SPEECH_PROB is None:
        _SPEECH_PROB = silero_speech_prob()
    return _SPEECH_PROB


def _join_prompt(prompt: str | None, previous_text: str | None, *, max_words: int = 40) -> str | None:
    if not previous_text:
        return prompt
    tail = " ".join(previous_text.split()[-max_words:])
    return f"{prompt} {tail}" if prompt else tail


