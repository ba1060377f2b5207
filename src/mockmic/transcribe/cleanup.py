"""Words Whisper wrote where nobody spoke, and word edges it put in silence.

Pure numpy over the 16 kHz signal and the timed words: closing phrases invented over trailing
silence are dropped, and word edges are moved onto the speech under them.
"""

from __future__ import annotations

import re

import numpy as np

from .. import config
from ..audio.frames import frame_rms
from ..results import Word

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
        while end > 1 and _rms(samples, *_probe(seg[end - 1])) < floor:
            end -= 1
        if end < len(seg):
            dropped.append(" ".join(w.text for w in seg[end:]))
        kept.append(seg[:end])
    return kept, dropped


MIN_PROBE_S = 0.4


def _probe(w: Word) -> tuple[float, float]:
    """A word's span widened to at least MIN_PROBE_S about its middle.

    At a clip's end Whisper gives real words no length at all (../shared/eval/mfa mfa_words:
    the last five "Word." at 4.86-4.86 s ... 6.18-6.18 s); judged on no audio, their level is 0
    and spoken words were dropped as if written over silence.
    """
    pad = max(0.0, (MIN_PROBE_S - (w.end_s - w.start_s)) / 2)
    return max(0.0, w.start_s - pad), w.end_s + pad


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
    rms = frame_rms(samples, hop)
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
