"""A Markdown report for people who keep notes (Obsidian, a wiki, a README)."""

from __future__ import annotations

import re
from pathlib import Path

from ..results import SessionReport, clock
from .summary import delivery_rows, delivery_thresholds, ranked_feedback, score_rows, star_rows, suggestion_label

# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that would
# otherwise start markup inside a line (emphasis, links, code, raw HTML, table cells).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")


def md_escape(text: str | None) -> str:
    """Text from the person (transcript, question, file name) as literal Markdown text."""
    if not text:
        return ""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def render_md(report: SessionReport) -> str:
    out: list[str] = [f"# Mock interview answer {report.id}", ""]
    if report.question:
        out += [f"**Question:** {md_escape(report.question)}", ""]
    a = report.audio
    out += [
        f"- Recorded: {md_escape(report.created_at)}",
        f"- Audio: {md_escape(Path(a.path).name)} ({clock(a.duration_s)})",
        f"- Transcribed with {md_escape(report.transcript.model)} ({md_escape(report.transcript.language)})",
        "",
    ]
    for notice in report.notices:
        out += [f"> {md_escape(notice)}", ""]
    scores = score_rows(report)
    if scores:
        out += ["## Scores", "", "| " + " | ".join(n for n, _ in scores) + " |",
                "|" + "---|" * len(scores), "| " + " | ".join(f"{v}/100" for _, v in scores) + " |", ""]
    feedback = ranked_feedback(report)
    if feedback:
        out += ["## Feedback (most important first)", ""]
        for fb in feedback:
            at = f" ({clock(fb.start_s)})" if fb.start_s is not None else ""
            out.append(f"- **{md_escape(fb.severity.capitalize())}** · {md_escape(fb.area)}{at}: {md_escape(fb.message)}")
            if fb.evidence:
                out.append(f"  - {md_escape(fb.evidence)}")
        out.append("")
    if report.delivery is not None:
        out += ["## Delivery", "", "| Figure | Value |", "|---|---|"]
        out += [f"| {label} | {md_escape(value)} |" for label, value in delivery_rows(report.delivery, delivery_thresholds(report))]
        out.append("")
    c = report.content
    if c is not None:
        out += [f"## Structure (STAR): {c.star.score}/100", "",
                "| Part | Present | Time | Share | Pace (words/min) | Pauses | Fillers |", "|---|---|---|---|---|---|---|"]
        out += [f"| {part} | {'yes' if present else 'no'} | {secs} | {share} | {pace} | {pauses} | {fillers} |"
                for part, present, secs, share, pace, pauses, fillers in star_rows(c)]
        out += ["", f"## Accountability: {c.accountability.score}/100", ""]
        if c.accountability.ownership_ratio is not None:
            out += [f"Ownership ratio: {c.accountability.ownership_ratio:.2f}", ""]
        for sig in c.accountability.signals:
            at = f" ({clock(sig.start_s)})" if sig.start_s is not None else ""
            out.append(f"- {md_escape(sig.kind)}{at}: “{md_escape(sig.text)}”")
        for pit in c.pitfalls:
            out.append(f"- Pitfall, {md_escape(pit.kind.replace('_', ' '))}: {md_escape(pit.message)}"
                       + (f" “{md_escape(pit.evidence)}”" if pit.evidence else ""))
        out.append("")
        if c.suggestions:
            out += ["## What to say instead", ""]
            for g in c.suggestions:
                at = f" ({clock(g.start_s)})" if g.start_s is not None else ""
                out += [f"- **{md_escape(suggestion_label(g.for_))}**{at}: “{md_escape(g.quote)}”",
                        f"  - {md_escape(g.why)}", f"  - Try: {md_escape(g.try_)}"]
            out.append("")
    t = report.transcript
    out += ["## Transcript", ""]
    if c is not None and c.sentences:
        for s in c.sentences:
            tag = f"**{s.star.capitalize()}** " if s.star else ""
            out.append(f"- {clock(s.start_s)} {tag}{md_escape(s.text)}")
    else:
        out.append(md_escape(t.text) or "_(no speech)_")
    return "\n".join(out).rstrip() + "\n"
