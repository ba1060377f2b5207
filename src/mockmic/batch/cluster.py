"""``--cluster``: the batch on a Dask distributed cluster (the optional extra ``cluster``).

``local:N`` starts a :class:`distributed.LocalCluster` of N single-threaded worker processes
on this machine; ``tcp://HOST:PORT`` uses a running scheduler whose workers (``dask worker``)
have mockmic installed. Each worker process keeps one Analyzer (its model loaded once, with
this machine's cores split between the workers); results come back here and are stored here.

A worker that dies mid-file has its task re-run on another worker by the scheduler; files go
out a few at a time (bytes for a remote cluster), so memory stays bounded for a large cohort.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..errors import MockmicError
from .worker import BatchSettings, FileResult, analyze_task, die_with_parent, ignore_interrupts

INSTALL_HINT = "--cluster needs Dask: install it with pip install 'mockmic[cluster]'."
TRACKER_QUIET = "ignore::UserWarning:multiprocessing.resource_tracker"
TASK_RETRIES = 2  # an unexpected error in a task is retried this often; a dead worker's task always is


def parse_cluster(spec: str) -> tuple[str, int | str]:
    """``("local", N)`` or ``("tcp", address)`` from a ``--cluster`` value.

    >>> parse_cluster("local:4")
    ('local', 4)
    >>> parse_cluster("tcp://10.0.0.5:8786")
    ('tcp', 'tcp://10.0.0.5:8786')
    >>> parse_cluster("local")
    Traceback (most recent call last):
    ...
    mockmic.errors.MockmicError: --cluster must be local:N (N worker processes here) or tcp://HOST:PORT (a running Dask scheduler), not 'local'.
    """
    m = re.fullmatch(r"local:(\d{1,3})", spec.strip())
    if m and 1 <= int(m.group(1)) <= 256:
        return "local", int(m.group(1))
    if re.fullmatch(r"tcp://[^\s/:]+:\d{1,5}", spec.strip()):
        return "tcp", spec.strip()
    raise MockmicError(
        "--cluster must be local:N (N worker processes here) or tcp://HOST:PORT (a running Dask scheduler), "
        f"not {spec!r}."
    )


def _distributed():
    try:
        import distributed
    except ImportError:
        raise MockmicError(INSTALL_HINT) from None
    return distributed


def check_cluster(spec: str) -> None:
    """Fail before any work if ``spec`` is malformed or Dask is not installed."""
    parse_cluster(spec)
    _distributed()


def _make_plugin():
    from distributed.diagnostics.plugin import WorkerPlugin

    class DieWithParent(WorkerPlugin):
        """Each worker process ends with its parent (the nanny) and leaves Ctrl-C to the client."""

        name = "mockmic-die-with-parent"

        def setup(self, worker) -> None:
            ignore_interrupts()
            if os.getppid() != 1:
                die_with_parent()

    return DieWithParent()


@contextlib.contextmanager
def _client(spec: str) -> Iterator[tuple[object, int, bool]]:
    """A Client (and its LocalCluster, when local), its number of worker threads, and whether local."""
    distributed = _distributed()
    kind, value = parse_cluster(spec)
    with contextlib.ExitStack() as stack:
        if kind == "local":
            # Workers ended mid-file (Ctrl-C) leave semaphores that multiprocessing's resource
            # tracker cleans up; its warning about them would follow the one-sentence message.
            if TRACKER_QUIET not in sys.warnoptions:
                sys.warnoptions.append(TRACKER_QUIET)  # passed to the tracker when it starts
            try:
                old = signal.signal(signal.SIGINT, signal.SIG_IGN)  # workers start with Ctrl-C ignored
            except ValueError:
                old = None
            # Worker logs at CRITICAL only: a file's error comes back as its result, and a worker's
            # own log (a heartbeat that fails while Ctrl-C closes the cluster, with its traceback)
            # would only bury the one-sentence message.
            try:
                cluster = stack.enter_context(distributed.LocalCluster(
                    n_workers=value, threads_per_worker=1, processes=True, dashboard_address=None,
                    silence_logs=logging.CRITICAL))
            finally:
                if old is not None:
                    signal.signal(signal.SIGINT, old)
            client = stack.enter_context(distributed.Client(cluster))
        else:
            try:
                client = stack.enter_context(distributed.Client(value, timeout="10s"))
            except (OSError, TimeoutError) as e:
                raise MockmicError(f"No Dask scheduler answers at {value}: {e}.") from None
        with contextlib.suppress(Exception):
            client.register_plugin(_make_plugin())
        threads = sum(client.nthreads().values()) or 1
        yield client, threads, kind == "local"


def run_cluster(items: Sequence[tuple[int, Path]], settings: BatchSettings, spec: str) -> Iterator[FileResult]:
    """Analyse ``items`` ((index, path) pairs) on the cluster; yields results as they come back."""
    distributed = _distributed()
    with _client(spec) as (client, threads, local):
        workers_here = max(1, len(client.nthreads())) if local else 0
        window = max(4, 2 * threads)
        todo = list(items)
        futures: dict[object, tuple[int, Path]] = {}

        def submit(index: int, path: Path):
            data = None
            if not local:
                try:
                    data = path.read_bytes()
                except OSError:
                    data = None  # the worker reports the missing file as it would here
            future = client.submit(analyze_task, settings, index, str(path), data, workers_here,
                                   pure=False, retries=TASK_RETRIES, key=f"mockmic-file-{index}")
            futures[future] = (index, path)
            return future

        queue = distributed.as_completed([submit(*todo.pop(0)) for _ in range(min(window, len(todo)))])
        try:
            for future in queue:
                index, path = futures.pop(future)
                try:
                    result = future.result()
                except Exception as e:  # KilledWorker: it died every time it was tried
                    result = FileResult(path, None, f"{path.name} could not be analysed on the cluster: "
                                                    f"{type(e).__name__}: {e}", index)
                if todo:
                    queue.add(submit(*todo.pop(0)))
                future.release()
                yield result
        finally:
            if futures:
                with contextlib.suppress(Exception):
                    client.cancel(list(futures))
