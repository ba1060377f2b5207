"""The session index's schema: the row each session gets, and the migrations that build it.

Migrations are small named functions recorded in the ``migrations`` table (as sqlite-utils and
llm do); a database is at the newest schema when every name in :data:`MIGRATIONS` is recorded.
``report.json`` files are the truth, so a migration that adds figures fills them in from there.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import datetime as _dt
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..results import SessionReport, report_from_dict

REPORT_NAME = "report.json"


def question_key(question: str | None) -> str | None:
    """The question reduced for matching attempts: case, spacing and end punctuation ignored."""
    if not question:
        return None
    key = " ".join(question.casefold().split()).rstrip(" ?.!")
    return key or None


def _timestamp(created_at: str) -> float:
    when = _dt.datetime.fromisoformat(created_at)
    return (when if when.tzinfo else when.astimezone()).timestamp()


def read_report_file(path: Path) -> tuple[SessionReport, dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    storage = data.get("storage") or {}
    return report_from_dict(data), storage


# --- the index row -------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionSummary:
    """One session as the index knows it: enough to list, filter and chart without JSON."""

    id: str
    created_at: str
    question: str | None
    source_path: str | None  # the file the person gave (or the recording's own path)
    audio_mode: str | None  # "copy" | "link" | "move" | None (no audio stored)
    duration_s: float | None
    words: int | None = None
    overall: int | None = None
    delivery: int | None = None
    structure: int | None = None
    accountability: int | None = None
    words_per_minute: float | None = None
    articulation_wpm: float | None = None
    pause_count: int | None = None
    long_pause_count: int | None = None
    filler_count: int | None = None
    fillers_per_100_words: float | None = None
    pitch_variation_semitones: float | None = None
    loudness_variation_db: float | None = None
    star_score: int | None = None
    situation_s: float | None = None
    task_s: float | None = None
    action_s: float | None = None
    result_s: float | None = None
    ownership_ratio: float | None = None
    person: str | None = None  # who spoke (``analyze --person-from``); None when not told


SUMMARY_FIELDS = tuple(f.name for f in dataclasses.fields(SessionSummary))


def index_row(report: SessionReport, storage: dict[str, Any]) -> dict[str, Any]:
    d, c, s = report.delivery, report.content, report.scores
    star = c.star if c is not None else None
    return {
        "id": report.id,
        "created_at": report.created_at,
        "created_ts": _timestamp(report.created_at),
        "question": report.question,
        "question_key": question_key(report.question),
        "source_path": storage.get("source_path"),
        "audio_file": storage.get("audio_file"),
        "audio_mode": storage.get("audio_mode"),
        "duration_s": report.audio.duration_s,
        "words": d.words if d is not None else len(report.transcript.words),
        "overall": s.overall if s else None,
        "delivery": s.delivery if s else None,
        "structure": s.structure if s else None,
        "accountability": s.accountability if s else None,
        "words_per_minute": d.words_per_minute if d else None,
        "articulation_wpm": d.articulation_wpm if d else None,
        "pause_count": len(d.pauses) if d else None,
        "long_pause_count": d.long_pause_count if d else None,
        "filler_count": d.filler_count if d else None,
        "fillers_per_100_words": d.fillers_per_100_words if d else None,
        "pitch_variation_semitones": d.pitch.variation_semitones if d else None,
        "loudness_variation_db": d.loudness.variation_db if d else None,
        "star_score": star.score if star else None,
        "situation_s": star.situation.seconds if star else None,
        "task_s": star.task.seconds if star else None,
        "action_s": star.action.seconds if star else None,
        "result_s": star.result.seconds if star else None,
        "ownership_ratio": c.accountability.ownership_ratio if c is not None else None,
        "person": storage.get("person"),
        "analysis_key": storage.get("analysis_key"),
    }


# --- migrations: small named steps, recorded in the `migrations` table ---------------------

Migration = Callable[[sqlite3.Connection, Path], None]


def _m001_create_sessions(conn: sqlite3.Connection, home: Path) -> None:
    conn.execute(
        """CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            created_at TEXT NOT NULL,
            created_ts REAL NOT NULL,
            question TEXT,
            source_path TEXT,
            audio_file TEXT,
            duration_s REAL,
            overall INTEGER,
            delivery INTEGER,
            structure INTEGER,
            accountability INTEGER,
            words_per_minute REAL,
            filler_count INTEGER,
            long_pause_count INTEGER
        )"""
    )
    conn.execute("CREATE INDEX sessions_created ON sessions (created_ts)")


_M002_COLUMNS = {
    "question_key": "TEXT",
    "audio_mode": "TEXT",
    "words": "INTEGER",
    "articulation_wpm": "REAL",
    "pause_count": "INTEGER",
    "fillers_per_100_words": "REAL",
    "pitch_variation_semitones": "REAL",
    "loudness_variation_db": "REAL",
    "star_score": "INTEGER",
    "situation_s": "REAL",
    "task_s": "REAL",
    "action_s": "REAL",
    "result_s": "REAL",
    "ownership_ratio": "REAL",
}


def _m002_trend_figures(conn: sqlite3.Connection, home: Path) -> None:
    """Columns for trends and per-question history, filled in from each stored report.json."""
    for name, kind in _M002_COLUMNS.items():
        conn.execute(f"ALTER TABLE sessions ADD COLUMN {name} {kind}")
    conn.execute("CREATE INDEX sessions_question ON sessions (question_key, created_ts)")
    ids = [row[0] for row in conn.execute("SELECT id FROM sessions")]
    for session_id in ids:
        try:
            report, storage = read_report_file(home / session_id / REPORT_NAME)
        except (OSError, ValueError, KeyError, TypeError):
            # An unreadable report keeps its old row; `get` will say what is wrong with it.
            continue
        row = index_row(report, storage)
        sets = ", ".join(f"{k} = :{k}" for k in _M002_COLUMNS)
        conn.execute(f"UPDATE sessions SET {sets} WHERE id = :id", row)


def _m003_cohort(conn: sqlite3.Connection, home: Path) -> None:
    """Who spoke each answer, and the analysis key that makes a batch resumable (both kept in
    report.json's "storage"), with indexes for a person's sessions and for skipping done files."""
    conn.execute("ALTER TABLE sessions ADD COLUMN person TEXT")
    conn.execute("ALTER TABLE sessions ADD COLUMN analysis_key TEXT")
    conn.execute("CREATE INDEX sessions_person ON sessions (person, created_ts)")
    conn.execute("CREATE INDEX sessions_analysis_key ON sessions (analysis_key)")
    for (session_id,) in list(conn.execute("SELECT id FROM sessions")):
        try:
            _report, storage = read_report_file(home / session_id / REPORT_NAME)
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if storage.get("person") or storage.get("analysis_key"):
            conn.execute("UPDATE sessions SET person = ?, analysis_key = ? WHERE id = ?",
                         (storage.get("person"), storage.get("analysis_key"), session_id))


MIGRATIONS: tuple[tuple[str, Migration], ...] = (
    ("001_create_sessions", _m001_create_sessions),
    ("002_trend_figures", _m002_trend_figures),
    ("003_cohort", _m003_cohort),
)
SCHEMA_VERSION = len(MIGRATIONS)


def summaries_csv(rows) -> str:
    """Index rows (:class:`SessionSummary`) as CSV: a header, then one row of figures per session."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=SUMMARY_FIELDS, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow(dataclasses.asdict(r))
    return buf.getvalue()
