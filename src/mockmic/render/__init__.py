"""Report writers, one per format, chosen by name (as openai/whisper's ``get_writer``)."""

from __future__ import annotations

from collections.abc import Sequence

from ..results import SessionReport

FORMATS = ("text", "json")


def render(reports: SessionReport | Sequence[SessionReport], fmt: str) -> str:
    """Render one report (or several: a JSON list / reports one after another) as ``fmt``."""
    if fmt == "json":
        from .json import render_json

        return render_json(reports)
    if fmt == "text":
        from .text import render_text

        if isinstance(reports, SessionReport):
            return render_text(reports)
        return "\n\n".join(render_text(r) for r in reports)
    raise ValueError(f"unknown format {fmt!r}")
