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
import re
import secrets
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from . import config
from .errors import StoreError
from .results import SessionReport, report_to_dict
from .store_schema import (  # noqa: F401  (SCHEMA_VERSION, MIGRATIONS: part of this module's API)
    MIGRATIONS,
    REPORT_NAME,
    SCHEMA_VERSION,
    SUMMARY_FIELDS,
    SessionSummary,
    index_row,
    question_key,
    read_report_file,
)

DB_NAME = "mockmic.db"
AUDIO_STEM = "audio"
SAVE_MODES = ("copy", "link", "move")
BUSY_TIMEOUT_MS = 15_000  # a writer waits this long for another process's transaction
STALE_STAGING_S = 3600.0  # staging folders older than this belong to a crashed save

# The pipeline's ids (``pipeline.new_session_id``): date, time, 6 hex digits. Nothing else is
# accepted, so an id can never name a path outside the data home.
SESSION_ID_RE = re.compile(r"\A[0-9]{8}-[0-9]{6}-[0-9a-f]{6}\Z")
_STAGING_PREFIX = ".staging-"
_DELETING_PREFIX = ".deleting-"


# --- ids and paths -------------------------------------------------------------------------


def check_session_id(session_id: object) -> str:
    """Return ``session_id`` if it is a well-formed id, else raise StoreError."""
    if not isinstance(session_id, str) or not SESSION_ID_RE.match(session_id):
        shown = repr(session_id) if isinstance(session_id, str) else type(session_id).__name__
        raise StoreError(
            f"{shown[:80]} is not a session id: ids look like 20261126-153812-a1b2c3 "
            "(see `mockmic reports list`)."
        )
    return session_id


def parse_since(text: str, *, now: _dt.datetime | None = None) -> _dt.datetime:
    """A date for ``--since``: ``2026-11-01``, an ISO time, or ``7d`` / ``2w`` / ``12h`` ago.

    Dates without a time zone are local time.
    """
    now = now or _dt.datetime.now().astimezone()
    s = text.strip()
    m = re.fullmatch(r"(\d+)\s*([hdw])", s)
    if m:
        n, unit = int(m.group(1)), m.group(2)
        return now - {"h": _dt.timedelta(hours=n), "d": _dt.timedelta(days=n), "w": _dt.timedelta(weeks=n)}[unit]
    try:
        when = _dt.datetime.fromisoformat(s)
    except ValueError:
        raise StoreError(
            f"{text!r} is not a date: use 2026-11-01, 2026-11-01T14:30 or 7d (days ago)."
        ) from None
    return when if when.tzinfo else when.astimezone()


# --- files ---------------------------------------------------------------------------------


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never a part."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)


