"""Follow-up questions: what an interviewer asks when an answer left something out.

Pure: a :class:`~mockmic.results.ContentAnalysis` in, at most one :class:`FollowUp` out; and
the scores of a question answered in two parts (the answer, then the follow-up's answer).

The follow-ups come from the seed guides: an interviewer probes for the outcome when the story
stops at the Action, asks "What did you do to prevent this from happening again?" (seeds/003)
when no lesson is drawn, asks for the person's own part when they blame others, and asks for a
concrete example when they claim to make no mistakes.

Example
-------
>>> from mockmic.content import analyze_content, words_from_text
>>> c = analyze_content(words_from_text("I sent the wrong invoice to a client. I called them and fixed it."))
>>> choose_follow_up(c).text
'What was the outcome?'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..results import STAR_PARTS, ContentAnalysis, Scores, Word

# The follow-ups, most important first: an interviewer asks only the first that applies.
# Denial comes first because there is no story to probe; blame next, because accountability is
# the first thing the guides say interviewers assess; then the missing outcome, which usually
# carries the lesson with it; the lesson alone last.
FOLLOW_UP_TEXT = {
    "denial": "Can you give me a concrete example, a specific time something you did went wrong?",
    "blame": "What part of it was yours?",
    "no_result": "What was the outcome?",
    "no_learning": "What did you do to prevent this from happening again?",
}
FOLLOW_UP_ORDER = tuple(FOLLOW_UP_TEXT)
WHY = {
    "denial": "the answer says there was no mistake to tell",
    "blame": "the answer puts the cause on other people",
    "no_result": "the answer has no Result",
    "no_learning": "the answer says nothing about what was learned or changed",
}
# What a follow-up's answer earns: half of what it adds. An interviewer notices having to ask,
# so a point made only when prompted is worth less than the same point made unprompted.
PROMPTED_CREDIT = 0.5


@dataclass(frozen=True)
class FollowUp:
    """One follow-up question.

    Attributes
    ----------
    kind : str
        "denial", "blame", "no_result" or "no_learning" (see :data:`FOLLOW_UP_ORDER`).
    text : str
        The question as the interviewer asks it.
    reason : str
        Why it is asked, in a phrase: "the answer has no Result".
    """

    kind: str
    text: str
    reason: str


def follow_up_reasons(
    content: ContentAnalysis | None,
    *,
    needs: Sequence[str] = STAR_PARTS,
) -> list[str]:
    """Every follow-up kind the analysis calls for, most important first (see :data:`FOLLOW_UP_ORDER`).

    Parameters
    ----------
    content : ContentAnalysis or None
        The answer's content; None or no sentences (no speech) calls for nothing.
    needs : sequence of str
        The STAR parts the question needs (``Question.needs``); no Result is only asked about
        when "result" is among them.
    """
    if content is None or not content.sentences:
        return []
    pitfalls = {p.kind for p in content.pitfalls}
    signals = {s.kind for s in content.accountability.signals}
    found = set()
    if "denying_mistakes" in pitfalls:
        found.add("denial")
    if "blaming_others" in pitfalls:
        found.add("blame")
    if "result" in needs and not content.star.result.present:
        found.add("no_result")
    # The no_learning pitfall is only judged for questions about a mistake or failure (content.py),
    # where asking about prevention makes sense.
    if "no_learning" in pitfalls and not {"learning", "prevention"} & signals:
        found.add("no_learning")
    return [k for k in FOLLOW_UP_ORDER if k in found]


def choose_follow_up(
    content: ContentAnalysis | None,
    *,
    needs: Sequence[str] = STAR_PARTS,
) -> FollowUp | None:
    """The one follow-up an interviewer would ask about this answer, or None if it needs none.

    Parameters
    ----------
    content : ContentAnalysis or None
        The analysed answer.
    needs : sequence of str
        The STAR parts the question needs.

    Returns
    -------
    FollowUp or None
        The first of :func:`follow_up_reasons` in :data:`FOLLOW_UP_ORDER`.
    """
    kinds = follow_up_reasons(content, needs=needs)
    if not kinds:
        return None
    kind = kinds[0]
    return FollowUp(kind=kind, text=FOLLOW_UP_TEXT[kind], reason=WHY[kind])


def joined_words(first: Sequence[Word], first_duration_s: float, second: Sequence[Word], *, gap_s: float = 1.0) -> tuple[Word, ...]:
    """The answer's words, then the follow-up answer's words shifted to start ``gap_s`` seconds
    after the first audio ended (s), as if both were one answer with a pause between."""
    shift = max(first_duration_s, first[-1].end_s if first else 0.0) + gap_s
    moved = tuple(Word(w.text, w.start_s + shift, w.end_s + shift, w.probability) for w in second)
    return tuple(first) + moved


def _credit(alone: int | None, together: int | None) -> int | None:
    if together is None:
        return alone
    if alone is None:
        return int(round(PROMPTED_CREDIT * together))
    if together <= alone:
        return together  # what the follow-up made worse counts in full
    return int(round(alone + PROMPTED_CREDIT * (together - alone)))


def combined_scores(
    first: Scores | None,
    *,
    joined_structure: int | None,
    joined_accountability: int | None,
    follow_up_delivery: int | None,
    first_words: int,
    follow_up_words: int,
    first_quality: int | None = None,
    joined_quality: int | None = None,
    pitfalls: Iterable[str] = (),
) -> Scores | None:
    """A question's scores when its answer came in two parts.

    Structure and accountability come from analysing both answers' words as one answer
    (``joined_*``), but only :data:`PROMPTED_CREDIT` of any gain over the first answer counts;
    a loss counts in full. Delivery is the mean of both parts' delivery scores weighted by
    their word counts. The quality model's judgement (``first_quality``, ``joined_quality``) is
    credited as structure is; the joined answer's pitfall kinds (``pitfalls``) cost what they cost
    any answer. Overall is then weighed as for any answer (:func:`scoring.combine_scores`).
    """
    from ..scoring import combine_scores

    if first is None:
        return None
    structure = _credit(first.structure, joined_structure)
    accountability = _credit(first.accountability, joined_accountability)
    delivery = first.delivery
    if follow_up_delivery is not None and follow_up_words > 0:
        if delivery is None or first_words <= 0:
            delivery = follow_up_delivery
        else:
            total = first_words + follow_up_words
            delivery = int(round((delivery * first_words + follow_up_delivery * follow_up_words) / total))
    quality = _credit(first_quality, joined_quality)
    return combine_scores(delivery=delivery, structure=structure, accountability=accountability,
                          quality=quality, pitfalls=pitfalls)
