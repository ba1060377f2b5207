"""Helpers for the recorder's tests: known speech to play, envelopes to compare, a CLI runner."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from conftest import SR, espeak_samples, silence, write_wav

HOP_S = 0.01  # envelope resolution: 10 ms, as VIRTUAL_MIC.md suggests
MOCKMIC = [sys.executable, "-c", "import sys; sys.argv[0] = 'mockmic'; from mockmic.cli import main; main()"]

ANSWER_TEXT = "I made a mistake in the release. I told my team, fixed it, and added a check."


def make_answer_wav(folder: Path) -> tuple[Path, float]:
    """Known speech with 0.3 s of silence either side; returns the path and its length in s."""
    samples = np.concatenate([silence(0.3), espeak_samples(ANSWER_TEXT), silence(0.3)])
    return write_wav(folder / "answer.wav", samples), samples.size / SR


def envelope(samples: np.ndarray, rate: int) -> np.ndarray:
    """RMS per 10 ms hop (the sink resamples and delays, so compare envelopes, not samples)."""
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim == 2:
        x = x.mean(axis=1)
    hop = int(round(HOP_S * rate))
    n = x.size // hop
    return np.sqrt(np.mean(x[: n * hop].reshape(n, hop) ** 2, axis=1))


def best_alignment(reference: np.ndarray, recorded: np.ndarray) -> tuple[float, float]:
    """Pearson correlation of two envelopes at the delay where it is highest.

    Returns ``(correlation, delay_s)``: how far into ``recorded`` the reference starts.
    """
    ref = reference
    best = (-1.0, 0.0)
    for lag in range(0, max(1, recorded.size - ref.size + 1)):
        seg = recorded[lag : lag + ref.size]
        if seg.size < ref.size or seg.std() == 0:
            continue
        r = float(np.corrcoef(ref, seg)[0, 1])
        if r > best[0]:
            best = (r, lag * HOP_S)
    return best


def compare_to_played(played: Path, recorded: Path) -> tuple[float, float]:
    ref, ref_rate = sf.read(str(played), dtype="float32")
    rec, rec_rate = sf.read(str(recorded), dtype="float32")
    return best_alignment(envelope(ref, ref_rate), envelope(rec, rec_rate))


def wav_is_complete(path: Path) -> int:
    """Frames in ``path``, after checking its header counts exactly the bytes on disk."""
    info = sf.info(str(path))
    assert info.format == "WAV" and info.subtype == "PCM_16" and info.channels == 1
    assert path.stat().st_size == 44 + info.frames * 2, "header and file size disagree"
    return info.frames


class RecordProcess:
    """``mockmic record`` in a subprocess, with stderr collected as it arrives."""

    def __init__(self, args: list[str], env: dict[str, str], **popen) -> None:
        self.proc = subprocess.Popen(
            MOCKMIC + ["record", *args], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, **popen,
        )
        self.err_lines: list[str] = []
        self.recording = threading.Event()
        self.started_at: float | None = None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.err_lines.append(line)
            if line.startswith("Recording:"):
                self.started_at = time.monotonic()
                self.recording.set()

    def wait_recording(self, timeout: float = 30.0) -> None:
        if not self.recording.wait(timeout):
            self.proc.kill()
            raise AssertionError("recording did not start:\n" + "".join(self.err_lines))

    def finish(self, timeout: float = 60.0) -> tuple[int, str, str]:
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError("mockmic record did not end:\n" + "".join(self.err_lines)) from None
        out = self.proc.stdout.read() if self.proc.stdout else ""
        self._reader.join(timeout=5)
        return rc, out, "".join(self.err_lines)

    def running(self) -> bool:
        return self.proc.poll() is None
