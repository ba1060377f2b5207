"""Delivery per STAR part: pace, pauses and fillers of the Situation, Task, Action and Result.

Pure: the content's labelled sentences (which hold the transcript's words) and the delivery
stage's :class:`~mockmic.results.DeliveryMetrics` in, a :class:`~mockmic.results.StarPartDelivery` per
part out. It lives with content because it reads the STAR labels; it takes the delivery figures
as results, never from the delivery package, so the stages stay apart (the pipeline joins them).

How time is shared out
----------------------
- **Pace** of a part is its words (as the delivery stage counts them, less every "um" and
  "uh") over its own sentences' time (each from its first word's start
  to its last word's end, pauses inside a sentence included, as in the answer's pace); silence
  between sentences is not spoken by any part, so a long pause before the Result cannot hide
  that the Result itself was rushed.
- **Pauses and fillers** belong to the sentence they fall in, and a silence between two
  sentences to the one after it: a pause before a sentence is mostly spent planning it. Long
  pauses fall between sentences almost always (a silence of ``sentence_pause_s`` ends one).
- Sentences that play no STAR part ("great question") count for no part.

Example
-------
>>> from mockmic.results import DeliveryMetrics, LoudnessStats, Pause, PitchStats, Sentence
>>> sentences = (Sentence("I was new there.", 0.0, 1.99, "situation"),
...              Sentence("I fixed it fast.", 2.0, 3.99, "action"))
>>> m = DeliveryMetrics(8, 4.0, 120.0, 120.0, (), (Pause(1.99, 2.0, 0.01),), 0, (), 0, None, None,
...                     PitchStats(None, None, None), LoudnessStats(None, None))
>>> star_part_delivery(sentences, m, long_pause_s=1.0)["action"]
StarPartDelivery(words_per_minute=120.6, pause_count=1, long_pause_count=0, filler_count=0)
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import replace

from ..results import STAR_PARTS, ContentAnalysis, DeliveryMetrics, Feedback, Sentence, StarPartDelivery, clock
from .lexicon import load_lexicon

# Why a change of pace in that part matters to an interviewer (seed 000: Action and Result are
# what they most want; the Situation only sets the scene).
_FASTER = {
    "situation": "the interviewer needs the scene to follow the rest of the story",
    "task": "your role is what makes the rest of the story yours",
    "action": "the steps you took are what interviewers most want to hear",
    "result": "the Result, what changed and what you learned, is what interviewers most want to hear",
}
_SLOWER = {
    "situation": "set the scene briefly and move on to what you did",
    "task": "say your role in a sentence and move on",
    "action": "keep the steps moving at the pace of the rest",
    "result": "land the outcome and the lesson at the pace of the rest",
}


_PUNCT = ",.;:!?…\"'()-"


def _word_count(sentence: Sentence) -> int:
    """Words as the delivery stage counts them (no punctuation, no "-piece"), less every hesitation."""
    hesitations = load_lexicon().fillers
    return sum(1 for t in sentence.text.split()
               if any(ch.isalnum() for ch in t) and not t.startswith("-") and t.strip(_PUNCT).lower() not in hesitations)


def _part_figures(sentences: Sequence[Sentence], part: str) -> tuple[int, float]:
    """(words, seconds) of a part's sentences; seconds from each one's first word to its last."""
    mine = [s for s in sentences if s.star == part]
    return sum(_word_count(s) for s in mine), sum(max(0.0, s.end_s - s.start_s) for s in mine)


def _sentence_at(ends: list[float], t_s: float) -> int:
    """Index of the sentence whose stretch holds ``t_s``: the one it falls in, else the next."""
    return min(bisect.bisect_left(ends, t_s), len(ends) - 1)


def star_part_delivery(
    sentences: Sequence[Sentence],
    delivery: DeliveryMetrics,
    *,
    long_pause_s: float,
) -> dict[str, StarPartDelivery | None]:
    """Pace, pauses and fillers of each STAR part.

    Parameters
    ----------
    sentences : sequence of Sentence
        The content analysis's sentences in time order, with their STAR labels and times
        (seconds from the start of the audio).
    delivery : DeliveryMetrics
        The delivery stage's pauses and fillers for the same audio.
    long_pause_s : float, s
        A pause at least this long is long (the delivery options' ``long_pause_s``).

    Returns
    -------
    dict
        ``{part: StarPartDelivery or None}`` for the four parts in story order; None for a part
        with no sentence. ``words_per_minute`` is None for a part with no word or no time.
    """
    out: dict[str, StarPartDelivery | None] = dict.fromkeys(STAR_PARTS)
    if not sentences:
        return out
    ends = [s.end_s for s in sentences]
    pauses = [0] * len(sentences)
    longs = [0] * len(sentences)
    fillers = [0] * len(sentences)
    for p in delivery.pauses:
        k = _sentence_at(ends, 0.5 * (p.start_s + p.end_s))
        pauses[k] += 1
        longs[k] += p.duration_s >= long_pause_s
    for f in delivery.fillers:
        fillers[_sentence_at(ends, 0.5 * (f.start_s + f.end_s))] += 1
    for part in STAR_PARTS:
        idx = [k for k, s in enumerate(sentences) if s.star == part]
        if not idx:
            continue
        count, seconds = _part_figures(sentences, part)
        out[part] = StarPartDelivery(
            words_per_minute=round(60.0 * count / seconds, 1) if seconds > 0 and count else None,
            pause_count=sum(pauses[k] for k in idx),
            long_pause_count=sum(longs[k] for k in idx),
            filler_count=sum(fillers[k] for k in idx),
        )
    return out


def with_star_delivery(content: ContentAnalysis, delivery: DeliveryMetrics, *, long_pause_s: float) -> ContentAnalysis:
    """``content`` with each STAR part's ``delivery`` filled in (see :func:`star_part_delivery`)."""
    per_part = star_part_delivery(content.sentences, delivery, long_pause_s=long_pause_s)
    star = replace(content.star, **{p: replace(getattr(content.star, p), delivery=per_part[p]) for p in STAR_PARTS})
    return replace(content, star=star)


def star_pace_feedback(content: ContentAnalysis, *, pace_change: float, min_words: int) -> list[Feedback]:
    """A note when one STAR part is spoken markedly faster or slower than the rest of the answer.

    Parameters
    ----------
    content : ContentAnalysis
        The answer's labelled sentences (the paces are those of :func:`star_part_delivery`).
    pace_change : float
        A part whose pace is at least ``1 + pace_change`` times the rest's, or at most
        ``1 / (1 + pace_change)`` times it, gets the note (0.4: 40% faster, or 29% slower).
    min_words : int
        Both the part and the rest need at least this many words: a pace over a few words is noise.

    Returns
    -------
    list of Feedback
        At most one item (area "pace", severity "low"): the part that differs most.
    """
    figures = {p: _part_figures(content.sentences, p) for p in STAR_PARTS}
    best: tuple[float, str, float, float] | None = None
    for part, (n, secs) in figures.items():
        rest_n = sum(v[0] for p, v in figures.items() if p != part)
        rest_s = sum(v[1] for p, v in figures.items() if p != part)
        if n < min_words or rest_n < min_words or secs <= 0 or rest_s <= 0:
            continue
        pace, rest = 60.0 * n / secs, 60.0 * rest_n / rest_s
        ratio = pace / rest
        if (ratio >= 1 + pace_change or ratio <= 1 / (1 + pace_change)) and (
                best is None or abs(math.log(ratio)) > abs(math.log(best[0])) + 1e-9):  # ties: story order
            best = (ratio, part, pace, rest)
    if best is None:
        return []
    ratio, part, pace, rest = best
    first = next(s for s in content.sentences if s.star == part)
    name = part.capitalize()
    if ratio > 1:
        msg = (f"You speed up in the {name}: {pace:.0f} words/min against {rest:.0f} in the rest of the answer "
               f"({ratio - 1:.0%} faster). Slow down there: {_FASTER[part]}.")
    else:
        msg = (f"You slow down in the {name}: {pace:.0f} words/min against {rest:.0f} in the rest of the answer "
               f"({1 - ratio:.0%} slower): {_SLOWER[part]}.")
    words = first.text.split()
    quote = " ".join(words[:10]) + (" ..." if len(words) > 10 else "")
    return [Feedback("pace", "low", msg, f"the {name} starts at {clock(first.start_s)}: '{quote}'", first.start_s)]
