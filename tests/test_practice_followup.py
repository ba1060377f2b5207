"""Follow-up selection on hand-built content analyses, and how a follow-up's answer is scored."""

from __future__ import annotations

import pytest

from mockmic.content import analyze_content, words_from_text
from mockmic.practice.followup import (
    FOLLOW_UP_ORDER,
    PROMPTED_CREDIT,
    choose_follow_up,
    combined_scores,
    follow_up_reasons,
    joined_words,
)
from mockmic.results import Accountability, ContentAnalysis, Pitfall, Scores, Sentence, Signal, StarPart, StarSummary, Word

OUTCOME = "What was the outcome?"
PREVENT = "What did you do to prevent this from happening again?"
YOURS = "What part of it was yours?"
EXAMPLE = "Can you give me a concrete example, a specific time something you did went wrong?"
MISTAKE_Q = "Tell me about a time you made a mistake at work. How did you handle it?"


def content(*, parts=("situation", "task", "action", "result"), pitfalls=(), signals=("ownership", "learning")) -> ContentAnalysis:
    """A content analysis with the given STAR parts present, pitfall kinds and signal kinds."""
    star = StarSummary(
        **{p: StarPart(present=p in parts, seconds=5.0 if p in parts else 0.0, share=0.25 if p in parts else 0.0)
           for p in ("situation", "task", "action", "result")},
        score=25 * len(parts),
    )
    sentences = tuple(Sentence(f"A {p} sentence.", 5.0 * i, 5.0 * i + 4.5, p) for i, p in enumerate(parts)) or (
        Sentence("Something was said.", 0.0, 2.0, None),)
    return ContentAnalysis(
        sentences=sentences,
        star=star,
        accountability=Accountability(score=70, ownership_ratio=0.8,
                                      signals=tuple(Signal(k, k, 1.0) for k in signals)),
        pitfalls=tuple(Pitfall(k, f"{k} message", "at 0:01: 'words'") for k in pitfalls),
    )


def test_a_complete_answer_needs_no_follow_up():
    assert choose_follow_up(content()) is None
    assert follow_up_reasons(content()) == []


@pytest.mark.parametrize(
    "kwargs, kind, text",
    [
        ({"parts": ("situation", "task", "action")}, "no_result", OUTCOME),
        ({"pitfalls": ("no_learning",), "signals": ("ownership",)}, "no_learning", PREVENT),
        ({"pitfalls": ("blaming_others",), "signals": ("blame", "learning")}, "blame", YOURS),
        ({"parts": (), "pitfalls": ("denying_mistakes",), "signals": ("denial",)}, "denial", EXAMPLE),
    ],
)
def test_each_gap_gets_its_interviewer_question(kwargs, kind, text):
    fu = choose_follow_up(content(**kwargs))
    assert fu is not None
    assert (fu.kind, fu.text) == (kind, text)
    assert fu.reason  # a phrase saying why


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        # blame beats a missing Result and a missing lesson
        ({"parts": ("situation", "action"), "pitfalls": ("blaming_others", "no_learning"), "signals": ("blame",)},
         ["blame", "no_result", "no_learning"]),
        # denial beats everything: there is no story to probe
        ({"parts": (), "pitfalls": ("denying_mistakes", "blaming_others", "no_learning"), "signals": ("denial", "blame")},
         ["denial", "blame", "no_result", "no_learning"]),
        # a missing Result is asked before the lesson, which usually comes with the outcome
        ({"parts": ("situation", "task", "action"), "pitfalls": ("no_learning",), "signals": ()},
         ["no_result", "no_learning"]),
    ],
)
def test_follow_ups_are_ranked_and_only_the_first_is_asked(kwargs, expected):
    c = content(**kwargs)
    assert follow_up_reasons(c) == expected
    assert choose_follow_up(c).kind == expected[0]
    assert FOLLOW_UP_ORDER == ("denial", "blame", "no_result", "no_learning")


def test_no_result_is_not_asked_when_the_question_does_not_need_one():
    c = content(parts=("situation", "action"))
    assert choose_follow_up(c, needs=("situation", "action")) is None
    assert choose_follow_up(c, needs=("situation", "task", "action", "result")).text == OUTCOME


