"""The content judges against the labelled set (split once by sha256(id) mod 10) and the seeds.

Figures asserted here are on the dev split only (the split the judge is tuned on); the test
split's figures are printed by ``scripts/eval_content`` and reported, never asserted or tuned on.
Each assertion can fail: a worse lexicon, a worse model or a broken split moves them.
"""

from __future__ import annotations

import pytest

from evaluation.content_eval import (PITFALL_KINDS, SEEDS_DIR, check_seed, evaluate, load_all, seed_answers,
                                     split_of)
from mockmic.content import ContentOptions


@pytest.fixture(scope="module")
def answers():
    return load_all()


@pytest.fixture(scope="module")
def dev(answers):
    return [a for a in answers if a.split == "dev"]


def test_set_is_big_and_varied_enough(answers):
    assert len(answers) >= 250
    assert len({a.id for a in answers}) == len(answers)
    assert {a.source for a in answers} == {"tune", "heldout", "corpus_a", "corpus_b", "corpus_c", "seed"}
    assert sum(not a.punctuation for a in answers) >= 30
    for split in ("train", "dev", "test"):
        part = [a for a in answers if a.split == split]
        assert sum(a.cls == "strong" for a in part) >= 15 and sum(a.cls == "weak" for a in part) >= 15, split
    for kind in PITFALL_KINDS:
        assert sum(kind in a.pitfalls for a in answers) >= 10, kind
    lengths = [sum(len(t.split()) for _, t in a.sentences) for a in answers]
    assert min(lengths) <= 60 and max(lengths) >= 400  # about 20 s to about 3 minutes at 150 wpm
    assert len({a.question for a in answers if a.question}) >= 20


def test_the_split_is_the_fixed_rule():
    # sha256 of the id, mod 10: 0-5 train, 6-7 dev, 8-9 test (tests/data/content_set/README.md)
    import hashlib

    for i in ("strong-invoice", "ca-001-marketing-assoc-timezone", "x"):
        d = int(hashlib.sha256(i.encode()).hexdigest(), 16) % 10
        assert split_of(i) == ("train" if d < 6 else "dev" if d < 8 else "test")
    sizes = {s: sum(a.split == s for a in load_all()) for s in ("train", "dev", "test")}
    assert sizes == {"train": 270, "dev": 92, "test": 87}


@pytest.fixture(scope="module")
def dev_figures(dev):
    return {j: evaluate(dev, ContentOptions(judge=j)) for j in ("rules", "combined")}


def test_combined_judge_is_at_least_as_good_as_the_rules_on_dev(dev_figures):
    rules, comb = dev_figures["rules"], dev_figures["combined"]
    assert comb.star_accuracy >= rules.star_accuracy
    assert comb.presence_agreement >= rules.presence_agreement
    # Each pitfall kind's source is chosen by F1 (train.py), so F1 is what combined must not lose.
    assert _f1(comb) >= _f1(rules), (comb.recall(), comb.precision(), rules.recall(), rules.precision())


def _f1(f):
    r, p = f.recall(), f.precision()
    return 2 * r * p / (r + p) if r + p else 0.0


def test_combined_judge_floors_on_dev(dev_figures):
    f = dev_figures["combined"]
    assert f.star_accuracy >= 0.75, f.star_accuracy
    assert f.presence_agreement >= 0.85, f.presence_agreement
    # A guard at today's level (dev 61% / 60% with the prototype features), not the
    # target: the 0.9 target is the strict xfail below.
    assert f.recall() >= 0.58 and f.precision() >= 0.57, (f.recall(), f.precision())
    ms, mw = f.medians()
    assert ms - mw >= 10, (ms, mw)


@pytest.mark.xfail(strict=True, reason="issue 12 target not met: pitfall recall and precision 0.9 "
                   "(dev combined 61% / 60%; scripts/eval_content --split dev --judge combined)")
def test_combined_judge_pitfall_target_on_dev(dev_figures):
    f = dev_figures["combined"]
    assert f.recall() >= 0.9 and f.precision() >= 0.9, (f.recall(), f.precision())


def test_seed_sample_answers_have_all_parts_and_no_pitfall():
    assert SEEDS_DIR.is_dir(), f"the seed guides are expected beside the checkout, in {SEEDS_DIR}"
    samples = seed_answers()
    assert len(samples) == 3
    for sample in samples:
        assert len(sample.sentences) >= 8  # the whole answer was read, not just its first part
        ok, content = check_seed(sample)
        assert ok, (sample.id, content.star, content.pitfalls)


def test_spoken_subset_is_test_answers_with_aligned_labels(answers):
    from evaluation.spoken import align_labels, load_spoken

    spoken = load_spoken()
    by_id = {a.id: a for a in answers}
    assert len(spoken) >= 40
    assert all(by_id[i].split == "test" for i in spoken)
    for i, (words, gold) in spoken.items():
        assert words and gold[-1][1] == len(words)
        assert {lab for _, _, lab in gold} <= {lab for lab, _ in by_id[i].sentences}
    # alignment: a transcript that drops and changes words still maps each word to its sentence
    ans = next(a for a in answers if len(a.sentences) >= 3 and len({lab for lab, _ in a.sentences}) >= 3)
    words = " ".join(t for _, t in ans.sentences).split()
    hyp = [w for k, w in enumerate(words) if k % 7 != 3]
    labs = align_labels(hyp, ans)
    expect = [lab for lab, t in ans.sentences for _ in t.split()]
    expect = [lab for k, lab in enumerate(expect) if k % 7 != 3]
    assert sum(a == b for a, b in zip(labs, expect)) >= 0.95 * len(expect)
