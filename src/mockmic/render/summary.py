"""The figures a report shows, as labelled strings: shared by the Markdown and HTML writers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..results import STAR_PARTS, ContentAnalysis, DeliveryMetrics, Feedback, SessionReport, StarPart

if TYPE_CHECKING:
    from ..delivery.options import DeliveryOptions


def when(created_at: str) -> str:
    """``2026-11-26T15:38:12+00:00`` as ``26 Nov 2026, 15:38`` (the time as recorded)."""
    import datetime as dt

    try:
        return dt.datetime.fromisoformat(created_at).strftime("%-d %b %Y, %H:%M")
    except (TypeError, ValueError):
        return str(created_at)


def number(value: float | int | None, unit: str = "", digits: int = 0) -> str:
    if value is None:
        return "–"
    text = f"{value:.{digits}f}" if isinstance(value, float) else str(value)
    return f"{text} {unit}".strip()


def score_rows(report: SessionReport) -> list[tuple[str, int | None]]:
    s = report.scores
    if s is None:
        return []
    rows = [("Overall", s.overall), ("Delivery", s.delivery), ("Structure", s.structure),
            ("Accountability", s.accountability)]
    return [(name, value) for name, value in rows if value is not None]


def ranked_feedback(report: SessionReport) -> list[Feedback]:
    """Feedback most important first (the pipeline ranks it already; stored reports may not)."""
    from ..scoring import rank_feedback

    return rank_feedback(report.feedback)


def delivery_thresholds(report: SessionReport | None = None) -> DeliveryOptions:
    """The delivery thresholds ``report`` was judged by: its own options, or the defaults (for a
    report stored before reports kept their options, and for views over many sessions)."""
    from ..delivery.options import DeliveryOptions
    from ..errors import ConfigError

    table = report.options.get("delivery") if report is not None else None
    try:
        return DeliveryOptions.from_mapping(table) if table else DeliveryOptions()
    except ConfigError:
        return DeliveryOptions()  # options of another mockmic version: the defaults still read right


def delivery_rows(d: DeliveryMetrics, o: DeliveryOptions | None = None) -> list[tuple[str, str]]:
    o = o or delivery_thresholds()
    long_pauses = [p for p in d.pauses if p.duration_s >= o.long_pause_s]
    return [
        ("Pace", number(d.words_per_minute, "words/min")),
        ("Articulation (pauses removed)", number(d.articulation_wpm, "words/min")),
        ("Words", str(d.words)),
        ("Speaking time", number(d.speaking_time_s, "s", 1)),
        ("Pauses", f"{len(d.pauses)} ({d.long_pause_count} of {o.long_pause_s:g} s or more"
                   + (f", longest {max(p.duration_s for p in long_pauses):.1f} s)" if long_pauses else ")")),
        ("Fillers", f"{d.filler_count}"
                    + (f" ({d.fillers_per_100_words:.1f} per 100 words)" if d.fillers_per_100_words is not None else "")),
        ("Pitch", (number(d.pitch.median_hz, "Hz") + ", spread " + number(d.pitch.variation_semitones, "semitones", 1)
                   + (" (monotone)" if d.pitch.monotone else ""))
         if d.pitch.median_hz is not None else "–"),
        ("Loudness", (number(d.loudness.median_dbfs, "dBFS", 1) + ", variation "
                      + number(d.loudness.variation_db, "dB", 1))
         if d.loudness.median_dbfs is not None else "–"),
    ]


def star_rows(c: ContentAnalysis) -> list[tuple[str, bool, str, str, str, str, str]]:
    """(part, present, seconds, share, pace in words/min, pauses, fillers) per STAR part; "–" where not measured."""
    rows = []
    for part in STAR_PARTS:
        p = getattr(c.star, part)
        rows.append((part.capitalize(), p.present, f"{p.seconds:.0f} s", f"{p.share * 100:.0f}%", *star_delivery_cells(p)))
    return rows


def star_delivery_cells(p: StarPart) -> tuple[str, str, str]:
    """A part's pace (words/min), pauses and fillers as shown: ``("182", "2 (1 long)", "1")``."""
    d = p.delivery
    if d is None:
        return ("–", "–", "–")
    return (number(d.words_per_minute), f"{d.pause_count} ({d.long_pause_count} long)"
            if d.long_pause_count else str(d.pause_count), str(d.filler_count))


def suggestion_label(target: str) -> str:
    """A suggestion's ``for`` as a heading: "blaming_others" -> "Blaming others", "missing_result" -> "No Result"."""
    if target.startswith("missing_"):
        return "No " + target.removeprefix("missing_").capitalize()
    return target.replace("_", " ").capitalize()
