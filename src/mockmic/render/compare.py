"""Two attempts side by side: what got better or worse."""

from __future__ import annotations

from dataclasses import dataclass

from ..results import STAR_PARTS, SessionReport
from .summary import delivery_thresholds, when


@dataclass(frozen=True)
class CompareRow:
    group: str  # "Scores" | "Delivery" | "STAR" | "Accountability"
    label: str
    a: str
    b: str
    change: str  # "+12", "-3.1", "" when not comparable
    verdict: str  # "better" | "worse" | "same" | ""


def _band_distance(value: float, band: tuple[float, float]) -> float:
    lo, hi = band
    return lo - value if value < lo else (value - hi if value > hi else 0.0)


def _numeric(group, label, a, b, better, *, unit="", digits=0, band=None, tolerance=0.0) -> CompareRow:
    def fmt(v):
        if v is None:
            return "–"
        return (f"{v:.{digits}f}" if isinstance(v, float) else str(v)) + (f" {unit}" if unit else "")

    if a is None or b is None:
        return CompareRow(group, label, fmt(a), fmt(b), "", "")
    diff = b - a
    change = f"{diff:+.{digits}f}" if isinstance(diff, float) else f"{diff:+d}"
    if better == "band":
        gain = _band_distance(a, band) - _band_distance(b, band)
    elif better == "higher":
        gain = diff
    elif better == "lower":
        gain = -diff
    else:
        return CompareRow(group, label, fmt(a), fmt(b), change, "")
    verdict = "same" if abs(gain) <= tolerance else ("better" if gain > 0 else "worse")
    return CompareRow(group, label, fmt(a), fmt(b), change, verdict)


def compare_reports(a: SessionReport, b: SessionReport) -> list[CompareRow]:
    """Rows comparing attempt ``a`` (usually the earlier) with ``b``."""
    rows: list[CompareRow] = []
    sa, sb = a.scores, b.scores
    for name in ("overall", "delivery", "structure", "accountability"):
        va = getattr(sa, name) if sa else None
        vb = getattr(sb, name) if sb else None
        if va is not None or vb is not None:
            rows.append(_numeric("Scores", name.capitalize(), va, vb, "higher", tolerance=2))
    o = delivery_thresholds(b)  # the later attempt's targets
    rows.append(_numeric("Delivery", "Length", a.audio.duration_s, b.audio.duration_s, "band",
                         unit="s", band=(o.min_answer_s, o.max_answer_s), tolerance=2))
    da, db = a.delivery, b.delivery
    if da is not None or db is not None:
        def g(d, f):
            return f(d) if d is not None else None

        rows += [
            _numeric("Delivery", "Pace", g(da, lambda d: d.words_per_minute), g(db, lambda d: d.words_per_minute),
                     "band", unit="wpm", band=(o.comfortable_min_wpm, o.comfortable_max_wpm), tolerance=3),
            _numeric("Delivery", "Pauses", g(da, lambda d: len(d.pauses)), g(db, lambda d: len(d.pauses)), "info"),
            _numeric("Delivery", f"Long pauses ({o.long_pause_s:g} s+)", g(da, lambda d: d.long_pause_count),
                     g(db, lambda d: d.long_pause_count), "lower"),
            _numeric("Delivery", "Longest pause", g(da, lambda d: max((p.duration_s for p in d.pauses), default=0.0)),
                     g(db, lambda d: max((p.duration_s for p in d.pauses), default=0.0)), "lower",
                     unit="s", digits=1, tolerance=0.2),
            _numeric("Delivery", "Fillers", g(da, lambda d: d.filler_count), g(db, lambda d: d.filler_count), "lower"),
            _numeric("Delivery", "Fillers per 100 words", g(da, lambda d: d.fillers_per_100_words),
                     g(db, lambda d: d.fillers_per_100_words), "lower", digits=1, tolerance=0.3),
            _numeric("Delivery", "Pitch spread", g(da, lambda d: d.pitch.variation_semitones),
                     g(db, lambda d: d.pitch.variation_semitones), "higher", unit="st", digits=1, tolerance=0.3),
        ]
    ca, cb = a.content, b.content
    if ca is not None or cb is not None:
        for part in STAR_PARTS:
            pa = getattr(ca.star, part) if ca else None
            pb = getattr(cb.star, part) if cb else None

            def show(p):
                return "–" if p is None else (f"yes, {p.seconds:.0f} s" if p.present else "missing")

            verdict = ""
            if pa is not None and pb is not None:
                verdict = "same" if pa.present == pb.present else ("better" if pb.present else "worse")
            rows.append(CompareRow("STAR", part.capitalize(), show(pa), show(pb), "", verdict))
        rows.append(_numeric("Accountability", "Ownership ratio",
                             ca.accountability.ownership_ratio if ca else None,
                             cb.accountability.ownership_ratio if cb else None, "higher", digits=2, tolerance=0.05))

        def blame(c):
            return sum(1 for s in c.accountability.signals if s.kind in ("blame", "excuse", "denial", "minimising"))

        rows.append(_numeric("Accountability", "Blame, excuses, denial", blame(ca) if ca else None,
                             blame(cb) if cb else None, "lower"))
        rows.append(_numeric("Accountability", "Pitfalls", len(ca.pitfalls) if ca else None,
                             len(cb.pitfalls) if cb else None, "lower"))
    return rows


def render_compare_text(a: SessionReport, b: SessionReport) -> str:
    rows = compare_reports(a, b)
    head_a, head_b = f"A {when(a.created_at)}", f"B {when(b.created_at)}"
    w_label = max(len(r.label) for r in rows) + 4  # two for the indent, two between columns
    w_a = max(len(head_a), *(len(r.a) for r in rows)) + 2
    w_b = max(len(head_b), *(len(r.b) for r in rows)) + 2
    lines = [f"A: {a.id}  {a.question or '(no question)'}", f"B: {b.id}  {b.question or '(no question)'}"]
    from ..store import question_key

    if question_key(a.question) != question_key(b.question):
        lines.append("Note: these sessions answer different questions, so the content figures compare loosely.")
    lines.append("")
    lines.append(f"{'':{w_label}}{head_a:{w_a}}{head_b:{w_b}}change")
    group = None
    for r in rows:
        if r.group != group:
            group = r.group
            lines.append(f"{group}:")
        mark = {"better": "better", "worse": "WORSE", "same": "same"}.get(r.verdict, "")
        lines.append(f"  {r.label:{w_label - 2}}{r.a:{w_a}}{r.b:{w_b}}{r.change:7}{mark}".rstrip())
    better = [r.label.lower() for r in rows if r.verdict == "better"]
    worse = [r.label.lower() for r in rows if r.verdict == "worse"]
    lines.append("")
    lines.append("Better in B: " + (", ".join(better) if better else "nothing measured"))
    lines.append("Worse in B: " + (", ".join(worse) if worse else "nothing measured"))
    return "\n".join(lines) + "\n"
