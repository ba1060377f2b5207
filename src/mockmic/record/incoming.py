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
import datetime as _dt
import errno
import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import config
from ..audio.wav import IncrementalWav, repair_wav  # noqa: F401  (part of the recorder's API)
from ..errors import MockmicError, StoreError

INCOMING_DIR = "incoming"  # recordings not yet stored
RECORDED_DIR = "recorded"  # recordings kept without analysis (--no-analyze)


def incoming_dir(home: Path | None = None) -> Path:
    return (home or config.data_home()) / INCOMING_DIR


def recorded_dir(home: Path | None = None) -> Path:
    return (home or config.data_home()) / RECORDED_DIR


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

    def take(self):
        """This recording as a :class:`mockmic.pipeline.Take`: the store moves the file into its
        session folder, and the marker goes once it is stored."""
        from ..pipeline import Take

        return Take(path=self.path, mode="move", session_id=self.session_id, question=self.question, pending=self)

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
    from ..store import REPORT_NAME, Store

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

