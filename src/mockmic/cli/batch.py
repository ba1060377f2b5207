"""`mockmic analyze` on many files: the batch's options and its loop (progress, storing, Ctrl-C)."""

from __future__ import annotations

import signal
from dataclasses import dataclass, field

import click


def batch_options(f):
    """--cluster, --person-from and --again, for `mockmic analyze`."""
    f = click.option(
        "--again", "force", is_flag=True,
        help="Analyse files even if they were stored before with the same model and options (default: skip them).",
    )(f)
    f = click.option(
        "--person-from", type=click.Choice(["folder", "filename-prefix"]),
        help="Record who spoke each file: its folder under the DIR given (cohort/alice/q1.wav), "
             "or its file name up to the first _ or - (alice_q1.wav).",
    )(f)
    f = click.option(
        "--cluster", metavar="local:N|tcp://HOST:PORT",
        help="Analyse on a Dask cluster: local:N starts N worker processes here; tcp://HOST:PORT uses a "
             "running scheduler. Needs pip install 'mockmic[cluster]'.",
    )(f)
    return f


@dataclass
class BatchRun:
    """What the batch loop leaves for `analyze` to print and write."""

    reports: list = field(default_factory=list)  # in the order of the files
    failed: int = 0
    notes: list[str] = field(default_factory=list)  # told after the progress bar is gone
    interrupted: str | None = None  # the one sentence when Ctrl-C or SIGTERM ended it
    exit_code: int = 0


def run_files(files, settings, *, jobs, cluster, store, copy_audio, force, analyzer_factory, progress) -> BatchRun:
    """Run the batch over ``files`` (BatchFile), storing into ``store`` (None: --no-save)."""
    from ..batch import BatchInterrupted, run_batch
    from ..errors import MockmicError

    several = len(files) > 1
    run = BatchRun()
    by_index: dict[int, object] = {}
    counts = {"done": 0, "failed": 0, "skipped": 0}
    outcomes = run_batch(files, settings, jobs=jobs, cluster=cluster, store=store, copy_audio=copy_audio,
                         force=force, analyzer_factory=analyzer_factory)
    try:
        for outcome in outcomes:
            counts[outcome.status] += 1
            name = outcome.file.label
            if hasattr(progress, "advance"):
                progress.advance(outcome.status, name)
            elif outcome.index + 1 < len(files):
                progress.set_prefix(f"{files[outcome.index + 1].label}: ")
            if outcome.status == "failed":
                run.failed += 1
                if outcome.report is None and not several:
                    raise MockmicError(outcome.error)
                if outcome.report is None:
                    run.notes.append(f"Error: {outcome.error}")
                    continue
                run.notes.append(f"Error: {outcome.error}")
            elif outcome.status == "skipped":
                run.notes.append(f"Skipped {name}: analysed before with the same model and options "
                                 f"(session {outcome.session_id}; --again analyses it again)")
            elif outcome.folder is not None:
                run.notes.append(f"Stored {name} as session {outcome.session_id} in {outcome.folder}")
            if outcome.report is not None:
                by_index[outcome.index] = outcome.report
    except BatchInterrupted as e:
        kept = counts["done"] + counts["skipped"]
        left = len(files) - sum(counts.values())
        if store is not None:
            run.interrupted = (f"Interrupted: {kept} of {len(files)} files are stored and {left} were not finished; "
                               "run the same command again to analyse the rest.")
        else:
            run.interrupted = (f"Interrupted: {kept} of {len(files)} files were analysed and {left} were not "
                               "finished (nothing is stored with --no-save).")
        run.exit_code = 128 + e.signum if e.signum != signal.SIGINT else 130
    finally:
        outcomes.close()  # ends the workers of a batch stopped early
    run.reports = [by_index[i] for i in sorted(by_index)]
    return run
