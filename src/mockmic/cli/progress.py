"""Progress on stderr for long work: rich bars on a terminal, plain lines in logs, nothing with --quiet."""

from __future__ import annotations

import sys
import time

LABELS = {
    "decode": "Decoding audio",
    "load model": "Loading model",
    "transcribe": "Transcribing",
    "analyze": "Analysing",
    "files": "Analysing files",
}


class StderrProgress:
    """Adapts the pipeline's ``on_progress(stage, done, total)`` to stderr.

    A stage shows only once it has run for ``delay_s`` (model loading shows at once), so quick
    stages print nothing. On a terminal it is a transient rich bar; when stderr is a file or a
    pipe, one line when a stage starts and one when it ends, so logs stay readable.
    """

    def __init__(self, *, quiet: bool = False, delay_s: float = 1.0, prefix: str = "", force_terminal: bool | None = None):
        self.quiet = quiet
        self.delay_s = delay_s
        self.prefix = prefix
        self.force_terminal = force_terminal
        self._progress = None
        self._console = None
        self._tasks: dict[str, int | None] = {}
        self._started: dict[str, float] = {}

    def __enter__(self):
        if self.quiet:
            return self
        from rich.console import Console

        self._console = Console(file=sys.stderr, force_terminal=self.force_terminal)
        if self._console.is_terminal:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.fields[detail]}"),
                TimeElapsedColumn(),
                console=self._console,
                transient=True,
            )
            self._progress.start()
        return self

    def __exit__(self, *exc):
        if self._progress is not None:
            self._progress.stop()
        return False

    def set_prefix(self, prefix: str) -> None:
        self.prefix = prefix
        if self._progress is not None:
            for task_id in self._tasks.values():
                if task_id is not None:
                    self._progress.remove_task(task_id)
        self._tasks.clear()
        self._started.clear()

    def __call__(self, stage: str, done: float, total: float | None) -> None:
        if self._console is None:
            return
        now = time.monotonic()
        self._started.setdefault(stage, now)
        finished = total is not None and done >= total
        if stage not in self._tasks:
            if stage not in ("load model", "files") and now - self._started[stage] < self.delay_s:
                return
            if finished and stage != "load model" and now - self._started[stage] < self.delay_s:
                return  # finished before it was worth showing
        label = f"{self.prefix}{LABELS.get(stage, stage)}"
        audio = stage in ("decode", "transcribe") and total
        detail = f"{done:.0f}/{total:.0f} s of audio" if audio else ""
        if stage == "files" and total:
            detail = f"{done:.0f}/{total:.0f} files"
        if self._progress is None:  # plain lines for logs
            if stage not in self._tasks:
                self._tasks[stage] = None
                self._console.print(f"{label}{f' ({total:.0f} s of audio)' if audio else ''}...", highlight=False)
            elif finished and self._tasks[stage] is None:
                self._tasks[stage] = -1
                self._console.print(f"{label}: done in {now - self._started[stage]:.1f} s", highlight=False)
            return
        if stage not in self._tasks:
            self._tasks[stage] = self._progress.add_task(label, total=total, detail=detail)
        self._progress.update(self._tasks[stage], completed=done, total=total, detail=detail)
