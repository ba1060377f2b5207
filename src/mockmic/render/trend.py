"""Progress over sessions in the terminal: one line per figure with a sparkline."""

from __future__ import annotations

from collections.abc import Sequence

from .charts import TREND_METRICS, TrendMetric

SPARK = "▁▂▃▄▅▆▇█"


def _buckets(values: Sequence[float | None], width: int) -> list[float | None]:
    """Means of ``width`` consecutive runs of ``values`` (None where a run has no value)."""
    out: list[float | None] = []
    for i in range(width):
        run = [v for v in values[i * len(values) // width:(i + 1) * len(values) // width] if v is not None]
        out.append(sum(run) / len(run) if run else None)
    return out


def sparkline(values: Sequence[float | None], *, width: int = 40) -> str:
    """One block character per value (per run of values past ``width``), scaled between the
    smallest and largest; a gap for None."""
    if len(values) > width:
        values = _buckets(values, width)
    present = [v for v in values if v is not None]
    if not present:
        return " " * len(values)
    lo, hi = min(present), max(present)
    span = hi - lo
    out = []
    for v in values:
        if v is None:
            out.append(" ")
        else:
            out.append(SPARK[len(SPARK) // 2] if span == 0 else SPARK[round((v - lo) / span * (len(SPARK) - 1))])
    return "".join(out)


def _verdict(m: TrendMetric, first: float, last: float) -> str:
    if m.better == "higher":
        gain = last - first
    elif m.better == "lower":
        gain = first - last
    else:
        lo, hi = m.band

        def dist(v):
            return lo - v if v < lo else (v - hi if v > hi else 0.0)

        gain = dist(first) - dist(last)
    if abs(gain) < 1e-9:
        return "steady"
    return "improving" if gain > 0 else "slipping"


def _fmt(v: float | None) -> str:
    if v is None:
        return "–"
    return f"{v:.1f}" if isinstance(v, float) and not float(v).is_integer() else f"{v:.0f}"


def render_trend_text(history: Sequence, metrics: Sequence[str]) -> str:
    """``history``: store.SessionSummary rows, oldest first."""
    if not history:
        return "No sessions to show.\n"
    lines = [f"{len(history)} sessions, {history[0].created_at[:10]} to {history[-1].created_at[:10]} (oldest first)", ""]
    rows = []
    for name in metrics:
        m = TREND_METRICS[name]
        values = [getattr(h, m.key) for h in history]
        present = [v for v in values if v is not None]
        if not present:
            rows.append((m.label, sparkline(values), "–", "–", "–", "no data"))
            continue
        best = (max(present) if m.better == "higher" else min(present) if m.better == "lower"
                else min(present, key=lambda v: abs(v - sum(m.band) / 2)))
        rows.append((f"{m.label}" + (f" ({m.unit})" if m.unit else ""), sparkline(values), _fmt(present[0]),
                     _fmt(present[-1]), _fmt(best), _verdict(m, present[0], present[-1]) if len(present) > 1 else "one session"))
    head = ("figure", "sessions", "first", "last", "best", "")
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    for r in [head] + rows:
        lines.append("  ".join(str(c).ljust(widths[i]) if i < 2 else str(c).rjust(widths[i]) if i < 5 else str(c)
                               for i, c in enumerate(r)).rstrip())
    return "\n".join(lines) + "\n"
