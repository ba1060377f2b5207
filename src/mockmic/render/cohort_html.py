"""The cohort dashboard as one self-contained HTML file: no script, nothing fetched, all escaped."""

from __future__ import annotations

import secrets

from .cohort import BIN_WIDTH, CohortSummary, label


def _histogram(bins: tuple[int, ...]) -> list[dict]:
    """Bars for the template: label, count and height in percent of the tallest bin."""
    top = max(bins) or 1
    out = []
    for i, n in enumerate(bins):
        lo = i * BIN_WIDTH
        hi = 100 if i == len(bins) - 1 else lo + BIN_WIDTH - 1
        out.append({"range": f"{lo}–{hi}", "count": n, "height_pct": round(100 * n / top)})
    return out


def points(v) -> str:
    """A score as the page shows it: 60, 57.5, or – when there is none."""
    if v is None:
        return "–"
    return f"{v:.1f}".rstrip("0").rstrip(".")


def render_cohort_html(summary: CohortSummary, *, title: str = "Cohort") -> str:
    from .html import _env

    return _env().get_template("cohort.html.j2").render(
        title=title,
        nonce=secrets.token_urlsafe(16),
        s=summary,
        histograms=[(d, _histogram(d.bins)) for d in summary.distributions],
        label=label,
        pts=points,
    )
