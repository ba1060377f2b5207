"""Recordings in progress on disk, and the recovery of those a crash or kill interrupted.

A recording lives in ``<data home>/incoming/`` until it is analysed and stored:

    <id>.wav    16-bit PCM mono WAV, written as the audio arrives
    <id>.json   marker: question, rate, device, state ("recording" or "recorded");
                locked (flock) by the process that records, so others leave it alone

The WAV header is rewritten with the true length every time a batch is written (about once a
second), so after a SIGKILL or power loss the file is already a valid WAV of all but the last
second. :func:`repair_wav` also rebuilds the header from the file size, for a kill that lands
between writing samples and rewriting the header.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import errno
import fcntl
import json
import os
import struct
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import config
from .errors import MockmicError, StoreError

INCOMING_DIR = "incoming"  # recordings not yet stored
RECORDED_DIR = "recorded"  # recordings kept without analysis (--no-analyze)
SAMPLE_WIDTH = 2  # bytes: 16-bit PCM, ample for speech and half the size of float


def incoming_dir(home: Path | None = None) -> Path:
    return (home or config.data_home()) / INCOMING_DIR


def recorded_dir(home: Path | None = None) -> Path:
    return (home or config.data_home()) / RECORDED_DIR


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


# --- markers -------------------------------------------------------------------------------


@dataclass
class Marker:
    """The sidecar of a recording in ``incoming/``; holds an exclusive lock while open."""

    path: Path
    data: dict[str, Any]
    _fd: int | None = None

    @property
    def session_id(self) -> str:
        return self.data["session_id"]

    @property
    def wav_path(self) -> Path:
        return self.path.with_suffix(".wav")

    @classmethod
    def create(cls, folder: Path, session_id: str, **data: Any) -> Marker:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{session_id}.json"
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        marker = cls(path, {"session_id": session_id, "state": "recording",
                            "started_at": _dt.datetime.now().astimezone().isoformat(timespec="seconds"), **data}, fd)
        marker.save()
        return marker

    @classmethod
    def claim(cls, path: Path) -> Marker | None:
        """Open and lock an existing marker; None when another process holds it (still recording)."""
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            os.close(fd)
            if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                return None
            raise
        raw = os.pread(fd, 1 << 20, 0)
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict):
                raise ValueError
        except ValueError:
            data = {}  # a kill during the first write; the WAV beside it still counts
        data.setdefault("session_id", path.stem)
        return cls(path, data, fd)

    def save(self, **changes: Any) -> None:
        """Rewrite the marker in place (it stays locked). A full disk leaves the old content."""
        self.data.update(changes)
        raw = (json.dumps(self.data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        assert self._fd is not None
        try:
            os.ftruncate(self._fd, 0)
            os.pwrite(self._fd, raw, 0)
            os.fsync(self._fd)
        except OSError:
            pass  # the marker is advisory: recovery works from the WAV alone

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None

    def remove(self) -> None:
        """Delete the marker (the recording was stored or kept elsewhere) and unlock."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self.release()


def leftover_markers(home: Path | None = None) -> list[Marker]:
    """Claim every recording in ``incoming/`` that no running process holds, oldest first.

    WAV files without a marker (a kill between creating the two) get one.
    """
    folder = incoming_dir(home)
    if not folder.is_dir():
        return []
    for wav in folder.glob("*.wav"):
        marker_path = wav.with_suffix(".json")
        if not marker_path.exists():
            with contextlib.suppress(FileExistsError):
                Marker.create(folder, wav.stem, state="recording").release()
    markers = []
    for path in sorted(folder.glob("*.json")):
        marker = Marker.claim(path)
        if marker is not None:
            markers.append(marker)
    return markers


# --- a finished recording, until it is stored --------------------------------------------


@dataclass
class PendingRecording:
    """A finished (or recovered) recording in ``incoming/``, locked by this process until it is
    stored, kept elsewhere or discarded."""

    marker: Marker

    @property
    def path(self) -> Path:
        return self.marker.wav_path

    @property
    def session_id(self) -> str:
        return self.marker.session_id

    @property
    def question(self) -> str | None:
        return self.marker.data.get("question")

    @property
    def duration_s(self) -> float:
        import soundfile as sf

        return float(sf.info(str(self.path)).duration)

    def analyse_and_store(self, analyzer, store=None, *, transcript=None):
        """Analyse with ``analyzer`` (a :class:`mockmic.pipeline.Analyzer`) and store the session,
        moving the WAV into its folder. Returns ``(report, session_folder)``.

        ``transcript``: one made while recording (streamed), so only analysis is left to do.

        On any error the recording stays in ``incoming/`` for ``mockmic record --recover``.
        """
        from .audio import load_audio
        from .store import Store

        store = store or Store()
        samples, info = load_audio(self.path)
        # The report names where the audio will live once stored, not this passing folder.
        final = store.stored_audio_path(self.session_id, self.path)
        info = dataclasses.replace(info, path=str(final))
        report = analyzer.analyze_samples(samples, info, question=self.question, session_id=self.session_id,
                                          transcript=transcript)
        folder = store.save(report, self.path, mode="move")
        self.marker.remove()
        return report, folder

    def keep(self, folder: Path | None = None) -> Path:
        """Move the WAV (and its details, as JSON beside it) out of ``incoming/`` unanalysed."""
        folder = folder or recorded_dir(self.path.parent.parent)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / self.path.name
        os.replace(self.path, target)
        details = dict(self.marker.data, state="kept", path=str(target))
        with contextlib.suppress(OSError):
            target.with_suffix(".json").write_text(_json(details), encoding="utf-8")
        self.marker.remove()
        return target

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self.marker.remove()

    def release(self) -> None:
        """Unlock without changing anything: the next run recovers it."""
        self.marker.release()


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# --- recovery ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecoveryNote:
    session_id: str
    message: str


def recover_recordings(home: Path | None = None) -> tuple[list[PendingRecording], list[RecoveryNote]]:
    """Turn every interrupted recording in ``incoming/`` into a valid WAV, locked for this process.

    Recordings another process is still making are left alone. Leftovers of a session that
    was already stored (a kill after the store) and recordings with no audio are removed.
    Returns the recordings ready to analyse and notes on what was cleaned up.
    """
    from .store import REPORT_NAME, Store

    store = Store(home) if home is not None else Store()
    ready: list[PendingRecording] = []
    notes: list[RecoveryNote] = []
    try:
        markers = leftover_markers(home)
    except OSError as e:
        raise StoreError(f"Unfinished recordings in {incoming_dir(home)} cannot be read: {e.strerror or e}.") from e
    for marker in markers:
        pending = PendingRecording(marker)
        wav = pending.path
        try:
            stored = (store.session_dir(pending.session_id) / REPORT_NAME).is_file()
        except MockmicError:
            stored = False
        if stored:
            pending.discard()
            notes.append(RecoveryNote(pending.session_id, "already stored; removed the leftover copy"))
            continue
        if not wav.exists():
            marker.remove()
            continue
        try:
            frames = repair_wav(wav)
        except (ValueError, OSError):
            frames = None
        if not frames:
            if frames is None and wav.stat().st_size > 44:
                # Not a header this module wrote: leave the bytes for a person to look at.
                marker.release()
                notes.append(RecoveryNote(pending.session_id, f"{wav} could not be repaired; it was left as is"))
                continue
            pending.discard()
            notes.append(RecoveryNote(pending.session_id, "held no audio; removed"))
            continue
        marker.save(state="recorded", recovered=True)
        ready.append(pending)
    return ready, notes

