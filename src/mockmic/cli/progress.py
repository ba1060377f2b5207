"""Progress on stderr for long work, as rich bars; silent with --quiet."""

from __future__ import annotations

import sys
import time

LABELS = {
    "decode": "Decoding audio",
    "load model": "Loading model",
    "transcribe": "Transcribing",
    "analyse": "Analysing",
}


class StderrProgress:
    """Adapts the pipeline's ``on_progress(stage, done, total)`` to rich progress bars.

    A bar appears only once a stage has run for ``delay_s``, so quick stages print nothing.
    """

    def __init__(self, *, quiet: bool = False, delay_s: float = 0.5, prefix: str = ""):
        self.quiet = quiet
        self.delay_s = delay_s
        self.prefix = prefix
        self._progress = None
        self._tasks: dict[str, int] = {}
        self._started: dict[str, float] = {}

    def __enter__(self):
        if not self.quiet:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.fields[detail]}"),
                TimeElapsedColumn(),
                console=Console(file=sys.stderr),
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
                self._progress.remove_task(task_id)
        self._tasks.clear()
        self._started.clear()

    def __call__(self, stage: str, done: float, total: float | None) -> None:
        if self._progress is None:
            return
        now = time.monotonic()
        self._started.setdefault(stage, now)
        if stage not in self._tasks and stage != "load model" and now - self._started[stage] < self.delay_s and (total is None or done < total):
            return
        label = f"{self.prefix}{LABELS.get(stage, stage)}"
        detail = f"{done:.0f}/{total:.0f} s of audio" if total and stage in ("decode", "transcribe") else ""
        if stage not in self._tasks:
            self._tasks[stage] = self._progress.add_task(label, total=total, detail=detail)
        self._progress.update(self._tasks[stage], completed=done, total=total, detail=detail)
