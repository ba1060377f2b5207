"""pYIN pitch (Mauch & Dixon 2014) as librosa computes it, with its slow step vectorised.

``librosa.pyin`` spends most of its time in a Python loop over frames that calls
``scipy.stats.boltzmann.pmf`` once per frame (about 1 ms a frame: 5 s of an 11 s post-recording
analysis of a 2-minute answer). :func:`pyin` computes the same observation probabilities for
all frames at once with the Boltzmann pmf in closed form, then uses librosa's own YIN
difference function, parabolic interpolation, transition matrices and Viterbi decoder, so its
output equals ``librosa.pyin``'s (to float rounding; ``tests/test_prosody_blocks.py`` checks).
Only the parameters mockmic uses are taken: centred frames, zero padding, librosa's defaults
for the threshold and transition priors.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

N_THRESHOLDS = 100
BETA_PARAMETERS = (2, 18)
BOLTZMANN_PARAMETER = 2.0
MAX_TRANSITION_RATE = 35.92  # octaves per second
SWITCH_PROB = 0.01
NO_TROUGH_PROB = 0.01
_FRAMES_PER_PASS = 256  # frames whose (periods x frames x thresholds) arrays are built at once


def pyin(y: np.ndarray, *, fmin: float, fmax: float, sr: int, frame_length: int, hop_length: int,
         resolution: float) -> tuple[np.ndarray, np.ndarray]:
    """Best pitch candidate and voicing probability of each frame of ``y``.

    Parameters
    ----------
    y : np.ndarray, shape (n,), float
    fmin, fmax : float, Hz
    sr : int, Hz
    frame_length, hop_length : int, samples
    resolution : float, semitones per pitch bin

    Returns
    -------
    f0_hz : np.ndarray, shape (1 + n // hop_length,)
        As ``librosa.pyin(..., fill_na=None)`` gives it (a pitch in every frame).
    voiced_prob : np.ndarray, shape (1 + n // hop_length,), 0..1

    Examples
    --------
    >>> sr = 8000
    >>> y = np.sin(2 * np.pi * 150 * np.arange(sr) / sr)
    >>> f0, prob = pyin(y, fmin=60, fmax=400, sr=sr, frame_length=512, hop_length=320, resolution=0.25)
    >>> abs(float(np.median(f0)) - 150) < 2, bool(np.median(prob) > 0.5)
    (True, True)
    """
    import librosa
    import scipy.stats
    from librosa.core.pitch import _cumulative_mean_normalized_difference, _parabolic_interpolation

    y = np.pad(np.asarray(y), (frame_length // 2, frame_length // 2), mode="constant")
    frames = librosa.util.frame(y, frame_length=frame_length, hop_length=hop_length)
    min_period = int(np.floor(sr / fmax))
    max_period = min(int(np.ceil(sr / fmin)), frame_length - 1)
    yin = _cumulative_mean_normalized_difference(frames, min_period, max_period)
    shifts = _parabolic_interpolation(yin)

    thresholds = np.linspace(0, 1, N_THRESHOLDS + 1)
    beta_probs = np.diff(scipy.stats.beta.cdf(thresholds, *BETA_PARAMETERS))
    per_semitone = int(np.ceil(1.0 / resolution))
    n_bins = int(np.floor(12 * per_semitone * np.log2(fmax / fmin))) + 1

    yin_probs = np.zeros_like(yin)
    for a in range(0, yin.shape[1], _FRAMES_PER_PASS):
        yin_probs[:, a:a + _FRAMES_PER_PASS] = _trough_probs(yin[:, a:a + _FRAMES_PER_PASS], thresholds, beta_probs)

    # From here on as librosa's __pyin_helper and pyin.
    period, frame = np.nonzero(yin_probs)
    f0_candidates = sr / (min_period + period + shifts[period, frame])
    bins = np.clip(np.round(12 * per_semitone * np.log2(f0_candidates / fmin)), 0, n_bins).astype(int)
    obs = np.zeros((2 * n_bins, yin.shape[1]))
    obs[bins, frame] = yin_probs[period, frame]
    voiced_prob = np.clip(np.sum(obs[:n_bins], axis=0), 0, 1)
    obs[n_bins:] = (1 - voiced_prob) / n_bins

    max_semitones = round(MAX_TRANSITION_RATE * 12 * hop_length / sr)
    transition = _transition(n_bins, max_semitones * per_semitone + 1)
    states = librosa.sequence.viterbi(obs, transition, p_init=np.ones(2 * n_bins) / (2 * n_bins))
    freqs = fmin * 2 ** (np.arange(n_bins) / (12 * per_semitone))
    return freqs[states % n_bins], voiced_prob


@lru_cache(maxsize=4)
def _transition(n_bins: int, width: int) -> np.ndarray:
    """pYIN's transition matrix (voiced/unvoiced x pitch bins): 0.15 s to build, so built once."""
    import librosa

    local = librosa.sequence.transition_local(n_bins, width, window="triangle", wrap=False)
    return np.kron(librosa.sequence.transition_loop(2, 1 - SWITCH_PROB), local)


def _trough_probs(yin: np.ndarray, thresholds: np.ndarray, beta_probs: np.ndarray) -> np.ndarray:
    """pYIN's probability of each YIN trough being the period, for frames (columns) at once.

    For each threshold, the troughs under it are numbered in period order; the k-th of n gets
    the Boltzmann prior (1 - e^-l) e^(-l k) / (1 - e^(-l n)), weighted by the threshold's beta
    probability; the lowest trough also takes ``NO_TROUGH_PROB`` of the thresholds it is over.
    """
    trough = np.zeros_like(yin, dtype=bool)
    trough[1:-1] = (yin[1:-1] < yin[:-2]) & (yin[1:-1] <= yin[2:])
    trough[-1] = yin[-1] < yin[-2]
    trough[0] = yin[0] < yin[1]
    probs = np.zeros_like(yin)
    count = trough.sum(axis=0)
    most = int(count.max()) if count.size else 0
    if most == 0:
        return probs
    # Each frame's troughs in period order, packed into rows 0..count-1 (padding after).
    period = np.argsort(~trough, axis=0, kind="stable")[:most]  # (most, frames)
    real = np.arange(most)[:, None] < count[None]
    height = np.where(real, np.take_along_axis(yin, period, axis=0), np.inf)
    # first[k, t]: the first threshold (of thresholds[1:]) trough k lies under.
    first = np.searchsorted(thresholds[1:], height, side="right")
    under = first[..., None] <= np.arange(N_THRESHOLDS)  # (troughs, frames, thresholds)
    position = np.cumsum(under, axis=0, dtype=np.int32)
    lam = BOLTZMANN_PARAMETER
    with np.errstate(divide="ignore", invalid="ignore"):
        norm = (1 - np.exp(-lam)) / (1 - np.exp(-lam * position[-1]))
    prior = np.where(under, norm[None] * np.exp(-lam * (position - 1)), 0.0)
    p = prior @ beta_probs  # (troughs, frames)
    lowest = np.argmin(height, axis=0)
    cols = np.flatnonzero(count)
    over = first[lowest[cols], cols]  # thresholds the lowest trough is not under
    p[lowest[cols], cols] += NO_TROUGH_PROB * np.concatenate([[0.0], np.cumsum(beta_probs)])[over]
    k, t = np.nonzero(real)
    probs[period[k, t], t] = p[k, t]
    return probs
