"""Scores and feedback order: the part of the report that weighs the stages against each other."""

from __future__ import annotations

from collections.abc import Iterable

from .results import Feedback, Scores

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3, "good": 4}
# Content carries most weight: the answer's substance is what an interviewer judges first.
WEIGHTS = {"delivery": 0.3, "structure": 0.35, "accountability": 0.35}
# What a content pitfall costs the overall score, on top of what it already costs structure or
# accountability. The largest single delivery issue costs at most 25 delivery points, 7.5 overall
# (weight 0.3): the content pitfalls an interviewer stops at (denial, blame, a trivial example, no
# lesson) cost more than that, so they outrank any delivery issue. Capped at PITFALL_COST_MAX.
PITFALL_COST = {
    "denying_mistakes": 12, "blaming_others": 10, "trivial_example": 10, "no_learning": 10,
    "making_excuses": 6, "minimising_harm": 6, "low_ownership": 6, "dwelling_on_negative": 5,
}
PITFALL_COST_MAX = 30
AREA_ORDER = ("structure", "accountability", "content", "length", "pauses", "fillers", "pace", "pitch", "loudness")


def combine_scores(
    *, delivery: int | None, structure: int | None, accountability: int | None,
    pitfalls: Iterable[str] = (), quality: int | None = None, blend: float | None = None,
) -> Scores:
    """Overall = weighted mean of the parts present (0..100), None when no part is.

    ``quality`` (0..100, the quality model's judgement of the answer as strong, see
    :mod:`mockmic.content.rank`) then takes ``blend`` of the overall (default: the weight shipped
    with the model, chosen out of fold on train+dev). Each content pitfall kind in ``pitfalls``
    then costs its :data:`PITFALL_COST` (together at most :data:`PITFALL_COST_MAX`), never below 0:
    the blend only shrinks what a delivery issue costs, so a pitfall still costs more.
    """
    parts = {"delivery": delivery, "structure": structure, "accountability": accountability}
    present = {k: v for k, v in parts.items() if v is not None}
    overall = None
    if present:
        total_w = sum(WEIGHTS[k] for k in present)
        mean = sum(WEIGHTS[k] * v for k, v in present.items()) / total_w
        if quality is not None:
            if blend is None:
                from .content.rank import load_weights

                blend = load_weights().blend
            mean = (1 - blend) * mean + blend * quality
        overall = int(round(mean))
        cost = min(PITFALL_COST_MAX, sum(PITFALL_COST.get(k, 0) for k in set(pitfalls)))
        overall = max(0, overall - cost)
    return Scores(overall=overall, delivery=delivery, structure=structure, accountability=accountability)


def rank_feedback(items: Iterable[Feedback]) -> list[Feedback]:
    """Most important first: by severity, then content before delivery, then time."""

    def key(fb: Feedback):
        area = AREA_ORDER.index(fb.area) if fb.area in AREA_ORDER else len(AREA_ORDER)
        return (SEVERITY_ORDER.get(fb.severity, 5), area, fb.start_s if fb.start_s is not None else -1.0)

    return sorted(items, key=key)
