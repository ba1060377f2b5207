"""The documented score arithmetic, pinned with exact numbers.

Each docstring states how a score is made; these tests hold the code to it, so a change of
weights or penalties is a deliberate edit here too, not a silent drift.
"""

from __future__ import annotations

import pytest

from mockmic.content.accountability import accountability_score
from mockmic.content.star import summarise_star
from mockmic.delivery import DeliveryOptions, delivery_score
from mockmic.practice.followup import combined_scores
from mockmic.results import (
    DeliveryMetrics,
    FillerCluster,
    LoudnessStats,
    Pause,
    PitchStats,
    Scores,
    Signal,
)
from mockmic.scoring import WEIGHTS, combine_scores


def test_overall_is_the_weighted_mean_of_the_parts_present():
    assert WEIGHTS == {"delivery": 0.3, "structure": 0.35, "accountability": 0.35}
    s = combine_scores(delivery=80, structure=60, accountability=40)
    assert s.overall == round(0.3 * 80 + 0.35 * 60 + 0.35 * 40) == 59
    # a missing part drops out and the weights of the rest are renormalised
    assert combine_scores(delivery=None, structure=60, accountability=40).overall == 50
    assert combine_scores(delivery=90, structure=None, accountability=None).overall == 90
    assert combine_scores(delivery=None, structure=None, accountability=None).overall is None


def test_quality_takes_its_blend_of_the_overall_before_the_pitfall_costs():
    assert combine_scores(delivery=None, structure=60, accountability=40, quality=90, blend=0.5).overall == 70
    assert combine_scores(delivery=80, structure=60, accountability=40, quality=20, blend=0.25).overall == round(
        0.75 * 59.0 + 0.25 * 20)
    assert combine_scores(delivery=None, structure=60, accountability=40, quality=90, blend=0.5,
                          pitfalls=["blaming_others"]).overall == 60
    # without a blend the one shipped with the quality model is used
    from mockmic.content.rank import load_weights

    blend = load_weights().blend
    assert combine_scores(delivery=None, structure=60, accountability=40, quality=90).overall == round(
        (1 - blend) * 50 + blend * 90)
    assert combine_scores(delivery=None, structure=None, accountability=None, quality=90).overall is None


@pytest.mark.parametrize("kind", ["denying_mistakes", "blaming_others", "trivial_example", "no_learning"])
def test_with_quality_a_content_pitfall_still_costs_more_than_any_delivery_issue(kind):
    for quality in (0, 50, 100):
        kw = dict(structure=80, accountability=80, quality=quality)
        base = combine_scores(delivery=100, **kw).overall
        worst_delivery = combine_scores(delivery=75, **kw).overall  # the largest single issue: 25 points
        assert base - combine_scores(delivery=100, pitfalls=[kind], **kw).overall > base - worst_delivery


def _metrics(**changes) -> DeliveryMetrics:
    base = dict(
        words=200, speaking_time_s=70.0, words_per_minute=150.0, articulation_wpm=170.0, pace_over_time=(),
        pauses=(), long_pause_count=0, fillers=(), filler_count=0, fillers_per_minute=0.0,
        fillers_per_100_words=0.0, pitch=PitchStats(120.0, 4.0, False), loudness=LoudnessStats(-20.0, 5.0),
        answer_start_s=0.0, answer_end_s=90.0, answer_duration_s=90.0, loudness_flat=False,
    )
    base.update(changes)
    return DeliveryMetrics(**base)


