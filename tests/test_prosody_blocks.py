"""Pitch tracked in 30 s blocks (to bound memory) agrees with one pass over the whole signal."""

from __future__ import annotations

import numpy as np

from mockmic.delivery import prosody

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


def test_blocked_spectral_features_match_one_pass():
    rng = np.random.default_rng(4)
    y = (0.2 * rng.standard_normal(SR * 70)).astype(np.float32)
    y[SR * 10: SR * 40] *= np.sin(np.linspace(0, 60, SR * 30)).astype(np.float32)
    n = int(np.ceil(y.size / 160))
    flux, zcr = prosody.spectral_change(y, SR, n)
    hop = 160

    def one_pass(fn):
        return prosody.in_blocks(y, hop, SR, fn, block_s=1e6)

    import librosa

    ref = one_pass(lambda s: np.vstack([
        librosa.feature.mfcc(y=s, sr=SR, n_mfcc=13, n_fft=512, hop_length=hop, n_mels=40)[1:],
        librosa.feature.zero_crossing_rate(s, frame_length=400, hop_length=hop)]))
    ref_flux = np.concatenate([[0.0], np.linalg.norm(np.diff(ref[:-1], axis=1), axis=0)])
    m = min(flux.size, ref_flux.size)
    assert np.allclose(flux[:m], ref_flux[:m], rtol=1e-3, atol=1e-2)
    assert np.allclose(zcr[:m], ref[-1][:m], atol=1e-6)


def test_vectorised_pyin_equals_librosa_pyin():
    """mockmic's pYIN (the per-frame loop vectorised) gives librosa.pyin's numbers on speech,
    noise and a tone, with mockmic's settings."""
    import librosa

    from conftest import espeak_samples
    from mockmic.delivery.pyin import pyin

    rng = np.random.default_rng(7)
    speech = espeak_samples("Um, in my last role I was responsible for the monthly revenue report.")
    tone = 0.2 * np.sin(2 * np.pi * 220 * np.arange(SR) / SR)
    y16 = np.concatenate([speech, 0.01 * rng.standard_normal(SR // 2), tone, 0.5 * speech]).astype(np.float32)
    y = librosa.resample(y16, orig_sr=SR, target_sr=prosody.PITCH_RATE, res_type="polyphase")
    kw = dict(fmin=60.0, fmax=400.0, sr=prosody.PITCH_RATE, frame_length=512, hop_length=320,
              resolution=prosody.PITCH_RESOLUTION_ST)
    f0_ref, _flag, prob_ref = librosa.pyin(y, fill_na=None, **kw)
    f0, prob = pyin(y, **kw)
    assert f0.shape == f0_ref.shape == prob.shape
    assert np.array_equal(f0, f0_ref)
    assert np.allclose(prob, prob_ref, rtol=0, atol=1e-12)
    # and the numbers mean something: the tone is voiced at 220 Hz, the noise is not.
    frame_s = np.arange(f0.size) * 0.04
    at_tone = (frame_s > (speech.size + SR // 2) / SR + 0.1) & (frame_s < (speech.size + 1.5 * SR) / SR - 0.1)
    at_noise = (frame_s > speech.size / SR + 0.1) & (frame_s < (speech.size + SR // 2) / SR - 0.1)
    assert np.median(prob[at_tone]) > 0.5 and abs(np.median(f0[at_tone]) - 220) < 3
    assert np.median(prob[at_noise]) < 0.1
