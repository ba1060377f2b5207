"""The delivery section of the plain-text report: every figure with its unit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..results import DeliveryMetrics, clock

if TYPE_CHECKING:
    from ..delivery.options import DeliveryOptions


def _num(value: float | None, fmt: str, unit: str) -> str:
    return "n/a" if value is None else f"{value:{fmt}} {unit}"


def delivery_lines(metrics: DeliveryMetrics, options: DeliveryOptions | None = None) -> list[str]:
    """Lines for the report's "Delivery" section, each figure followed by its unit; ``options``
    are the thresholds the answer was judged by (defaults when None)."""
    from .summary import delivery_thresholds

    m = metrics
    o = options or delivery_thresholds()
    lines = ["Delivery:"]
    dur = m.answer_duration_s
    if m.words:
        start, end = m.answer_start_s, m.answer_end_s
        span = f" ({clock(start)}-{clock(end)})" if start is not None and end is not None else ""
        lines.append(f"  Answer length: {dur:.1f} s{span}, speaking {m.speaking_time_s:.1f} s, {m.words} words")
    lines.append(
        f"  Pace: {_num(m.words_per_minute, '.0f', 'words/min')} overall, "
        f"{_num(m.articulation_wpm, '.0f', 'words/min')} while speaking"
    )
    if m.pace_over_time:
        parts = [f"{clock(w.start_s)} {w.words_per_minute:.0f}" for w in m.pace_over_time]
        lines.append("  Pace over time (words/min): " + ", ".join(parts))
    stalls = m.stall_count
    lines.append(
        f"  Pauses: {len(m.pauses)} of {o.min_pause_s:g} s or more, {m.long_pause_count} long (>= {o.long_pause_s:g} s)"
        + (f", {stalls} stalls (>= {o.stall_s:g} s)" if stalls else "")
    )
    longest = sorted(m.pauses, key=lambda p: -p.duration_s)[:3]
    if longest and longest[0].duration_s >= o.long_pause_s:
        lines.append("    longest: " + ", ".join(f"{p.duration_s:.1f} s at {clock(p.start_s)}" for p in longest))
    lines.append(
        f"  Fillers: {m.filler_count}"
        + (f" ({_num(m.fillers_per_100_words, '.1f', 'per 100 words')}, "
           f"{_num(m.fillers_per_minute, '.1f', 'per min')})" if m.filler_count else "")
    )
    if m.fillers:
        shown = [f"{f.text} {clock(f.start_s)}" + ("" if f.kind != "acoustic" else " (heard)") for f in m.fillers[:8]]
        more = f", +{len(m.fillers) - 8} more" if len(m.fillers) > 8 else ""
        lines.append("    " + ", ".join(shown) + more)
    for c in m.filler_clusters:
        lines.append(f"    cluster: {c.count} fillers at {clock(c.start_s)}-{clock(c.end_s)}")
    p = m.pitch
    if p.median_hz is not None:
        mono = " (monotone)" if p.monotone else ""
        lines.append(
            f"  Pitch: median {p.median_hz:.0f} Hz, varies {_num(p.variation_semitones, '.1f', 'semitones')}{mono}"
        )
    else:
        lines.append("  Pitch: n/a (too little voiced speech)")
    ld = m.loudness
    if ld.median_dbfs is not None:
        flat = " (flat)" if m.loudness_flat else ""
        lines.append(f"  Loudness: median {ld.median_dbfs:.0f} dBFS, varies {_num(ld.variation_db, '.1f', 'dB')}{flat}")
        trailing = m.trailing_off
        if trailing:
            lines.append(f"    trails off at the end of {len(trailing)} sentence{'s' if len(trailing) != 1 else ''}")
    return lines
