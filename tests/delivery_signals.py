"""Signals with known answers for the delivery tests and scripts/eval_delivery.

numpy signals (tones, noise, digital silence) and espeak-ng speech trimmed to its first and last
audible sample, joined with silences of exact length, so every pause and every speech span is
known to the sample.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SR = 16000  # Hz
from mockmic.config import shared_dir

# ../shared/eval, wherever the checkout sits (MOCKMIC_EVAL moves it)
EVAL_DIR = Path(os.environ.get("MOCKMIC_EVAL") or (shared_dir() or Path("../shared")) / "eval")
MFA_DIR = EVAL_DIR / "mfa"
AUDIBLE = 1e-3  # |sample| above this is espeak speech; espeak pads with exact zeros

# Plain sentences without punctuation, so espeak puts no pause of its own inside them.
PHRASES = (
    "I made a mistake when I deployed the billing change without running the tests",
    "I told my manager right away and we rolled the change back within the hour",
    "then I wrote a checklist so that every release now runs the full test suite first",
    "the next quarter we shipped twelve releases and none of them broke the billing system",
    "I learned to slow down and to ask for a review before I merge a risky change",
    "my team now uses the same checklist and it has caught three problems since then",
    "looking back I would have asked for help much earlier on that first afternoon",
)


def espeak(text: str, *, words_per_minute: int = 160, voice: str = "en-us") -> np.ndarray:
    """espeak-ng speech as float32 mono at 16 kHz (untrimmed)."""
    import io

    import librosa
    import soundfile as sf

    exe = shutil.which("espeak-ng")
    if exe is None:
        raise RuntimeError("espeak-ng is not installed: run ./scripts/setup --test")
    out = subprocess.run(
        [exe, "-v", voice, "-s", str(words_per_minute), "--stdout", text], check=True, capture_output=True
    ).stdout
    data, rate = sf.read(io.BytesIO(out), dtype="float32")
    if data.ndim > 1:
        data = data.mean(axis=1)
    return librosa.resample(data, orig_sr=rate, target_sr=SR).astype(np.float32)


def espeak_setting(text: str, target_wpm: float) -> int:
    """The espeak-ng ``-s`` value at which ``text`` comes out at about ``target_wpm``.

    espeak-ng's ``-s`` is not the rate it speaks at (``-s 110`` gives about 140 words/min on
    these sentences), so the setting is corrected once from a first measurement.
    """
    first = trim(espeak(text, words_per_minute=int(target_wpm)))
    measured = 60.0 * len(text.split()) / (first.size / SR)
    return max(80, int(round(target_wpm * target_wpm / measured)))


def trim(samples: np.ndarray, level: float = AUDIBLE) -> np.ndarray:
    """Cut to the first and last sample louder than ``level``."""
    loud = np.flatnonzero(np.abs(samples) > level)
    if loud.size == 0:
        return samples[:0]
    return samples[loud[0]: loud[-1] + 1]


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(round(seconds * SR)), dtype=np.float32)


@dataclass
class Built:
    """A joined signal and what is known about it."""

    samples: np.ndarray
    silences: list[tuple[float, float]] = field(default_factory=list)  # (start_s, duration_s) inside speech
    speech: list[tuple[float, float, str]] = field(default_factory=list)  # (start_s, end_s, text)

    @property
    def words(self) -> int:
        return sum(len(t.split()) for _, _, t in self.speech)

    @property
    def span_s(self) -> float:
        return self.speech[-1][1] - self.speech[0][0]

    @property
    def true_wpm(self) -> float:
        return 60.0 * self.words / self.span_s


def build(parts: list, *, words_per_minute: int = 160) -> Built:
    """Join parts: a str is speech (trimmed espeak), a float is silence of that many seconds.

    Leading and trailing floats are silence outside the answer; floats between speech parts
    are the known pauses.
    """
    chunks: list[np.ndarray] = []
    built = Built(np.zeros(0, np.float32))
    t = 0.0
    for i, part in enumerate(parts):
        if isinstance(part, str):
            x = trim(espeak(part, words_per_minute=words_per_minute))
            built.speech.append((t, t + x.size / SR, part))
        else:
            x = silence(float(part))
            inside = any(isinstance(p, str) for p in parts[:i]) and any(isinstance(p, str) for p in parts[i + 1:])
            if inside:
                built.silences.append((t, x.size / SR))
        chunks.append(x)
        t += x.size / SR
    built.samples = np.concatenate(chunks).astype(np.float32)
    return built


def harmonic(seconds: float, f0_hz: float | tuple[float, float] = 120.0, *, level: float = 0.2) -> np.ndarray:
    """A voiced-like harmonic complex (8 harmonics, falling 1/k) at a steady or gliding pitch."""
    n = int(round(seconds * SR))
    f0 = np.full(n, f0_hz) if np.isscalar(f0_hz) else np.linspace(f0_hz[0], f0_hz[1], n)
    phase = 2 * np.pi * np.cumsum(f0) / SR
    x = sum(np.sin(k * phase) / k for k in range(1, 9))
    ramp = np.minimum(1.0, np.minimum(np.arange(n), np.arange(n)[::-1]) / (0.01 * SR))  # 10 ms fades
    return (level * x / np.max(np.abs(x)) * ramp).astype(np.float32)


def noise(seconds: float, *, level: float = 0.1, seed: int = 0) -> np.ndarray:
    """White noise (unvoiced, like a whisper or a hiss)."""
    rng = np.random.default_rng(seed)
    return (level * rng.standard_normal(int(round(seconds * SR)))).astype(np.float32)


def mfa_manifest() -> list[dict]:
    """The eval set's clips (read from ../shared/eval, never copied)."""
    with open(MFA_DIR / "manifest.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def is_fluent(clip: dict) -> bool:
    """A clip with no filler, hesitation, cut-off word or laughter in its reference."""
    ref = clip["reference"]
    return not clip["fillers_in_reference"] and not any(t in ref for t in ("<hes", "<cutoff", "[laughter", "<unk"))


FILLER_FAMILY = {"um": "um", "uh": "uh"}  # the reference's spellings


def count_matches(reference: dict[str, int], found: dict[str, int]) -> dict[str, tuple[int, int, int]]:
    """Per filler: (in reference, found, matched) where matched = min per clip."""
    return {k: (reference.get(k, 0), found.get(k, 0), min(reference.get(k, 0), found.get(k, 0))) for k in ("um", "uh")}


def textgrid_words(path: Path) -> list[tuple[float, float, str]]:
    """(start_s, end_s, text) of the "words" tier of a short-format Praat TextGrid; "" = silence."""
    lines = [ln.strip() for ln in Path(path).read_text(encoding="utf-8").splitlines()]
    i = lines.index('"words"') + 4  # name, xmin, xmax, count
    out = []
    while i + 2 < len(lines) and lines[i] != '"IntervalTier"':
        start, end, text = float(lines[i]), float(lines[i + 1]), lines[i + 2].strip('"')
        out.append((start, end, text))
        i += 3
    return out


def aligned_pauses(path: Path, min_s: float = 0.5) -> list[tuple[float, float]]:
    """(start_s, duration_s) of silences inside the utterance from a forced alignment."""
    ivs = textgrid_words(path)
    spoken = [k for k, iv in enumerate(ivs) if iv[2]]
    if not spoken:
        return []
    inside = ivs[spoken[0]: spoken[-1] + 1]
    return [(s, e - s) for s, e, t in inside if not t and e - s >= min_s]


def um_uh_counts(fillers) -> dict[str, int]:
    """How many of ``fillers`` are hesitations of the "um" and of the "uh" family."""
    from mockmic.delivery.filler_words import hesitation_family

    counts = {"um": 0, "uh": 0}
    for f in fillers:
        family = hesitation_family(f.text) if f.kind == "hesitation" else None
        if family in counts:
            counts[family] += 1
    return counts