def test_no_speech_gets_no_follow_up():
    assert choose_follow_up(None) is None
    empty = analyze_content([])
    assert choose_follow_up(empty) is None


def test_other_pitfalls_alone_ask_nothing():
    # low ownership, a trivial example or dwelling on the negative show in the report, not as a question
    assert choose_follow_up(content(pitfalls=("low_ownership", "trivial_example", "dwelling_on_negative"))) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("In my last job I was responsible for the weekly release. I made a mistake and shipped a build with the "
         "wrong database setting. My task was to get the service back quickly. I rolled back the release and told "
         "my manager right away. Then I fixed the setting myself and deployed it again.", OUTCOME),
        ("Last year our release failed and the client was angry. It was not my fault, the QA team should have "
         "caught it. My manager gave me the wrong requirements. I fixed the build over the weekend and we shipped "
         "it on Monday. As a result the client was happy again, and I learned to ask for written requirements.", YOURS),
        ("Honestly, I can't think of a mistake. I don't really make mistakes at work because I am a perfectionist.", EXAMPLE),
        ("In my last job I was responsible for the weekly release. I made a mistake and shipped a build with the "
         "wrong database setting. My task was to get the service back quickly. I rolled back the release, told my "
         "manager right away, and fixed the setting myself. As a result, the service was back within an hour. I "
         "learned to double check every setting, and since then I use a checklist before each release.", None),
    ],
)
def test_follow_ups_from_analysed_text(text, expected):
    fu = choose_follow_up(analyze_content(words_from_text(text), question=MISTAKE_Q))
    assert (fu.text if fu else None) == expected


def test_joined_words_follow_the_first_answer_after_a_gap():
    first = (Word("One.", 0.5, 0.9, 1.0), Word("Two.", 1.0, 1.4, 1.0))
    second = (Word("Three.", 0.2, 0.6, 0.9),)
    joined = joined_words(first, 3.0, second, gap_s=1.0)
    assert [w.text for w in joined] == ["One.", "Two.", "Three."]
    assert joined[2].start_s == pytest.approx(4.2) and joined[2].end_s == pytest.approx(4.6)
    assert joined[2].probability == 0.9


def test_combined_scores_credit_half_of_what_the_follow_up_adds():
    first = Scores(overall=71, delivery=72, structure=66, accountability=74)
    s = combined_scores(first, joined_structure=90, joined_accountability=80, follow_up_delivery=60,
                        first_words=60, follow_up_words=30)
    assert PROMPTED_CREDIT == 0.5
    assert s.structure == 78  # 66 + (90 - 66) / 2
    assert s.accountability == 77  # 74 + (80 - 74) / 2
    assert s.delivery == 68  # (72 * 60 + 60 * 30) / 90
    assert s.overall == round(0.3 * 68 + 0.35 * 78 + 0.35 * 77)


def test_combined_scores_count_a_worse_follow_up_in_full():
    first = Scores(overall=80, delivery=70, structure=90, accountability=85)
    s = combined_scores(first, joined_structure=88, joined_accountability=40, follow_up_delivery=None,
                        first_words=80, follow_up_words=0)
    assert (s.structure, s.accountability, s.delivery) == (88, 40, 70)


def test_combined_scores_of_an_answer_without_scores_is_none():
    assert combined_scores(None, joined_structure=50, joined_accountability=50, follow_up_delivery=50,
                           first_words=0, follow_up_words=10) is None


def test_combined_scores_credit_the_quality_model_and_charge_the_joined_pitfalls():
    from mockmic.scoring import PITFALL_COST, combine_scores

    first = Scores(overall=71, delivery=72, structure=66, accountability=74)
    kw = dict(joined_structure=90, joined_accountability=80, follow_up_delivery=60, first_words=60, follow_up_words=30)
    plain = combined_scores(first, **kw)
    graded = combined_scores(first, **kw, first_quality=20, joined_quality=80)
    # half of the follow-up's gain in quality counts: 20 + (80 - 20) / 2 = 50, blended as for any answer
    assert graded.overall == combine_scores(delivery=68, structure=78, accountability=77, quality=50).overall
    assert graded.overall != plain.overall
    blamed = combined_scores(first, **kw, pitfalls=["blaming_others"])
    assert blamed.overall == plain.overall - PITFALL_COST["blaming_others"]
