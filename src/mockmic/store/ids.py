"""Session ids: how they are made and checked (no id can name a path outside the data home)."""

from __future__ import annotations

import datetime as _dt
import re
import secrets

from ..errors import StoreError


def new_session_id(now: _dt.datetime | None = None) -> str:
    """A sortable id safe in paths: ``20261126-153812-a1b2c3``."""
    now = now or _dt.datetime.now()
    return now.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)


# Ids from :func:`new_session_id`: date, time, 6 hex digits. Nothing else is
# accepted, so an id can never name a path outside the data home.
SESSION_ID_RE = re.compile(r"\A[0-9]{8}-[0-9]{6}-[0-9a-f]{6}\Z")


def check_session_id(session_id: object) -> str:
    """Return ``session_id`` if it is a well-formed id, else raise StoreError."""
    if not isinstance(session_id, str) or not SESSION_ID_RE.match(session_id):
        shown = repr(session_id) if isinstance(session_id, str) else type(session_id).__name__
        raise StoreError(
            f"{shown[:80]} is not a session id: ids look like 20261126-153812-a1b2c3 "
            "(see `mockmic reports list`)."
        )
    return session_id


