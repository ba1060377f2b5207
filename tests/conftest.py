"""Shared fixtures: a private data home, a network guard, and generated speech.

Speech comes from espeak-ng, silences from numpy: every fixture's words and gaps are known.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import numpy as np
import pytest

# The real-speech set sits beside the checkout (../shared/eval); MOCKMIC_EVAL moves it.
from mockmic.config import shared_dir  # noqa: E402

EVAL_DIR = Path(os.environ.get("MOCKMIC_EVAL") or (shared_dir() or Path("../shared")) / "eval")
SR = 16000  # Hz


@pytest.fixture(autouse=True)
def _private_home(tmp_path_factory, monkeypatch):
    """Every test writes sessions into its own temporary data home, never ./recordings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("MOCKMIC_HOME", str(home))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return home


class NetworkAccessed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    """Fail the test if anything opens an internet socket (AF_UNIX stays allowed)."""
    attempts: list[object] = []
    real_connect = socket.socket.connect
    real_create = socket.create_connection

    def guarded_connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(address)
            raise NetworkAccessed(f"network connection attempted to {address!r}")
        return real_connect(self, address)

    def guarded_create(address, *a, **k):
        attempts.append(address)
        raise NetworkAccessed(f"network connection attempted to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "create_connection", guarded_create)
    yield attempts
    assert not attempts, f"network accessed: {attempts}"


def _require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is not installed: run ./scripts/setup --test")
    return path


def espeak_samples(text: str, *, words_per_minute: int = 160, voice: str = "en-us") -> np.ndarray:
    """Speak ``text`` with espeak-ng; float32 mono at 16 kHz."""
    import librosa

    out = subprocess.run(
        [_require("espeak-ng"), "-v", voice, "-s", str(words_per_minute), "--stdout", text],
        check=True,
        capture_output=True,
    ).stdout
    import io

    import soundfile as sf

    data, rate = sf.read(io.BytesIO(out), dtype="float32")
    if data.ndim > 1:
        data = data.mean(axis=1)
    return librosa.resample(data, orig_sr=rate, target_sr=SR).astype(np.float32)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(round(seconds * SR)), dtype=np.float32)


def write_wav(path: Path, samples: np.ndarray, rate: int = SR, subtype: str = "PCM_16") -> Path:
    import soundfile as sf

    sf.write(str(path), samples, rate, subtype=subtype)
    return path


@pytest.fixture(scope="session")
def speech_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("speech")


# A short STAR answer, one sentence each, for tests that need several sentences of speech.
STAR_SENTENCES = [
    "In my last role I was responsible for the monthly revenue report.",
    "One month I made a mistake in a spreadsheet formula, so the report overstated revenue.",
    "I told my manager that it was my mistake and I fixed the calculation the same afternoon.",
    "Then I wrote a checklist and added an automated check before anything is sent.",
    "As a result no decision was based on the wrong number, and I learned to verify my work.",
]


def normalise_text(text: str) -> str:
    """Lower case, no punctuation: what word error rates are computed on."""
    import re

    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split())


KNOWN_SENTENCE = (
    "I made a mistake when I sent the wrong invoice to a customer. "
    "I told my manager right away and fixed it the same afternoon."
)


@pytest.fixture(scope="session")
def known_speech(speech_dir) -> Path:
    """A known sentence with 0.5 s of silence either side, as 16 kHz WAV."""
    samples = np.concatenate([silence(0.5), espeak_samples(KNOWN_SENTENCE), silence(0.5)])
    return write_wav(speech_dir / "known.wav", samples)


@pytest.fixture(scope="session")
def transcriber():
    """One loaded default model for the whole test session."""
    from mockmic.transcribe import Transcriber

    return Transcriber()
