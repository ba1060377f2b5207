"""Pitch, level and spectral features computed while a recording arrives equal the whole file's."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import SR, STAR_SENTENCES, espeak_samples, silence
from mockmic.delivery.live import LiveAcoustics
from mockmic.delivery.prosody import compute_acoustics


def _speech(n_sentences: int) -> np.ndarray:
    parts = [silence(0.4)]
    for s in (STAR_SENTENCES * 3)[:n_sentences]:
        parts += [espeak_samples(s), silence(0.7)]
    y = np.concatenate(parts)
    # a DC offset and mains hum, which the rumble filter takes out
    return (y + 0.02 + 0.01 * np.sin(2 * np.pi * 50 * np.arange(y.size) / SR)).astype(np.float32)


@pytest.mark.parametrize("block_s", [0.1, 0.37])
def test_live_acoustics_equal_the_whole_signal(block_s):
    y = _speech(8)
    assert y.size > 40 * SR  # several pitch and spectral blocks, the last one partial
    live = LiveAcoustics(SR)
    step = int(block_s * SR)
    for i in range(0, y.size, step):
        live.feed(y[i:i + step])
    got = live.finish()
    # most blocks were computed while the audio arrived, before finish()
    assert len(live.pitch_cache) >= 3 and len(live.spectral_cache) >= 3
    want = compute_acoustics(y, SR)
    for name in ("level_dbfs", "speech", "flux", "zcr", "f0_hz", "voiced_prob"):
        a, b = getattr(got, name), getattr(want, name)
        assert a.shape == b.shape, name
        assert np.array_equal(a, b, equal_nan=True), name
    assert (got.threshold_dbfs, got.peak_dbfs, got.duration_s) == (want.threshold_dbfs, want.peak_dbfs, want.duration_s)
    voiced = want.voiced_prob >= 0.3
    assert voiced.sum() >= 50 and 80 < np.median(want.f0_hz[voiced]) < 200  # espeak-ng's male voice


def test_live_acoustics_of_a_short_or_silent_recording():
    for y in (np.zeros(SR // 2, np.float32), np.zeros(10, np.float32), espeak_samples("Hello.")):
        live = LiveAcoustics(SR)
        live.feed(y)
        got, want = live.finish(), compute_acoustics(y, SR)
        assert np.array_equal(got.level_dbfs, want.level_dbfs)
        assert np.array_equal(got.f0_hz, want.f0_hz, equal_nan=True)
        assert np.array_equal(got.voiced_prob, want.voiced_prob)


def test_cancelled_live_acoustics_give_nothing():
    live = LiveAcoustics(SR)
    live.feed(_speech(1))
    live.cancel()
    assert live.finish() is None
