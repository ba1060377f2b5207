"""Report writers, one per format, chosen by name (as openai/whisper's ``get_writer``)."""

from __future__ import annotations

from collections.abc import Sequence

from ..results import SessionReport

FORMATS = ("text", "json", "md", "html")


def render(reports: SessionReport | Sequence[SessionReport], fmt: str, **options) -> str:
    """Render one report (or several: a JSON list / reports one after another) as ``fmt``.

    ``options`` go to the HTML writer (``samples``, ``history``; see ``html.render_html``),
    which takes one report only.
    """
    if fmt == "md":
        from .md import render_md

        if isinstance(reports, SessionReport):
            return render_md(reports)
        return "\n---\n\n".join(render_md(r) for r in reports)
    if fmt == "html":
        from .html import render_html

        if not isinstance(reports, SessionReport):
            if len(reports) != 1:
                raise ValueError("the HTML report holds one session; render each report on its own")
            reports = reports[0]
        return render_html(reports, **options)
    if fmt == "json":
        from .json import render_json

        return render_json(reports)
    if fmt == "text":
        from .text import render_text

        if isinstance(reports, SessionReport):
            return render_text(reports)
        return "\n\n".join(render_text(r) for r in reports)
    raise ValueError(f"unknown format {fmt!r}")
