"""The session store: one folder per session in the data home, indexed by SQLite.

>>> from mockmic.store import check_session_id
>>> check_session_id("20261126-153812-a1b2c3")
'20261126-153812-a1b2c3'
"""

from .files import write_atomic
from .outputs import check_output, write_output
from .ids import SESSION_ID_RE, check_session_id, new_session_id
from .index import parse_since
from .schema import MIGRATIONS, REPORT_NAME, SCHEMA_VERSION, SUMMARY_FIELDS, SessionSummary, question_key
from .sessions import AUDIO_STEM, DB_NAME, SAVE_MODES, Store

__all__ = [
    "AUDIO_STEM", "DB_NAME", "MIGRATIONS", "REPORT_NAME", "SAVE_MODES", "SCHEMA_VERSION", "SESSION_ID_RE",
    "SUMMARY_FIELDS", "SessionSummary", "Store", "check_session_id", "new_session_id", "parse_since",
    "question_key", "write_atomic", "check_output", "write_output",
]
