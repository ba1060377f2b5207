"""What runs in a worker process: one Analyzer per process (one model load), one file at a time.

Used alike by ``--jobs`` worker processes and Dask workers. A worker dies with its parent
(:func:`die_with_parent`) and ignores Ctrl-C, which the parent handles for the whole batch.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import MockmicError
from ..results import SessionReport

PR_SET_PDEATHSIG = 1  # linux/prctl.h
WATCH_INTERVAL_S = 0.5


@dataclass(frozen=True)
class FileResult:
    path: Path
    report: SessionReport | None
    error: str | None
    index: int = -1  # the file's place in the batch


@dataclass(frozen=True)
class BatchSettings:
    """Everything a worker needs to analyse like the parent would (picklable)."""

    model: str | None = None
    language: str | None = "en"
    question: str | None = None
    delivery_options: Any = None
    content_options: Any = None
    cpu_threads: int = 0  # CTranslate2 threads per worker; 0: this machine's cores / its workers


def die_with_parent(parent_pid: int | None = None) -> None:
    """Make this process end when its parent does, whatever signal ended the parent.

    On Linux the kernel sends SIGKILL when the parent dies (``PR_SET_PDEATHSIG``); everywhere a
    watchdog thread exits once the parent has changed (the process was re-parented).
    """
    parent = parent_pid if parent_pid is not None else os.getppid()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(WATCH_INTERVAL_S)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="mockmic-parent-watch", daemon=True).start()


def ignore_interrupts() -> None:
    """Ctrl-C reaches the whole process group; only the parent acts on it."""
    with contextlib.suppress(ValueError):  # not the main thread: nothing to change
        signal.signal(signal.SIGINT, signal.SIG_IGN)


_analyzers: dict[BatchSettings, object] = {}


def worker_analyzer(settings: BatchSettings, workers_here: int = 1):
    """This process's Analyzer for ``settings``: made (and its model loaded) once, then kept."""
    analyzer = _analyzers.get(settings)
    if analyzer is None:
        from ..pipeline import Analyzer
        from ..transcribe import TranscribeOptions, Transcriber

        threads = settings.cpu_threads or max(1, (os.cpu_count() or 1) // max(1, workers_here))
        analyzer = Analyzer(model=settings.model, language=settings.language,
                            delivery_options=settings.delivery_options, content_options=settings.content_options)
        analyzer._transcriber = Transcriber(settings.model, TranscribeOptions(language=settings.language,
                                                                              cpu_threads=threads))
        _analyzers[settings] = analyzer
    return analyzer


def analyze_path(analyzer, path: Path, question: str | None, index: int = -1, *, audio_name: str | None = None) -> FileResult:
    """One file's FileResult: its report, or the one sentence saying why it has none."""
    from ..pipeline import Take, analyze_take

    try:
        report = analyze_take(analyzer, Take(path, question=question, audio_name=audio_name))
        return FileResult(Path(audio_name) if audio_name else path, report, None, index)
    except MockmicError as e:
        return FileResult(Path(audio_name) if audio_name else path, None, str(e), index)


def analyze_task(settings: BatchSettings, index: int, path: str, data: bytes | None = None,
                 workers_here: int = 1) -> FileResult:
    """A worker's task: analyse ``path`` (or ``data``, the file's bytes sent from the machine
    that asked, when the worker cannot see its disk) with this process's Analyzer."""
    if workers_here <= 0:  # a remote worker: share its machine's cores between its threads
        workers_here = 1
        with contextlib.suppress(Exception):
            from distributed import get_worker

            workers_here = get_worker().state.nthreads
    analyzer = worker_analyzer(settings, workers_here)
    if data is None:
        return analyze_path(analyzer, Path(path), settings.question, index)
    with tempfile.TemporaryDirectory(prefix="mockmic-task-") as tmp:
        local = Path(tmp) / f"audio{Path(path).suffix.lower()}"
        local.write_bytes(data)
        return analyze_path(analyzer, local, settings.question, index, audio_name=path)
