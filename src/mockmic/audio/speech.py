"""Is there speech at all? A cheap acoustic check before the model is asked to transcribe.

Whisper writes words into anything: ten seconds of noise or a tone came back as an answer
scored 14/100, and a 0.1 s beep as "Yeah." at 600 words/min. Speech differs from those in three
ways this module measures on 32 ms frames (10 ms hop), in one-minute blocks so an hour of audio
costs little memory:

* it rises above the recording's own floor (the 10th percentile of frame levels): steady noise,
  hum and a held tone never do;
* much of it is voiced: a clear pitch period (normalised autocorrelation at 70-400 Hz), which
  noise bursts lack;
* its spectrum keeps changing from one frame to the next (spectral flux of the log spectrum, as
  the vocal tract moves about 4 times a second); tones, chords, beeps and a melody of held
  notes keep one spectrum.

Tuned on numpy noise, tones, a chord, hum, beeps, a melody and espeak-ng speech; every real
clip in ``shared/eval/mfa`` passes (tests/test_robustness_speech.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import SAMPLE_RATE
from .options import SpeechOptions

FRAME = 512  # samples (32 ms at 16 kHz): two periods of a 70 Hz voice
HOP = 160  # samples (10 ms)
BLOCK_FRAMES = 6000  # one minute of frames per block: bounded memory for long answers


@dataclass(frozen=True)
class SpeechCheck:
    """What the check measured; ``found`` says whether it sounds like speech.

    Attributes
    ----------
    found : bool
    reason : str
        Why not, in words for the person ("" when found).
    active_s : float
        Seconds of frames above the recording's floor.
    voiced_s : float
        Seconds of those frames with a clear pitch period.
    flux : float
        Median spectral change between consecutive active frames (log-spectrum RMS, nepers);
        speech about 1.5-1.9, held tones and notes under 0.5.
    """

    found: bool
    reason: str
    active_s: float
    voiced_s: float
    flux: float


def _frames(samples: np.ndarray) -> np.ndarray:
    n = 1 + (samples.size - FRAME) // HOP
    return np.lib.stride_tricks.as_strided(
        samples, shape=(n, FRAME), strides=(samples.strides[0] * HOP, samples.strides[0]), writeable=False
    )


def _block_features(frames: np.ndarray, window: np.ndarray, lag_norm: np.ndarray, lags: slice):
    """Per frame: level (dB), voicing (autocorrelation peak 0..1) and log spectrum."""
    spectrum = np.fft.rfft(frames * window, n=2 * FRAME, axis=1)
    power = (spectrum.real**2 + spectrum.imag**2).astype(np.float32)
    # Level above 90 Hz: a voice has little below, while rumble and 1/f noise wander there.
    level_db = 10 * np.log10(power[:, 6:].sum(axis=1) / (FRAME * FRAME / 4) + 1e-12)
    auto = np.fft.irfft(power, axis=1)[:, :FRAME].astype(np.float32) / lag_norm
    voicing = auto[:, lags].max(axis=1) / np.maximum(auto[:, 0], 1e-12)
    # 90 Hz .. 5 kHz (bins of 15.6 Hz): where a voice's shape lives.
    log_spec = np.log(power[:, 6:320] + 1e-10)
    log_spec -= log_spec.mean(axis=1, keepdims=True)
    return level_db, voicing, log_spec


def check_speech(samples: np.ndarray, *, options: SpeechOptions | None = None) -> SpeechCheck:
    """Whether ``samples`` (float32 mono at 16 kHz) sound like someone speaking.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> check_speech((0.3 * rng.standard_normal(16000 * 5)).astype(np.float32)).reason
    'it sounds like steady noise, hum or a held tone'
    >>> t = np.arange(16000 * 5) / 16000
    >>> check_speech((0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)).found
    False
    """
    o = options or SpeechOptions()
    samples = np.ascontiguousarray(samples, dtype=np.float32)
    if samples.size < FRAME:
        return SpeechCheck(False, "it is too short to hold an answer", 0.0, 0.0, 0.0)
    frames = _frames(samples)
    window = np.hanning(FRAME).astype(np.float32)
    lag_norm = np.maximum(np.correlate(window, window, "full")[FRAME - 1:], 1e-3).astype(np.float32)
    lag_norm /= lag_norm[0]
    lags = slice(SAMPLE_RATE // 400, SAMPLE_RATE // 70 + 1)
    levels, voicing, fluxes, active_parts = [], [], [], []
    for a in range(0, frames.shape[0], BLOCK_FRAMES):
        lv, vc, ls = _block_features(frames[a:a + BLOCK_FRAMES], window, lag_norm, lags)
        levels.append(lv)
        voicing.append(vc)
        # flux between this frame and the previous one (the first frame of a block has none)
        fl = np.full(lv.size, np.nan, np.float32)
        fl[1:] = np.sqrt(np.mean(np.diff(ls, axis=0) ** 2, axis=1))
        fluxes.append(fl)
        del ls
    # Levels over 50 ms: syllables stay above the floor, a noise's random peaks average out.
    level_db = np.concatenate(levels)
    if level_db.size >= 5:
        level_db = np.convolve(level_db, np.ones(5) / 5, mode="same")
    floor_db = float(np.percentile(level_db, 10))
    active = (level_db > floor_db + o.above_floor_db) & (level_db > o.min_level_dbfs)
    voiced = active & (np.concatenate(voicing) >= o.voicing_min)
    flux_all = np.concatenate(fluxes)
    pairs = active & np.roll(active, 1) & ~np.isnan(flux_all)
    hop_s = HOP / SAMPLE_RATE
    active_s = float(active.sum() * hop_s)
    voiced_s = float(voiced.sum() * hop_s)
    flux = float(np.median(flux_all[pairs])) if pairs.any() else 0.0
    if samples.size / SAMPLE_RATE < o.min_speech_s or (0.05 <= active_s < o.min_speech_s):
        reason = "it is too short to hold an answer"
    elif active_s < o.min_speech_s:
        reason = "it sounds like steady noise, hum or a held tone"
    elif flux < o.flux_min:
        reason = "it sounds like tones or held notes, not a voice"
    elif voiced_s < o.min_voiced_s:
        reason = "it sounds like noise, not a voice"
    else:
        reason = ""
    return SpeechCheck(not reason, reason, active_s, voiced_s, flux)
