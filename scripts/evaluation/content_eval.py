"""Evaluation of the content analyser on the labelled set and the seed guides' sample answers.

Used by ``scripts/eval_content`` (which prints the figures) and by the tests (which assert the
targets). Reads files, so it is tooling, not part of the analysis stages.
"""

from __future__ import annotations

import hashlib
import re
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mockmic.config import shared_dir
from mockmic.content import ContentOptions, analyze_content, words_from_text
from mockmic.results import ContentAnalysis, Word

PITFALL_KINDS = ("blaming_others", "denying_mistakes", "trivial_example", "dwelling_on_negative", "no_learning",
                 "low_ownership", "making_excuses", "minimising_harm")
LABELS = ("situation", "task", "action", "result", "none")
_PROJECT_ROOT = Path(__file__).resolve().parents[2]
SET_DIR = _PROJECT_ROOT / "tests" / "data" / "content_set"
SEEDS_DIR = (shared_dir() or _PROJECT_ROOT.parent / "shared") / "seeds"


@dataclass(frozen=True)
class Answer:
    """One labelled answer: gold sentence labels, pitfalls and class."""

    id: str
    cls: str
    pitfalls: frozenset[str]
    punctuation: bool
    sentences: tuple[tuple[str, str], ...]  # (label, text)
    split: str = "tune"  # train, dev or test (split_of), "seed" before the split
    source: str = ""  # the file it came from: tune, heldout, corpus_a, corpus_b, corpus_c, seed
    question: str | None = None  # the question's text, from the bank, when the answer names one


# The one fixed split rule (tests/data/content_set/README.md): sha256 of the answer's id, mod 10.
TRAIN_DIGITS, DEV_DIGITS, TEST_DIGITS = range(0, 6), range(6, 8), range(8, 10)
SET_FILES = ("tune", "heldout", "corpus_a", "corpus_b", "corpus_c")


def split_of(answer_id: str) -> str:
    """``train`` (0-5), ``dev`` (6-7) or ``test`` (8-9) by sha256(id) mod 10; fixed once."""
    d = int(hashlib.sha256(answer_id.encode("utf-8")).hexdigest(), 16) % 10
    return "train" if d in TRAIN_DIGITS else "dev" if d in DEV_DIGITS else "test"


def _question_texts() -> dict[str, str]:
    from mockmic.practice import load_questions

    return {q.id: q.text for q in load_questions()}


def load_set(path: Path, split: str) -> list[Answer]:
    """Answers of one TOML file of the set, checked for unknown labels and pitfall kinds."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    texts = _question_texts()
    out = []
    for a in data.get("answer", []):
        for lab, _ in a["sentences"]:
            if lab not in LABELS:
                raise ValueError(f"{path.name} {a['id']}: unknown label {lab!r}")
        bad = set(a["pitfalls"]) - set(PITFALL_KINDS)
        if bad:
            raise ValueError(f"{path.name} {a['id']}: unknown pitfalls {sorted(bad)}")
        out.append(Answer(a["id"], a["class"], frozenset(a["pitfalls"]), bool(a.get("punctuation", True)),
                          tuple((lab, t) for lab, t in a["sentences"]), split, path.stem,
                          texts.get(a.get("question", ""))))
    return out


def load_all(set_dir: Path = SET_DIR, *, seeds: bool = True) -> list[Answer]:
    """Every labelled answer (the four files and the seed guide's samples), each with its split."""
    out = []
    for name in SET_FILES:
        for a in load_set(set_dir / f"{name}.toml", name):
            out.append(Answer(a.id, a.cls, a.pitfalls, a.punctuation, a.sentences, split_of(a.id), a.source, a.question))
    if seeds:
        out += [Answer(a.id, a.cls, a.pitfalls, a.punctuation, a.sentences, split_of(a.id), "seed", a.question)
                for a in seed_answers()]
    ids = [a.id for a in out]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise ValueError(f"duplicate answer ids: {sorted(dup)}")
    return out


def load_split(split: str, set_dir: Path = SET_DIR) -> list[Answer]:
    return [a for a in load_all(set_dir) if a.split == split]


def _strip(text: str) -> str:
    # What an unpunctuated Whisper transcript looks like: lower case, no punctuation.
    return " ".join(re.sub(r"[^\w' ]+", " ", text.lower()).split())


def answer_words(answer: Answer, *, words_per_minute: float = 150) -> tuple[tuple[Word, ...], list[tuple[int, int, str]]]:
    """Timed words for an answer and the gold ``(first, end, label)`` word range of each sentence."""
    texts = [t if answer.punctuation else _strip(t) for _, t in answer.sentences]
    words = words_from_text(" ".join(texts), words_per_minute=words_per_minute)
    gold, pos = [], 0
    for (lab, _), t in zip(answer.sentences, texts):
        n = len(t.split())
        gold.append((pos, pos + n, lab))
        pos += n
    return words, gold


def predicted_labels(content: ContentAnalysis, words: Sequence[Word], gold: list[tuple[int, int, str]]) -> list[str]:
    """For each gold sentence, the label of the predicted sentence covering most of its words."""
    # Predicted sentences are time ranges; give each word the label of the sentence it falls in.
    word_label: list[str] = []
    for w in words:
        lab = "none"
        for s in content.sentences:
            if s.start_s - 1e-6 <= w.start_s <= s.end_s + 1e-6:
                lab = s.star or "none"
                break
        word_label.append(lab)
    out = []
    for a, b, _ in gold:
        labs = word_label[a:b]
        out.append(max(LABELS, key=lambda x: (labs.count(x), -LABELS.index(x))) if labs else "none")
    return out


@dataclass
class Figures:
    """Totals for one group of answers."""

    sentences: int = 0
    correct: int = 0
    tp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PITFALL_KINDS, 0))
    fp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PITFALL_KINDS, 0))
    fn: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PITFALL_KINDS, 0))
    strong: list[tuple[int, str]] = field(default_factory=list)
    weak: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0
    answers: int = 0
    errors: list[str] = field(default_factory=list)
    presence_total: int = 0  # (answer, STAR part) pairs judged
    presence_agree: int = 0  # ... where the predicted presence matches the gold labels

    @property
    def presence_agreement(self) -> float:
        return self.presence_agree / self.presence_total if self.presence_total else 0.0

    def medians(self) -> tuple[float | None, float | None]:
        from statistics import median

        return (median(s for s, _ in self.strong) if self.strong else None,
                median(s for s, _ in self.weak) if self.weak else None)

    @property
    def star_accuracy(self) -> float:
        return self.correct / self.sentences if self.sentences else 0.0

    def recall(self, kind: str | None = None) -> float | None:
        tp = self.tp[kind] if kind else sum(self.tp.values())
        fn = self.fn[kind] if kind else sum(self.fn.values())
        return tp / (tp + fn) if tp + fn else None

    def precision(self, kind: str | None = None) -> float | None:
        tp = self.tp[kind] if kind else sum(self.tp.values())
        fp = self.fp[kind] if kind else sum(self.fp.values())
        return tp / (tp + fp) if tp + fp else None

    @property
    def strong_above_weak(self) -> bool:
        return not self.strong or not self.weak or min(self.strong)[0] > max(self.weak)[0]


