"""Training of the quality model (``scripts/train_content``, after the judge): strong vs weak answers.

Fits one logistic regression on the strong (1) and weak (0) answers of train+dev over
:func:`mockmic.content.rank.rank_features` (the combined judge's analysis), and chooses its l2
and its blend weight in the overall score on out-of-fold probabilities over train+dev (5 folds):
the blend that orders the most strong/weak pairs rightly (to 0.001), with a median gap of at
least 10 (issue 12), then the smallest (the structure and accountability scores keep the most weight). Writes ``src/mockmic/content/model/rank.npz``. The test split is never read here.
"""

from __future__ import annotations

import sys
from pathlib import Path
from statistics import median

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from evaluation.content_eval import answer_words, load_split  # noqa: E402
from evaluation.train import fit_binary  # noqa: E402

from mockmic.content import analyze_content  # noqa: E402
from mockmic.content.analyze import rule_stage  # noqa: E402
from mockmic.content.options import ContentOptions  # noqa: E402
from mockmic.content import rank  # noqa: E402
from mockmic.content.rank import RankWeights, rank_features, save_weights  # noqa: E402
from mockmic.scoring import combine_scores  # noqa: E402

OUT = Path(__file__).resolve().parents[2] / "src" / "mockmic" / "content" / "model" / "rank.npz"
BLENDS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)


def rows(answers):
    """Per strong or weak answer: features, 1 for strong, and the analysis (for the scores).

    The analysis runs without the quality model (the one being trained; its earlier file may be
    missing or stale): its STAR parts, accountability and pitfalls do not depend on it."""
    rank.answer_quality = lambda *_: 0
    rank.load_weights = lambda: RankWeights(np.zeros(0), 0.0, np.zeros(0), np.ones(0), 0.0)
    opts = ContentOptions(judge="combined")
    out = []
    for a in answers:
        if a.cls not in ("strong", "weak"):
            continue
        words, _ = answer_words(a)
        words = [w for w in words if w.text.strip()]
        content = analyze_content(words, question=a.question, options=opts)
        st = rule_stage(words, question=a.question, opts=opts)
        x = rank_features(st, words, content.star, content.accountability.score)
        out.append((x, int(a.cls == "strong"), content))
    return out


def overall(content, quality, blend):
    return combine_scores(delivery=None, structure=content.star.score, accountability=content.accountability.score,
                          pitfalls=[p.kind for p in content.pitfalls], quality=quality, blend=blend).overall


def ordering(scores, y):
    """Share of strong/weak pairs with the strong one above, and median strong - median weak."""
    s = np.array(scores, dtype=float)
    strong, weak = s[y == 1], s[y == 0]
    pairs = float(np.mean(strong[:, None] > weak[None, :]) + 0.5 * np.mean(strong[:, None] == weak[None, :]))
    return pairs, median(strong) - median(weak), strong.min(), weak.max()


def main() -> None:
    both = rows(load_split("train") + load_split("dev"))
    x = np.vstack([r[0] for r in both]); y = np.array([r[1] for r in both])
    print(f"train+dev: {int(y.sum())} strong, {int((1 - y).sum())} weak answers, {x.shape[1]} features")
    fold = np.random.default_rng(0).permutation(len(both)) % 5
    best = None
    for l2 in (1e-2, 1e-1, 1.0):
        oof = np.zeros(len(both))
        for f in range(5):
            w, b, mu, sd = fit_binary(x[fold != f], y[fold != f], l2=l2)
            oof[fold == f] = 1 / (1 + np.exp(-(((x[fold == f] - mu) / sd) @ w + b)))
        auc = ordering(oof, y)[0]
        print(f"  l2={l2}: out-of-fold AUC {auc:.3f}")
        if best is None or auc > best[0]:
            best = (auc, l2, oof)
    _, l2, oof = best
    quality = np.round(100 * oof).astype(int)
    choice = None
    for blend in BLENDS:
        pairs, gap, lo, hi = ordering([overall(r[2], int(q), blend) for r, q in zip(both, quality)], y)
        print(f"  blend {blend}: out-of-fold pairs ordered {pairs:.3f}, median gap {gap}, lowest strong {lo:.0f}, "
              f"highest weak {hi:.0f}")
        key = (round(pairs, 3), gap >= 10, -blend)
        if choice is None or key > choice[0]:
            choice = (key, blend)
    blend = choice[1]
    w, b, mu, sd = fit_binary(x, y, l2=l2)
    save_weights(OUT, RankWeights(w.astype(np.float32), float(b), mu.astype(np.float32), sd.astype(np.float32), blend))
    print(f"quality model: l2={l2}, blend {blend}; wrote {OUT}")


if __name__ == "__main__":
    main()
