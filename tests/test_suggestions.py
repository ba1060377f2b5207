"""What to say instead: one suggestion per pitfall and missing STAR part, on short known answers.

The answers are built sentence by sentence with known STAR labels and pitfalls (times from
``words_from_text``: 150 words/min, 0.4 s a word), so each test knows which sentence must be
quoted, at what time, and what the better shape is. The judge that finds the pitfalls is tested
elsewhere; the last tests run the real judge end to end.
"""

from __future__ import annotations

import re

import pytest

from mockmic.content import analyze_content, suggest, words_from_text
from mockmic.content.sentences import normalise_token
from mockmic.content.suggestions import KIND_ORDER, load_templates
from mockmic.results import (
    STAR_PARTS,
    Accountability,
    ContentAnalysis,
    Pitfall,
    Sentence,
    StarPart,
    StarSummary,
    Suggestion,
    report_from_dict,
    report_to_dict,
)

PITFALL_KINDS = ("denying_mistakes", "blaming_others", "trivial_example", "dwelling_on_negative", "no_learning",
                 "low_ownership", "making_excuses", "minimising_harm")
# English function words: pronouns, determiners, auxiliaries, prepositions, conjunctions and the
# adverbs that only link ("then", "now"). A shape may use these beside the person's own words;
# any other word outside a [placeholder] would be a fact the person did not say.
FUNCTION_WORDS = frozenset(
    "a an the and or but so if then than that this these those it its i me my mine myself we us our ours "
    "ourselves you your he him his she her they them their what which who whom whose when where why how "
    "as at by for from in into of off on onto to with without about before after up down out over under "
    "again once here there all any both each few more most other some such no nor not only own same too "
    "very can could will would shall should may might must just now since was were be been being is are am "
    "do did does done have has had having while because until also".split()
)


def answer(parts: list[tuple[str, str | None]], pitfalls: dict[str, int] = {}, *, word: int = 0) -> ContentAnalysis:
    """An analysis of sentences with known labels; ``pitfalls`` maps a kind to the sentence it is in.

    Each pitfall's time is that of the sentence's word number ``word``, as the judge times the
    words it matched: the suggestion must find the whole sentence and its start. The first word
    is the hard case: it starts 8 ms after the sentence before ends.
    """
    words = words_from_text(" ".join(text for text, _ in parts))
    sentences, k = [], 0
    for text, label in parts:
        n = len(text.split())
        sentences.append(Sentence(text, words[k].start_s, words[k + n - 1].end_s, label))
        k += n
    total = sum(s.end_s - s.start_s for s in sentences)
    star = {}
    for p in STAR_PARTS:
        secs = sum(s.end_s - s.start_s for s in sentences if s.star == p)
        star[p] = StarPart(secs > 0, round(secs, 2), round(secs / total, 3))
    pits = tuple(Pitfall(kind, "a message", "at 0:00: 'words'", words[sum(len(t.split()) for t, _ in parts[:i]) + word].start_s)
                 for kind, i in pitfalls.items())
    return ContentAnalysis(tuple(sentences), StarSummary(**star, score=50), Accountability(50, None, ()), pits)


def person_words(content: ContentAnalysis) -> set[str]:
    return {t for s in content.sentences for t in normalise_token(s.text).split()}


def unsaid_words(shape: str, said: set[str]) -> set[str]:
    """Words of ``shape`` outside its [placeholders] that are neither the person's nor function words."""
    outside = re.sub(r"\[[^\]]*\]", " ", shape)
    assert "[" not in outside and "]" not in outside, shape
    return {t for t in normalise_token(outside).split() if t not in said and t not in FUNCTION_WORDS}


def only(content: ContentAnalysis, kind: str) -> Suggestion:
    found = [s for s in suggest(content) if s.for_ == kind]
    assert len(found) == 1, suggest(content)
    return found[0]


SITUATION = ("In my last role I sent the wrong invoice to a client.", "situation")
TASK = ("My job was to bill every client on time.", "task")
ACTION = ("I called the client and fixed the invoice that afternoon.", "action")
RESULT = ("As a result the client paid on time.", "result")
LESSON = ("I learned to check every invoice, and since then I use a checklist.", "result")