# --- the store -----------------------------------------------------------------------------


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
        try:
            self.home.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(f"The data home {self.home} cannot be created: {e.strerror or e}.") from None
        try:
            conn = sqlite3.connect(self.db_path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except sqlite3.Error as e:
            raise StoreError(f"The session index {self.db_path} cannot be opened: {e}.") from None
        try:
            conn.row_factory = sqlite3.Row
            # SQLite's lower() knows ASCII only; questions may be in any language.
            conn.create_function("casefold", 1, lambda v: v.casefold() if isinstance(v, str) else v, deterministic=True)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if not self._ready:
                self._prepare(conn)
            yield conn
        except sqlite3.OperationalError as e:
            text = str(e)
            if "locked" in text or "busy" in text:
                raise StoreError("The session index is busy in another mockmic process; try again in a moment.") from None
            if "full" in text:
                raise StoreError(f"The disk holding {self.home} is full: free some space and try again.") from None
            raise StoreError(f"The session index {self.db_path} cannot be used: {e}.") from None
        except sqlite3.DatabaseError as e:
            raise StoreError(
                f"The session index {self.db_path} cannot be used ({e}): move it aside and "
                "mockmic rebuilds it from the session folders."
            ) from None
        finally:
            conn.close()

    def _prepare(self, conn: sqlite3.Connection) -> None:
        # journal_mode needs a moment alone with the file; another process may hold it.
        _retry(lambda: conn.execute("PRAGMA journal_mode = WAL"))
        conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL; a crash loses no commit's consistency
        self._migrate(conn)
        self._ready = True
        self.recover(conn)

    def _migrate(self, conn: sqlite3.Connection) -> None:
        with _transaction(conn):
            conn.execute(
                "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            done = {row[0] for row in conn.execute("SELECT name FROM migrations")}
            unknown = done - {name for name, _ in MIGRATIONS}
            if unknown:
                raise StoreError(
                    f"The session index {self.db_path} was written by a newer mockmic "
                    f"(migration {sorted(unknown)[-1]}): upgrade mockmic to read it."
                )
            for name, step in MIGRATIONS:
                if name in done:
                    continue
                step(conn, self.home)
                conn.execute(
                    "INSERT INTO migrations (name, applied_at) VALUES (?, ?)",
                    (name, _dt.datetime.now().astimezone().isoformat(timespec="seconds")),
                )

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

    def save(self, report: SessionReport, audio: Path | None, *, mode: str = "copy") -> Path:
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

        staging = self.home / f"{_STAGING_PREFIX}{report.id}-{secrets.token_hex(4)}"
        storage: dict[str, Any] = {"audio_mode": None, "audio_file": None, "source_path": report.audio.path}
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
            _fsync_dir(staging)
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
            _fsync_dir(self.home)
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
            doomed = self.home / f"{_DELETING_PREFIX}{report.id}-{secrets.token_hex(4)}"
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
        with self._connect() as c, _transaction(c):
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
            doomed = self.home / f"{_DELETING_PREFIX}{session_id}-{secrets.token_hex(4)}"
            if folder.exists():
                try:
                    os.rename(folder, doomed)
                except OSError as e:
                    raise StoreError(f"Session {session_id} could not be deleted: {e.strerror or e}.") from None
            with _transaction(conn):
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
    ) -> list[SessionSummary]:
        """Stored sessions, newest first.

        Parameters
        ----------
        question : str, optional
            Keep sessions whose question contains this text (case ignored).
        since : datetime, date or str, optional
            Keep sessions created at or after this time (a str as :func:`parse_since` reads).
        limit : int, optional
            At most this many sessions: the newest ones.
        same_question : str, optional
            Keep attempts at exactly this question (compared as :func:`question_key` does).
        oldest_first : bool
            Order oldest first (the limit still keeps the newest).
        """
        where: list[str] = []
        args: list[Any] = []
        if question:
            escaped = question.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            where.append("casefold(question) LIKE ? ESCAPE '\\'")
            args.append(f"%{escaped}%")
        if same_question is not None:
            where.append("question_key = ?")
            args.append(question_key(same_question))
        if since is not None:
            if isinstance(since, str):
                since = parse_since(since)
            if not isinstance(since, _dt.datetime):
                since = _dt.datetime.combine(since, _dt.time())
            if since.tzinfo is None:
                since = since.astimezone()
            where.append("created_ts >= ?")
            args.append(since.timestamp())
        if limit is not None and limit < 0:
            raise StoreError(f"The limit must be 0 or more, not {limit}.")
        sql = f"SELECT {', '.join(SUMMARY_FIELDS)} FROM sessions"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY created_ts DESC, id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        if not self.home.is_dir():
            return []  # looking does not create a data home
        with self._connect() as conn:
            rows = [SessionSummary(**dict(r)) for r in conn.execute(sql, args)]
        return rows[::-1] if oldest_first else rows

    def summary(self, session_id: str) -> SessionSummary:
        """The index row of one session."""
        check_session_id(session_id)
        if not self.home.is_dir():
            raise self._unknown(session_id)
        with self._connect() as conn:
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
        """Bring the index in line with the folders after a crash; return the ids it fixed.

        - a complete folder (``report.json``) missing from the index is indexed;
        - an index row whose folder is gone is dropped;
        - a half-finished delete is finished; staging folders of crashed saves are removed
          once stale (a save in another process may still be using a fresh one).
        """
        if conn is None:
            with self._connect() as c:
                return self.recover(c)
        fixed: list[str] = []
        now = time.time()
        try:
            entries = list(os.scandir(self.home))
        except OSError:
            return fixed
        folders: set[str] = set()
        for entry in entries:
            name = entry.name
            if name.startswith(_DELETING_PREFIX):
                session_id = name[len(_DELETING_PREFIX):].rsplit("-", 1)[0]
                if SESSION_ID_RE.match(session_id):
                    with _transaction(conn):
                        conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
                shutil.rmtree(entry.path, ignore_errors=True)
            elif name.startswith(_STAGING_PREFIX):
                with contextlib.suppress(OSError):
                    if now - entry.stat(follow_symlinks=False).st_mtime > STALE_STAGING_S:
                        shutil.rmtree(entry.path, ignore_errors=True)
            elif SESSION_ID_RE.match(name) and entry.is_dir(follow_symlinks=False):
                if os.path.isfile(os.path.join(entry.path, REPORT_NAME)):
                    folders.add(name)
        indexed = {row[0] for row in conn.execute("SELECT id FROM sessions")}
        missing = sorted(folders - indexed)
        # In batches: one transaction per session is slow for a whole lost index, and one for
        # all of them would keep other writers waiting.
        for start in range(0, len(missing), 200):
            batch = []
            for session_id in missing[start:start + 200]:
                try:
                    report, storage = read_report_file(self.home / session_id / REPORT_NAME)
                except (OSError, ValueError, KeyError, TypeError):
                    continue  # a damaged folder stays out of the index; `get` explains it
                if report.id == session_id:
                    batch.append((report, storage))
            with _transaction(conn):
                for report, storage in batch:
                    self._index(report, storage, conn)
            fixed += [report.id for report, _ in batch]
        for session_id in sorted(indexed - folders):
            # A row without its folder: recheck so a save renaming its folder right now wins.
            if not (self.home / session_id / REPORT_NAME).is_file():
                with _transaction(conn):
                    conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
                fixed.append(session_id)
        return fixed


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """A write transaction that takes the lock up front, so two writers queue, not deadlock."""
    _retry(lambda: conn.execute("BEGIN IMMEDIATE"))
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    _retry(lambda: conn.execute("COMMIT"))


def _retry(step: Callable[[], Any]) -> Any:
    """Run ``step``, retrying while another process holds the database.

    SQLite's busy handler waits inside most calls; some (starting a transaction in WAL mode)
    can fail at once instead, so they are retried here until the same timeout has passed.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            return step()
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) and "busy" not in str(e):
                raise
            if time.monotonic() >= deadline:
                raise StoreError(
                    "The session index is busy in another mockmic process; try again in a moment."
                ) from None
            time.sleep(0.05)
