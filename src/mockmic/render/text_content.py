"""The content section of the plain-text report: STAR parts, accountability, pitfalls, what to say instead."""

from __future__ import annotations

import textwrap

from ..results import STAR_PARTS, ContentAnalysis, clock


def content_lines(content: ContentAnalysis) -> list[str]:
    """Lines for the terminal: each STAR part with its time, share and delivery, signals quoted with
    times, pitfalls, and what to say instead."""
    from .summary import star_delivery_cells

    star = content.star
    lines = [f"Structure (STAR): {star.score}/100"]
    for part in STAR_PARTS:
        p = getattr(star, part)
        mark = "yes" if p.present else "MISSING"
        detail = f"{p.seconds:5.1f} s  {p.share:4.0%}" if p.present else ""
        if p.delivery is not None:
            pace, pauses, fillers = star_delivery_cells(p)
            pace = f"{pace:>4s} words/min" if pace != "–" else "pace –"
            detail += f"  {pace}  pauses {pauses}  fillers {fillers}"
        lines.append(f"  {part.capitalize():10s} {mark:8s} {detail}".rstrip())
    acc = content.accountability
    ratio = "n/a" if acc.ownership_ratio is None else f"{acc.ownership_ratio:.0%}"
    lines += ["", f"Accountability: {acc.score}/100   actions told with 'I' as the doer: {ratio}"]
    for sig in acc.signals:
        at = clock(sig.start_s) if sig.start_s is not None else "-"
        lines.append(f"  {at:>5s}  {sig.kind:11s} '{sig.text}'")
    if not acc.signals:
        lines.append("  (no ownership, apology, amends, learning or blame heard)")
    if content.pitfalls:
        lines += ["", "Pitfalls to avoid:"]
        for p in content.pitfalls:
            lines.append(f"  {p.kind.replace('_', ' ')}: {p.message}")
            if p.evidence:
                lines.append(f"      {p.evidence}")
    return lines + suggestion_lines(content)


def suggestion_lines(content: ContentAnalysis, width: int = 92) -> list[str]:
    """"What to say instead": each suggestion with the person's sentence, its time, why and a better shape."""
    from .summary import suggestion_label

    if not content.suggestions:
        return []
    lines = ["", "What to say instead:"]
    for g in content.suggestions:
        lines.append(f"  {clock(g.start_s):>5s}  {suggestion_label(g.for_)}: '{g.quote}'")
        lines += textwrap.wrap(g.why, width=width, initial_indent="         ", subsequent_indent="         ")
        lines += textwrap.wrap(f"Try: {g.try_}", width=width, initial_indent="         ",
                               subsequent_indent="              ")
    return lines
