"""Pitch tracked in 30 s blocks (to bound memory) agrees with one pass over the whole signal."""

from __future__ import annotations

import numpy as np

from mockmic import prosody

SR = 16000


def test_blocked_pitch_matches_one_pass(monkeypatch):
    t = np.arange(SR * 65) / SR
    f0 = 150 + 30 * np.sin(2 * np.pi * 0.2 * t)  # a gliding voice, 120-180 Hz
    y = (0.3 * np.sin(2 * np.pi * np.cumsum(f0) / SR)).astype(np.float32)
    y[SR * 29: SR * 31] = 0  # a pause across the first block boundary
    blocked = prosody.track_pitch(y, SR, fmin_hz=60, fmax_hz=400)
    monkeypatch.setattr(prosody, "PITCH_BLOCK_S", 1e6)
    whole = prosody.track_pitch(y, SR, fmin_hz=60, fmax_hz=400)
    assert blocked[0].shape == whole[0].shape == (1 + (y.size // 2) // 320,)
    # Unvoiced frames hold pYIN's arbitrary best guess; compare where both say voiced.
    voiced = (blocked[1] > 0.5) & (whole[1] > 0.5)
    assert voiced.mean() > 0.8
    assert np.max(np.abs(blocked[0][voiced] - whole[0][voiced])) < 1.0  # Hz
    assert np.max(np.abs(blocked[1] - whole[1])) < 0.05
    # and the tracked pitch is the true one
    centres = np.arange(blocked[0].size) * 0.04
    truth = np.interp(centres, t, f0)
    assert np.median(np.abs(blocked[0][voiced] - truth[voiced])) < 3.0
