"""Which installed model is faster and which more accurate on this machine, from a measurement.

``mockmic models measure`` transcribes speech whose words are known with each installed model
and writes the seconds of wall time per second of audio and the word error rate to
``measurements.json`` in the models folder; ``mockmic models list`` reads it back.

>>> word_error_rate(["the cat sat"], ["the cat sat down"])
0.3333333333333333
>>> normalise_words("Um, it's A-OK.")
['um', "it's", 'a', 'ok']
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .. import config

MEASUREMENTS_FILE = "measurements.json"


@dataclass(frozen=True)
class ModelMeasurement:
    model: str
    mode: str  # the TranscribeOptions mode measured ("batched")
    audio_s: float  # seconds of speech transcribed
    seconds_per_audio_second: float  # wall time of transcription / audio time (lower is faster)
    word_error_rate: float  # against the known words, normalised (lower is more accurate)
    clips: int
    measured_at: str  # ISO time


def normalise_words(text: str) -> list[str]:
    """Lower case words without punctuation, hyphens split: what error rates are counted on."""
    return re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("-", " ")).split()


def word_error_rate(references: Sequence[str], hypotheses: Sequence[str]) -> float:
    """Word edits (substitutions, deletions, insertions) over reference words, over all pairs."""
    edits = words = 0
    for ref, hyp in zip(references, hypotheses):
        r, h = normalise_words(ref), normalise_words(hyp)
        words += len(r)
        prev = list(range(len(h) + 1))
        for i, rw in enumerate(r, 1):
            cur = [i] + [0] * len(h)
            for j, hw in enumerate(h, 1):
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (rw != hw))
            prev = cur
        edits += prev[-1]
    return edits / max(1, words)


def measurement_clips(limit_s: float = 90.0) -> list[tuple[np.ndarray, str]]:
    """Real speech with known words: clips of the team's eval set (``../shared/eval/mfa``) up to
    ``limit_s`` seconds, else the espeak-ng sample answer in ``samples/``."""
    from ..audio import load_audio

    shared = config.shared_dir()
    mfa = shared / "eval" / "mfa" if shared else None
    out: list[tuple[np.ndarray, str]] = []
    if mfa is not None and (mfa / "manifest.jsonl").is_file():
        total = 0.0
        for line in open(mfa / "manifest.jsonl", encoding="utf-8"):
            clip = json.loads(line)
            if not clip.get("reference") or total >= limit_s:
                continue
            samples, _ = load_audio(mfa / clip["audio"])
            out.append((samples, clip["reference"]))
            total += samples.size / config.SAMPLE_RATE
        return out
    sample = config._PROJECT_ROOT / "samples"
    if (sample / "answer.flac").is_file():
        out.append((load_audio(sample / "answer.flac")[0], (sample / "answer.txt").read_text(encoding="utf-8")))
    return out


def measure_model(transcriber, clips: Sequence[tuple[np.ndarray, str]]) -> ModelMeasurement:
    """Transcribe ``clips`` once to warm up the first, then all of them timed."""
    if not clips:
        raise ValueError("no clips to measure on")
    transcriber.transcribe(clips[0][0])
    hyps, spent = [], 0.0
    for samples, _ref in clips:
        t0 = time.perf_counter()
        hyps.append(transcriber.transcribe(samples).text)
        spent += time.perf_counter() - t0
    audio_s = sum(s.size for s, _ in clips) / config.SAMPLE_RATE
    return ModelMeasurement(
        model=transcriber.model_name,
        mode=transcriber.options.mode,
        audio_s=round(audio_s, 2),
        seconds_per_audio_second=round(spent / audio_s, 4),
        word_error_rate=round(word_error_rate([r for _, r in clips], hyps), 4),
        clips=len(clips),
        measured_at=_dt.datetime.now().astimezone().isoformat(timespec="seconds"),
    )


def measurements_path(folder: Path | None = None) -> Path:
    return (folder or config.models_install_dir()) / MEASUREMENTS_FILE


def save_measurements(results: Sequence[ModelMeasurement], folder: Path | None = None) -> Path:
    """Merge ``results`` into the measurements file (one entry per model and mode)."""
    path = measurements_path(folder)
    known = {(m.model, m.mode): m for m in load_measurements(folder)}
    known.update({(m.model, m.mode): m for m in results})
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps([asdict(m) for m in known.values()], indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def load_measurements(folder: Path | None = None) -> list[ModelMeasurement]:
    """What ``save_measurements`` wrote; an empty list when nothing was measured (or it is unreadable)."""
    path = measurements_path(folder)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [ModelMeasurement(**d) for d in data]
    except (OSError, ValueError, TypeError):
        return []


def verdict(results: Sequence[ModelMeasurement]) -> list[str]:
    """Sentences naming the fastest and the most accurate model among ``results``.

    >>> a = ModelMeasurement("tiny.en", "batched", 90.0, 0.05, 0.12, 20, "t")
    >>> b = ModelMeasurement("base", "batched", 90.0, 0.11, 0.08, 20, "t")
    >>> verdict([a, b])
    ['Faster here: tiny.en (0.05 s per audio second against 0.11 for base).', 'More accurate: base (word error rate 0.080 against 0.120 for tiny.en).']
    """
    if len(results) < 2:
        return []
    by_speed = sorted(results, key=lambda m: m.seconds_per_audio_second)
    by_wer = sorted(results, key=lambda m: m.word_error_rate)
    fast, slow = by_speed[0], by_speed[1]
    good, worse = by_wer[0], by_wer[1]
    return [
        f"Faster here: {fast.model} ({fast.seconds_per_audio_second:.2f} s per audio second against "
        f"{slow.seconds_per_audio_second:.2f} for {slow.model}).",
        f"More accurate: {good.model} (word error rate {good.word_error_rate:.3f} against "
        f"{worse.word_error_rate:.3f} for {worse.model}).",
    ]


MeasureEcho = Callable[[str], None]
