"""The level meter and the speech/silence logic of the recorder, on numpy signals."""

from __future__ import annotations

import numpy as np
import pytest

from mockmic.record.levels import (
    FLOOR_DBFS,
    LevelOptions,
    LevelTracker,
    is_clipping,
    meter_bar,
    peak_dbfs,
    rms_dbfs,
)

RATE = 16000  # Hz
BLOCK_S = 0.05


def sine(amplitude: float, seconds: float, freq: float = 220.0) -> np.ndarray:
    t = np.arange(int(round(seconds * RATE))) / RATE
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def feed(tracker: LevelTracker, signal: np.ndarray) -> None:
    """Feed ``signal`` to ``tracker`` in 50 ms blocks."""
    n = int(BLOCK_S * RATE)
    for start in range(0, signal.size, n):
        block = signal[start : start + n]
        tracker.update(block, block.size / RATE)


@pytest.mark.parametrize(
    ("amplitude", "expected_dbfs"),
    [(1.0, -3.01), (0.5, -9.03), (0.1, -23.01), (0.01, -43.01)],
)
def test_rms_of_a_sine_is_3_db_under_its_peak(amplitude, expected_dbfs):
    x = sine(amplitude, 1.0)
    assert rms_dbfs(x) == pytest.approx(expected_dbfs, abs=0.02)
    assert peak_dbfs(x) == pytest.approx(20 * np.log10(amplitude), abs=0.02)


def test_full_scale_square_wave_is_0_dbfs():
    x = np.tile(np.array([1.0, -1.0], dtype=np.float32), 500)
    assert rms_dbfs(x) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("block", [np.zeros(800, np.float32), np.zeros(0, np.float32)])
def test_silence_and_empty_blocks_report_the_floor_not_minus_infinity(block):
    assert rms_dbfs(block) == FLOOR_DBFS
    assert peak_dbfs(block) == FLOOR_DBFS


def test_stereo_blocks_are_measured_over_all_samples():
    x = np.stack([sine(0.5, 0.1), sine(0.5, 0.1)], axis=1)
    assert rms_dbfs(x) == pytest.approx(-9.03, abs=0.05)


def test_clipping_is_a_sample_at_full_scale():
    x = sine(0.5, 0.1)
    assert not is_clipping(x)
    x[10] = 1.0
    assert is_clipping(x)
    assert not is_clipping(np.zeros(0, np.float32))


@pytest.mark.parametrize(
    ("level", "bar"),
    [(-120.0, "··········"), (-60.0, "··········"), (-30.0, "█████·····"), (0.0, "██████████"), (3.0, "██████████")],
)
def test_meter_bar_spans_minus_60_to_0_dbfs(level, bar):
    assert meter_bar(level, width=10) == bar


def test_silence_before_speech_never_stops_the_recording():
    t = LevelTracker()
    feed(t, np.zeros(10 * RATE, np.float32))
    assert not t.speech_started
    assert not t.silence_exceeds(1.0)


def test_silence_after_speech_counts_up_and_stops_at_the_limit():
    t = LevelTracker()
    feed(t, sine(0.3, 1.0))  # -13.5 dBFS: speech
    assert t.speech_started
    assert t.speech_started_at_s == pytest.approx(0.0)
    feed(t, np.zeros(int(1.45 * RATE), np.float32))
    assert t.silence_s == pytest.approx(1.45, abs=0.051)
    assert not t.silence_exceeds(2.0)
    feed(t, np.zeros(int(0.6 * RATE), np.float32))
    assert t.silence_exceeds(2.0)
    assert not t.silence_exceeds(None)


def test_speech_resets_the_silence_run():
    t = LevelTracker()
    feed(t, np.concatenate([sine(0.3, 0.5), np.zeros(RATE, np.float32), sine(0.3, 0.2)]))
    assert t.silence_s == 0.0
    feed(t, np.zeros(RATE // 2, np.float32))
    assert t.silence_s == pytest.approx(0.5, abs=0.051)


def test_speech_starts_where_the_voice_began():
    t = LevelTracker()
    feed(t, np.concatenate([np.zeros(2 * RATE, np.float32), sine(0.3, 0.5)]))
    assert t.speech_started_at_s == pytest.approx(2.0, abs=0.051)


def test_a_click_does_not_count_as_speech():
    # One 50 ms block of sound in silence: shorter than speech_start_s (0.15 s).
    t = LevelTracker()
    feed(t, np.concatenate([np.zeros(RATE, np.float32), sine(0.5, 0.05), np.zeros(3 * RATE, np.float32)]))
    assert not t.speech_started
    assert not t.silence_exceeds(1.0)


def test_room_noise_between_the_thresholds_neither_starts_nor_ends_speech():
    rng = np.random.default_rng(1)
    noise = (10 ** (-42 / 20) * rng.standard_normal(3 * RATE)).astype(np.float32)  # -42 dBFS RMS
    assert -45 < rms_dbfs(noise) < -40
    t = LevelTracker()
    feed(t, noise)
    assert not t.speech_started
    feed(t, sine(0.3, 0.5))
    feed(t, noise)
    assert t.speech_started
    assert t.silence_s == 0.0  # hysteresis: noise is not silence once speaking


def test_silent_input_warning_after_three_seconds_of_near_zero():
    t = LevelTracker()
    feed(t, np.zeros(int(2.9 * RATE), np.float32))
    assert not t.input_silent
    feed(t, np.zeros(int(0.2 * RATE), np.float32))
    assert t.input_silent
    assert any("no sound" in w for w in t.warnings())
    feed(t, sine(0.3, 0.1))
    assert not t.input_silent


def test_clipping_warning_holds_for_two_seconds():
    t = LevelTracker()
    loud = np.clip(sine(2.0, 0.1), -1.0, 1.0)
    feed(t, loud)
    assert t.clipping and t.clipped_blocks == 2
    assert any("clipping" in w for w in t.warnings())
    feed(t, sine(0.3, 1.9))
    assert t.clipping
    feed(t, sine(0.3, 0.2))
    assert not t.clipping
    assert t.max_peak_dbfs == pytest.approx(0.0, abs=1e-3)


def test_thresholds_come_from_options():
    quiet_speech = sine(0.02, 1.0)  # -37 dBFS RMS
    default = LevelTracker()
    feed(default, quiet_speech)
    assert default.speech_started
    strict = LevelTracker(LevelOptions(speech_dbfs=-30.0, silence_dbfs=-35.0))
    feed(strict, quiet_speech)
    assert not strict.speech_started
