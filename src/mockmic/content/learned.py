"""The learned content judge: MiniLM embeddings + rule features -> STAR labels and pitfalls.

Weights come from ``model/judge.npz`` (written by ``scripts/train_content``; shipped with the
package). At run time only numpy: a multinomial logistic regression per sentence for the STAR
part, and one logistic regression per pitfall kind over the answer's pooled features, with the
threshold chosen on the dev split. ``combined`` takes, per decision, whichever of learned, rules
or both (union) measured best on the dev split (``star_mode``, ``pitfall_mode`` in the file).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from io import BytesIO
import re

import numpy as np

from ..results import Pitfall, Word, clock
from .features import LABELS, PITFALL_KINDS, answer_features, sentence_features, span_signals

MODES = ("rules", "learned", "union")
# The pitfall classifiers were trained on whole answers (the set's shortest has about 40 words):
# a shorter answer, such as a follow-up's fragment, keeps the rules' pitfalls.
LEARNED_MIN_WORDS = 40
_MISTAKE_ONLY = frozenset({"denying_mistakes", "trivial_example", "no_learning"})
# A speaker who names the part they are telling ("my task was", "as a result") is exact: the
# sentence keeps that part whatever the classifier says. Only words that name a STAR part itself,
# near the start of the sentence (after an optional "so", "and", filler).
_NAMED_PART = tuple((part, re.compile(r"^(?:(?:so|and|um|uh|well|then|but),? ){0,3}" + pattern))
                    for part, pattern in (
    ("task", r"(?:my|our|the) (?:task|job|goal|objective|responsibility|remit) (?:there |then |at the time )?(?:was|is)\b"),
    ("task", r"it was my (?:job|task|responsibility) to\b"),
    ("result", r"(?:as a result|in the end|the (?:end )?(?:result|outcome) was)\b"),
))
_MESSAGES = {
    "blaming_others": "You put the cause on other people: take full ownership of your part instead of shifting responsibility.",
    "denying_mistakes": "You do not name a real mistake of your own: interviewers hear a lack of self-awareness. Pick a real one and own it.",
    "trivial_example": "The example has no real stakes: choose a mistake that mattered and shows a genuine learning opportunity.",
    "dwelling_on_negative": "You dwell on the damage and how bad it felt: acknowledge it briefly, then shift to action and learning.",
    "no_learning": "You never say what you learned: without a clear lesson and how you apply it now, the answer falls flat.",
    "low_ownership": "Few actions are told with 'I' as the doer: say 'I made', 'I should have', 'I fixed' rather than 'we' or 'mistakes were made'.",
    "making_excuses": "You explain the mistake away with circumstances: name them once at most, then own what you did.",
    "minimising_harm": "You play the harm down: say plainly what it cost others, then what you did about it.",
}


@dataclass(frozen=True)
class JudgeWeights:
    star_w: np.ndarray  # (features, labels)
    star_b: np.ndarray
    star_mu: np.ndarray
    star_sd: np.ndarray
    pit_w: np.ndarray  # (features, kinds)
    pit_b: np.ndarray
    pit_mu: np.ndarray
    pit_sd: np.ndarray
    pit_threshold: np.ndarray  # (kinds,)
    star_mode: int  # index into MODES (union means learned for STAR)
    pitfall_mode: np.ndarray  # (kinds,) index into MODES


def save_weights(path, w: JudgeWeights) -> None:
    np.savez_compressed(path, **{k: np.asarray(getattr(w, k)) for k in JudgeWeights.__dataclass_fields__})


@lru_cache(maxsize=1)
def load_weights() -> JudgeWeights:
    data = resources.files("mockmic.content").joinpath("model/judge.npz").read_bytes()
    z = np.load(BytesIO(data))
    return JudgeWeights(**{k: (int(z[k]) if k == "star_mode" else z[k]) for k in JudgeWeights.__dataclass_fields__})


def load_judge() -> None:
    """Load the embedder and the weights once (the pipeline calls this while Whisper runs)."""
    from .embed import load_embedder

    load_embedder().embed(["warm up"])
    load_weights()


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def stage_features(stage, words: Sequence[Word]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Embeddings, sentence features and answer features of one answer's rule stage."""
    from .embed import load_embedder

    emb = load_embedder().embed(stage.texts)
    sig = span_signals(stage, words)
    xs = sentence_features(emb, stage.labels, sig)
    xa = answer_features(emb, sig, {p.kind for p in stage.pitfalls}, len(words), stage.mistake_question)
    return emb, xs, xa


def star_probs(w: JudgeWeights, xs: np.ndarray) -> np.ndarray:
    return _softmax(((xs - w.star_mu) / w.star_sd) @ w.star_w + w.star_b)


def pitfall_probs(w: JudgeWeights, xa: np.ndarray) -> np.ndarray:
    z = ((xa - w.pit_mu) / w.pit_sd) @ w.pit_w + w.pit_b
    return 1.0 / (1.0 + np.exp(-z))


def apply_judge(stage, words: Sequence[Word], judge: str, *, min_words: int = 20) -> tuple[list[str | None], list[Pitfall]]:
    """STAR labels and pitfalls by the learned (or combined) judge, starting from the rules' stage.

    Answers shorter than ``min_words`` or :data:`LEARNED_MIN_WORDS` keep the rules' pitfalls:
    the classifiers were trained on whole answers and say little about a sentence or two.
    """
    w = load_weights()
    emb, xs, xa = stage_features(stage, words)
    labels: list[str | None] = list(stage.labels)
    if judge == "learned" or MODES[w.star_mode] != "rules":
        pred = star_probs(w, xs).argmax(axis=1)
        labels = [None if LABELS[k] == "none" else LABELS[k] for k in pred]
        if judge == "combined":
            labels = [named_part(text) or label for text, label in zip(stage.texts, labels)]
    prob = pitfall_probs(w, xa)
    rules = {p.kind: p for p in stage.pitfalls}
    out: list[Pitfall] = []
    for j, kind in enumerate(PITFALL_KINDS):
        mode = "learned" if judge == "learned" else MODES[int(w.pitfall_mode[j])]
        if len(words) < max(min_words, LEARNED_MIN_WORDS):
            mode = "rules"
        learned_yes = bool(prob[j] >= w.pit_threshold[j]) and (stage.mistake_question or kind not in _MISTAKE_ONLY)
        yes = kind in rules if mode == "rules" else learned_yes if mode == "learned" else (learned_yes or kind in rules)
        if not yes:
            continue
        if kind in rules:
            out.append(rules[kind])
            continue
        # Evidence: the sentence whose embedding pushes this kind's score most.
        dim = emb.shape[1]
        k = int(np.argmax(emb @ (w.pit_w[:dim, j] / w.pit_sd[:dim]))) if len(stage.spans) else 0
        sp = stage.spans[k]
        text = " ".join(x.text.strip() for x in words[sp.start : sp.end][:16]).rstrip(".!?,")
        start = words[sp.start].start_s
        out.append(Pitfall(kind, _MESSAGES[kind], f"at {clock(start)}: '{text}'", round(start, 2)))
    return labels, out


def named_part(text: str) -> str | None:
    """The STAR part a sentence names at its start, if it names one.

    >>> named_part("So my task was to find the error"), named_part("As a result, we kept the client")
    ('task', 'result')
    >>> named_part("I told my manager that my task was late") is None
    True
    """
    t = re.sub(r"[^\w' ]+", " ", text.lower())
    t = re.sub(r" +", " ", t).strip()
    return next((part for part, rx in _NAMED_PART if rx.search(t)), None)
