"""WAV files: 16-bit PCM from float samples, a WAV that is valid after every write, and repair.

The recorder writes answers with :class:`IncrementalWav`, so a killed process leaves a
playable file; :func:`repair_wav` rebuilds a header from the file size after such a kill.
"""

from __future__ import annotations

import contextlib
import io
import os
import struct
import wave
from pathlib import Path

import numpy as np

from ..config import SAMPLE_RATE

SAMPLE_WIDTH = 2  # bytes: 16-bit PCM, ample for speech and half the size of float


def write_wav(path: str | Path, samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> None:
    """Write float32 mono samples as 16-bit PCM WAV (used for sessions and fixtures)."""
    import soundfile as sf

    sf.write(str(path), np.asarray(samples, dtype=np.float32), sample_rate, subtype="PCM_16")


def wav_bytes(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> bytes:
    """A whole mono 16-bit WAV file in memory."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(SAMPLE_WIDTH)
        w.setframerate(sample_rate)
        w.writeframes(to_pcm16(samples))
    return buf.getvalue()


def to_pcm16(block: np.ndarray) -> bytes:
    """Float samples in [-1, 1] (mono, or channels averaged) as little-endian 16-bit PCM."""
    x = np.asarray(block, dtype=np.float32)
    if x.ndim == 2:
        x = x.mean(axis=1)
    return (np.clip(x, -1.0, 1.0) * 32767.0).round().astype("<i2").tobytes()


class IncrementalWav:
    """A mono 16-bit WAV written in batches; valid on disk after every :meth:`write`.

    ``wave.writeframes`` rewrites the header's lengths after each call, and the flush hands
    the bytes to the kernel, so a killed process leaves a playable file.
    """

    def __init__(self, path: Path, sample_rate_hz: int, *, fsync: bool = True) -> None:
        self.path = Path(path)
        self.sample_rate_hz = int(sample_rate_hz)
        self.frames_written = 0
        self._fsync = fsync
        self._fh = open(self.path, "wb")  # noqa: SIM115 - closed in close()
        try:
            self._wav = wave.open(self._fh, "wb")
            self._wav.setnchannels(1)
            self._wav.setsampwidth(SAMPLE_WIDTH)
            self._wav.setframerate(self.sample_rate_hz)
            self._wav.writeframes(b"")  # the header goes to disk now, before any audio
            self._sync()
        except BaseException:
            self._fh.close()
            raise

    def write(self, pcm: bytes) -> None:
        """Append 16-bit PCM frames and make the file valid up to them. Raises OSError."""
        if pcm:
            self._wav.writeframes(pcm)
            self.frames_written += len(pcm) // SAMPLE_WIDTH
        self._sync()

    def _sync(self) -> None:
        self._fh.flush()
        if self._fsync:
            os.fsync(self._fh.fileno())

    def close(self) -> None:
        """Finish the file. After a write error the header is rebuilt from what reached disk."""
        try:
            self._wav.close()  # patches the header; does not close a file object it was given
            self._sync()
        except OSError:
            with contextlib.suppress(OSError):
                self._fh.close()
            repair_wav(self.path)
            return
        self._fh.close()

    def abandon(self) -> None:
        """Close after a failed write without retrying it, then rebuild the header from disk."""
        # Each close tries to flush the refused bytes once more, fails, and still lets go of the
        # file; closing the wave writer here also stops its __del__ from trying again at exit.
        with contextlib.suppress(OSError, ValueError):
            self._wav.close()
        with contextlib.suppress(OSError, ValueError):
            self._fh.close()
        repair_wav(self.path)


def repair_wav(path: Path) -> int:
    """Make ``path`` a valid WAV holding every whole frame on disk; return the frame count.

    The RIFF and data lengths are set from the file size (a killed writer may not have
    updated them) and a trailing partial frame is cut off. Raises ValueError when the file is
    not a WAV this module wrote (no RIFF/WAVE, fmt and data chunks).
    """
    path = Path(path)
    with open(path, "r+b") as fh:
        head = fh.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            raise ValueError(f"{path} is not a WAV file")
        block_align = None
        pos = 12
        while True:
            fh.seek(pos)
            chunk = fh.read(8)
            if len(chunk) < 8:
                raise ValueError(f"{path} has no data chunk")
            cid, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if cid == b"fmt ":
                fmt = fh.read(16)
                block_align = struct.unpack("<H", fmt[12:14])[0]
            elif cid == b"data":
                break
            pos += 8 + size + (size & 1)
        if not block_align:
            raise ValueError(f"{path} has no fmt chunk before its data")
        data_start = pos + 8
        end = fh.seek(0, os.SEEK_END)
        data_bytes = (end - data_start) // block_align * block_align
        fh.truncate(data_start + data_bytes)
        fh.seek(pos + 4)
        fh.write(struct.pack("<I", data_bytes))
        fh.seek(4)
        fh.write(struct.pack("<I", data_start + data_bytes - 8))
        fh.flush()
        os.fsync(fh.fileno())
    return data_bytes // block_align
