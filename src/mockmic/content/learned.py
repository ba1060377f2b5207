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
from .features import (LABELS, PITFALL_KINDS, PROTO_GROUPS, answer_features, prototype_features, prototype_similarity,
                       sentence_features, span_signals)

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
    # STAR sequence smoothing (:func:`decode_star`): log transition, first and last label
    # probabilities counted on train, their weight and the presence floor, chosen on dev.
    star_log_trans: np.ndarray  # (labels, labels)
    star_log_start: np.ndarray  # (labels,)
    star_log_end: np.ndarray  # (labels,)
    star_lam: float
    star_presence: float
    # Prototype sentences' embeddings and their group (index into PROTO_GROUPS), embedded at
    # training time from scripts/evaluation/pitfall_prototypes.toml.
    proto_emb: np.ndarray | None = None  # (prototypes, 384)
    proto_group: np.ndarray | None = None  # (prototypes,)


def save_weights(path, w: JudgeWeights) -> None:
    np.savez_compressed(path, **{k: np.asarray(getattr(w, k)) for k in JudgeWeights.__dataclass_fields__})


@lru_cache(maxsize=1)
def load_weights() -> JudgeWeights:
    data = resources.files("mockmic.content").joinpath("model/judge.npz").read_bytes()
    z = np.load(BytesIO(data))
    conv = {"star_mode": int, "star_lam": float, "star_presence": float}
    return JudgeWeights(**{k: conv.get(k, np.asarray)(z[k]) for k in JudgeWeights.__dataclass_fields__})


def load_judge() -> None:
    """Load the embedder and the weights once (the pipeline calls this while Whisper runs)."""
    from .embed import load_embedder

    load_embedder().embed(["warm up"])
    load_weights()


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def stage_features(stage, words: Sequence[Word], prototypes: tuple[np.ndarray, np.ndarray] | None = None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Embeddings, sentence features and answer features of one answer's rule stage.

    ``prototypes`` (embeddings, groups) defaults to the ones in the shipped weights."""
    from .embed import load_embedder

    if prototypes is None:
        w = load_weights()
        prototypes = (w.proto_emb, w.proto_group)
    emb = load_embedder().embed(stage.texts)
    sig = span_signals(stage, words)
    xs = sentence_features(emb, stage.labels, sig)
    proto = prototype_features(prototype_similarity(emb, *prototypes))
    xa = answer_features(emb, sig, {p.kind for p in stage.pitfalls}, len(words), stage.mistake_question, proto)
    return emb, xs, xa


def star_probs(w: JudgeWeights, xs: np.ndarray) -> np.ndarray:
    return _softmax(((xs - w.star_mu) / w.star_sd) @ w.star_w + w.star_b)


def pitfall_probs(w: JudgeWeights, xa: np.ndarray) -> np.ndarray:
    z = ((xa - w.pit_mu) / w.pit_sd) @ w.pit_w + w.pit_b
    return 1.0 / (1.0 + np.exp(-z))


def decode_star(w: JudgeWeights, prob: np.ndarray, fixed: Sequence[int | None] = ()) -> list[int]:
    """Label indices for an answer's sentences from their STAR probabilities, as one sequence.

    A Viterbi decode of ``log prob`` plus ``star_lam`` times the log transition probabilities
    counted on train (STAR runs mostly S -> T -> A -> R; out of order is possible, only less
    likely). ``fixed[i]`` (a label index) pins sentence ``i``, so its neighbours follow it. Then
    a part the path leaves out is given to the sentence most likely to tell it, when that
    probability reaches ``star_presence`` and that sentence is not the only one of its own part.

    >>> w = load_weights()
    >>> p = np.array([[.9, .02, .05, .02, .01], [.1, .05, .45, .39, .01], [.05, .02, .2, .72, .01]])
    >>> [LABELS[k] for k in decode_star(w, p)]
    ['situation', 'action', 'result']
    """
    n = prob.shape[0]
    if n == 0:
        return []
    fixed = list(fixed) + [None] * (n - len(fixed))
    em = np.log(np.maximum(prob, 1e-12))
    for i, k in enumerate(fixed):
        if k is not None:
            em[i] = np.where(np.arange(len(LABELS)) == k, 0.0, -1e9)
    lam = w.star_lam
    score = em[0] + lam * w.star_log_start
    back = []
    for i in range(1, n):
        cand = score[:, None] + lam * w.star_log_trans
        back.append(cand.argmax(axis=0))
        score = cand.max(axis=0) + em[i]
    k = int(np.argmax(score + lam * w.star_log_end))
    path = [k]
    for b in reversed(back):
        k = int(b[k])
        path.append(k)
    path.reverse()
    for part in range(len(LABELS) - 1):  # every STAR part; "none" needs no rescue
        if part in path:
            continue
        i = int(np.argmax(prob[:, part]))
        if prob[i, part] >= w.star_presence and fixed[i] is None and path.count(path[i]) > 1:
            path[i] = part
    return path


def apply_judge(stage, words: Sequence[Word], judge: str, *, min_words: int = 20) -> tuple[list[str | None], list[Pitfall]]:
    """STAR labels and pitfalls by the learned (or combined) judge, starting from the rules' stage.

    Answers shorter than ``min_words`` or :data:`LEARNED_MIN_WORDS` keep the rules' pitfalls:
    the classifiers were trained on whole answers and say little about a sentence or two.
    """
    w = load_weights()
    emb, xs, xa = stage_features(stage, words)
    labels: list[str | None] = list(stage.labels)
    if judge == "learned" or MODES[w.star_mode] != "rules":
        named = [named_part(text) for text in stage.texts] if judge == "combined" else [None] * len(stage.texts)
        pred = decode_star(w, star_probs(w, xs), [None if n is None else LABELS.index(n) for n in named])
        labels = [None if LABELS[k] == "none" else LABELS[k] for k in pred]
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
        k = _evidence_span(w, emb, j, labels) if len(stage.spans) else 0
        sp = stage.spans[k]
        text = " ".join(x.text.strip() for x in words[sp.start : sp.end][:16]).rstrip(".!?,")
        start = words[sp.start].start_s
        out.append(Pitfall(kind, _MESSAGES[kind], f"at {clock(start)}: '{text}'", round(start, 2)))
    return labels, out


def _evidence_span(w: JudgeWeights, emb: np.ndarray, j: int, labels: Sequence[str | None]) -> int:
    """The sentence to quote for pitfall ``j``: the one whose embedding pushes its score most or,
    when its classifier reads the prototype features, the one closest to the kind's prototypes
    (for ``no_learning``, the last one, where a lesson would be, as the rules quote it; for
    ``trivial_example``, among the sentences that set the scene, where the example is told, since
    the similarity is partly topical and a lesson about the same typo would otherwise win)."""
    dim = emb.shape[1]
    push = w.pit_w[:dim, j] / w.pit_sd[:dim]
    if np.any(push) or w.proto_emb is None:
        return int(np.argmax(emb @ push))
    if PITFALL_KINDS[j] == "no_learning":
        return emb.shape[0] - 1
    sim = prototype_similarity(emb, w.proto_emb, w.proto_group)[:, PROTO_GROUPS.index(PITFALL_KINDS[j])]
    if PITFALL_KINDS[j] == "trivial_example":
        scene = [i for i, lab in enumerate(labels) if lab in ("situation", "task")]
        if scene:
            return scene[int(np.argmax(sim[scene]))]
    return int(np.argmax(sim))


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
