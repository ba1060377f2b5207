"""`mockmic analyze`: reports on recordings a person already has."""

from __future__ import annotations

from pathlib import Path

import click

from .options import model_options, quiet_option


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--question", metavar="TEXT", help="The interview question the recording answers.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="text: a readable report; json: the report contract (a list for several files).",
)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the report here instead of stdout.")
@model_options
@quiet_option
def analyze(files, question, fmt, output, model, language, quiet):
    """Transcribe and analyse recordings of spoken answers.

    FILES are audio recordings in any common format (WAV, FLAC, OGG/Opus, MP3, M4A/AAC, WebM).
    A file that cannot be analysed is reported and the others still are; the exit code is 1
    when any file failed.

    \b
    Examples:
      mockmic analyze answer.m4a --question "Tell me about a mistake you made."
      mockmic analyze a.wav b.mp3 --format json -o reports.json
    """
    from ..errors import MockmicError
    from ..pipeline import Analyzer
    from ..render import render
    from .progress import StderrProgress

    reports = []
    failed = 0
    with StderrProgress(quiet=quiet) as progress:
        analyzer = Analyzer(model=model, language=language, on_progress=progress)
        for path in files:
            progress.set_prefix(f"{path.name}: " if len(files) > 1 else "")
            try:
                report, _samples = analyzer.analyze_file(path, question=question)
            except MockmicError as e:
                failed += 1
                if len(files) == 1:
                    raise
                click.echo(f"Error: {e}", err=True)
                continue
            reports.append(report)
    if reports:
        out = render(reports[0] if len(files) == 1 else reports, fmt)
        if output is not None:
            output.write_text(out, encoding="utf-8")
            if not quiet:
                click.echo(f"Report written to {output}", err=True)
        else:
            click.echo(out, nl=False)
    if failed:
        raise SystemExit(1)


COMMANDS = [analyze]
