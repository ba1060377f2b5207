"""The session index: an SQLite database beside the session folders, and queries over it.

Connections are short and per call, so many processes can share one data home; WAL mode and a
busy timeout serialise the writers. Errors come out as one :class:`StoreError` sentence.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..errors import StoreError
from .schema import MIGRATIONS, SUMMARY_FIELDS, question_key

BUSY_TIMEOUT_MS = 15_000  # a writer waits this long for another process's transaction


def retry(step: Callable[[], Any]) -> Any:
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


@contextlib.contextmanager
def connect(home: Path, db_path: Path) -> Iterator[sqlite3.Connection]:
    """A connection to the index of ``home``, with SQLite's errors as one clear sentence."""
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StoreError(f"The data home {home} cannot be created: {e.strerror or e}.") from None
    try:
        conn = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except sqlite3.Error as e:
        raise StoreError(f"The session index {db_path} cannot be opened: {e}.") from None
    try:
        conn.row_factory = sqlite3.Row
        # SQLite's lower() knows ASCII only; questions may be in any language.
        conn.create_function("casefold", 1, lambda v: v.casefold() if isinstance(v, str) else v, deterministic=True)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        yield conn
    except sqlite3.OperationalError as e:
        text = str(e)
        if "locked" in text or "busy" in text:
            raise StoreError("The session index is busy in another mockmic process; try again in a moment.") from None
        if "full" in text:
            raise StoreError(f"The disk holding {home} is full: free some space and try again.") from None
        raise StoreError(f"The session index {db_path} cannot be used: {e}.") from None
    except sqlite3.DatabaseError as e:
        raise StoreError(
            f"The session index {db_path} cannot be used ({e}): move it aside and "
            "mockmic rebuilds it from the session folders."
        ) from None
    finally:
        conn.close()


@contextlib.contextmanager
def connect_readonly(home: Path, db_path: Path) -> Iterator[sqlite3.Connection]:
    """The index opened read-only (a ``file:...?mode=ro`` URI): for a data home that cannot be
    written, so listing and showing still work. Where even SQLite's shared-memory file cannot
    be made (read-only media), the file is read as immutable."""
    if not db_path.is_file():
        raise StoreError(f"The data home {home} cannot be written and has no session index yet.")
    from urllib.parse import quote

    uri = f"file:{quote(str(db_path.resolve()))}"
    last: sqlite3.Error | None = None
    for mode in ("?mode=ro", "?mode=ro&immutable=1"):
        try:
            conn = sqlite3.connect(uri + mode, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            conn.execute("SELECT count(*) FROM sessions").fetchone()
        except sqlite3.Error as e:
            last = e
            continue
        try:
            conn.row_factory = sqlite3.Row
            conn.create_function("casefold", 1, lambda v: v.casefold() if isinstance(v, str) else v,
                                 deterministic=True)
            yield conn
        except sqlite3.Error as e:
            raise StoreError(f"The session index {db_path} cannot be read: {e}.") from None
        finally:
            conn.close()
        return
    raise StoreError(f"The session index {db_path} cannot be read: {last}.")


def prepare(conn: sqlite3.Connection, home: Path, db_path: Path) -> None:
    """WAL mode and every migration not yet applied."""
    # journal_mode needs a moment alone with the file; another process may hold it.
    retry(lambda: conn.execute("PRAGMA journal_mode = WAL"))
    conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL; a crash loses no commit's consistency
    migrate(conn, home, db_path)


def migrate(conn: sqlite3.Connection, home: Path, db_path: Path) -> None:
    """Apply the named migrations of :data:`schema.MIGRATIONS` that this database lacks."""
    with transaction(conn):
        conn.execute(
            "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        done = {row[0] for row in conn.execute("SELECT name FROM migrations")}
        unknown = done - {name for name, _ in MIGRATIONS}
        if unknown:
            raise StoreError(
                f"The session index {db_path} was written by a newer mockmic "
                f"(migration {sorted(unknown)[-1]}): upgrade mockmic to read it."
            )
        for name, step in MIGRATIONS:
            if name in done:
                continue
            step(conn, home)
            conn.execute(
                "INSERT INTO migrations (name, applied_at) VALUES (?, ?)",
                (name, _dt.datetime.now().astimezone().isoformat(timespec="seconds")),
            )


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


def session_query(
    *,
    question: str | None = None,
    since: _dt.datetime | _dt.date | str | None = None,
    limit: int | None = None,
    same_question: str | None = None,
    person: str | None = None,
) -> tuple[str, list[Any]]:
    """The SQL and arguments that select index rows, newest first (see ``Store.list``)."""
    where: list[str] = []
    args: list[Any] = []
    if question:
        escaped = question.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append("casefold(question) LIKE ? ESCAPE '\\'")
        args.append(f"%{escaped}%")
    if same_question is not None:
        where.append("question_key = ?")
        args.append(question_key(same_question))
    if person is not None:
        where.append("casefold(person) = ?")
        args.append(person.casefold())
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
    return sql, args


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """A write transaction that takes the lock up front, so two writers queue, not deadlock."""
    retry(lambda: conn.execute("BEGIN IMMEDIATE"))
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    retry(lambda: conn.execute("COMMIT"))
