"""Scores and feedback order: the part of the report that weighs the stages against each other."""

from __future__ import annotations

from collections.abc import Iterable

from .results import Feedback, Scores

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3, "good": 4}
# Content carries most weight: the answer's substance is what an interviewer judges first.
WEIGHTS = {"delivery": 0.3, "structure": 0.35, "accountability": 0.35}
AREA_ORDER = ("structure", "accountability", "content", "length", "pauses", "fillers", "pace", "pitch", "loudness")


def combine_scores(
    *, delivery: int | None, structure: int | None, accountability: int | None
) -> Scores:
    """Overall = weighted mean of the parts present (0..100), None when no part is."""
    parts = {"delivery": delivery, "structure": structure, "accountability": accountability}
    present = {k: v for k, v in parts.items() if v is not None}
    overall = None
    if present:
        total_w = sum(WEIGHTS[k] for k in present)
        overall = int(round(sum(WEIGHTS[k] * v for k, v in present.items()) / total_w))
    return Scores(overall=overall, delivery=delivery, structure=structure, accountability=accountability)


def rank_feedback(items: Iterable[Feedback]) -> list[Feedback]:
    """Most important first: by severity, then content before delivery, then time."""

    def key(fb: Feedback):
        area = AREA_ORDER.index(fb.area) if fb.area in AREA_ORDER else len(AREA_ORDER)
        return (SEVERITY_ORDER.get(fb.severity, 5), area, fb.start_s if fb.start_s is not None else -1.0)

    return sorted(items, key=key)
