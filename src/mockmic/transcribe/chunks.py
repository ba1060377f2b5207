"""Where a whole recording is cut into clips for the batched decoder: at pauses, by energy.

Pure numpy over the 16 kHz signal. Every sample belongs to exactly one clip (the clips tile the
signal), so no quiet word is ever cut away, unlike a speech detector with a high threshold;
only clips with no frame above the silence level are left out.

>>> import numpy as np
>>> sr = 16000
>>> burst = np.full(10 * sr, 0.3, np.float32)
>>> pause = np.zeros(sr, np.float32)
>>> sig = np.concatenate([burst, pause, burst, pause, burst])  # 32 s
>>> [(round(a / sr, 1), round(b / sr, 1)) for a, b in energy_clips(sig, max_clip_s=28.0)]
[(0.0, 21.5), (21.5, 32.0)]
"""

from __future__ import annotations

import numpy as np

from ..audio.frames import frame_rms, runs
from ..config import SAMPLE_RATE

FRAME_S = 0.03  # energy frames for finding pauses


def silent_frames(samples: np.ndarray, *, rel_level: float = 0.06, frame_s: float = FRAME_S) -> np.ndarray:
    """Boolean per ``frame_s`` frame: below ``rel_level`` of the loud frames' level (75th percentile)."""
    hop = int(frame_s * SAMPLE_RATE)
    rms = frame_rms(samples, hop)
    loud = rms[rms > 1e-4]
    if loud.size == 0:
        return np.ones(rms.size, bool)
    return rms < max(rel_level * float(np.percentile(loud, 75)), 1e-4)


def energy_clips(
    samples: np.ndarray,
    *,
    max_clip_s: float = 28.0,
    min_clip_s: float = 8.0,
    pause_s: float = 0.3,
    rel_level: float = 0.06,
    silent: np.ndarray | None = None,
) -> list[tuple[int, int]]:
    """Cut ``samples`` into clips of at most ``max_clip_s`` (sample ranges ``[start, end)``).

    Each cut falls in the middle of the latest pause (``pause_s`` of silent frames or more)
    that leaves the clip between ``min_clip_s`` and ``max_clip_s`` long, so clips are few and
    long (each costs the encoder a whole 30 s window). With no such pause, the cut goes at the
    quietest frame of the clip's second half. Clips with no sound at all are dropped.
    ``silent``: the signal's :func:`silent_frames` at ``rel_level``, when the caller has them.
    """
    total = int(samples.size)
    if total == 0:
        return []
    hop = int(FRAME_S * SAMPLE_RATE)
    if silent is None:
        silent = silent_frames(samples, rel_level=rel_level)
    rms = frame_rms(samples, hop)
    n = silent.size
    # Middles of silent runs at least pause_s long, in frames.
    need = max(1, int(np.ceil(pause_s / FRAME_S)))
    cuts = [(i + j) // 2 for i, j in runs(silent) if j - i >= need and i > 0 and j < n]
    max_n = int(max_clip_s * SAMPLE_RATE)
    min_n = int(min_clip_s * SAMPLE_RATE)
    cut_samples = np.array([c * hop for c in cuts], dtype=np.int64)
    clips: list[tuple[int, int]] = []
    start = 0
    while total - start > max_n:
        ok = cut_samples[(cut_samples > start + min_n) & (cut_samples <= start + max_n)]
        if ok.size:
            end = int(ok[-1])
        else:
            a = (start + max_n // 2) // hop
            b = max(a + 1, (start + max_n) // hop)
            end = (a + int(np.argmin(rms[a:b]))) * hop
        clips.append((start, end))
        start = end
    clips.append((start, total))
    return [(a, b) for a, b in clips if not _all_silent(silent, a, b, hop)]


def _all_silent(silent: np.ndarray, a: int, b: int, hop: int) -> bool:
    seg = silent[a // hop: max(a // hop + 1, b // hop)]
    return bool(seg.size) and bool(seg.all())


def split_at_deepest_pause(
    samples: np.ndarray, start: int, end: int, *, min_part_s: float = 2.0, rel_level: float = 0.06,
    silent: np.ndarray | None = None,
) -> int | None:
    """Where to cut the clip ``[start, end)`` in two: the middle of its longest pause.

    Both parts keep at least ``min_part_s``; with no silent frame there, the quietest frame.
    None when the clip is too short to split. Levels are judged against the whole signal's
    (``silent``: its :func:`silent_frames` at ``rel_level``, when the caller has them already).
    """
    hop = int(FRAME_S * SAMPLE_RATE)
    min_n = int(min_part_s * SAMPLE_RATE)
    lo, hi = (start + min_n) // hop, (end - min_n) // hop
    if hi <= lo:
        return None
    if silent is None:
        silent = silent_frames(samples, rel_level=rel_level)
    silent = silent[lo:hi]
    if silent.any():
        i, j = max(runs(silent), key=lambda r: r[1] - r[0])  # the first of the longest
        return (lo + (i + j) // 2) * hop
    rms = frame_rms(samples, hop)[lo:hi]
    return (lo + int(np.argmin(rms))) * hop
