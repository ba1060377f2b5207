"""`mockmic analyze`: reports on recordings a person already has."""

from __future__ import annotations

from pathlib import Path

import click

from .batch import batch_options
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
@batch_options
@model_options
@analysis_options
@quiet_option
def analyze(files, question, fmt, output, save, copy_audio, jobs, cluster, person_from, force, model, language, quiet,
            delivery_options, content_options):
    """Transcribe and analyse recordings of spoken answers.

    FILES are audio recordings in any common format (WAV, FLAC, OGG/Opus, MP3, M4A/AAC, WebM),
    or folders of them, searched at any depth (hidden files and the data home skipped).
    A file already stored with the same model and options is skipped, so a stopped batch
    goes on where it was when run again.
    A file that cannot be analysed is reported and the others still are; the exit code is 1
    when any file failed.

    \b
    Examples:
      mockmic analyze answer.m4a --question "Tell me about a mistake you made."
      mockmic analyze a.wav b.mp3 --format json -o reports.json
      mockmic analyze cohort/ --jobs 2 --format json -o cohort.json
      mockmic analyze cohort/ --cluster local:4 --person-from folder
    """
    from .. import config
    from ..batch import BatchSettings, batch_files
    from ..pipeline import Analyzer
    from ..render import render
    from .batch import run_files
    from .batch_progress import BatchProgress
    from .progress import StderrProgress

    if cluster is not None:
        from ..batch.cluster import check_cluster

        check_cluster(cluster)
    store = None
    if save:
        from ..store import Store

        store = Store()
    files = batch_files(list(files), skip=store.home if store else config.data_home(), person_from=person_from)
    paths = [f.path for f in files]
    if output is not None:  # before any work: a bad -o must not cost the analysis or a recording
        from ..store import check_output

        check_output(output, option="-o/--output", inputs=paths)
    several = len(paths) > 1
    settings = BatchSettings(model=model, language=language, question=question,
                             delivery_options=delivery_options, content_options=content_options)
    pooled = several and (jobs > 1 or cluster is not None)
    with (BatchProgress(len(paths), quiet=quiet) if pooled else StderrProgress(quiet=quiet)) as progress:
        if several and not pooled:
            progress.set_prefix(f"{paths[0].name}: ")
        run = run_files(
            files, settings, jobs=jobs, cluster=cluster, store=store, copy_audio=copy_audio, force=force, progress=progress,
            analyzer_factory=lambda: Analyzer(model=model, language=language, on_progress=progress,
                                              delivery_options=delivery_options, content_options=content_options),
        )
    reports, failed, stored = run.reports, run.failed, run.notes
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
    if run.interrupted:
        click.echo(run.interrupted, err=True)
        raise SystemExit(run.exit_code)
    if failed:
        raise SystemExit(1)


COMMANDS = [analyze]
