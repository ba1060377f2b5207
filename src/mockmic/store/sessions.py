"""Stored sessions: one folder per session in the data home, indexed by an SQLite database.

Layout of the data home (``config.data_home()``)::

    mockmic.db                 index: one row per session, for fast listing and trends
    20261126-153812-a1b2c3/    one folder per session
        audio.flac             a copy of the audio (absent when linked or saved without audio)
        report.json            the report (JSON contract) plus a "storage" key

The folders are the truth and the database is an index of them: a session exists once its
folder holds ``report.json``. A save builds the folder under a hidden staging name and renames
it into place in one step, then indexes it, so a crash leaves either the previous state or a
complete folder that the next ``Store`` indexes (``recover``). Original files are never moved
or changed, except in ``mode="move"``, which the recorder uses for files it wrote itself.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import secrets
import shutil
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .. import config
from ..errors import StoreError
from ..results import SessionReport, report_to_dict
from .files import fsync_dir, write_atomic
from .ids import check_session_id
from .index import connect, connect_readonly, prepare, session_query, transaction
from .recovery import DELETING_PREFIX, STAGING_PREFIX, recover
from .schema import REPORT_NAME, SUMMARY_FIELDS, SessionSummary, index_row, read_report_file, summaries_csv

DB_NAME = "mockmic.db"
AUDIO_STEM = "audio"
SAVE_MODES = ("copy", "link", "move")


class Store:
    """Sessions in a data home. Every method opens its own short connection, so many
    processes can use one home at once; SQLite's WAL and busy timeout serialise the writers.

    Parameters
    ----------
    home : Path, optional
        The data home; default :func:`mockmic.config.data_home` ($MOCKMIC_HOME or ./recordings).
    """

    def __init__(self, home: Path | None = None) -> None:
        self.home = Path(home) if home is not None else config.data_home()
        self.db_path = self.home / DB_NAME
        self._ready = False

    # -- connection and schema --

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with connect(self.home, self.db_path) as conn:
            if not self._ready:
                self._prepare(conn)
            yield conn

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A connection for reading. A data home that cannot be written (read-only, full disk)
        is still read: the index is opened read-only, with no migration or recovery."""
        self._check_home()
        if not self._ready and not self._writable():
            with connect_readonly(self.home, self.db_path) as conn:
                yield conn
            return
        yielded = False
        try:
            with self._connect() as conn:
                yielded = True
                yield conn
        except StoreError as e:
            text = str(e).lower()
            if yielded or not any(k in text for k in ("readonly", "read-only", "disk i/o", "full", "cannot be created")):
                raise
            with connect_readonly(self.home, self.db_path) as conn:
                yield conn

    def _writable(self) -> bool:
        if not os.access(self.home, os.W_OK):
            return False
        return not self.db_path.exists() or os.access(self.db_path, os.W_OK)

    def _check_home(self) -> None:
        if self.home.exists() and not self.home.is_dir():
            raise StoreError(f"The data home {self.home} is a file, not a folder: point $MOCKMIC_HOME at a folder.")

    def _prepare(self, conn: sqlite3.Connection) -> None:
        prepare(conn, self.home, self.db_path)
        self._ready = True
        self.recover(conn)

    def schema_migrations(self) -> list[str]:
        """Names of the migrations applied to this home's database, oldest first."""
        with self._connect() as conn:
            return [r[0] for r in conn.execute("SELECT name FROM migrations ORDER BY rowid")]

    # -- paths --

    def stored_audio_path(self, session_id: str, source: Path) -> Path:
        """Where ``save(..., mode="copy" | "move")`` puts ``source``'s audio for ``session_id``."""
        return self.session_dir(session_id) / (AUDIO_STEM + Path(source).suffix.lower())

    def session_dir(self, session_id: str) -> Path:
        """The folder of ``session_id`` (it need not exist). Raises StoreError for a bad id."""
        check_session_id(session_id)
        folder = self.home / session_id
        # The regex already forbids separators and dots; this guards against a symlinked id.
        if folder.is_symlink() or folder.resolve().parent != self.home.resolve():
            raise StoreError(f"Session {session_id} points outside the data home {self.home}; it was not used.")
        return folder

    # -- writing --

    def save(self, report: SessionReport, audio: Path | None, *, mode: str = "copy", person: str | None = None,
             analysis_key: str | None = None) -> Path:
        """Store ``report`` with its audio and index it; return the session folder.

        Parameters
        ----------
        report : SessionReport
            Its ``id`` names the folder. Saving an id that is already stored replaces its
            report and keeps its audio (``audio`` must then be None).
        audio : Path or None
            The recording the report is about.
        mode : {"copy", "link", "move"}
            ``copy`` puts a copy in the folder; ``link`` records the original's path only;
            ``move`` takes a file that mockmic wrote itself (the recorder) into the folder.
            ``copy`` and ``link`` never change the original.
        person, analysis_key : str, optional
            Who spoke, and the key of the analysis (:func:`mockmic.batch.analysis_key`) by which a
            batch skips files already done; both kept in report.json's "storage".
        """
        if mode not in SAVE_MODES:
            raise StoreError(f"Unknown save mode {mode!r}: use one of {', '.join(SAVE_MODES)}.")
        folder = self.session_dir(report.id)
        with self._connect():
            pass  # schema ready and crashed saves recovered before this one starts
        if (folder / REPORT_NAME).is_file():
            if audio is not None:
                raise StoreError(f"Session {report.id} is already stored; save it without audio to update its report.")
            return self._replace_report(report, folder)
        source = None
        if audio is not None:
            source = Path(audio)
            if not source.is_file():
                raise StoreError(f"The audio file {source} does not exist, so session {report.id} was not stored.")
            source = source.resolve()

        staging = self.home / f"{STAGING_PREFIX}{report.id}-{secrets.token_hex(4)}"
        storage: dict[str, Any] = {"audio_mode": None, "audio_file": None, "source_path": report.audio.path}
        storage.update({k: v for k, v in (("person", person), ("analysis_key", analysis_key)) if v})
        try:
            staging.mkdir()
            if source is not None:
                storage["source_path"] = str(source)
                storage["audio_mode"] = mode
                if mode == "link":
                    storage["audio_file"] = str(source)
                else:
                    name = self.stored_audio_path(report.id, source).name
                    self._place_audio(source, staging / name, hardlink=(mode == "move"))
                    storage["audio_file"] = name
            # report.json is written last: a folder holding it is complete.
            write_atomic(staging / REPORT_NAME, self._report_bytes(report, storage))
            fsync_dir(staging)
            try:
                os.rename(staging, folder)
            except OSError:
                if (folder / REPORT_NAME).is_file():
                    raise StoreError(f"Session {report.id} was stored by another process at the same time.") from None
                if folder.exists():
                    raise StoreError(
                        f"{folder} already exists but holds no report; move it aside and store the session again."
                    ) from None
                raise
            fsync_dir(self.home)
        except BaseException as e:
            shutil.rmtree(staging, ignore_errors=True)
            if isinstance(e, OSError):
                # Disk full, permissions...: one sentence for the person; nothing was changed.
                raise StoreError(f"Session {report.id} could not be stored in {self.home}: {e.strerror or e}.") from e
            raise
        try:
            self._index(report, storage)
        except BaseException:
            # Not indexed means not stored: take the folder back out so a retry starts clean.
            doomed = self.home / f"{DELETING_PREFIX}{report.id}-{secrets.token_hex(4)}"
            with contextlib.suppress(OSError):
                os.rename(folder, doomed)
                shutil.rmtree(doomed, ignore_errors=True)
            raise
        if mode == "move" and source is not None:
            # The folder holds its own link to the data now; only the recorder's name goes.
            with contextlib.suppress(FileNotFoundError):
                source.unlink()
        return folder

    @staticmethod
    def _place_audio(source: Path, target: Path, *, hardlink: bool) -> None:
        if hardlink:
            try:
                os.link(source, target)
                return
            except OSError:
                pass  # another file system: fall back to a copy; the original goes after commit
        shutil.copy2(source, target)

    @staticmethod
    def _report_bytes(report: SessionReport, storage: dict[str, Any]) -> bytes:
        data = report_to_dict(report)
        data["storage"] = storage
        return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    def _replace_report(self, report: SessionReport, folder: Path) -> Path:
        try:
            _old, storage = read_report_file(folder / REPORT_NAME)
        except (OSError, ValueError, KeyError, TypeError):
            storage = {}
        write_atomic(folder / REPORT_NAME, self._report_bytes(report, storage))
        self._index(report, storage)
        return folder

    def _index(self, report: SessionReport, storage: dict[str, Any], conn: sqlite3.Connection | None = None) -> None:
        row = index_row(report, storage)
        cols = ", ".join(row)
        marks = ", ".join(f":{k}" for k in row)
        sql = f"INSERT OR REPLACE INTO sessions ({cols}) VALUES ({marks})"
        if conn is not None:
            conn.execute(sql, row)
            return
        with self._connect() as c, transaction(c):
            c.execute(sql, row)

    def delete(self, session_id: str) -> None:
        """Remove a session's folder and index row. A linked original is not touched."""
        folder = self.session_dir(session_id)
        if not self.home.is_dir():
            raise self._unknown(session_id)
        with self._connect() as conn:
            exists = conn.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone()
            if not exists and not folder.exists():
                raise self._unknown(session_id)
            # Renaming first makes the removal one step; recover() finishes a crashed one.
            doomed = self.home / f"{DELETING_PREFIX}{session_id}-{secrets.token_hex(4)}"
            if folder.exists():
                try:
                    os.rename(folder, doomed)
                except OSError as e:
                    raise StoreError(f"Session {session_id} could not be deleted: {e.strerror or e}.") from None
            with transaction(conn):
                conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            shutil.rmtree(doomed, ignore_errors=True)

    # -- reading --

    def get(self, session_id: str) -> SessionReport:
        """The stored report of ``session_id``; StoreError if it is unknown or unreadable."""
        folder = self.session_dir(session_id)
        path = folder / REPORT_NAME
        if not path.is_file():
            raise self._unknown(session_id)
        try:
            report, _storage = read_report_file(path)
        except (ValueError, KeyError, TypeError) as e:
            raise StoreError(f"The report of session {session_id} ({path}) is damaged: {e}.") from None
        except OSError as e:
            raise StoreError(f"The report of session {session_id} cannot be read: {e.strerror or e}.") from None
        return report

    def audio_path(self, session_id: str) -> Path | None:
        """The session's audio: its copy in the folder, or the linked original if it still
        exists. None when the session has no audio or the linked file is gone."""
        folder = self.session_dir(session_id)
        try:
            _report, storage = read_report_file(folder / REPORT_NAME)
        except FileNotFoundError:
            raise self._unknown(session_id) from None
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise StoreError(f"The report of session {session_id} cannot be read: {e}.") from None
        name = storage.get("audio_file")
        if not name:
            return None
        if storage.get("audio_mode") == "link":
            path = Path(name)
        else:
            # Only a plain file name inside the folder is followed; anything else is ignored.
            if Path(name).name != name or not name.startswith(AUDIO_STEM):
                return None
            path = folder / name
        return path if path.is_file() else None

    def list(
        self,
        *,
        question: str | None = None,
        since: _dt.datetime | _dt.date | str | None = None,
        limit: int | None = None,
        same_question: str | None = None,
        oldest_first: bool = False,
        person: str | None = None,
    ) -> list[SessionSummary]:
        """Stored sessions, newest first.

        Parameters
        ----------
        question : str, optional
            Keep sessions whose question contains this text (case ignored).
        since : datetime, date or str, optional
            Keep sessions created at or after this time (a str as :func:`.index.parse_since` reads).
        limit : int, optional
            At most this many sessions: the newest ones.
        same_question : str, optional
            Keep attempts at exactly this question (compared as :func:`.schema.question_key` does).
        oldest_first : bool
            Order oldest first (the limit still keeps the newest).
        person : str, optional
            Keep the sessions of this person (case ignored).
        """
        sql, args = session_query(question=question, since=since, limit=limit, same_question=same_question,
                                  person=person)
        self._check_home()
        if not self.home.is_dir():
            return []  # looking does not create a data home
        with self._read() as conn:
            rows = [SessionSummary(**dict(r)) for r in conn.execute(sql, args)]
        return rows[::-1] if oldest_first else rows

    def previous_attempt(self, report: SessionReport) -> SessionReport | None:
        """The session stored just before ``report`` that answers the same question, or None.

        Attempts are matched as :func:`.schema.question_key` matches questions, in time order.
        """
        if not report.question:
            return None
        attempts = self.list(same_question=report.question, oldest_first=True)
        ids = [s.id for s in attempts]  # in time order (the index compares instants, not strings)
        earlier = attempts[: ids.index(report.id)] if report.id in ids else []
        return self.get(earlier[-1].id) if earlier else None

    def analysed(self, keys: Sequence[str]) -> dict[str, list[tuple[str, str | None]]]:
        """For each analysis key in ``keys`` that is stored: its sessions' (id, source path), oldest first."""
        found: dict[str, list[tuple[str, str | None]]] = {}
        if not keys or not self.home.is_dir():
            return found
        with self._connect() as conn:
            for start in range(0, len(keys), 500):
                chunk = list(keys[start:start + 500])
                sql = (f"SELECT analysis_key, id, source_path FROM sessions WHERE analysis_key IN "
                       f"({', '.join('?' * len(chunk))}) ORDER BY created_ts, id")
                for key, session_id, source in conn.execute(sql, chunk):
                    found.setdefault(key, []).append((session_id, source))
        return found

    export_csv = staticmethod(summaries_csv)  # ``rows`` (from :meth:`list`) as CSV

    def summary(self, session_id: str) -> SessionSummary:
        """The index row of one session."""
        check_session_id(session_id)
        self._check_home()
        if not self.home.is_dir():
            raise self._unknown(session_id)
        with self._read() as conn:
            row = conn.execute(
                f"SELECT {', '.join(SUMMARY_FIELDS)} FROM sessions WHERE id = ?", (session_id,)
            ).fetchone()
        if row is None:
            raise self._unknown(session_id)
        return SessionSummary(**dict(row))

    def _unknown(self, session_id: str) -> StoreError:
        return StoreError(f"No session {session_id} in {self.home} (see `mockmic reports list`).")

    # -- recovery --

    def recover(self, conn: sqlite3.Connection | None = None) -> list[str]:
        """Bring the index in line with the folders after a crash; return the ids it fixed
        (see :func:`.recovery.recover`)."""
        if conn is None:
            with self._connect() as c:
                return self.recover(c)
        return recover(self.home, conn, index=self._index)
