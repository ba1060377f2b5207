"""The speech check: noise, tones, hum and a beep get a "no speech" report, never a score."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from conftest import EVAL_DIR, SR, STAR_SENTENCES, espeak_samples, silence, write_wav
from mockmic.audio import check_speech, load_audio
from mockmic.cli import cli
from mockmic.render import render

RNG = np.random.default_rng(7)
T = np.arange(10 * SR) / SR


def _pink(n: int) -> np.ndarray:
    spectrum = np.fft.rfft(RNG.standard_normal(n))
    f = np.fft.rfftfreq(n)
    spectrum[1:] /= np.sqrt(f[1:])
    spectrum[0] = 0
    y = np.fft.irfft(spectrum, n)
    return 0.3 * y / np.abs(y).max()


def _notes() -> np.ndarray:
    hz = [262, 294, 330, 349, 392, 440, 494, 523]
    n = int(0.25 * SR)
    return np.concatenate([0.3 * np.sin(2 * np.pi * hz[i % 8] * np.arange(n) / SR) * np.hanning(n) for i in range(40)])


NOT_SPEECH = {
    "white noise": lambda: 0.3 * RNG.standard_normal(T.size),
    "pink noise": lambda: _pink(T.size),
    "pink noise, a minute": lambda: _pink(60 * SR),
    "pure tone": lambda: 0.3 * np.sin(2 * np.pi * 440 * T),
    "chord": lambda: 0.1 * sum(np.sin(2 * np.pi * f * T) for f in (262, 330, 392)),
    "50 Hz hum": lambda: 0.2 * np.sin(2 * np.pi * 50 * T) + 0.1 * np.sin(2 * np.pi * 100 * T),
    "0.1 s tone": lambda: np.concatenate([silence(1), 0.3 * np.sin(2 * np.pi * 440 * np.arange(1600) / SR), silence(1)]),
    "beeps": lambda: np.tile(np.concatenate([0.3 * np.sin(2 * np.pi * 1000 * np.arange(4000) / SR), silence(0.25)]), 20),
    "melody of held notes": _notes,
    "noise bursts": lambda: 0.3 * RNG.standard_normal(T.size) * (np.sin(2 * np.pi * 4 * T) > 0.3),
}


@pytest.mark.parametrize("name", list(NOT_SPEECH))
def test_sounds_that_are_not_speech_are_found_out(name):
    result = check_speech(NOT_SPEECH[name]().astype(np.float32))
    assert not result.found, result
    assert result.reason


@pytest.mark.parametrize("text", ["six", STAR_SENTENCES[0], " ".join(STAR_SENTENCES[:3])])
def test_espeak_speech_passes(text):
    y = espeak_samples(text)
    assert check_speech(y).found
    if text != "six":  # a sentence over a hiss (one word in it is mostly under the hiss)
        noisy = (y + 0.02 * RNG.standard_normal(y.size)).astype(np.float32)
        assert check_speech(noisy).found


def test_every_real_clip_passes():
    clips = sorted((EVAL_DIR / "mfa" / "wav").glob("*.*"))
    assert len(clips) >= 60, f"the real clips are missing from {EVAL_DIR / 'mfa'}"
    failed = [c.name for c in clips if not check_speech(load_audio(c)[0]).found]
    assert failed == []


def _wav_claiming(path: Path, rate: int, samples: np.ndarray) -> Path:
    """A 16-bit mono WAV whose header says ``rate`` whatever the samples were recorded at."""
    data = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack(
        "<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16) + b"data" + struct.pack("<I", len(data))
    path.write_bytes(header + data)
    return path


@pytest.mark.parametrize("make", ["noise", "tone", "short tone", "1 MHz header"])
def test_the_report_says_no_speech_and_scores_nothing(tmp_path, make):
    if make == "noise":
        path = write_wav(tmp_path / "noise.wav", 0.3 * RNG.standard_normal(T.size).astype(np.float32))
    elif make == "tone":
        path = write_wav(tmp_path / "tone.wav", (0.3 * np.sin(2 * np.pi * 440 * T)).astype(np.float32))
    elif make == "short tone":
        path = write_wav(tmp_path / "beep.wav", NOT_SPEECH["0.1 s tone"]().astype(np.float32))
    else:
        path = _wav_claiming(tmp_path / "fast.wav", 1_000_000, espeak_samples(STAR_SENTENCES[0]))
    result = CliRunner().invoke(cli, ["analyze", str(path), "--format", "json", "-q"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["scores"] == {"overall": None, "delivery": None, "structure": None, "accountability": None}
    assert data["transcript"]["words"] == [] and data["delivery"] is None and data["content"] is None
    assert data["feedback"] == []
    assert any(n.startswith(f"No speech was found in {path.name}") for n in data["notices"]), data["notices"]
    # every renderer says so, and none shows a pace or a score
    from mockmic.store import Store

    report = Store().get(data["id"])
    for fmt in ("text", "md", "html"):
        out = render(report, fmt)
        assert "No speech was found" in out, fmt
        assert "words/min" not in out.replace("words/min\"", "") or fmt == "html"
        assert "/100" not in out, fmt
