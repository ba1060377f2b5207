"""`mockmic reports`: review, compare, chart, export and delete stored sessions."""

from __future__ import annotations

from pathlib import Path

import click

TREND_CHOICES = ("overall", "delivery", "structure", "accountability", "pace", "fillers", "long-pauses", "pitch", "length")


def _filters(f):
    """--question / --since / --limit, shared by list, trend and export."""
    f = click.option("--limit", "-n", type=click.IntRange(min=1), metavar="N",
                     help="Only the N most recent sessions.")(f)
    f = click.option("--since", metavar="DATE",
                     help="Only sessions from this date on: 2026-11-01, 2026-11-01T14:30, or 7d / 2w / 12h ago.")(f)
    f = click.option("--question", metavar="TEXT", help="Only sessions whose question contains TEXT (case ignored).")(f)
    f = click.option("--person", metavar="NAME", help="Only this person's sessions (see analyze --person-from).")(f)
    return f


def _store():
    from ..store import Store

    return Store()


def _resolve(store, session_id: str) -> str:
    """``last`` names the newest session; any other text must be a full id."""
    if session_id == "last":
        newest = store.list(limit=1)
        if not newest:
            from ..errors import StoreError

            raise StoreError(f"No sessions are stored in {store.home} yet: `mockmic analyze FILE` stores one.")
        return newest[0].id
    return session_id


