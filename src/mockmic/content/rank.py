"""The quality model: how likely an interviewer would rate the answer strong rather than weak.

One logistic regression over what the learned judge already computes per answer (the pooled
sentence embedding, signal counts, the rules' pitfalls, length, question kind: ``answer_features``),
the judge's pitfall probabilities, and the final STAR presence and shares with the structure and
accountability scores. Trained on the set's strong and weak answers by ``scripts/train_content``
(``scripts/evaluation/train_rank.py``), weights in ``model/rank.npz``; numpy only at run time. The
blend weight of its probability in the scores (``blend``) was chosen out of fold over train+dev.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from io import BytesIO

import numpy as np

from ..results import StarSummary, Word
from .learned import load_weights as load_judge_weights, pitfall_probs, stage_features

PARTS = ("situation", "task", "action", "result")
# Below this quality (0..100) the answer reads weak or middling: the feedback says what strong
# answers do (the seed guides' "own it, fix it, learn from it").
WEAK_BELOW = 50
MESSAGE = ("This answer reads weaker than a strong one: strong answers name a real mistake that mattered, "
           "own it with 'I', spend most of the time on the specific steps taken to fix it, and end with "
           "what was learned and what is done differently now.")


@dataclass(frozen=True)
class RankWeights:
    w: np.ndarray  # (features,)
    b: float
    mu: np.ndarray
    sd: np.ndarray
    blend: float  # share of the overall score (and content score) the quality takes, 0..1


def save_weights(path, r: RankWeights) -> None:
    np.savez_compressed(path, **{k: np.asarray(getattr(r, k)) for k in RankWeights.__dataclass_fields__})


@lru_cache(maxsize=1)
def load_weights() -> RankWeights:
    data = resources.files("mockmic.content").joinpath("model/rank.npz").read_bytes()
    z = np.load(BytesIO(data))
    conv = {"b": float, "blend": float}
    return RankWeights(**{k: conv.get(k, np.asarray)(z[k]) for k in RankWeights.__dataclass_fields__})


def rank_features(stage, words: Sequence[Word], star: StarSummary, accountability_score: int) -> np.ndarray:
    """The quality model's input for one answer (the embeddings come from the embedder's cache)."""
    _, _, xa = stage_features(stage, words)
    pit = pitfall_probs(load_judge_weights(), xa)
    parts = [getattr(star, p) for p in PARTS]
    shape = [float(p.present) for p in parts] + [p.share for p in parts]
    scores = [star.score / 100, accountability_score / 100]
    return np.concatenate([xa, pit, np.array(shape + scores, dtype=np.float32)]).astype(np.float32)


def probability(r: RankWeights, x: np.ndarray) -> float:
    z = float(((x - r.mu) / r.sd) @ r.w + r.b)
    return 1.0 / (1.0 + np.exp(-z))


def answer_quality(stage, words: Sequence[Word], star: StarSummary, accountability_score: int) -> int:
    """0..100: the quality model's probability that the answer is a strong one, in points."""
    return int(round(100 * probability(load_weights(), rank_features(stage, words, star, accountability_score))))