# kind -> (the answer's sentences, the index of the sentence showing it, the expected shape)
CASES = {
    "blaming_others": (
        [SITUATION, ("Honestly the QA team should have caught it.", "situation"), ACTION, LESSON], 1,
        "I should have caught it myself; that was mine. Now I [what you do differently].",
    ),
    "making_excuses": (
        [SITUATION, ("I was so rushed that week that I didn't check the numbers.", "situation"), ACTION, LESSON], 1,
        "I didn't check the numbers; that was mine. Now, when [that pressure comes back], I [what you do instead].",
    ),
    "minimising_harm": (
        [SITUATION, ACTION, ("Honestly it was not a big deal, nobody even noticed.", "result"), LESSON], 2,
        "It [what it cost, and whom: the team, a customer, the company], and I [how you made it right].",
    ),
    "trivial_example": (
        [("I made a typo in a coffee order email once.", "situation"), ("I fixed the typo.", "action"), LESSON], 0,
        "[A mistake that mattered]: I [what you did], and it [what it put at stake: a client, a deadline, money]. "
        "I [how you fixed it], and now I [what you do differently].",
    ),
    "dwelling_on_negative": (
        [SITUATION, ("It was a total disaster and everyone was furious with me.", "situation"), ACTION, LESSON], 1,
        "It was a total disaster, so I [the first thing you did to fix it].",
    ),
    "no_learning": (
        [SITUATION, TASK, ACTION, RESULT], 3,
        "[The lesson you took from it], and since then I [what you do differently, e.g. a check you added].",
    ),
    "low_ownership": (
        [SITUATION, ("We rolled the change back within the hour.", "action"), LESSON], 1,
        "I rolled the change back within the hour.",
    ),
    "denying_mistakes": (
        [("Um, honestly I can't think of a mistake.", "situation"), ("I'm a perfectionist.", "situation")], 0,
        "[A specific time something you did went wrong]: I [what you did], and it [what it caused]. "
        "I [how you fixed it], and since then I [what you do differently].",
    ),
}


@pytest.mark.parametrize("word", [0, 2])
@pytest.mark.parametrize("kind", PITFALL_KINDS)
def test_each_pitfall_quotes_its_sentence_and_shows_a_better_shape(kind, word):
    parts, index, shape = CASES[kind]
    content = answer(parts, {kind: index}, word=word)
    s = only(content, kind)
    sentence = content.sentences[index]
    assert s.quote == sentence.text == parts[index][0]  # the person's own sentence, word for word
    assert s.start_s == sentence.start_s == pytest.approx(0.4 * sum(len(t.split()) for t, _ in parts[:index]))
    assert s.try_ == shape
    assert unsaid_words(s.try_, person_words(content)) == set()
    assert s.why == load_templates()[kind]["why"] and "interviewer" in s.why.lower()


def test_a_grounded_shape_reuses_only_the_persons_words():
    # "caught", "rolled", "disaster" are the person's words; the shapes add no fact of their own.
    for kind in ("blaming_others", "making_excuses", "dwelling_on_negative", "low_ownership"):
        parts, index, _ = CASES[kind]
        content = answer(parts, {kind: index})
        generic = load_templates()[kind]["try"]
        s = only(content, kind)
        assert s.try_ != generic  # built from their sentence
        said_here = set(normalise_token(parts[index][0]).split())
        assert unsaid_words(s.try_, said_here) == set(), (kind, s.try_)


@pytest.mark.parametrize("sentence, shape", [
    # passive with no doer: the doer becomes "I", the rest stays theirs
    ("In May the invoice was sent to the wrong client.", "In May I sent the invoice to the wrong client; that was mine."),
    ("Mistakes were made in the release.", "I made [which mistake] in the release; that was mine."),
    # done by someone named, or not a deed: no rewrite, the generic shape
    ("The file was deleted by the intern.", "I [the step you took yourself], then I [the next one]."),
    ("We were late with everything.", "I [the step you took yourself], then I [the next one]."),
])
def test_low_ownership_shapes(sentence, shape):
    content = answer([SITUATION, (sentence, "action"), LESSON], {"low_ownership": 1})
    assert only(content, "low_ownership").try_ == shape


