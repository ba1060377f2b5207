"""`mockmic reports cohort`: the whole cohort at a glance (terminal, CSV or an HTML dashboard)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option("--since", metavar="DATE",
              help="Only answers from this date on: 2026-11-01, 2026-11-01T14:30, or 7d / 2w / 12h ago.")
@click.option("--person", metavar="NAME", multiple=True,
              help="Only this person's answers (case ignored); repeat for several.")
@click.option("--html", "html_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the dashboard as one self-contained HTML file.")
@click.option("--csv", "as_csv", is_flag=True, help="Print one CSV row per person instead of the text summary.")
def cohort(since, person, html_path, as_csv):
    """A cohort's answers: counts, score distributions, common pitfalls and delivery issues,
    who improved most and least, and each person's latest scores.

    People are named by `mockmic analyze DIR --person-from folder|filename-prefix`.

    \b
    Examples:
      mockmic reports cohort
      mockmic reports cohort --since 30d --html cohort.html
      mockmic reports cohort --csv > people.csv
    """
    from ..errors import StoreError
    from ..render.cohort import cohort_summary, render_cohort_csv, render_cohort_text
    from ..store import Store, check_output, write_output

    if html_path is not None:  # before any work
        check_output(html_path, option="--html")
    store = Store()
    if person:
        rows = [r for name in dict.fromkeys(p.casefold() for p in person) for r in store.list(since=since, person=name)]
    else:
        rows = store.list(since=since)
    if not rows:
        raise click.ClickException("No sessions match." if since or person else
                                   f"No sessions are stored in {store.home} yet: `mockmic analyze DIR` stores them.")
    reports = {}
    unreadable = 0
    for r in rows:
        try:
            reports[r.id] = store.get(r.id)
        except StoreError:
            unreadable += 1
    summary = cohort_summary(rows, reports)
    click.echo(render_cohort_csv(summary) if as_csv else render_cohort_text(summary), nl=False)
    if unreadable:
        click.echo(f"{unreadable} stored report(s) could not be read; their pitfalls and delivery issues are not counted.",
                   err=True)
    if html_path is not None:
        from ..render.cohort_html import render_cohort_html

        write_output(html_path, render_cohort_html(summary), option="--html")
        click.echo(f"Dashboard written to {html_path}", err=True)
