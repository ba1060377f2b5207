"""Frame-wise features of a long signal computed in bounded blocks, possibly as it arrives.

Whole-signal features (an STFT, pYIN's work arrays) grow with the answer: hundreds of MB for
ten minutes. Each block is computed with some audio either side and only its own frames are
kept, at the positions one pass would give them (frame i centred at sample i * hop). A block
depends only on its own stretch of audio, so a recording's blocks can be computed while it is
still being made (:mod:`.live`) and give the same numbers as the whole file.
"""

from __future__ import annotations

import numpy as np

CONTEXT_S = 1.0  # s of audio either side of a block


def block_plan(n_samples: int, hop: int, sample_rate: int, *, block_s: float, context_s: float = CONTEXT_S,
               available: int | None = None) -> list[tuple[int, int, int, int]]:
    """The blocks :func:`in_blocks` computes: ``(first_frame, end_frame, start, end)``, samples
    ``start:end`` giving frames ``first_frame:end_frame``. With ``available`` (a signal still
    arriving, ``n_samples`` unknown), only the full blocks whose audio has all arrived."""
    n_frames = 1 + n_samples // hop
    block = max(1, int(round(block_s * sample_rate / hop)))
    pad = int(np.ceil(context_s * sample_rate / hop)) * hop
    plan = []
    for g0 in range(0, n_frames, block):
        g1 = min(n_frames, g0 + block)
        end = g1 * hop + pad
        if available is not None and (g1 < g0 + block or end > available):
            break
        plan.append((g0, g1, max(0, g0 * hop - pad), min(n_samples, end)))
    return plan


def in_blocks(y: np.ndarray, hop: int, sample_rate: int, fn, *, block_s: float = 30.0,
              context_s: float = CONTEXT_S, cache: dict | None = None) -> np.ndarray:
    """Run a centred frame-wise feature ``fn(segment) -> array (..., frames)`` over ``y`` in blocks.

    Each block is computed with ``context_s`` of audio either side, so the result matches one
    pass while memory stays bounded. ``cache`` maps
    a block's ``(start, end)`` to its frames, computed before (while recording).

    Returns
    -------
    np.ndarray, shape (..., 1 + y.size // hop)
    """
    parts = []
    for g0, g1, start, end in block_plan(y.size, hop, sample_rate, block_s=block_s, context_s=context_s):
        got = None if cache is None else cache.get((start, end))
        parts.append(got if got is not None else block_frames(y, hop, fn, g0, g1, start, end))
    return np.concatenate(parts, axis=-1)


def block_frames(y: np.ndarray, hop: int, fn, g0: int, g1: int, start: int, end: int) -> np.ndarray:
    """One block of :func:`in_blocks`: frames ``g0:g1`` of ``fn`` over ``y[start:end]``."""
    out = np.asarray(fn(y[start:end]))
    first = g0 - start // hop
    return out[..., first:first + (g1 - g0)]