def test_delivery_score_of_a_clean_answer_is_100():
    assert delivery_score(_metrics()) == 100
    assert delivery_score(_metrics(words=0)) == 0


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # pace: 12.5 points per (comfortable edge - slow/fast edge) outside the band, at most 25
        ({"words_per_minute": 120.0}, 100 - 6.25),  # 10 under 130, band to 110 is 20 wide
        ({"words_per_minute": 180.0}, 100 - 6.25),  # 10 over 170, band to 190 is 20 wide
        ({"words_per_minute": 60.0}, 100 - 25),  # capped
        # fillers: 12.5 per (high - good) per 100 words over 2, at most 25; clusters 5 each, at most 5
        ({"fillers_per_100_words": 3.5}, 100 - 6.25),
        ({"fillers_per_100_words": 20.0}, 100 - 25),
        ({"filler_clusters": (FillerCluster(1.0, 5.0, 3), FillerCluster(20.0, 24.0, 3))}, 100 - 5),
        # pauses: 6 per stall, plus 3 per long pause a minute beyond 2 a minute, at most 20
        ({"pauses": (Pause(10.0, 13.5, 3.5),), "long_pause_count": 1}, 100 - 6),
        ({"pauses": tuple(Pause(t, t + 1.2, 1.2) for t in range(0, 80, 10)), "long_pause_count": 8},
         100 - 3 * (8 / 1.5 - 2)),
        # voice: monotone 10, flat loudness 5, at most 15
        ({"pitch": PitchStats(120.0, 1.0, True)}, 100 - 10),
        ({"pitch": PitchStats(120.0, 1.0, True), "loudness_flat": True}, 100 - 15),
        # length: up to 15 in proportion to the distance outside 60-120 s
        ({"answer_duration_s": 30.0}, 100 - 7.5),
        ({"answer_duration_s": 180.0}, 100 - 7.5),
    ],
)
def test_delivery_score_penalties(changes, expected):
    assert delivery_score(_metrics(**changes), DeliveryOptions()) == round(expected)


def _signals(**counts) -> list[Signal]:
    return [Signal(kind, "x", 0.0) for kind, n in counts.items() for _ in range(n)]


@pytest.mark.parametrize(
    ("counts", "ratio", "expected"),
    [
        ({}, None, 40),
        ({"ownership": 1}, None, 54),
        ({"ownership": 2, "apology": 1, "amends": 1, "learning": 1, "prevention": 1}, None, 98),
        ({"blame": 1}, None, 20),
        ({"blame": 3}, None, 0),  # blame costs at most 40
        ({"denial": 1}, None, 0),
        ({"excuse": 3, "ownership": 1}, None, 38),  # excuses cost at most 16
        ({"minimising": 1, "learning": 1}, None, 42),
        ({"learning": 1}, 1.0, 62),  # the ownership ratio moves it by 20 * (ratio - 0.5)
        ({"learning": 1}, 0.0, 42),
    ],
)
def test_accountability_score(counts, ratio, expected):
    assert accountability_score(_signals(**counts), ratio) == expected


def test_star_score_weights_presence_balance_and_stalling():
    kw = dict(situation_max_s=20.0, situation_max_share=0.4, action_result_min_share=0.5)
    # all four parts, Action + Result at least half the time: 15 + 10 + 30 + 30 + 15
    s = summarise_star([10, 5, 20, 20], ["situation", "task", "action", "result"], **kw)
    assert s.score == 100 and s.action.share == pytest.approx(20 / 55, abs=1e-3)
    # no Task, Action + Result a third of the time: 15 + 30 + 30 + 15 * (1/3) / 0.5
    s = summarise_star([20, 5, 5], ["situation", "action", "result"], **kw)
    assert s.score == round(75 + 15 * (10 / 30) / 0.5 - 15 * ((20 / 30) / 0.4 - 1))
    # a 40 s Situation is twice the limit: loses the whole 15 for stalling
    s = summarise_star([40, 20, 20], ["situation", "action", "result"], **kw)
    assert s.score == round(75 + 15 * 0.5 / 0.5 - 15)
    assert summarise_star([], [], **kw).score == 0


def test_a_follow_up_earns_half_of_what_it_adds_and_loses_in_full():
    first = Scores(overall=None, delivery=80, structure=50, accountability=40)
    s = combined_scores(first, joined_structure=90, joined_accountability=30, follow_up_delivery=60,
                        first_words=300, follow_up_words=100)
    assert s.structure == 50 + round(0.5 * 40)
    assert s.accountability == 30
    assert s.delivery == round((80 * 300 + 60 * 100) / 400)
    assert s.overall == combine_scores(delivery=s.delivery, structure=s.structure, accountability=s.accountability).overall
