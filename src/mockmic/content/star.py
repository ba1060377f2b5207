"""STAR labels for sentences, and the STAR summary and score the seeds teach.

Each sentence gets cue evidence for Situation, Task, Action and Result from the lexicon; a small
sequence model (Viterbi) then picks the labels, because spoken answers run in STAR order and a
sentence with no cue ("the files went out at nine") usually plays the same part as its neighbours.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..results import STAR_PARTS as PARTS
from ..results import StarPart, StarSummary
from .lexicon import Lexicon, find_all
from .sentences import Span

# Transition scores between parts, in story order. Staying or moving one step on is free;
# going back costs, since answers seldom return to the scene once they are acting.
_FORWARD_SKIP = -0.2  # S -> A skipping Task is common: most people never state a Task
_BACKWARD = -1.6
# Evidence weights. A cue is worth more than position; two cues more than one. Without cues a
# sentence is scene-setting (Situation): Task and Result must be said, not assumed from position.
_CUE = 1.0
_POSITION = 0.3
_BASE = {"situation": 0.3, "task": -0.3, "action": 0.0, "result": -0.1}
_FIRST_PERSON_PAST = 0.4  # "I called", "we rolled back": leans Action when nothing else speaks
# Accountability signals say which part a sentence plays: blaming, excusing, denying and feelings
# explain what went wrong (Situation); apologising and making amends are Action; learning and
# prevention are the Result the seeds ask for; "no harm done" judges the outcome (Result).
_SIGNAL_PART = {
    "blame": "situation", "excuse": "situation", "denial": "situation", "minimising": "result",
    "apology": "action", "amends": "action", "learning": "result", "prevention": "result",
}
_PAST_IRREGULAR = frozenset(
    "made sent told went took got gave found ran rang spent put paid kept wrote met caught built cut set "
    "brought sat stayed called".split()
)
_SUBJECT_ADVERBS = frozenset("immediately then also quickly just first finally swiftly personally proactively".split())


def _first_person_past(tokens: list[str]) -> bool:
    for k, t in enumerate(tokens[:-1]):
        if t not in ("i", "we"):
            continue
        j = k + 1
        while j < len(tokens) - 1 and tokens[j] in _SUBJECT_ADVERBS:
            j += 1
        v = tokens[j]
        if v in _PAST_IRREGULAR or (v.endswith("ed") and v not in ("was", "needed", "wanted", "used")):
            return True
    return False


def _emissions(span: Span, position: float, lex: Lexicon) -> dict[str, float]:
    text = span.norm
    score = {p: _BASE[p] + _CUE * len(find_all(lex.star[p], text)) for p in PARTS}
    for kind, part in _SIGNAL_PART.items():
        score[part] += _CUE * bool(find_all(lex.signals[kind], text))
    if find_all(lex.cues["negative"], text):
        score["situation"] += _CUE
    # Position: scenes come first and lessons last (0 = start of the answer, 1 = end).
    score["situation"] += _POSITION * (1.0 - 2.0 * position)
    score["result"] += _POSITION * (2.0 * position - 1.0)
    if _first_person_past(text.split()):
        score["action"] += _FIRST_PERSON_PAST
    return score


# Words that carry no story on their own: a sentence made only of these is an aside
# ("okay, let me think", "so yeah, that's it").
_DISCOURSE = frozenset(
    "okay ok so yeah yes well let let's me think see that's that it all right alright sure good great "
    "question tough hard interesting hmm thanks thank you the a an is i guess about really what and one "
    "oh wow like just um uh".split()
)


def is_none_sentence(span: Span, lex: Lexicon) -> bool:
    """True for sentences that are no part of the story: "great question", "so yeah", "I like my job"."""
    tokens = span.norm.split()
    if len(tokens) == 0 or (len(tokens) <= 6 and all(t in _DISCOURSE for t in tokens)):
        return True
    if find_all(lex.star["none"], span.norm):
        return not any(find_all(lex.star[p], span.norm) for p in ("action", "result", "task"))
    return False


def label_sentences(spans: Sequence[Span], lex: Lexicon) -> list[str | None]:
    """Label each span situation/task/action/result, or None when it plays no part."""
    labels: list[str | None] = [None] * len(spans)
    idx = [i for i, s in enumerate(spans) if not is_none_sentence(s, lex)]
    if not idx:
        return labels
    n = len(idx)
    em = [_emissions(spans[i], (k + 0.5) / n, lex) for k, i in enumerate(idx)]
    # Viterbi over the story parts.
    best = [{p: em[0][p] for p in PARTS}]
    back: list[dict[str, str]] = [{}]
    for k in range(1, n):
        row, brow = {}, {}
        for j, p in enumerate(PARTS):
            cands = []
            for i, q in enumerate(PARTS):
                step = j - i
                trans = 0.0 if step in (0, 1) else (_FORWARD_SKIP * (step - 1) if step > 1 else _BACKWARD)
                cands.append((best[k - 1][q] + trans, q))
            value, prev = max(cands)
            row[p], brow[p] = value + em[k][p], prev
        best.append(row)
        back.append(brow)
    last = max(PARTS, key=lambda p: best[-1][p])
    path = [last]
    for k in range(n - 1, 0, -1):
        path.append(back[k][path[-1]])
    path.reverse()
    for i, p in zip(idx, path):
        labels[i] = p
    return labels


def summarise_star(
    durations: Sequence[float],
    labels: Sequence[str | None],
    *,
    situation_max_s: float,
    situation_max_share: float,
    action_result_min_share: float,
) -> StarSummary:
    """Seconds and share per part, and a 0..100 score weighted as the seeds weigh the parts.

    Presence: Situation 15, Task 10, Action 30, Result 30 (Action and Result are what
    interviewers most want). Balance: 15 when Action + Result take at least
    ``action_result_min_share`` of the time, scaled below; a Situation over ``situation_max_s``
    seconds or ``situation_max_share`` of the time loses up to 15 (stalling).
    """
    total = sum(d for d, lab in zip(durations, labels) if lab is not None) or 0.0
    parts: dict[str, StarPart] = {}
    for p in PARTS:
        secs = sum(d for d, lab in zip(durations, labels) if lab == p)
        share = secs / total if total > 0 else 0.0
        parts[p] = StarPart(present=secs > 0 or p in labels, seconds=round(float(secs), 2), share=round(float(share), 3))
    if total <= 0:
        return StarSummary(**parts, score=0)
    weights = {"situation": 15, "task": 10, "action": 30, "result": 30}
    score = sum(w for p, w in weights.items() if parts[p].present)
    ar = parts["action"].share + parts["result"].share
    score += 15 * min(1.0, ar / action_result_min_share)
    sit = parts["situation"]
    over = max(sit.seconds / situation_max_s, sit.share / situation_max_share)
    if over > 1.0:
        score -= min(15.0, 15.0 * (over - 1.0))
    return StarSummary(**parts, score=int(round(max(0.0, min(100.0, score)))))
