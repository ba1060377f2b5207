"""A plain-text report for a person reading a terminal."""

from __future__ import annotations

import textwrap

from ..results import SessionReport


def render_text(report: SessionReport) -> str:
    lines: list[str] = []
    a = report.audio
    lines.append(f"mockmic report {report.id}  ({report.created_at})")
    lines.append(f"Audio: {a.path}  {a.duration_s:.1f} s")
    if report.question:
        lines.append(f"Question: {report.question}")
    for notice in report.notices:
        lines.append(f"Note: {notice}")
    if report.scores is not None:
        s = report.scores
        parts = [f"{name} {value}/100" for name, value in (
            ("Overall", s.overall), ("Delivery", s.delivery), ("Structure", s.structure),
            ("Accountability", s.accountability)) if value is not None]
        if parts:
            lines += ["", "Scores: " + "   ".join(parts)]
    if report.delivery is not None:
        from .summary import delivery_thresholds
        from .text_delivery import delivery_lines

        lines += [""] + delivery_lines(report.delivery, delivery_thresholds(report))
    if report.content is not None:
        from .text_content import content_lines

        lines += [""] + content_lines(report.content)
    if report.feedback:
        lines += ["", "Feedback (most important first):"]
        for fb in report.feedback:
            lines.append(f"  [{fb.severity}] {fb.message}")
            if fb.evidence:
                lines.append(f"      {fb.evidence}")
    t = report.transcript
    lines += ["", f"Transcript ({t.model}, {t.language}, {len(t.words)} words):"]
    body = t.text or "(no speech)"
    lines += textwrap.wrap(body, width=92, initial_indent="  ", subsequent_indent="  ")
    return "\n".join(lines) + "\n"
