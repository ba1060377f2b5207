"""Lexical fillers by role: recall/precision of the rules on the labelled sets.

tests/data/fillers/fillers.jsonl holds sentences as Whisper would punctuate them, each with one
word use labelled "filler" or "not_filler" (text, word_index into text.split(), label, split).
The split is fixed: sha256 of the text, odd = "test", even = "tune". Rules are tuned on "tune";
figures are reported on "test" only.
"""

from __future__ import annotations

import json
from pathlib import Path

from mockmic.delivery.fillers import lexical_fillers
from mockmic.results import Word

SET_PATH = Path(__file__).resolve().parents[2] / "tests" / "data" / "fillers" / "fillers.jsonl"
# A second set (split "fresh"), written by another helper after the rules, having read the
# phrase and word lists of filler_words.py but not the rules in fillers.py (nor more than 5
# sentences of the first set), and never tuned on: the honest check of the first set's figures.
FRESH_PATH = SET_PATH.with_name("fresh.jsonl")


def load_set(split: str | None = None, path: Path | None = None) -> list[dict]:
    path = path or SET_PATH
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [r for r in rows if split is None or r["split"] == split]


def timed_words(text: str, word_s: float = 0.3) -> list[Word]:
    """The sentence as back-to-back timed words (no gaps), as Whisper would give them."""
    return [Word(t, i * word_s, (i + 1) * word_s - 0.02, 0.9) for i, t in enumerate(text.split())]


def predicted_filler(row: dict) -> bool:
    """True when the rules report a lexical filler starting at the labelled word."""
    words = timed_words(row["text"])
    starts = {round(f.start_s, 3) for f in lexical_fillers(words)}
    return round(words[row["word_index"]].start_s, 3) in starts


def recall_precision(rows: list[dict]) -> tuple[float, float, int, int]:
    """(recall, precision, fillers, non-fillers) of the rules on labelled rows."""
    tp = fp = fn = 0
    for r in rows:
        pred, gold = predicted_filler(r), r["label"] == "filler"
        tp += pred and gold
        fp += pred and not gold
        fn += gold and not pred
    n_f = sum(r["label"] == "filler" for r in rows)
    return tp / max(tp + fn, 1), tp / max(tp + fp, 1), n_f, len(rows) - n_f


if __name__ == "__main__":
    for split in ("tune", "test", "fresh"):
        rows = load_set(split, FRESH_PATH if split == "fresh" else None)
        rec, prec, nf, nn = recall_precision(rows)
        print(f"lexical fillers by role, {split} split ({nf} filler, {nn} not): recall {rec:.2f} precision {prec:.2f}")
        for r in rows:
            if predicted_filler(r) != (r["label"] == "filler"):
                print("   wrong:", r["label"], r["word_index"], r["text"])
