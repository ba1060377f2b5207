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
from .chunks import energy_clips, silent_frames, split_at_deepest_pause, FRAME_S as CLIP_FRAME_S
from .cleanup import drop_hallucinations, refine_word_times
from .heard import VAD_WINDOW, silero_speech_prob, unheard_words
from .loops import LoopOptions, looks_looping, needs_second_look, runs_away, without_repeats
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
    # 2, not faster-whisper's 5: on the tune half of ../shared/eval/mfa (batched) WER 0.244 with 2,
    # 0.252 with 5, 0.254 with 1 (plain faster-whisper 0.321), and decoding about twice as fast
    # (README "Speed and memory").
    beam_size: int = 2
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
    # Clips decoded at once. Memory grows with it (beam search keeps the encoder's keys and values for
    # every hypothesis): 10 min of speech, transcription alone (beam 5), peaked at 806 MB with 8, 574 MB
    # with 4, 478 MB with 2, in 196 s, 201 s and 219 s (2 busy cores); the whole 10-minute
    # analysis peaked at 1040 MB with 4 and 937 MB with 2 (under the 1 GB target). README
    # "Speed and memory".
    batch_size: int = 2
    max_clip_s: float = 28.0
    temperature: float = 0.0
    # Batched mode: a clip decoded into a loop is decoded again in two parts at its longest
    # pause, at most this many times over (0: never).
    resplit_depth: int = 2
    # A part still decoded into a loop after the last split is decoded once more without the
    # filler prompt, which is what drives a model into "uh, uh, uh, ..." (base on the joined test
    # half of ../shared/eval/mfa: 110 "uh" at one place, WER 0.747); kept only if it is no loop.
    unloop_without_prompt: bool = True
    loops: LoopOptions = LoopOptions()
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
                # Hotwords already put the prompt before every window; given as initial_prompt too it
                # went in twice, and base wrote it back instead of the speech ("i mean i mean ...").
                initial_prompt=_join_prompt(None, previous_text) if opts.keep_prompt_in_force else prompt,
                hotwords=opts.initial_prompt if opts.keep_prompt_in_force else None,
                condition_on_previous_text=opts.condition_on_previous_text,
                temperature=opts.temperature,
                vad_filter=False,
            )
            # Sequential decoding has no clip to split and decode again: a segment that ran away
            # (base wrote "uh" 100 times over "montreal uh uh uh uh uh uh forced aligner") keeps
            # only the first time of its repeated run.
            segments = (without_repeats(s, opts.loops)
                        if runs_away(s.text, float(s.end) - float(s.start), opts.loops) else s
                        for s in segments)
        kept: list[list[Word]] = []
        done_s = 0.0
        for seg in segments:
            words = [
                Word(w.word.strip(), float(w.start), float(w.end), float(w.probability))
                for w in (seg.words or [])
                if w.word.strip()
            ]
            if words:
                kept.append(words)
            done_s = max(done_s, min(float(seg.end), total_s))
            if on_progress is not None:
                on_progress(done_s, total_s)
        kept.sort(key=lambda seg: seg[0].start_s)  # parts of re-decoded clips come last
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
        """faster-whisper's batched pipeline over mockmic's own clips (cut at pauses).

        A clip whose text is a decoding loop (:mod:`.loops`) is decoded again in two parts,
        cut at its longest pause, up to ``resplit_depth`` times; only those clips cost more.
        """
        opts = self.options
        if self._batched is None:
            from faster_whisper import BatchedInferencePipeline

            self._batched = BatchedInferencePipeline(self._model)
        silent = silent_frames(samples)  # once for the signal: the clips, the loop checks and every split read it
        clips = energy_clips(samples, max_clip_s=opts.max_clip_s, silent=silent)
        if not clips:
            return [], None
        segments, info = self._decode_clips(samples, clips, language, prompt)
        return _resplit_loops(self, samples, clips, segments, language, prompt, silent), info

    def _decode_clips(self, samples: np.ndarray, clips: list[tuple[int, int]], language: str | None,
                      prompt: str | None):
        opts = self.options
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


def _resplit_loops(tr: Transcriber, samples, clips, segments, language, prompt, silent):
    """Yield ``segments``, but those of looping clips replaced by their parts' (in time order)."""
    sr = config.SAMPLE_RATE
    depth = tr.options.resplit_depth
    held: dict[int, list] = {}
    starts = {int(a / sr * 100): (a, b) for a, b in clips}  # the pipeline's seek: 100 frames/s
    for seg in segments:
        clip = starts.get(int(seg.seek))
        if depth and clip is not None and _worth_second_look(tr, samples, silent, clip, [seg]):
            held.setdefault(clip, []).append(seg)
            continue
        yield seg
    for clip in sorted(held):
        yield from _decode_in_parts(tr, samples, clip, held[clip], language, prompt, depth, silent)


