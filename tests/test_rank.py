"""The quality model (content/rank.py): strong answers rank above weak ones, deterministically, cheaply."""

from __future__ import annotations



from mockmic.content import ContentOptions, analyze_content, content_feedback, words_from_text
from mockmic.content.analyze import rule_stage
from mockmic.content.rank import MESSAGE, WEAK_BELOW, load_weights, probability, rank_features
from mockmic.scoring import combine_scores

STRONG = ("Last year I sent a client the wrong quarterly invoice, overcharging them by four thousand pounds. "
          "It was my mistake: I had copied last quarter's figures without checking the new contract. "
          "My job was to put it right before their finance team closed the month. "
          "I called the client that morning, apologised, explained the error and sent a corrected invoice within the hour. "
          "I then told my manager and we refunded the difference the same day. "
          "As a result we kept the account, and the client renewed six months later. "
          "I learned to check every invoice against the signed contract, and since then I use a checklist that our whole team now follows.")
WEAK = ("Honestly I can't really think of a mistake I have made at work. "
        "The project was late but that was because the other team never sent their part on time, and the manager gave us a deadline that was impossible. "
        "It was not a big deal anyway, nobody really noticed, and everything worked out in the end. "
        "I just kept doing my job like I always do and the others sorted out their side of things eventually.")
QUESTION = "Tell me about a mistake you made at work."


def _content(text, judge="combined"):
    return analyze_content(words_from_text(text), question=QUESTION, options={"judge": judge})


def _overall(c):
    return combine_scores(delivery=None, structure=c.star.score, accountability=c.accountability.score,
                          pitfalls=[p.kind for p in c.pitfalls], quality=c.quality).overall


def test_shipped_weights_fit_the_features_and_blend_is_a_share():
    r = load_weights()
    words = words_from_text(STRONG)
    st = rule_stage(words, question=QUESTION, opts=ContentOptions(judge="combined"))
    c = _content(STRONG)
    x = rank_features(st, words, c.star, c.accountability.score)
    assert x.shape == r.w.shape == r.mu.shape == r.sd.shape
    assert 0.0 < r.blend < 1.0
    assert 0.0 <= probability(r, x) <= 1.0


def test_strong_answer_outranks_weak_one_and_only_the_weak_gets_the_quality_note():
    strong, weak = _content(STRONG), _content(WEAK)
    assert strong.quality >= WEAK_BELOW > weak.quality
    assert _overall(strong) > _overall(weak) + 10
    assert strong.content_score > weak.content_score
    notes = [f for f in content_feedback(weak) if f.message == MESSAGE]
    assert len(notes) == 1 and notes[0].area == "content" and f"{weak.quality}/100" in notes[0].evidence
    assert not [f for f in content_feedback(strong) if f.message == MESSAGE]


def test_quality_is_deterministic_and_blended_into_the_content_score():
    a, b = _content(WEAK), _content(WEAK)
    assert a.quality == b.quality and a.content_score == b.content_score
    blend = load_weights().blend
    base = (a.star.score + a.accountability.score) / 2
    assert a.content_score == int(round(max(0.0, (1 - blend) * base + blend * a.quality - 8 * len(a.pitfalls))))


def test_rules_judge_and_short_answers_have_no_quality():
    assert _content(STRONG, judge="rules").quality is None
    assert _content("I sent the wrong invoice and then I fixed it quickly.").quality is None
