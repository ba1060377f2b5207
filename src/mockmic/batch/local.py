"""``--jobs N``: N worker processes on this machine, no dependency beyond the standard library.

Workers die with the parent (``PR_SET_PDEATHSIG`` and a watchdog) and ignore Ctrl-C; when the
parent stops early (Ctrl-C, SIGTERM, an error) the pending files are cancelled and the
workers are ended at once, so no process outlives the batch.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

from .worker import BatchSettings, FileResult, analyze_task, die_with_parent, ignore_interrupts


def _init_worker(parent_pid: int) -> None:
    ignore_interrupts()
    die_with_parent(parent_pid)


@contextlib.contextmanager
def _interrupts_ignored() -> Iterator[None]:
    """Workers forked in here start with Ctrl-C ignored (no window before their initializer)."""
    try:
        old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def run_local(items: Sequence[tuple[int, Path]], settings: BatchSettings, jobs: int) -> Iterator[FileResult]:
    """Analyse ``items`` ((index, path) pairs) in ``jobs`` processes; yields results as they finish."""
    jobs = max(1, min(jobs, len(items)))
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(os.getpid(),))
    finished = False
    try:
        with _interrupts_ignored():  # the pool forks its workers on the first submit
            pending = {pool.submit(analyze_task, settings, i, str(p), None, jobs): (i, p) for i, p in items}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                index, path = pending.pop(future)
                try:
                    yield future.result()
                except Exception as e:  # a worker that died (BrokenProcessPool) or an unexpected error
                    yield FileResult(path, None, f"{path.name} could not be analysed: {type(e).__name__}: {e}", index)
        finished = True
    finally:
        if not finished:
            _stop(pool)
        pool.shutdown(wait=finished, cancel_futures=True)


def _stop(pool: ProcessPoolExecutor) -> None:
    """End the workers now: they ignore Ctrl-C and a transcription cannot be interrupted."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            process.kill()
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            process.join(timeout=5)