def evaluate(
    answers: Sequence[Answer],
    options: ContentOptions | None = None,
    *,
    inputs: dict[str, tuple[tuple[Word, ...], list[tuple[int, int, str]]]] | None = None,
    score: Callable[[ContentAnalysis], int] | None = None,
) -> Figures:
    """Run the analyser on every answer and count sentence labels, part presence, pitfalls, score order.

    ``inputs`` gives the words and gold word ranges per answer id (the spoken subset); answers
    without an entry are left out. Default: the answer's text, evenly timed. ``score`` ranks the
    answers (default: the overall score of content alone, :func:`overall_of`).
    """
    fig = Figures()
    score = score or overall_of
    for ans in answers:
        if inputs is not None:
            if ans.id not in inputs:
                continue
            words, gold = inputs[ans.id]
        else:
            words, gold = answer_words(ans)
        t0 = time.perf_counter()
        content = analyze_content(words, question=ans.question, options=options)
        fig.seconds += time.perf_counter() - t0
        fig.answers += 1
        pred = predicted_labels(content, words, gold)
        for (a, b, lab), p in zip(gold, pred):
            fig.sentences += 1
            if p == lab:
                fig.correct += 1
            else:
                fig.errors.append(f"{ans.id}: gold {lab}, got {p}: {' '.join(w.text for w in words[a:b])}")
        gold_parts = {lab for _, _, lab in gold}
        for part in ("situation", "task", "action", "result"):
            fig.presence_total += 1
            fig.presence_agree += (part in gold_parts) == getattr(content.star, part).present
        found = {p.kind for p in content.pitfalls}
        for k in PITFALL_KINDS:
            if k in found and k in ans.pitfalls:
                fig.tp[k] += 1
            elif k in found:
                fig.fp[k] += 1
                fig.errors.append(f"{ans.id}: false pitfall {k}")
            elif k in ans.pitfalls:
                fig.fn[k] += 1
                fig.errors.append(f"{ans.id}: missed pitfall {k}")
        sc = score(content)
        if ans.cls == "strong":
            fig.strong.append((sc, ans.id))
        elif ans.cls == "weak":
            fig.weak.append((sc, ans.id))
    return fig


def overall_of(content: ContentAnalysis) -> int:
    """The overall score an answer gets from its content alone (no audio, so no delivery part)."""
    from mockmic.scoring import combine_scores

    sc = combine_scores(delivery=None, structure=content.star.score, accountability=content.accountability.score,
                        pitfalls=[p.kind for p in content.pitfalls], quality=content.quality)
    return sc.overall if sc.overall is not None else 0


_MARK = re.compile(r"\*\*([STAR]) - (Situation|Task|Action|Result):\*\*")


def seed_answers(seeds_dir: Path = SEEDS_DIR) -> list[Answer]:
    """The sample answers of the seed guide (000_*.txt), with the guide's own S/T/A/R markers as labels."""
    files = sorted(seeds_dir.glob("000_*.txt"))
    if not files:
        raise FileNotFoundError(f"No seed guide 000_*.txt in {seeds_dir}.")
    text = files[0].read_text(encoding="utf-8")
    out = []
    for n, block in enumerate(re.findall(r'Sample Answer: "(.*?)"\s*\n', text, flags=re.S), start=1):
        sentences: list[tuple[str, str]] = []
        parts = _MARK.split(block)
        # parts: [before, letter, name, body, letter, name, body, ...]
        for i in range(1, len(parts), 3):
            label = parts[i + 1].lower()
            body = parts[i + 2].strip()
            for sent in re.split(r"(?<=[.!?])\s+", body):
                if sent.strip():
                    sentences.append((label, sent.strip()))
        out.append(Answer(f"seed-sample-{n}", "strong", frozenset(), True, tuple(sentences), "seed"))
    return out


def check_seed(answer: Answer, options: ContentOptions | None = None) -> tuple[bool, ContentAnalysis]:
    """True when the answer has all four STAR parts and no pitfall."""
    words, _ = answer_words(answer)
    content = analyze_content(words, question=answer.question, options=options)
    ok = all(getattr(content.star, p).present for p in ("situation", "task", "action", "result")) and not content.pitfalls
    return ok, content
