"""The new pitfalls, the trivial topics, softened blame, the learned judge and the pitfall costs."""

from __future__ import annotations

import numpy as np
import pytest

from mockmic.content import ContentOptions, analyze_content, words_from_text
from mockmic.errors import ConfigError
from mockmic.scoring import PITFALL_COST, combine_scores

Q = "Tell me about a mistake you made."
RULES = ContentOptions(judge="rules")


def found(text, opts=RULES, question=Q):
    c = analyze_content(words_from_text(text), question=question, options=opts)
    return {p.kind: p for p in c.pitfalls}, c


def test_excuses_are_their_own_pitfall_with_words_and_time():
    text = ("I missed the deadline for the quarterly report. I was so swamped that week and the deadline was "
            "ridiculously tight. I sent it two days late.")
    p, _ = found(text)
    assert "making_excuses" in p
    assert "swamped" in p["making_excuses"].evidence
    # "I was so swamped" starts at word 8 of the evenly paced words (0.4 s a word)
    assert p["making_excuses"].start_s == pytest.approx(8 * 0.4, abs=0.01)


def test_minimising_the_harm_is_its_own_pitfall():
    p, _ = found("I sent the invoice to the wrong client. Honestly it was no big deal and nobody even noticed. "
                 "I resent it and learned to check the address.")
    assert "minimising_harm" in p
    assert "no big deal" in p["minimising_harm"].evidence
    assert p["minimising_harm"].start_s > 0


def test_a_plain_answer_has_neither():
    p, _ = found("I sent the wrong invoice to a client. I called them, apologised and fixed it that day. "
                 "I learned to double check, and since then I use a checklist.")
    assert "making_excuses" not in p and "minimising_harm" not in p


@pytest.mark.parametrize("text", [
    "I once had a minor typo in an email to my team. I fixed it the next morning.",
    "I made a mistake in the subject line of an email. I resent it with the right subject.",
])
def test_the_trivial_topics_of_seed_000(text):
    p, _ = found(text)
    assert "trivial_example" in p


def test_typo_with_real_stakes_is_not_trivial():
    p, _ = found("I had a typo in the price on a client contract worth forty thousand dollars. "
                 "I called the client, corrected the contract and now a second person checks every price.")
    assert "trivial_example" not in p


@pytest.mark.parametrize("softener", [
    "but to be fair, the vendor had given me the wrong spec",
    "and my manager signed off on it",
])
def test_blame_through_a_softener(softener):
    p, _ = found(f"I shipped the release with the wrong config, {softener}. I rolled it back within the hour.")
    assert "blaming_others" in p


def test_judge_option_is_checked():
    with pytest.raises(ConfigError, match="judge"):
        ContentOptions(judge="neural")
    assert ContentOptions.from_mapping({"judge": "learned"}).judge == "learned"


def test_learned_judge_labels_and_finds_pitfalls_on_a_clear_answer():
    text = ("So in my last job I was the release manager for our mobile app. I pushed a build to production "
            "without running the regression suite because I was in a hurry. Checkout broke for about two "
            "hours. I rolled the release back, told my manager it was my mistake and wrote the postmortem. "
            "Since then I never skip the suite, and I added it as a required step in the pipeline.")
    for judge in ("learned", "combined"):
        c = analyze_content(words_from_text(text), question=Q, options=ContentOptions(judge=judge))
        labels = [s.star for s in c.sentences]
        assert labels[0] == "situation" and labels[-1] == "result", labels
        assert "action" in labels
        assert not {p.kind for p in c.pitfalls} & {"denying_mistakes", "blaming_others", "no_learning"}


def test_learned_judge_flags_blame_and_denial():
    blame = ("Last spring our launch slipped by a week. Honestly the design team never sent me the final files, "
             "and the client kept changing the brief. I did what I could with what they gave me. "
             "It really was not on me, they should have planned it better.")
    c = analyze_content(words_from_text(blame), question=Q, options=ContentOptions(judge="learned"))
    assert "blaming_others" in {p.kind for p in c.pitfalls}
    for p in c.pitfalls:
        assert p.evidence.startswith("at ") and p.start_s is not None


_TYPO = ("So this was last year at the agency. I was sending the weekly update to a client and I made a typo in "
         "the subject line, I wrote 'Weekly Updte' instead of 'Weekly Update'. My manager spotted it after it went "
         "out. I sent a quick follow up with the right subject and apologised. Since then I read every subject line "
         "out loud before I hit send, and it has not happened again.")
_LEAK = ("So this was last year at the agency. I was sending the quarterly results to a client and I attached the "
         "wrong spreadsheet, the one with another client's confidential salaries in it. My manager spotted it after "
         "it went out. I called the client straight away, asked them to delete it, told our data protection officer "
         "and apologised to both clients. Since then I open every attachment before I hit send, and it has not "
         "happened again.")


def test_combined_judge_finds_a_typo_sized_example_and_quotes_where_it_is_told():
    # The same story shape twice: a typo in a subject line (seed 000's trivial example) and a
    # confidential file sent to the wrong client. Only the first is trivial, and the quote is the
    # sentence that tells the typo, not the lesson that also mentions subject lines.
    typo = analyze_content(words_from_text(_TYPO), question=Q, options=ContentOptions(judge="combined"))
    found = {p.kind: p for p in typo.pitfalls}
    assert "trivial_example" in found
    assert "typo in the" in found["trivial_example"].evidence
    leak = analyze_content(words_from_text(_LEAK), question=Q, options=ContentOptions(judge="combined"))
    assert "trivial_example" not in {p.kind for p in leak.pitfalls}