def _cut(text: str | None, width: int) -> str:
    text = " ".join((text or "–").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _num(v, digits=0) -> str:
    if v is None:
        return "–"
    return f"{v:.{digits}f}" if isinstance(v, float) else str(v)


def _launch(path: Path) -> None:
    """Open ``path`` in the default viewer; no viewer is one sentence and exit 1 (the file stays).

    click.launch does not wait, so a failing xdg-open (no browser, no display) would go
    unnoticed: it is given a few seconds to fail; one still running has started a viewer.
    """
    import shutil
    import subprocess
    import sys

    failed = False
    opener = shutil.which("xdg-open") if sys.platform.startswith("linux") else None
    if opener is not None:
        proc = subprocess.Popen([opener, str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            failed = proc.wait(timeout=5) != 0
        except subprocess.TimeoutExpired:
            failed = False
    else:
        failed = click.launch(str(path)) != 0
    if failed:
        raise click.ClickException(
            f"No browser or viewer could be started on this machine; the report is written to {path}: "
            "open that file yourself.")


@click.group()
def reports() -> None:
    """Review stored sessions: list, show, compare, trend, export, delete.

    Every `mockmic analyze` stores a session in the data home ($MOCKMIC_HOME, or ./recordings).
    ID is a session id from `mockmic reports list`, or `last` for the newest one.
    """


@reports.command("list")
@_filters
def list_(person, question, since, limit):
    """A table of stored sessions, newest first.

    \b
    Examples:
      mockmic reports list --since 7d
      mockmic reports list --question mistake --limit 5
    """
    from ..render.summary import when

    store = _store()
    rows = store.list(question=question, since=since, limit=limit, person=person)
    if not rows:
        filtered = question or since or limit or person
        click.echo("No sessions match." if filtered else
                   f"No sessions stored in {store.home} yet: `mockmic analyze FILE` stores one.")
        return
    head = ("ID", "When", "Length", "Overall", "Pace", "Fillers/100w", "Long pauses", "Question")
    table = [
        (r.id, when(r.created_at), f"{_num(r.duration_s)} s", _num(r.overall), _num(r.words_per_minute),
         _num(r.fillers_per_100_words, 1), _num(r.long_pause_count), _cut(r.question, 48))
        for r in rows
    ]
    if any(r.person for r in rows):  # a cohort: who spoke, before the question
        head = head[:-1] + ("Person",) + head[-1:]
        table = [row[:-1] + (_cut(r.person, 20),) + row[-1:] for row, r in zip(table, rows)]
    widths = [max(len(row[i]) for row in [head] + table) for i in range(len(head))]
    right = {2, 3, 4, 5, 6}
    for row in [head] + table:
        click.echo("  ".join(c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(row)).rstrip())
    click.echo(f"{len(rows)} session{'s' if len(rows) != 1 else ''} in {store.home}")


def _html_options(store, report, *, embed: bool = True):
    """The decoded audio and this question's attempts, for the HTML report; with
    ``embed=False`` the page links the stored audio file instead of carrying a copy."""
    from ..audio import load_audio
    from ..errors import AudioError

    samples = None
    audio = store.audio_path(report.id)
    note = None
    if audio is not None:
        try:
            samples, _info = load_audio(audio)
        except AudioError as e:
            note = f"The audio could not be read, so the report has no waveform or player: {e}"
    else:
        note = "This session's audio is not available, so the report has no waveform or player."
    history = store.list(same_question=report.question, oldest_first=True) if report.question else []
    options = {"samples": samples, "history": history}
    if not embed and audio is not None and samples is not None:
        options["audio_link"] = Path(audio).resolve().as_uri()
    return options, note


@reports.command()
@click.argument("session_id", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md", "html"]), default="text", show_default=True,
              help="text for the terminal, json (the report contract), md (Markdown notes) or html (charts, transcript and audio in one file).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the report to this file.")
@click.option("--open", "open_", is_flag=True,
              help="Open the report in the default viewer (HTML in the browser); written to the session folder unless --output is given.")
@click.option("--embed/--no-embed", default=True, show_default=True,
              help="HTML: carry the audio in the page (compressed, Ogg Opus), or link the stored audio file.")
def show(session_id, fmt, output, open_, embed):
    """Show one stored session's report.

    \b
    Examples:
      mockmic reports show last
      mockmic reports show 20261126-153812-a1b2c3 --format html --open
      mockmic reports show last --format md -o answer.md
    """
    from ..render import render
    from ..store import check_output, write_output

    store = _store()
    session_id = _resolve(store, session_id)
    report = store.get(session_id)
    if output is not None:  # never over the session's own (perhaps linked) recording
        audio = store.audio_path(session_id)
        check_output(output, option="-o/--output", inputs=[audio] if audio is not None else [])
    options = {}
    if fmt == "html":
        options, note = _html_options(store, report, embed=embed)
        if note:
            click.echo(note, err=True)
    out = render(report, fmt, **options)
    if open_ and output is None:
        ext = {"text": "txt"}.get(fmt, fmt)
        output = store.session_dir(session_id) / f"view.{ext}"
    if output is None:
        click.echo(out, nl=False)
        return
    write_output(output, out, option="-o/--output" if not open_ else "--open")
    click.echo(f"Report written to {output}", err=True)
    if open_:
        _launch(output)


@reports.command()
@click.argument("first", metavar="ID")
@click.argument("second", metavar="[ID]", required=False)
def compare(first, second):
    """Compare two sessions side by side: what got better or worse from the first to the second.

    Scores, pace, pauses, fillers, pitch, the STAR parts and accountability. With one ID, the
    session is compared with your previous attempt at the same question.

    \b
    Examples:
      mockmic reports compare 20261120-090000-1a2b3c last
      mockmic reports compare last
    """
    from ..render.compare import render_compare_text

    store = _store()
    if second is None:
        b = store.get(_resolve(store, first))
        a = store.previous_attempt(b)
        if a is None:
            raise click.ClickException(
                f"Session {b.id} is your first attempt at its question; give a second ID to compare with."
            )
    else:
        a = store.get(_resolve(store, first))
        b = store.get(_resolve(store, second))
    if a.id == b.id:
        raise click.BadParameter("give two different sessions.", param_hint="ID")
    click.echo(render_compare_text(a, b), nl=False)


@reports.command()
@click.option("--metric", "-m", "metrics", multiple=True, type=click.Choice(TREND_CHOICES),
              help="A figure to follow; repeat for several. Default: overall, pace, fillers, long-pauses, structure, accountability.")
@_filters
@click.option("--html", "html_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the trend as an HTML page with charts to this file.")
@click.option("--open", "open_", is_flag=True, help="Open the HTML chart in the browser (implies --html, into the data home unless given).")
def trend(metrics, person, question, since, limit, html_path, open_):
    """Progress over sessions: a sparkline per figure in the terminal, charts in HTML.

    \b
    Examples:
      mockmic reports trend --question mistake
      mockmic reports trend -m pace -m fillers --since 30d --html trend.html
    """
    from ..render.charts import DEFAULT_TREND
    from ..render.trend import render_trend_text
    from ..store import check_output, write_output

    if html_path is not None:
        check_output(html_path, option="--html")
    store = _store()
    history = store.list(question=question, since=since, limit=limit, oldest_first=True, person=person)
    metrics = list(metrics) or list(DEFAULT_TREND)
    click.echo(render_trend_text(history, metrics), nl=False)
    if open_ and html_path is None:
        html_path = store.home / "trend.html"
    if html_path is not None:
        if not history:
            raise click.ClickException("There are no sessions to chart.")
        from ..render.html import render_trend_html

        title = f"Progress: {question}" if question else "Progress over sessions"
        title = f"{title} ({person})" if person else title
        write_output(html_path, render_trend_html(history, metrics, title=title), option="--html")
        click.echo(f"Chart written to {html_path}", err=True)
        if open_:
            _launch(html_path)


@reports.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True,
              help="csv: one row of figures per session; json: a list of full reports (the JSON contract).")
@_filters
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write to this file instead of stdout.")
def export(fmt, person, question, since, limit, output):
    """Export stored sessions for a spreadsheet or another program, oldest first.

    \b
    Examples:
      mockmic reports export > sessions.csv
      mockmic reports export --format json --since 2026-11-01 -o sessions.json
    """
    import json

    from ..errors import StoreError
    from ..results import report_to_dict
    from ..store import check_output, write_output

    if output is not None:
        check_output(output, option="-o/--output")
    store = _store()
    rows = store.list(question=question, since=since, limit=limit, oldest_first=True, person=person)
    if fmt == "csv":
        out = store.export_csv(rows)
    else:
        data = []
        for r in rows:
            try:
                data.append(report_to_dict(store.get(r.id)))
            except StoreError as e:
                click.echo(f"Skipped: {e}", err=True)
        out = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(out, nl=False)
    else:
        write_output(output, out, option="-o/--output")
        click.echo(f"{len(rows)} sessions written to {output}", err=True)


@reports.command()
@click.argument("session_ids", metavar="ID...", nargs=-1, required=True)
@click.option("-y", "--yes", is_flag=True, help="Delete without asking.")
def delete(session_ids, yes):
    """Delete stored sessions: their folder, copied audio and report. Asks first.

    A file that was stored with --link (referenced, not copied) is left where it is.

    \b
    Example:
      mockmic reports delete 20261126-153812-a1b2c3
    """
    from ..render.summary import when

    store = _store()
    ids = [_resolve(store, s) for s in session_ids]
    summaries = [store.summary(s) for s in ids]  # every id checked before anything is deleted
    for s in summaries:
        label = f"session {s.id} ({when(s.created_at)}, {_cut(s.question or 'no question', 60)})"
        if not yes and not click.confirm(f"Delete {label}?", default=False):
            click.echo(f"Kept {s.id}.")
            continue
        store.delete(s.id)
        click.echo(f"Deleted {s.id}.")


from .reports_cohort import cohort  # noqa: E402 - the group above gets its cohort command

reports.add_command(cohort)

COMMANDS = [reports]