def _decode_in_parts(tr: Transcriber, samples, clip, first_try, language, prompt, depth, silent) -> list:
    """The segments of ``clip`` decoded in two parts (recursively while a part is still wrong).

    A clip taken for skipped speech (not a loop) keeps its first decoding unless the parts
    have ``LoopOptions.min_gain`` times its words: a clip of few words over noise otherwise
    gains a word invented over the noise alone ("Yeah." after mfa_um).
    """
    a, b = clip
    cut = split_at_deepest_pause(samples, a, b, silent=silent)
    if depth <= 0 or cut is None:
        return _unlooped(tr, samples, clip, first_try, language, prompt)
    sr = config.SAMPLE_RATE
    parts = [(a, cut), (cut, b)]
    segs, _ = tr._decode_clips(samples, parts, language, prompt)
    by_part: dict[tuple[int, int], list] = {p: [] for p in parts}
    starts = {int(p[0] / sr * 100): p for p in parts}
    for seg in segs:
        by_part[starts.get(int(seg.seek), parts[0])].append(seg)
    out = []
    for part, part_segs in by_part.items():
        if depth > 1 and _worth_second_look(tr, samples, silent, part, part_segs):
            out += _decode_in_parts(tr, samples, part, part_segs, language, prompt, depth - 1, silent)
        else:
            out += _unlooped(tr, samples, part, part_segs, language, prompt)
    first_text = " ".join(s.text for s in first_try)
    if not looks_looping(first_text, (b - a) / sr, tr.options.loops):
        n_first, n_out = _n_words(first_text), _n_words(" ".join(s.text for s in out))
        # More words, or more words that cover at least half of the speech the first try left bare.
        gained = n_out >= tr.options.loops.min_gain * n_first
        if not gained and n_out > n_first:
            bare_first = _uncovered_s(samples, silent, a, b, first_try, tr.options.loops)
            gained = (bare_first >= tr.options.loops.max_uncovered_s
                      and _uncovered_s(samples, silent, a, b, out, tr.options.loops) <= 0.5 * bare_first)
        if not gained:
            return list(first_try)
    return out


def _unlooped(tr: Transcriber, samples, clip: tuple[int, int], segments, language, prompt) -> list:
    """``segments``, or when their text is still a loop, the clip decoded without the filler
    prompt (and without the text before it) if that is none; else the segments as they are."""
    a, b = clip
    clip_s = (b - a) / config.SAMPLE_RATE
    o = tr.options
    if not (o.unloop_without_prompt and prompt and looks_looping(" ".join(s.text for s in segments), clip_s, o.loops)):
        return list(segments)
    plain, _ = tr._decode_clips(samples, [clip], language, None)
    plain = list(plain)
    if looks_looping(" ".join(s.text for s in plain), clip_s, o.loops):
        return [without_repeats(s, o.loops) for s in segments]
    return plain


def _worth_second_look(tr: Transcriber, samples, silent, clip: tuple[int, int], segments) -> bool:
    """A loop or skipped speech in ``clip``'s ``segments``: the text rules first (:mod:`.loops`),
    then, only when they pass, the speech its words leave bare (:func:`_uncovered_s`)."""
    a, b = clip
    text = " ".join(s.text for s in segments)
    o = tr.options.loops
    if needs_second_look(text, (b - a) / config.SAMPLE_RATE, _voiced_s(silent, a, b), o):
        return True
    return _uncovered_s(samples, silent, a, b, segments, o) >= o.max_uncovered_s


def _uncovered_s(samples: np.ndarray, silent: np.ndarray, a: int, b: int, segments, options: LoopOptions) -> float:
    """Seconds of speech in the sample range ``[a, b)`` farther than ``cover_slack_s`` from every
    word of ``segments`` (faster-whisper segments, word times in seconds of the whole signal).

    Sound is first taken from the level (``silent``); only when that leaves at least
    ``max_uncovered_s`` bare does the Silero detector confirm which of it is speech, so noise in
    the pauses of a noisy recording does not count (and costs the detector only then).
    """
    hop = int(CLIP_FRAME_S * config.SAMPLE_RATE)
    lo, hi = a // hop, b // hop
    bare = ~silent[lo:hi]
    for seg in segments:
        for w in seg.words or ():
            s = max(0, int((float(w.start) - options.cover_slack_s) / CLIP_FRAME_S) - lo)
            e = min(bare.size, int(np.ceil((float(w.end) + options.cover_slack_s) / CLIP_FRAME_S)) - lo)
            if e > s:
                bare[s:e] = False
    if bare.sum() * CLIP_FRAME_S < options.max_uncovered_s:
        return float(bare.sum()) * CLIP_FRAME_S
    audio = samples[lo * hop: hi * hop]
    n = audio.size // VAD_WINDOW * VAD_WINDOW
    if n == 0:
        return 0.0
    prob = np.asarray(_speech_prob()(audio[:n]), dtype=np.float32).reshape(-1)
    # Speech probability of each level frame: that of the detector window its middle falls in.
    mids = ((np.arange(bare.size) + 0.5) * hop / VAD_WINDOW).astype(int)
    speech = np.zeros(bare.size, dtype=bool)
    ok = mids < prob.size
    speech[ok] = prob[mids[ok]] >= 0.5
    return float((bare & speech).sum()) * CLIP_FRAME_S


def _n_words(text: str) -> int:
    return len(text.split())


def _voiced_s(silent: np.ndarray, a: int, b: int) -> float:
    """Seconds of non-silent frames (``silent``: :func:`.chunks.silent_frames`) in the sample range ``[a, b)``."""
    hop = int(CLIP_FRAME_S * config.SAMPLE_RATE)
    return float((~silent[a // hop: b // hop]).sum()) * CLIP_FRAME_S


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