def test_shipped_prototypes_cover_every_group_as_unit_vectors():
    from mockmic.content.features import PROTO_GROUPS
    from mockmic.content.learned import load_weights

    w = load_weights()
    assert w.proto_emb.shape[1] == 384 and len(w.proto_group) == w.proto_emb.shape[0]
    assert set(w.proto_group.tolist()) == set(range(len(PROTO_GROUPS)))
    assert np.allclose(np.linalg.norm(w.proto_emb, axis=1), 1.0, atol=1e-3)
    # The answer features end with two per group: the closest sentence, and the mean of the two closest.
    from mockmic.content.analyze import rule_stage
    from mockmic.content.learned import stage_features

    words = words_from_text(_TYPO)
    _, _, xa = stage_features(rule_stage(words, question=Q, opts=ContentOptions()), words)
    assert xa.shape == (w.pit_w.shape[0],)
    n = len(PROTO_GROUPS)
    closest, two = xa[-2 * n : -n], xa[-n:]
    assert np.all(closest >= two - 1e-6) and np.all(np.abs(xa[-2 * n :]) <= 1.0 + 1e-6)
    assert closest[PROTO_GROUPS.index("trivial_example")] > 0.3


def test_embeddings_are_unit_vectors_and_similar_sentences_are_closer():
    from mockmic.content.embed import load_embedder

    v = load_embedder().embed(["I fixed the bug.", "I repaired the defect.", "The weather was sunny in Spain."])
    assert v.shape == (3, 384)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2


def test_a_content_pitfall_costs_more_than_any_delivery_issue():
    # The largest single delivery issue costs 25 delivery points, 7.5 overall at weight 0.3.
    base = combine_scores(delivery=100, structure=80, accountability=80).overall
    worst_delivery = combine_scores(delivery=75, structure=80, accountability=80).overall
    for kind in ("denying_mistakes", "blaming_others", "trivial_example", "no_learning"):
        with_pitfall = combine_scores(delivery=100, structure=80, accountability=80, pitfalls=[kind]).overall
        assert base - with_pitfall == PITFALL_COST[kind]
        assert base - with_pitfall > base - worst_delivery
    capped = combine_scores(delivery=100, structure=80, accountability=80, pitfalls=list(PITFALL_COST))
    assert base - capped.overall == 30
    assert combine_scores(delivery=None, structure=10, accountability=10, pitfalls=["denying_mistakes"]).overall == 0


def _smoothing(lam, floor):
    from mockmic.content.features import LABELS
    from mockmic.content.learned import JudgeWeights

    n = len(LABELS)
    # Stories run S -> T -> A -> R: staying, moving on or skipping a part is likely, going back rare.
    trans = np.full((n, n), 0.02)
    for i in range(n - 1):
        trans[i, i] = trans[i, i + 1] = 0.45
        if i + 2 < n - 1:
            trans[i, i + 2] = 0.3
    trans /= trans.sum(axis=1, keepdims=True)
    start = np.array([0.7, 0.1, 0.1, 0.05, 0.05])
    return JudgeWeights(*([None] * 11), np.log(trans), np.log(start), np.log(np.full(n, 1 / n)), lam, floor)


def test_star_decode_follows_story_order_and_pins_named_parts():
    from mockmic.content.features import LABELS
    from mockmic.content.learned import decode_star

    # Situation, then an Action sentence the classifier narrowly calls Result, then Action again.
    p = np.array([[.8, .05, .1, .04, .01], [.05, .02, .44, .48, .01], [.05, .02, .8, .12, .01], [.05, .02, .3, .62, .01]])
    names = lambda path: [LABELS[k] for k in path]  # noqa: E731
    assert names(decode_star(_smoothing(0.0, 1.01), p)) == ["situation", "result", "action", "result"]
    assert names(decode_star(_smoothing(1.0, 1.01), p)) == ["situation", "action", "action", "result"]
    # A sentence that names its part keeps it, and the sequence is decoded around it.
    pinned = decode_star(_smoothing(1.0, 1.01), p, [None, LABELS.index("task"), None, None])
    assert names(pinned) == ["situation", "task", "action", "result"]


def test_star_decode_gives_a_missing_part_its_likeliest_sentence():
    from mockmic.content.features import LABELS
    from mockmic.content.learned import decode_star

    p = np.array([[.7, .2, .05, .04, .01], [.55, .3, .1, .04, .01], [.05, .02, .8, .12, .01], [.05, .02, .2, .72, .01]])
    without = [LABELS[k] for k in decode_star(_smoothing(1.0, 1.01), p)]
    assert "task" not in without
    with_floor = [LABELS[k] for k in decode_star(_smoothing(1.0, 0.3), p)]
    assert with_floor == ["situation", "task", "action", "result"]
    # Below the floor nothing changes; and a part's only sentence is never taken from it.
    assert [LABELS[k] for k in decode_star(_smoothing(1.0, 0.31), p)] == without
