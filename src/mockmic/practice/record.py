"""A whole mock interview as data: its answers, its summary, and its file in the data home.

Each interview is one JSON file, ``<data home>/interviews/<id>.json``, rewritten atomically
after every question, so an interrupted interview keeps every finished answer. The answers'
sessions live in the session store as usual; the interview names them by id. The judging
lives in :mod:`.summary`, the text in :mod:`mockmic.render.interview`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import StoreError
from ..results import SCORE_NAMES, Scores, to_plain
from ..store.ids import SESSION_ID_RE
from .followup import FollowUp

INTERVIEW_SCHEMA_VERSION = 1
INTERVIEWS_DIR = "interviews"


@dataclass(frozen=True)
class Issue:
    """One thing an answer should do better: ``key`` is stable across answers and interviews."""

    key: str  # "missing_result", a pitfall kind, or "delivery_<area>"
    area: str
    severity: str  # "high" | "medium" | "low"
    message: str


@dataclass(frozen=True)
class AnswerRecord:
    """One question of an interview and what became of it.

    Attributes
    ----------
    status : str
        "answered", "no_speech" (recorded, nothing said), "skipped", "interrupted" (the
        recording was stopped by Ctrl-C; analysed as far as it went), or "failed" (kept for
        ``mockmic record --recover``).
    first_scores : Scores or None
        The answer's own scores, before any follow-up.
    scores : Scores or None
        The question's scores: the answer and its follow-up together (:func:`followup.combined_scores`).
    attempt : int
        1 for the first try; a retry ("r") replaces the record and counts up.
    """

    question_id: str
    category: str
    text: str
    status: str
    session_id: str | None = None
    follow_up: FollowUp | None = None
    follow_up_session_id: str | None = None
    follow_up_status: str | None = None  # "answered" | "no_speech" | "no_recording" | None
    first_scores: Scores | None = None
    scores: Scores | None = None
    issues: tuple[Issue, ...] = ()
    attempt: int = 1
    note: str = ""


@dataclass
class InterviewRecord:
    id: str
    started_at: str
    source: str  # "microphone" or "answers: <folder>"
    planned: tuple[str, ...]  # question ids, in the order they are asked
    answers: list[AnswerRecord] = field(default_factory=list)
    replaced: list[AnswerRecord] = field(default_factory=list)  # earlier attempts a retry replaced
    status: str = "in_progress"  # "in_progress" | "finished" | "interrupted" | "terminated" | "failed"
    ended_at: str | None = None
    summary: InterviewSummary | None = None

    @property
    def answered(self) -> list[AnswerRecord]:
        return [a for a in self.answers if a.scores is not None and a.scores.overall is not None]


@dataclass(frozen=True)
class WorkItem:
    key: str
    message: str
    severity: str
    question_ids: tuple[str, ...]


@dataclass(frozen=True)
class Comparison:
    """This interview against the one before it."""

    previous_id: str
    previous_started_at: str
    previous_answered: int
    previous_average: Scores
    average: Scores
    same_questions: tuple[tuple[str, int | None, int | None], ...]  # (question id, before, now)
    fixed: tuple[WorkItem, ...]  # the last interview's work-on items found in no answer now
    still: tuple[WorkItem, ...]  # the last interview's work-on items still among this one's


@dataclass(frozen=True)
class InterviewSummary:
    answered: int
    skipped: int
    average: Scores
    strongest: str | None  # question id
    weakest: str | None
    work_on: tuple[WorkItem, ...]
    comparison: Comparison | None = None


# --- issues of one answer --------------------------------------------------------------------


# --- the summary ---------------------------------------------------------------------------


# --- files ---------------------------------------------------------------------------------

def interviews_dir(home: Path | None = None) -> Path:
    from ..config import data_home

    return (Path(home) if home is not None else data_home()) / INTERVIEWS_DIR


def interview_to_dict(record: InterviewRecord) -> dict[str, Any]:
    data = {"schema_version": INTERVIEW_SCHEMA_VERSION}
    data.update(to_plain(record))
    return data


def _scores(d: dict | None) -> Scores | None:
    return Scores(**{k: d.get(k) for k in SCORE_NAMES}) if d else None


def _answer(d: dict) -> AnswerRecord:
    fu = d.get("follow_up")
    return AnswerRecord(
        question_id=d["question_id"], category=d.get("category", ""), text=d.get("text", ""),
        status=d["status"], session_id=d.get("session_id"),
        follow_up=FollowUp(**fu) if fu else None,
        follow_up_session_id=d.get("follow_up_session_id"), follow_up_status=d.get("follow_up_status"),
        first_scores=_scores(d.get("first_scores")), scores=_scores(d.get("scores")),
        issues=tuple(Issue(**i) for i in d.get("issues", [])),
        attempt=d.get("attempt", 1), note=d.get("note", ""),
    )


def _work_item(w: dict) -> WorkItem:
    return WorkItem(w["key"], w["message"], w["severity"], tuple(w.get("question_ids", [])))


def _summary(d: dict | None) -> InterviewSummary | None:
    if not d:
        return None
    c = d.get("comparison")
    comparison = None
    if c:
        comparison = Comparison(
            previous_id=c["previous_id"], previous_started_at=c["previous_started_at"],
            previous_answered=c["previous_answered"], previous_average=_scores(c["previous_average"]),
            average=_scores(c["average"]), same_questions=tuple(tuple(x) for x in c.get("same_questions", [])),
            fixed=tuple(_work_item(w) for w in c.get("fixed", [])),
            still=tuple(_work_item(w) for w in c.get("still", [])),
        )
    return InterviewSummary(
        answered=d["answered"], skipped=d["skipped"], average=_scores(d["average"]),
        strongest=d.get("strongest"), weakest=d.get("weakest"),
        work_on=tuple(_work_item(w) for w in d.get("work_on", [])),
        comparison=comparison,
    )


def interview_from_dict(data: dict[str, Any]) -> InterviewRecord:
    return InterviewRecord(
        id=data["id"], started_at=data["started_at"], source=data.get("source", ""),
        planned=tuple(data.get("planned", [])),
        answers=[_answer(a) for a in data.get("answers", [])],
        replaced=[_answer(a) for a in data.get("replaced", [])],
        status=data.get("status", "in_progress"), ended_at=data.get("ended_at"),
        summary=_summary(data.get("summary")),
    )


def save_interview(record: InterviewRecord, home: Path | None = None) -> Path:
    """Write ``<home>/interviews/<id>.json`` atomically; return its path."""
    from ..store import write_atomic

    folder = interviews_dir(home)
    path = folder / f"{record.id}.json"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(path, (json.dumps(interview_to_dict(record), indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    except OSError as e:
        raise StoreError(f"The interview could not be saved in {folder}: {e.strerror or e}.") from None
    return path


def load_interview(path: Path) -> InterviewRecord:
    try:
        return interview_from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise StoreError(f"No interview file {path}.") from None
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise StoreError(f"The interview file {path} is damaged: {e}.") from None


def list_interviews(home: Path | None = None) -> list[InterviewRecord]:
    """Every readable interview in the data home, oldest first; damaged files are left out."""
    folder = interviews_dir(home)
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob("*.json")):
        if not SESSION_ID_RE.match(path.stem):
            continue
        try:
            out.append(load_interview(path))
        except StoreError:
            continue
    return out


def previous_interview(home: Path | None, current: InterviewRecord) -> InterviewRecord | None:
    """The latest interview started before ``current`` with at least one scored answer."""
    import datetime as _dt

    def started(r: InterviewRecord):
        try:
            when = _dt.datetime.fromisoformat(r.started_at)
        except (TypeError, ValueError):
            return None
        return when if when.tzinfo else when.astimezone()

    now = started(current)
    earlier = [r for r in list_interviews(home)
               if r.id != current.id and r.answered and started(r) is not None and (now is None or started(r) <= now)]
    return max(earlier, key=lambda r: (started(r), r.id)) if earlier else None


# --- text ----------------------------------------------------------------------------------


