"""Bringing the session index back in line with the folders after a crash.

The folders are the truth: a save renames a complete folder into place, a delete renames it to
a ``.deleting-`` name first, so whatever a crash leaves can be finished or undone from here.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from .ids import SESSION_ID_RE
from .index import transaction
from .schema import REPORT_NAME, read_report_file

STALE_STAGING_S = 3600.0  # staging folders older than this belong to a crashed save
STAGING_PREFIX = ".staging-"
DELETING_PREFIX = ".deleting-"


def recover(home: Path, conn: sqlite3.Connection, *, index: Callable) -> list[str]:
    """Bring the index of ``home`` in line with its folders; return the ids it fixed.

    - a complete folder (``report.json``) missing from the index is indexed (with ``index(report,
      storage, conn)``);
    - an index row whose folder is gone is dropped;
    - a half-finished delete is finished; staging folders of crashed saves are removed once
      stale (a save in another process may still be using a fresh one).
    """
    fixed: list[str] = []
    now = time.time()
    try:
        entries = list(os.scandir(home))
    except OSError:
        return fixed
    folders: set[str] = set()
    for entry in entries:
        name = entry.name
        if name.startswith(DELETING_PREFIX):
            session_id = name[len(DELETING_PREFIX):].rsplit("-", 1)[0]
            if SESSION_ID_RE.match(session_id):
                with transaction(conn):
                    conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            shutil.rmtree(entry.path, ignore_errors=True)
        elif name.startswith(STAGING_PREFIX):
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
                report, storage = read_report_file(home / session_id / REPORT_NAME)
            except (OSError, ValueError, KeyError, TypeError):
                continue  # a damaged folder stays out of the index; `get` explains it
            if report.id == session_id:
                batch.append((report, storage))
        with transaction(conn):
            for report, storage in batch:
                index(report, storage, conn)
        fixed += [report.id for report, _ in batch]
    for session_id in sorted(indexed - folders):
        # A row without its folder: recheck so a save renaming its folder right now wins.
        if not (home / session_id / REPORT_NAME).is_file():
            with transaction(conn):
                conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            fixed.append(session_id)
    return fixed
