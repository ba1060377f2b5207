"""The content section of the plain-text report: STAR parts, accountability, pitfalls."""

from __future__ import annotations

from ..results import STAR_PARTS, ContentAnalysis, clock


def content_lines(content: ContentAnalysis) -> list[str]:
    """Lines for the terminal: each STAR part with its seconds and share, signals quoted with times."""
    star = content.star
    lines = [f"Structure (STAR): {star.score}/100"]
    for part in STAR_PARTS:
        p = getattr(star, part)
        mark = "yes" if p.present else "MISSING"
        detail = f"{p.seconds:5.1f} s  {p.share:4.0%}" if p.present else ""
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
    return lines
