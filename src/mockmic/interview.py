"""A whole mock interview as data: its answers, its summary, and its file in the data home.

Each interview is one JSON file, ``<data home>/interviews/<id>.json``, rewritten atomically
after every question, so an interrupted interview keeps every finished answer. The answers'
sessions live in the session store as usual; the interview names them by id.

The summary lists every question with its scores, the strongest and weakest answers, the three
things to work on first (what went wrong most often and most seriously across the answers), and
how the interview compares with the one before it.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import StoreError
from .followup import FollowUp
from .results import ContentAnalysis, Feedback, Scores, SessionReport

INTERVIEW_SCHEMA_VERSION = 1
INTERVIEWS_DIR = "interviews"
SCORE_NAMES = ("overall", "delivery", "structure", "accountability")
SEVERITY_WEIGHT = {"high": 3, "medium": 2, "low": 1}
# Delivery notes name one answer's figures; the summary says what to do across answers.
DELIVERY_TEXT = {
    "length": "Give fuller answers, about 1 to 2 minutes: the situation, your actions and the result.",
    "pauses": "Cut the long pauses and stalls: finish a thought, breathe, and go on.",
    "fillers": "Use fewer filler words (um, uh, like, you know): pause silently instead.",
    "pace": "Keep a comfortable pace, about 130-170 words a minute, so key points land.",
    "pitch": "Vary your pitch: a flat voice sounds unsure or disengaged.",
    "loudness": "Vary your loudness: stress the words that matter.",
}
DELIVERY_AREAS = tuple(DELIVERY_TEXT)
FOLLOW_UP_STATUS_TEXT = {
    "answered": "answered", "no_speech": "nothing said", "no_recording": "not answered",
    "failed": "could not be analysed",
}
WORK_ON_COUNT = 3

# What to work on, phrased for a whole interview rather than for one answer.
ISSUE_TEXT = {
    "missing_result": ("structure", "high", "End every answer with its Result: what changed, and what you learned from it."),
    "missing_action": ("structure", "high", "Tell the steps you took yourself: the Action is what interviewers most want to hear."),
    "missing_situation": ("structure", "low", "Set the scene in a sentence or two before the story."),
    "missing_task": ("structure", "low", "Say what your role or goal was, so the stakes are clear."),
    "denying_mistakes": ("accountability", "high", "Have a real mistake ready and own it: claiming none sounds like a lack of self-awareness."),
    "blaming_others": ("accountability", "high", "Own your part of what went wrong instead of naming who else was at fault."),
    "no_learning": ("structure", "high", "Say what you learned and what you do differently now, before the interviewer has to ask."),
    "low_ownership": ("accountability", "medium", "Tell your actions with 'I' as the doer: 'I fixed it', not 'we' or 'mistakes were made'."),
    "trivial_example": ("content", "medium", "Choose examples with real stakes: a mistake that mattered and taught you something."),
    "dwelling_on_negative": ("content", "medium", "Acknowledge the damage briefly, then move on to what you did and learned."),
}


FRAGMENT_PITFALLS = {"blaming_others", "denying_mistakes"}


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


def answer_issues(
    first: SessionReport,
    follow_up: SessionReport | None = None,
    *,
    needs: Sequence[str] = ("situation", "task", "action", "result"),
) -> tuple[Issue, ...]:
    """What the answer should do better: STAR parts and pitfalls of the first answer (what the
    person volunteered), blame or denial in the follow-up answer, and delivery feedback of both."""
    found: dict[str, Issue] = {}

    def add(key: str, area: str, severity: str, message: str) -> None:
        old = found.get(key)
        if old is None or SEVERITY_WEIGHT[severity] > SEVERITY_WEIGHT[old.severity]:
            found[key] = Issue(key, area, severity, message)

    def content_issues(c: ContentAnalysis | None, with_parts: bool) -> None:
        if c is None or not c.sentences:
            return
        kinds = {p.kind for p in c.pitfalls}
        if not with_parts:
            # A follow-up's answer is a fragment: only what it says can count against it, not
            # what it leaves out (the lesson, the stakes, the share of "I" may be in the answer).
            kinds &= FRAGMENT_PITFALLS
        if with_parts and "denying_mistakes" not in kinds:
            for part in ("result", "action", "situation", "task"):
                if part in needs and not getattr(c.star, part).present:
                    add(f"missing_{part}", *ISSUE_TEXT[f"missing_{part}"])
        for kind in kinds:
            if kind == "no_learning" and with_parts and not c.star.result.present:
                continue  # the missing Result says it
            if kind in ISSUE_TEXT:
                add(kind, *ISSUE_TEXT[kind])

    def delivery_issues(feedback: Sequence[Feedback]) -> None:
        for fb in feedback:
            if fb.area in DELIVERY_AREAS and fb.severity in ("high", "medium"):
                add(f"delivery_{fb.area}", fb.area, fb.severity, DELIVERY_TEXT[fb.area])

    content_issues(first.content, True)
    delivery_issues(first.feedback)
    if follow_up is not None:
        content_issues(follow_up.content, False)
        delivery_issues(follow_up.feedback)
    return tuple(found.values())


# --- the summary ---------------------------------------------------------------------------


def average_scores(answers: Sequence[AnswerRecord]) -> Scores:
    """Mean of each score over the answers that have it (rounded), None where none has it."""
    values = {}
    for name in SCORE_NAMES:
        xs = [getattr(a.scores, name) for a in answers if a.scores is not None and getattr(a.scores, name) is not None]
        values[name] = int(round(sum(xs) / len(xs))) if xs else None
    return Scores(**values)


def work_on(answers: Sequence[AnswerRecord], count: int = WORK_ON_COUNT) -> tuple[WorkItem, ...]:
    """The ``count`` things to work on first: the most serious issues first (an issue is as
    serious as its worst occurrence), then those in the most answers; content before delivery
    on a tie, then the earliest question."""
    from .scoring import AREA_ORDER

    items: dict[str, dict[str, Any]] = {}
    for i, a in enumerate(answers):
        for issue in a.issues:
            item = items.setdefault(issue.key, {"issue": issue, "questions": [], "first": i})
            if a.question_id not in item["questions"]:
                item["questions"].append(a.question_id)
            if SEVERITY_WEIGHT[issue.severity] > SEVERITY_WEIGHT[item["issue"].severity]:
                item["issue"] = issue

    def rank(item):
        area = item["issue"].area
        area_i = AREA_ORDER.index(area) if area in AREA_ORDER else len(AREA_ORDER)
        return (-SEVERITY_WEIGHT[item["issue"].severity], -len(item["questions"]), area_i, item["first"])

    ranked = sorted(items.values(), key=rank)[:count]
    return tuple(
        WorkItem(key=it["issue"].key, message=it["issue"].message, severity=it["issue"].severity,
                 question_ids=tuple(it["questions"]))
        for it in ranked
    )


def summarise(record: InterviewRecord, previous: InterviewRecord | None = None) -> InterviewSummary:
    """The interview's summary; ``previous`` is the interview to compare with (or None)."""
    answered = record.answered
    strongest = weakest = None
    if answered:
        # max/min keep the earliest question on a tie.
        strongest = max(answered, key=lambda a: a.scores.overall).question_id
        weakest = min(answered, key=lambda a: a.scores.overall).question_id
    items = work_on(record.answers)
    comparison = None
    if previous is not None and previous.answered:
        before = {a.question_id: a.scores.overall for a in previous.answered}
        same = tuple((a.question_id, before[a.question_id], a.scores.overall) for a in answered if a.question_id in before)
        now_keys = {i.key for a in record.answers for i in a.issues}
        last_items = previous.summary.work_on if previous.summary else work_on(previous.answers)
        comparison = Comparison(
            previous_id=previous.id,
            previous_started_at=previous.started_at,
            previous_answered=len(previous.answered),
            previous_average=average_scores(previous.answered),
            average=average_scores(answered),
            same_questions=same,
            fixed=tuple(w for w in last_items if w.key not in now_keys) if answered else (),
            still=tuple(w for w in last_items if w.key in {w.key for w in items}),
        )
    return InterviewSummary(
        answered=len(answered),
        skipped=sum(1 for a in record.answers if a.status == "skipped"),
        average=average_scores(answered),
        strongest=strongest,
        weakest=weakest,
        work_on=items,
        comparison=comparison,
    )


