"""`mockmic analyze`: reports on recordings a person already has."""

from __future__ import annotations

from pathlib import Path

import click

from .options import analysis_options, model_options, quiet_option


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--question", metavar="TEXT", help="The interview question the recording answers.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="text: a readable report; json: the report contract (a list for several files).",
)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the report here instead of stdout.")
@click.option(
    "--save/--no-save", default=True, show_default=True,
    help="Store each analysed answer as a session (see `mockmic reports`).",
)
@click.option(
    "--copy/--link", "copy_audio", default=True, show_default=True,
    help="Store a copy of the audio, or only a reference to the original file (never moved or changed).",
)
@click.option(
    "-j", "--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
    help="Analyse this many files at once, in separate processes (each loads the model once).",
)
@model_options
@analysis_options
@quiet_option
def analyze(files, question, fmt, output, save, copy_audio, jobs, model, language, quiet, delivery_options,
            content_options):
    """Transcribe and analyse recordings of spoken answers.

    FILES are audio recordings in any common format (WAV, FLAC, OGG/Opus, MP3, M4A/AAC, WebM),
    or folders of them.
    A file that cannot be analysed is reported and the others still are; the exit code is 1
    when any file failed.

    \b
    Examples:
      mockmic analyze answer.m4a --question "Tell me about a mistake you made."
      mockmic analyze a.wav b.mp3 --format json -o reports.json
      mockmic analyze cohort/ --jobs 2 --format json -o cohort.json
    """
    from ..batch import analyze_many, expand_inputs
    from ..errors import MockmicError
    from ..pipeline import Analyzer
    from ..render import render
    from .progress import StderrProgress

    paths = expand_inputs(list(files))
    if output is not None:  # before any work: a bad -o must not cost the analysis or a recording
        from ..store import check_output

        check_output(output, option="-o/--output", inputs=paths)
    several = len(paths) > 1
    reports = []
    failed = 0
    stored: list[str] = []  # told after the progress line is gone
    store = None
    with StderrProgress(quiet=quiet) as progress:
        if jobs > 1 and several:
            progress("files", 0, len(paths))
        elif several:
            progress.set_prefix(f"{paths[0].name}: ")
        results = analyze_many(
            paths, jobs=jobs, model=model, language=language, question=question,
            delivery_options=delivery_options, content_options=content_options,
            analyzer_factory=lambda: Analyzer(model=model, language=language, on_progress=progress,
                                              delivery_options=delivery_options, content_options=content_options),
        )
        for index, result in enumerate(results):
            path = result.path
            if jobs > 1 and several:
                progress("files", index + 1, len(paths))
            elif index + 1 < len(paths):
                progress.set_prefix(f"{paths[index + 1].name}: ")
            if result.error is not None:
                failed += 1
                if not several:
                    raise MockmicError(result.error)
                click.echo(f"Error: {result.error}", err=True)
                continue
            report = result.report
            reports.append(report)
            if save:
                from ..errors import StoreError
                from ..pipeline import Take, store_take
                from ..store import Store

                store = store or Store()
                try:
                    folder = store_take(store, report, Take(path, mode="copy" if copy_audio else "link"))
                except StoreError as e:
                    # The report is still printed below; only storing it failed.
                    failed += 1
                    stored.append(f"Error: {path.name} was not stored: {e}")
                    continue
                stored.append(f"Stored {path.name} as session {report.id} in {folder}")
    for line in stored:
        if not quiet or line.startswith("Error"):
            click.echo(line, err=True)
    if reports:
        out = render(reports if several else reports[0], fmt)
        if output is not None:
            from ..store import write_output

            write_output(output, out, option="-o/--output")
            if not quiet:
                click.echo(f"Report written to {output}", err=True)
        else:
            click.echo(out, nl=False)
    if failed:
        raise SystemExit(1)


COMMANDS = [analyze]
