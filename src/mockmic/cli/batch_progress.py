"""One progress bar for a whole batch: files done, failed and skipped, and the rate."""

from __future__ import annotations

import sys
import time


class BatchProgress:
    """A rich bar on a terminal; on a file or pipe one line per file; nothing with ``quiet``."""

    def __init__(self, total: int, *, quiet: bool = False, force_terminal: bool | None = None) -> None:
        self.total = total
        self.quiet = quiet
        self.force_terminal = force_terminal
        self.counts = {"done": 0, "failed": 0, "skipped": 0}
        self._start = time.monotonic()
        self._progress = None
        self._console = None
        self._task = None

    def __enter__(self) -> BatchProgress:
        if self.quiet:
            return self
        from rich.console import Console

        self._console = Console(file=sys.stderr, force_terminal=self.force_terminal)
        if self._console.is_terminal:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(TextColumn("Analysing files"), BarColumn(), TextColumn("{task.fields[detail]}"),
                                      TimeElapsedColumn(), console=self._console, transient=True)
            self._progress.start()
            self._task = self._progress.add_task("files", total=self.total, detail=self.detail())
        return self

    def __exit__(self, *exc) -> bool:
        if self._progress is not None:
            self._progress.stop()
        return False

    def rate_per_min(self) -> float | None:
        """Files analysed (not skipped) per minute so far."""
        elapsed = time.monotonic() - self._start
        analysed = self.counts["done"] + self.counts["failed"]
        return analysed / elapsed * 60 if analysed and elapsed > 0 else None

    def detail(self) -> str:
        c = self.counts
        seen = sum(c.values())
        rate = self.rate_per_min()
        text = f"{seen}/{self.total} files: {c['done']} done, {c['failed']} failed, {c['skipped']} skipped"
        return text + (f", {rate:.1f} files/min" if rate else "")

    def advance(self, status: str, name: str = "") -> None:
        self.counts[status] += 1
        if self._console is None:
            return
        if self._progress is not None:
            self._progress.update(self._task, completed=sum(self.counts.values()), detail=self.detail())
        else:
            self._console.print(f"{name}: {status} ({self.detail()})", highlight=False)

    def echo(self, line: str) -> None:
        """A line above the bar (an error), shown even with ``quiet``."""
        if self._console is not None:
            self._console.print(line, highlight=False, markup=False)
        else:
            print(line, file=sys.stderr)