# --- files ---------------------------------------------------------------------------------

_ID_RE = re.compile(r"\A[0-9]{8}-[0-9]{6}-[0-9a-f]{6}\Z")


def interviews_dir(home: Path | None = None) -> Path:
    from .config import data_home

    return (Path(home) if home is not None else data_home()) / INTERVIEWS_DIR


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def interview_to_dict(record: InterviewRecord) -> dict[str, Any]:
    data = {"schema_version": INTERVIEW_SCHEMA_VERSION}
    data.update(_plain(record))
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
    from .store import write_atomic

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
        if not _ID_RE.match(path.stem):
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


def _fmt(v: int | None) -> str:
    return "–" if v is None else str(v)


def _delta(before: int | None, now: int | None) -> str:
    if before is None or now is None:
        return f"{_fmt(before)} -> {_fmt(now)}"
    return f"{before} -> {now} ({now - before:+d})"


def summary_text(record: InterviewRecord, summary: InterviewSummary | None = None) -> str:
    """The summary as a person reads it in a terminal."""
    from .render.summary import when

    s = summary or record.summary or summarise(record)
    numbers = {a.question_id: i for i, a in enumerate(record.answers, 1)}
    asked = max(len(record.planned), len(record.answers))
    lines = [f"Interview {record.id}: {s.answered} of {asked} question(s) answered"
             + (f", {s.skipped} skipped" if s.skipped else "")
             + {"interrupted": " (interrupted)", "terminated": " (stopped by SIGTERM)",
                "failed": " (stopped by an error)"}.get(record.status, "") + "."]
    if record.answers:
        lines += ["", f"  {'#':>2}  {'question':<34} {'overall':>7} {'delivery':>8} {'structure':>9} {'accountability':>14}"]
        for i, a in enumerate(record.answers, 1):
            sc = a.scores
            if sc is None:
                lines.append(f"  {i:>2}  {a.question_id[:34]:<34} {a.status}")
                continue
            lines.append(f"  {i:>2}  {a.question_id[:34]:<34} {_fmt(sc.overall):>7} {_fmt(sc.delivery):>8} "
                         f"{_fmt(sc.structure):>9} {_fmt(sc.accountability):>14}")
            if a.follow_up is not None:
                first = a.first_scores.overall if a.first_scores else None
                status = FOLLOW_UP_STATUS_TEXT.get(a.follow_up_status or "", "not answered")
                lines.append(f"      follow-up: \"{a.follow_up.text}\" ({status}; "
                             f"first answer alone {_fmt(first)})")
        av = s.average
        lines.append(f"  {'':>2}  {'average':<34} {_fmt(av.overall):>7} {_fmt(av.delivery):>8} "
                     f"{_fmt(av.structure):>9} {_fmt(av.accountability):>14}")
    by_id = {a.question_id: a for a in record.answers}
    if s.strongest is not None:
        st, wk = by_id[s.strongest], by_id[s.weakest]
        lines.append("")
        if s.strongest == s.weakest:
            lines.append(f"Only one answer was scored: {numbers[st.question_id]}. {st.text} ({st.scores.overall}/100).")
        else:
            lines.append(f"Strongest: {numbers[st.question_id]}. {st.text} ({st.scores.overall}/100).")
            lines.append(f"Weakest:   {numbers[wk.question_id]}. {wk.text} ({wk.scores.overall}/100).")
    if s.work_on:
        lines += ["", "Work on first:"]
        for k, w in enumerate(s.work_on, 1):
            where = ", ".join(str(numbers[q]) for q in w.question_ids if q in numbers)
            lines.append(f"  {k}. {w.message} (question{'s' if len(w.question_ids) > 1 else ''} {where})")
    elif s.answered:
        lines += ["", "Nothing stood out to work on: keep practising the same way."]
    c = s.comparison
    lines.append("")
    if c is None:
        lines.append("No earlier interview to compare with: this is the first.")
    else:
        lines.append(f"Compared with the last interview ({when(c.previous_started_at)}, {c.previous_answered} answer(s)):")
        for name in SCORE_NAMES:
            lines.append(f"  {name:<15} {_delta(getattr(c.previous_average, name), getattr(c.average, name))}")
        for qid, before, now in c.same_questions:
            lines.append(f"  same question {qid}: {_delta(before, now)}")
        for w in c.fixed:
            lines.append(f"  fixed since then: {w.message}")
        for w in c.still:
            lines.append(f"  still to work on: {w.message}")
    return "\n".join(lines) + "\n"


def short_report(report: SessionReport, *, label: str = "Answer", max_notes: int = 3) -> str:
    """A few lines after each answer: scores, STAR parts heard, the most important notes."""
    from .render.summary import score_rows

    rows = score_rows(report)
    head = f"{label} (session {report.id}, {report.audio.duration_s:.0f} s): "
    head += "  ".join(f"{name.lower()} {value}/100" for name, value in rows) if rows else "no scores"
    lines = [head]
    for n in report.notices:
        lines.append(f"  Note: {n}")
    c = report.content
    if c is not None and c.sentences:
        parts = "  ".join(f"{p} {'yes' if getattr(c.star, p).present else 'no'}"
                          for p in ("situation", "task", "action", "result"))
        lines.append(f"  STAR: {parts}")
    notes = [fb for fb in report.feedback if fb.severity in ("high", "medium", "low")][:max_notes]
    for fb in notes:
        lines.append(f"  [{fb.severity}] {fb.message}")
    if not notes and report.transcript.words:
        good = [fb for fb in report.feedback if fb.severity == "good"][:1]
        lines += [f"  [good] {fb.message}" for fb in good]
    return "\n".join(lines) + "\n"