@pytest.mark.parametrize("sentence, shape", [
    ("Because I was new, I forgot to attach the file.",
     "I forgot to attach the file; that was mine. Now, when [that pressure comes back], I [what you do instead]."),
    # the only "I" clause is the excuse itself: nothing of theirs to reuse
    ("I didn't have time to test it.",
     "I [what you did or skipped]; that was mine. Now, when [that pressure comes back], I [what you do instead]."),
])
def test_an_excuse_keeps_the_deed_and_drops_the_reason(sentence, shape):
    content = answer([SITUATION, (sentence, "situation"), ACTION, LESSON], {"making_excuses": 1})
    assert only(content, "making_excuses").try_ == shape


def test_blame_that_names_me_is_not_turned_around():
    content = answer([SITUATION, ("My manager should have told me.", "situation"), ACTION, LESSON], {"blaming_others": 1})
    assert only(content, "blaming_others").try_ == load_templates()["blaming_others"]["try"]


# --- missing STAR parts ----------------------------------------------------------------------

@pytest.mark.parametrize("part, parts, index, where", [
    # the Situation goes before the first sentence, grounded in it when it is an "I" sentence
    ("situation", [("I sent the wrong invoice to a client.", "action"), ACTION, LESSON], 0, "before"),
    # the Task before the first Action
    ("task", [SITUATION, ACTION, LESSON], 1, "before"),
    # the Action before the first Result
    ("action", [SITUATION, TASK, RESULT, LESSON], 2, "before"),
    # the Result after the last sentence that tells the story
    ("result", [SITUATION, TASK, ACTION, ("So yeah, that's it.", None)], 2, "after"),
])
def test_each_missing_part_quotes_where_it_belongs(part, parts, index, where):
    content = answer(parts)
    s = only(content, f"missing_{part}")
    assert s.quote == parts[index][0] and s.start_s == content.sentences[index].start_s
    assert s.why.endswith(f"Say it {where} this sentence.")
    assert unsaid_words(s.try_, person_words(content)) == set()


def test_a_missing_situation_leads_into_the_first_sentence():
    content = answer([("I sent the wrong invoice to a client.", "action"), ACTION, LESSON])
    assert only(content, "missing_situation").try_ == "In my [role] at [where], I sent the wrong invoice to a client."


def test_every_shape_in_the_data_holds_no_fact():
    templates = load_templates()
    assert set(templates) == set(PITFALL_KINDS) | {f"missing_{p}" for p in STAR_PARTS} == set(KIND_ORDER)
    for kind, t in templates.items():
        for key in ("try", "grounded", "grounded_passive"):
            if key in t:
                assert unsaid_words(t[key].replace("{clause}", ""), set()) == set(), (kind, key)


def test_one_suggestion_per_issue_in_the_order_of_the_answer():
    content = answer([SITUATION, ("Honestly the QA team should have caught it.", "situation"), ACTION],
                     {"blaming_others": 1, "no_learning": 2})
    got = [(s.for_, s.start_s) for s in suggest(content)]
    # no Result: the missing Result carries the lesson, so "no lesson" is not said twice
    # the same sentence: the more serious first (a missing Result before a missing Task)
    assert got == [("blaming_others", content.sentences[1].start_s), ("missing_result", content.sentences[2].start_s),
                   ("missing_task", content.sentences[2].start_s)]


def test_a_denial_gets_no_missing_part_suggestions():
    parts, index, _ = CASES["denying_mistakes"]
    assert [s.for_ for s in suggest(answer(parts, {"denying_mistakes": index}))] == ["denying_mistakes"]


def test_no_sentences_no_suggestions():
    assert analyze_content(()).suggestions == ()


# --- through the real judge -------------------------------------------------------------------

def test_analyze_content_suggests_and_the_json_contract_keeps_them():
    from test_content_pipeline import _report

    text = ("I sent the wrong invoice to a client. Honestly the QA team should have caught it. "
            "I fixed it the next day.")
    c = analyze_content(words_from_text(text), question="Tell me about a mistake you made.")
    blame = next(s for s in c.suggestions if s.for_ == "blaming_others")
    assert blame.quote == "Honestly the QA team should have caught it." and blame.start_s == pytest.approx(3.2)
    assert blame.try_.startswith("I should have caught it myself")
    assert {s.quote for s in c.suggestions} <= {s.text for s in c.sentences}

    report = _report(text)
    data = report_to_dict(report)
    assert all(set(s) == {"for", "quote", "start_s", "why", "try"} for s in data["content"]["suggestions"])
    assert "blaming_others" in [s["for"] for s in data["content"]["suggestions"]]
    assert report_from_dict(data).content.suggestions == report.content.suggestions
