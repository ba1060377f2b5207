"""The delivery section of the plain-text report: every figure with its unit."""

from __future__ import annotations

from ..results import DeliveryMetrics


def _clock(seconds: float) -> str:
    m, s = divmod(int(round(max(0.0, seconds))), 60)
    return f"{m}:{s:02d}"


def _num(value: float | None, fmt: str, unit: str) -> str:
    return "n/a" if value is None else f"{value:{fmt}} {unit}"


def delivery_lines(metrics: DeliveryMetrics) -> list[str]:
    """Lines for the report's "Delivery" section, each figure followed by its unit."""
    m = metrics
    x = m.extra or {}
    lines = ["Delivery:"]
    dur = x.get("answer_duration_s")
    if dur is not None:
        start, end = x.get("answer_start_s"), x.get("answer_end_s")
        span = f" ({_clock(start)}-{_clock(end)})" if start is not None and end is not None else ""
        lines.append(f"  Answer length: {dur:.1f} s{span}, speaking {m.speaking_time_s:.1f} s, {m.words} words")
    lines.append(
        f"  Pace: {_num(m.words_per_minute, '.0f', 'words/min')} overall, "
        f"{_num(m.articulation_wpm, '.0f', 'words/min')} while speaking"
    )
    if m.pace_over_time:
        parts = [f"{_clock(w.start_s)} {w.words_per_minute:.0f}" for w in m.pace_over_time]
        lines.append("  Pace over time (words/min): " + ", ".join(parts))
    stalls = x.get("stall_count")
    lines.append(
        f"  Pauses: {len(m.pauses)} of 0.25 s or more, {m.long_pause_count} long (>= 1 s)"
        + (f", {stalls} stalls (>= 3 s)" if stalls else "")
    )
    longest = sorted(m.pauses, key=lambda p: -p.duration_s)[:3]
    if longest and longest[0].duration_s >= 1.0:
        lines.append("    longest: " + ", ".join(f"{p.duration_s:.1f} s at {_clock(p.start_s)}" for p in longest))
    lines.append(
        f"  Fillers: {m.filler_count}"
        + (f" ({_num(m.fillers_per_100_words, '.1f', 'per 100 words')}, "
           f"{_num(m.fillers_per_minute, '.1f', 'per min')})" if m.filler_count else "")
    )
    if m.fillers:
        shown = [f"{f.text} {_clock(f.start_s)}" + ("" if f.kind != "acoustic" else " (heard)") for f in m.fillers[:8]]
        more = f", +{len(m.fillers) - 8} more" if len(m.fillers) > 8 else ""
        lines.append("    " + ", ".join(shown) + more)
    for c in x.get("filler_clusters") or []:
        lines.append(f"    cluster: {c['count']} fillers at {_clock(c['start_s'])}-{_clock(c['end_s'])}")
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
        flat = " (flat)" if x.get("loudness_flat") else ""
        lines.append(f"  Loudness: median {ld.median_dbfs:.0f} dBFS, varies {_num(ld.variation_db, '.1f', 'dB')}{flat}")
        trailing = x.get("trailing_off") or []
        if trailing:
            lines.append(f"    trails off at the end of {len(trailing)} sentence{'s' if len(trailing) != 1 else ''}")
    return lines
