"""Frame-wise level of a signal, and runs in a frame mask: what the stages share."""

from __future__ import annotations

import numpy as np


def frame_rms(samples: np.ndarray, hop: int) -> np.ndarray:
    """RMS of consecutive, non-overlapping frames of ``hop`` samples (a partial last frame is dropped).

    Parameters
    ----------
    samples : np.ndarray, shape (n,), float
    hop : int, samples per frame

    Returns
    -------
    np.ndarray, shape (n // hop,), float32, linear RMS

    Examples
    --------
    >>> frame_rms(np.array([1.0, -1.0, 0.5, 0.5, 3.0]), 2).tolist()
    [1.0, 0.5]
    """
    n = samples.size // hop
    if n == 0:
        return np.zeros(0, np.float32)
    frames = np.asarray(samples[: n * hop], dtype=np.float32).reshape(n, hop)
    return np.sqrt(np.mean(frames * frames, axis=1))


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Index ranges ``[start, end)`` where a boolean mask is True.

    >>> runs(np.array([True, True, False, True]))
    [(0, 2), (3, 4)]
    """
    if mask.size == 0:
        return []
    m = np.concatenate([[False], mask.astype(bool), [False]])
    edges = np.flatnonzero(np.diff(m.astype(np.int8)))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]
