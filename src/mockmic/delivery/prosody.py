"""Frame-level acoustics of a spoken answer: level (dBFS), a speech/silence mask and pitch.

Everything the delivery analysis hears comes from one :class:`Acoustics` computed once per
signal, so pauses, filled pauses, pitch and loudness agree on what is speech.

Pitch uses pYIN (librosa's numbers, its per-frame loop vectorised in :mod:`.pyin`) on the
signal decimated to 8 kHz with a 40 ms hop. pYIN's cost is per frame (an HMM over all
frames): at 8 kHz with a 10 ms hop librosa's took 7.8 s on a 2-minute answer; with a 40 ms hop
about 1.2 s on an idle machine (7.3 s on a busy one, 5 s of it the per-frame loop). Speech pitch (60-400 Hz) loses nothing at 8 kHz, and 25 frames a second
are plenty for medians and spreads over 8 s windows and for fillers of 0.12 s and longer.
pYIN rather than YIN because the analysis needs a voicing probability, which YIN does not give.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .blocks import block_frames, block_plan, in_blocks  # noqa: F401  (in_blocks: used by tests)

LEVEL_HOP_S = 0.01  # s between level frames
LEVEL_FRAME_S = 0.025  # s of signal per level frame
PITCH_RATE = 8000  # Hz: pYIN runs on the decimated signal
PITCH_HOP_S = 0.04  # s between pitch frames
PITCH_RESOLUTION_ST = 0.25  # semitones per bin: fine beside the 2-semitone monotone threshold
PITCH_FRAME_S = 0.064  # s of signal per pitch frame (>= 3 periods at 60 Hz)
FLOOR_DBFS = -100.0  # dBFS given to digital silence, so logs stay finite
# s of audio per pYIN / MFCC pass: bounds their memory, and while recording a block is computed
# as soon as its audio (and a second after it) has arrived, so about 10 s is left at the end.
PITCH_BLOCK_S = 10.0
SPECTRAL_BLOCK_S = 10.0


@dataclass(frozen=True)
class Acoustics:
    """Per-frame level, speech mask and pitch of one signal.

    Attributes
    ----------
    level_dbfs : np.ndarray, shape (n_level,)
        RMS level of each 25 ms frame in dBFS, one frame every :data:`LEVEL_HOP_S` seconds.
    speech : np.ndarray of bool, shape (n_level,)
        True where the level is above ``threshold_dbfs`` (sound, not silence).
    threshold_dbfs : float
        Silence threshold in dBFS used for ``speech``.
    peak_dbfs : float
        The speech level the threshold is relative to (95th percentile of frame levels).
    flux : np.ndarray, shape (n_level,)
        Spectral change per level frame: distance between successive MFCC vectors
        (coefficients 1-12). Low in a held vowel or "mmm", high across a word's phonemes.
    zcr : np.ndarray, shape (n_level,)
        Zero-crossing rate per level frame, 0..1: low in voiced sounds, high in hiss.
    f0_hz : np.ndarray, shape (n_pitch,)
        Best pitch estimate of each frame in Hz (NaN where none), every :data:`PITCH_HOP_S` s.
    voiced_prob : np.ndarray, shape (n_pitch,)
        pYIN's probability that the frame is voiced, 0..1.
    duration_s : float
        Length of the signal in seconds.
    """

    level_dbfs: np.ndarray
    speech: np.ndarray
    threshold_dbfs: float
    peak_dbfs: float
    flux: np.ndarray
    zcr: np.ndarray
    f0_hz: np.ndarray
    voiced_prob: np.ndarray
    duration_s: float

    def level_index(self, t_s: float) -> int:
        """Level frame index at time ``t_s`` (seconds), clipped to the signal."""
        return int(np.clip(round(t_s / LEVEL_HOP_S), 0, max(0, self.level_dbfs.size - 1)))

    def pitch_slice(self, start_s: float, end_s: float) -> slice:
        """Pitch frames whose centres fall in [start_s, end_s) seconds."""
        a = int(np.ceil(start_s / PITCH_HOP_S))
        b = int(np.ceil(end_s / PITCH_HOP_S))
        return slice(max(0, a), max(0, min(b, self.f0_hz.size)))


class RumbleFilter:
    """High-pass at ``cutoff_hz`` (2nd-order Butterworth) over a signal given in pieces.

    Removes DC offset and hum: some microphones (two of the eval recordings) add a DC offset or
    rumble that fills the pauses with "sound" and pins the zero-crossing rate at 0; no speech
    lies below 50 Hz. The offset taken out first (so the filter does not ring at the start) is
    the mean of the first second, so a recording can be filtered while it arrives and give the
    same samples as the whole file.
    """

    MEAN_S = 1.0

    def __init__(self, sample_rate: int, cutoff_hz: float = 50.0):
        from scipy.signal import butter

        self._sos = butter(2, cutoff_hz, btype="highpass", fs=sample_rate, output="sos")
        self._zi = np.zeros((self._sos.shape[0], 2))
        self.mean_n = int(self.MEAN_S * sample_rate)
        self.mean: float | None = None

    def process(self, samples: np.ndarray) -> np.ndarray:
        """Filter the next piece (float32 out); the first call needs a second of signal (or all of it)."""
        from scipy.signal import sosfilt

        if self.mean is None:
            self.mean = float(np.mean(samples[:self.mean_n], dtype=np.float64)) if samples.size else 0.0
        out = np.empty(samples.size, dtype=np.float32)
        step = 10 * self.mean_n  # 10 s at a time, so the float64 work copy stays small
        for a in range(0, samples.size, step):
            out[a:a + step], self._zi = sosfilt(self._sos, samples[a:a + step].astype(np.float64) - self.mean, zi=self._zi)
        return out


def remove_rumble(samples: np.ndarray, sample_rate: int, cutoff_hz: float = 50.0) -> np.ndarray:
    """High-pass at ``cutoff_hz``: removes DC offset and hum (:class:`RumbleFilter`)."""
    if samples.size < 16:
        return samples
    return RumbleFilter(sample_rate, cutoff_hz).process(samples)


def frame_levels(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """RMS level in dBFS of 25 ms frames every 10 ms (frame i centred at i * 10 ms).

    Returns
    -------
    np.ndarray, shape (ceil(n / hop),), dBFS, never below :data:`FLOOR_DBFS`.
    """
    hop = int(round(LEVEL_HOP_S * sample_rate))
    frame = int(round(LEVEL_FRAME_S * sample_rate))
    n_frames = int(np.ceil(samples.size / hop)) if samples.size else 0
    if n_frames == 0:
        return np.zeros(0)
    padded = np.pad(samples.astype(np.float32, copy=False), (frame // 2, frame))
    mean_power = np.empty(n_frames)
    step = 6000  # frames per block: a minute of audio in float64 at a time
    for f0 in range(0, n_frames, step):
        f1 = min(n_frames, f0 + step)
        seg = padded[f0 * hop:(f1 - 1) * hop + frame].astype(np.float64)
        power = np.concatenate([[0.0], np.cumsum(seg * seg)])
        starts = np.arange(f1 - f0) * hop
        mean_power[f0:f1] = (power[starts + frame] - power[starts]) / frame
    with np.errstate(divide="ignore"):
        db = 10.0 * np.log10(mean_power)
    return np.maximum(db, FLOOR_DBFS)


def silence_threshold(level_dbfs: np.ndarray, *, below_peak_db: float, noise_margin_db: float) -> tuple[float, float]:
    """Silence threshold in dBFS: ``below_peak_db`` under the speech level, above the noise.

    The speech level is the 95th percentile of frame levels and the noise floor the 10th. The
    threshold sits ``below_peak_db`` under the speech level, but at least ``noise_margin_db``
    over the noise floor so steady room noise never reads as speech.

    Returns
    -------
    (threshold_dbfs, peak_dbfs)
    """
    if level_dbfs.size == 0:
        return 0.0, FLOOR_DBFS
    peak = float(np.percentile(level_dbfs, 95))
    noise = float(np.percentile(level_dbfs, 10))
    threshold = max(peak - below_peak_db, noise + noise_margin_db)
    # Never let the threshold reach the speech level itself (noisy, compressed recordings).
    threshold = min(threshold, peak - 6.0)
    return threshold, peak


def spectral_features(y: np.ndarray, sample_rate: int) -> np.ndarray:
    """MFCC 1-12 and the zero-crossing rate of ``y``, one column per 10 ms frame: (13, frames)."""
    import librosa

    hop = int(round(LEVEL_HOP_S * sample_rate))
    mfcc = librosa.feature.mfcc(y=y, sr=sample_rate, n_mfcc=13, n_fft=512, hop_length=hop, n_mels=40)[1:]
    zcr = librosa.feature.zero_crossing_rate(y, frame_length=int(LEVEL_FRAME_S * sample_rate), hop_length=hop)
    return np.vstack([mfcc, zcr])


def spectral_change(samples: np.ndarray, sample_rate: int, n_frames: int, *,
                    cache: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """MFCC flux and zero-crossing rate on the level frames' grid (10 ms hop).

    ``cache``: blocks of :func:`spectral_features` computed before (:class:`.live.LiveAcoustics`).

    Returns
    -------
    flux : np.ndarray, shape (n_frames,), Euclidean distance between successive MFCC(1-12)
    zcr : np.ndarray, shape (n_frames,), 0..1
    """
    from functools import partial

    if n_frames == 0 or samples.size < 512:
        return np.zeros(n_frames), np.zeros(n_frames)
    hop = int(round(LEVEL_HOP_S * sample_rate))
    both = in_blocks(samples.astype(np.float32, copy=False), hop, sample_rate,
                     partial(spectral_features, sample_rate=sample_rate), block_s=SPECTRAL_BLOCK_S, cache=cache)
    mfcc, zcr = both[:-1], both[-1]
    flux = np.concatenate([[0.0], np.linalg.norm(np.diff(mfcc, axis=1), axis=0)])

    def fit(a: np.ndarray) -> np.ndarray:
        return np.pad(a, (0, max(0, n_frames - a.size)), mode="edge")[:n_frames]

    return fit(flux), fit(zcr)


def track_pitch(
    samples: np.ndarray, sample_rate: int, *, fmin_hz: float, fmax_hz: float, cache: dict | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """pYIN pitch on the signal decimated to 8 kHz, in blocks of :data:`PITCH_BLOCK_S`.

    ``cache``: blocks of :func:`pitch_block` computed before (:class:`.live.LiveAcoustics`).

    Returns
    -------
    f0_hz : np.ndarray, shape (n_pitch,), Hz
        The best pitch candidate of each frame (one every :data:`PITCH_HOP_S` s), NaN where
        pYIN found none; voicing is decided by the caller from ``voiced_prob``.
    voiced_prob : np.ndarray, shape (n_pitch,), 0..1
    """
    import librosa

    n_expected = int(np.ceil(samples.size / (sample_rate * PITCH_HOP_S))) if samples.size else 0
    if samples.size < int(PITCH_FRAME_S * sample_rate) or not np.any(samples):
        return np.full(n_expected, np.nan), np.zeros(n_expected)
    y = samples.astype(np.float32)
    if sample_rate != PITCH_RATE:
        y = librosa.resample(y, orig_sr=sample_rate, target_sr=PITCH_RATE, res_type="polyphase")
    hop = int(PITCH_HOP_S * PITCH_RATE)
    f0, prob = in_blocks(y, hop, PITCH_RATE, lambda seg: _pyin(seg, fmin_hz, fmax_hz), block_s=PITCH_BLOCK_S,
                         cache=cache)
    return np.asarray(f0, dtype=float), np.nan_to_num(np.asarray(prob, dtype=float))


def _pyin(seg: np.ndarray, fmin_hz: float, fmax_hz: float) -> np.ndarray:
    from .pyin import pyin

    # librosa.pyin's numbers, several times faster (.pyin); the best guess is kept in unvoiced
    # frames: voicing is decided by us.
    f0, prob = pyin(seg, fmin=fmin_hz, fmax=fmax_hz, sr=PITCH_RATE, frame_length=int(PITCH_FRAME_S * PITCH_RATE),
                    hop_length=int(PITCH_HOP_S * PITCH_RATE), resolution=PITCH_RESOLUTION_ST)
    return np.vstack([f0, prob])


DECIMATE_MARGIN = 64  # samples at 16 kHz: more than the polyphase filter's half length (20)


def pitch_blocks_ready(available: int, sample_rate: int) -> list[tuple[int, int, int, int]]:
    """The full pitch blocks (on the 8 kHz grid) whose audio has all arrived, of ``available``
    samples at ``sample_rate``, as :func:`block_plan` gives them."""
    ratio = sample_rate / PITCH_RATE
    n8 = int((available - DECIMATE_MARGIN) / ratio)
    return block_plan(10**12, int(PITCH_HOP_S * PITCH_RATE), PITCH_RATE, block_s=PITCH_BLOCK_S, available=n8)


def pitch_block(samples: np.ndarray, sample_rate: int, g0: int, g1: int, start: int, end: int, *,
                fmin_hz: float, fmax_hz: float) -> np.ndarray:
    """One block of :func:`track_pitch` from the signal at ``sample_rate`` (16 kHz), decimating only
    the block's stretch: the polyphase filter is local, so the samples equal the whole signal's."""
    import librosa

    ratio = int(sample_rate // PITCH_RATE)
    lo = max(0, ratio * start - DECIMATE_MARGIN)
    hi = min(samples.size, ratio * end + DECIMATE_MARGIN)
    y = librosa.resample(samples[lo:hi].astype(np.float32), orig_sr=sample_rate, target_sr=PITCH_RATE,
                         res_type="polyphase")
    off = (ratio * start - lo) // ratio
    out = _pyin(y[off:off + (end - start)], fmin_hz, fmax_hz)
    first = g0 - start // int(PITCH_HOP_S * PITCH_RATE)
    return out[..., first:first + (g1 - g0)]


def compute_acoustics(
    samples: np.ndarray,
    sample_rate: int,
    *,
    below_peak_db: float = 30.0,
    noise_margin_db: float = 6.0,
    fmin_hz: float = 60.0,
    fmax_hz: float = 400.0,
    pitch: bool = True,
    filtered: bool = False,
    pitch_cache: dict | None = None,
    spectral_cache: dict | None = None,
) -> Acoustics:
    """Level, speech mask and (optionally) pitch of a mono signal.

    Parameters
    ----------
    samples : np.ndarray, shape (n,), float in [-1, 1]
    sample_rate : int, Hz
    below_peak_db : float, dB
        Frames quieter than the speech level by more than this are silence.
    noise_margin_db : float, dB
        The silence threshold stays at least this far above the noise floor.
    fmin_hz, fmax_hz : float, Hz
        Pitch search range.
    pitch : bool
        False skips pYIN (pitch arrays are then empty).
    filtered : bool
        ``samples`` went through :class:`RumbleFilter` already.
    pitch_cache, spectral_cache : dict, optional
        Blocks computed while the signal arrived (:class:`.live.LiveAcoustics`).

    Examples
    --------
    >>> sr = 16000
    >>> tone = 0.3 * np.sin(2 * np.pi * 150 * np.arange(sr) / sr)
    >>> ac = compute_acoustics(np.concatenate([tone, np.zeros(sr)]), sr, pitch=False)
    >>> bool(ac.speech[50]), bool(ac.speech[150])
    (True, False)
    """
    samples = np.asarray(samples, dtype=np.float32).reshape(-1)
    if not filtered:
        samples = remove_rumble(samples, sample_rate)
    levels = frame_levels(samples, sample_rate)
    threshold, peak = silence_threshold(levels, below_peak_db=below_peak_db, noise_margin_db=noise_margin_db)
    speech = levels > threshold
    if peak <= FLOOR_DBFS + 1.0:  # digital silence throughout
        speech = np.zeros_like(speech)
    flux, zcr = (spectral_change(samples, sample_rate, levels.size, cache=spectral_cache) if pitch
                 else (np.zeros(0), np.zeros(0)))
    if pitch:
        f0, prob = track_pitch(samples, sample_rate, fmin_hz=fmin_hz, fmax_hz=fmax_hz, cache=pitch_cache)
    else:
        f0, prob = np.zeros(0), np.zeros(0)
    return Acoustics(
        level_dbfs=levels,
        speech=speech,
        threshold_dbfs=threshold,
        peak_dbfs=peak,
        flux=flux,
        zcr=zcr,
        f0_hz=f0,
        voiced_prob=prob,
        duration_s=samples.size / sample_rate if sample_rate else 0.0,
    )


def voiced_mask(ac: Acoustics, sl: slice, *, min_prob: float) -> np.ndarray:
    """Pitch frames in ``sl`` that are voiced: pYIN probability and level both agree."""
    prob = ac.voiced_prob[sl]
    f0 = ac.f0_hz[sl]
    # Level of each pitch frame, read from the level track at the frame centre.
    idx = np.clip(np.round(np.arange(sl.start, sl.start + prob.size) * PITCH_HOP_S / LEVEL_HOP_S).astype(int),
                  0, max(0, ac.speech.size - 1))
    loud = ac.speech[idx] if ac.speech.size else np.zeros(prob.size, bool)
    return (prob >= min_prob) & np.isfinite(f0) & loud


def semitone_spread(f0_hz: np.ndarray) -> float | None:
    """Spread of a pitch contour in semitones: the 10th-90th percentile range."""
    f = f0_hz[np.isfinite(f0_hz) & (f0_hz > 0)]
    if f.size < 3:
        return None
    st = 12.0 * np.log2(f / np.median(f))
    return float(np.percentile(st, 90) - np.percentile(st, 10))
