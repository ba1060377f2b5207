"""Audio in: decode any common file to float32 mono at 16 kHz, with clear errors.

PyAV (FFmpeg) reads WAV of any bit depth and rate, FLAC, OGG/Opus, MP3, M4A/AAC and WebM.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..config import SAMPLE_RATE
from ..errors import AudioError
from ..results import AudioInfo

# (seconds decoded, total seconds or None)
DecodeProgress = Callable[[float, float | None], None]


def load_audio(
    path: str | Path, *, on_progress: DecodeProgress | None = None
) -> tuple[np.ndarray, AudioInfo]:
    """Decode ``path`` to a float32 mono signal at :data:`SAMPLE_RATE`.

    Returns
    -------
    samples : np.ndarray, shape (n,), float32 in [-1, 1]
    info : AudioInfo
        Duration of the decoded signal and the file's own rate, channels and format.

    Raises
    ------
    AudioError
        The file is missing, a directory, unreadable, not audio, corrupt or empty.
    """
    import av  # heavy; only needed here

    path = Path(path)
    if not path.exists():
        raise AudioError(f"No such file: {path}.")
    if path.is_dir():
        raise AudioError(f"{path} is a directory, not an audio file.")
    import stat

    if not stat.S_ISREG(path.stat().st_mode):  # opening a FIFO would wait for a writer forever
        raise AudioError(f"{path} is a special file (a pipe, device or socket), not an audio file: save the audio to a file first.")
    try:
        with open(path, "rb") as fh:
            fh.read(1)
    except PermissionError:
        raise AudioError(f"{path} cannot be read: permission denied.") from None
    except OSError as e:
        raise AudioError(f"{path} cannot be read: {e.strerror or e}.") from None
    if path.stat().st_size == 0:
        raise AudioError(f"{path} is empty (0 bytes).")

    try:
        container = av.open(str(path), metadata_errors="ignore")
    except av.error.InvalidDataError as e:
        raise AudioError(f"{path} is not an audio file that can be read (corrupt or unsupported format).") from e
    except av.error.FFmpegError as e:
        raise AudioError(f"{path} could not be opened as audio: {e.strerror or e}.") from e

    out_buf = _Growing()
    with container:
        if not container.streams.audio:
            raise AudioError(f"{path} has no audio track.")
        stream = container.streams.audio[0]
        original_rate = stream.codec_context.sample_rate or stream.rate
        channels = stream.codec_context.channels
        total_s = float(stream.duration * stream.time_base) if stream.duration and stream.time_base else None
        if total_s is None and container.duration:
            total_s = container.duration / 1_000_000
        # Keep the channels through resampling and average them ourselves: FFmpeg's own
        # downmix scales each channel by 0.707, which changes levels and can clip.
        resampler = av.AudioResampler(format="fltp", rate=SAMPLE_RATE)
        if total_s:
            out_buf.reserve(int(total_s * SAMPLE_RATE) + SAMPLE_RATE)
        decoded = 0
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    out_buf.append(_mono(out.to_ndarray()))
                    decoded += out.samples
                if on_progress is not None:
                    on_progress(decoded / SAMPLE_RATE, total_s)
            for out in resampler.resample(None):
                out_buf.append(_mono(out.to_ndarray()))
        except av.error.FFmpegError as e:
            if not out_buf.size:
                raise AudioError(f"{path} is corrupt: no audio could be decoded ({e.strerror or e}).") from e
            # A truncated file: keep what decoded, as players do.
        fmt = container.format.name

    samples = out_buf.result()
    if samples.size == 0:
        raise AudioError(f"{path} contains no audio (zero length).")
    np.clip(samples, -1.0, 1.0, out=samples)
    info = AudioInfo(
        path=str(path),
        duration_s=samples.size / SAMPLE_RATE,
        sample_rate=SAMPLE_RATE,
        original_sample_rate=int(original_rate) if original_rate else None,
        channels=int(channels) if channels else None,
        format=fmt,
        declared_duration_s=round(total_s, 3) if total_s else None,
    )
    return samples, info


def recording_notices(samples: np.ndarray, info: AudioInfo) -> list[str]:
    """What the person should know about the recording itself: cut short, or clipped.

    >>> info = AudioInfo("a.wav", 2.0, 16000, declared_duration_s=10.0)
    >>> recording_notices(np.zeros(32000, np.float32), info)[0][:36]
    'a.wav was cut short: its header says'
    """
    out = []
    name = Path(info.path).name
    declared = info.declared_duration_s
    if declared and info.duration_s < declared * 0.97 - 0.2:
        out.append(f"{name} was cut short: its header says {declared:.1f} s but only {info.duration_s:.1f} s "
                   "could be decoded, so the end of the answer is missing from this report.")
    if samples.size:
        clipped = int(np.count_nonzero(np.abs(samples) >= CLIP_LEVEL))
        if clipped >= 50 and clipped / samples.size >= CLIP_SHARE:
            out.append(f"{name} is clipped: {100 * clipped / samples.size:.1f}% of its samples sit at full scale, "
                       "so loud parts are distorted; record with the microphone gain lower.")
    return out


CLIP_LEVEL = 0.999  # |sample| at or above this is at full scale
CLIP_SHARE = 0.001  # 0.1% of samples at full scale: audible distortion, not one stray peak


class _Growing:
    """A float32 buffer filled in place: one copy of the signal, not a list of chunks plus
    their concatenation (an hour is 230 MB; twice that was the decoder's peak)."""

    def __init__(self) -> None:
        self.data = np.zeros(0, np.float32)
        self.size = 0

    def reserve(self, n: int) -> None:
        if n > self.data.size:
            grown = np.empty(n, np.float32)
            grown[: self.size] = self.data[: self.size]
            self.data = grown

    def append(self, chunk: np.ndarray) -> None:
        if self.size + chunk.size > self.data.size:
            self.reserve(max(self.size + chunk.size, int(self.data.size * 1.5), SAMPLE_RATE * 10))
        self.data[self.size:self.size + chunk.size] = chunk
        self.size += chunk.size

    def result(self) -> np.ndarray:
        if self.size < self.data.size:
            self.data.resize(self.size, refcheck=False)  # in place: gives the tail back
        return self.data


def _mono(planar: np.ndarray) -> np.ndarray:
    """(channels, n) planar float -> (n,) mean of the channels."""
    return planar.mean(axis=0, dtype=np.float32) if planar.shape[0] > 1 else planar[0].copy()


def is_silent(samples: np.ndarray, *, threshold_dbfs: float = -60.0) -> bool:
    """True when the whole signal stays below ``threshold_dbfs`` peak (no speech possible)."""
    if samples.size == 0:
        return True
    peak = float(np.max(np.abs(samples)))
    return peak <= 10 ** (threshold_dbfs / 20)
