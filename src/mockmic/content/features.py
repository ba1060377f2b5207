"""Features of the learned content judge: sentence embeddings joined with exact rule signals.

The rules stay where they are exact (what the lexicon matched, the rules' own STAR label, where
the sentence sits in the answer); the embedding carries what phrase lists miss. Pure numpy.
"""

from __future__ import annotations

import math

import numpy as np

from ..results import STAR_PARTS
from .accountability import SIGNAL_KINDS

LABELS = (*STAR_PARTS, "none")
# The pitfall kinds of the contract, in the order of judge.npz's columns.
PITFALL_KINDS = ("blaming_others", "denying_mistakes", "trivial_example", "dwelling_on_negative", "no_learning",
                 "low_ownership", "making_excuses", "minimising_harm")
# The groups of prototype sentences (``scripts/evaluation/pitfall_prototypes.toml``): each pitfall
# kind's shape, and the lesson an answer with no ``no_learning`` tells.
PROTO_GROUPS = (*PITFALL_KINDS, "lesson")


def span_signals(stage, words) -> np.ndarray:
    """``(n_spans, len(SIGNAL_KINDS))``: 1 where a signal of that kind starts inside the span."""
    out = np.zeros((len(stage.spans), len(SIGNAL_KINDS)), dtype=np.float32)
    for sig in stage.signals:
        if sig.start_s is None:
            continue
        for i, sp in enumerate(stage.spans):
            if words[sp.start].start_s - 1e-3 <= sig.start_s <= words[sp.end - 1].end_s + 1e-3:
                out[i, SIGNAL_KINDS.index(sig.kind)] = 1.0
                break
    return out


def sentence_features(emb: np.ndarray, rule_labels, sig: np.ndarray) -> np.ndarray:
    """Per sentence: embedding, rule label one-hot, position, first/last, signal kinds present."""
    n = emb.shape[0]
    lab = np.zeros((n, len(LABELS)), dtype=np.float32)
    for i, r in enumerate(rule_labels):
        lab[i, LABELS.index(r or "none")] = 1.0
    pos = np.array([[(i + 0.5) / n, float(i == 0), float(i == n - 1)] for i in range(n)], dtype=np.float32)
    return np.hstack([emb, lab, pos, sig]).astype(np.float32)


def prototype_similarity(emb: np.ndarray, proto_emb: np.ndarray, proto_group: np.ndarray) -> np.ndarray:
    """``(n_sentences, len(PROTO_GROUPS))``: each sentence's cosine to its closest prototype of each group.

    >>> e = np.eye(3, dtype=np.float32)
    >>> prototype_similarity(e[:2], e[[0, 2]], np.array([0, 1]))[:, :2].tolist()
    [[1.0, 0.0], [0.0, 0.0]]
    """
    sims = emb @ proto_emb.T
    out = np.full((emb.shape[0], len(PROTO_GROUPS)), -1.0, dtype=np.float32)
    for g in range(len(PROTO_GROUPS)):
        cols = proto_group == g
        if cols.any():
            out[:, g] = sims[:, cols].max(axis=1)
    return out


def prototype_features(sim: np.ndarray) -> np.ndarray:
    """Per group: the answer's closest sentence, and the mean of its two closest (one sentence, once)."""
    if sim.shape[0] == 0:
        return np.zeros(2 * sim.shape[1], dtype=np.float32)
    top = -np.sort(-sim, axis=0)
    return np.concatenate([top[0], top[:2].mean(axis=0)]).astype(np.float32)


def answer_features(emb: np.ndarray, sig: np.ndarray, rule_pitfalls: set[str], n_words: int,
                    mistake_question: bool, proto: np.ndarray) -> np.ndarray:
    """Per answer: mean embedding, signal counts, the rules' pitfalls, length, the question's kind,
    and ``proto`` (:func:`prototype_features`). The mean embedding comes first."""
    mean = emb.mean(axis=0) if emb.shape[0] else np.zeros(emb.shape[1], dtype=np.float32)
    counts = sig.sum(axis=0)
    rp = np.array([float(k in rule_pitfalls) for k in PITFALL_KINDS], dtype=np.float32)
    extra = np.array([math.log1p(n_words), math.log1p(emb.shape[0]), float(mistake_question)], dtype=np.float32)
    return np.concatenate([mean, np.minimum(counts, 3.0), rp, extra, proto]).astype(np.float32)
