"""Judging a whole interview: what each answer should do better, and the interview's summary.

The summary lists every question with its scores, the strongest and weakest answers, the three
things to work on first (what went wrong most often and most seriously across the answers), and
how the interview compares with the one before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..results import SCORE_NAMES, STAR_PARTS, ContentAnalysis, Feedback, Scores, SessionReport
from .record import (
    AnswerRecord,
    Comparison,
    InterviewRecord,
    InterviewSummary,
    Issue,
    WorkItem,
)

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


def answer_issues(
    first: SessionReport,
    follow_up: SessionReport | None = None,
    *,
    needs: Sequence[str] = STAR_PARTS,
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
    from ..scoring import AREA_ORDER

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
