"""A batch from start to end: skip what is stored, analyse the rest, store each result once.

The analysis runs in this process (``jobs=1``), in worker processes (``--jobs``) or on a Dask
cluster (``--cluster``); either way results come back here and are stored here, one at a
time, each checked against the store first, so a file is stored once even if two runs or
two workers analysed it. Ctrl-C or SIGTERM ends the batch between two stores: what finished
is kept, and a re-run goes on from there.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import StoreError
from ..results import SessionReport
from .files import BatchFile
from .keys import analysis_key, settings_digest
from .worker import BatchSettings, FileResult, analyze_path

STATUSES = ("done", "failed", "skipped")


@dataclass(frozen=True)
class Outcome:
    """What became of one file of a batch."""

    index: int
    file: BatchFile
    status: str  # one of STATUSES
    report: SessionReport | None = None  # also for a skipped file (its stored report) and one not stored
    error: str | None = None  # why it failed: the analysis, or storing it
    session_id: str | None = None  # the stored session (done or skipped)
    folder: Path | None = None


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM ended the batch; ``signum`` says which."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class Interrupts:
    """SIGINT and SIGTERM raise :class:`BatchInterrupted`, except inside :meth:`shielded`
    (a session being stored), where they wait until it is done."""

    def __init__(self) -> None:
        self.hit: int | None = None
        self._depth = 0
        self._old: dict[int, object] = {}

    def __enter__(self) -> Interrupts:
        for signum in (signal.SIGINT, signal.SIGTERM):
            try:
                self._old[signum] = signal.signal(signum, self._handle)
            except ValueError:  # not the main thread: the caller handles its signals
                break
        return self

    def __exit__(self, *exc) -> bool:
        for signum, old in self._old.items():
            signal.signal(signum, old)
        return False

    def _handle(self, signum, frame) -> None:
        self.hit = signum
        if not self._depth:
            raise BatchInterrupted(signum)

    @contextlib.contextmanager
    def shielded(self) -> Iterator[None]:
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
        if self.hit is not None and not self._depth:
            raise BatchInterrupted(self.hit)


def run_batch(
    files: Sequence[BatchFile],
    settings: BatchSettings,
    *,
    jobs: int = 1,
    cluster: str | None = None,
    store=None,
    copy_audio: bool = True,
    force: bool = False,
    analyzer_factory: Callable[[], object] | None = None,
) -> Iterator[Outcome]:
    """Analyse ``files``; yields one :class:`Outcome` per file as each is known (skipped first).

    ``store``: where results are stored (None: nothing is stored, nothing skipped). ``force``
    analyses files whose analysis key is already stored. ``analyzer_factory``: the Analyzer
    for ``jobs=1`` (so the caller sees each stage's progress).
    """
    keys: list[str | None] = [None] * len(files)
    stored: dict[str, list[tuple[str, str | None]]] = {}
    if store is not None:
        from ..transcribe import resolve_model

        digest = settings_digest(model=resolve_model(settings.model).name, language=settings.language,
                                 question=settings.question, delivery_options=settings.delivery_options,
                                 content_options=settings.content_options)
        keys = [analysis_key(f.path, digest) for f in files]
        if not force:
            stored = store.analysed([k for k in keys if k])
    todo: list[tuple[int, Path]] = []
    with Interrupts() as interrupts:
        for index, file in enumerate(files):
            session_id = _match(stored.get(keys[index] or ""), file.path)
            if session_id is None:
                todo.append((index, file.path))
                continue
            yield _skipped(store, index, file, session_id)
        results = _results(todo, settings, jobs=jobs, cluster=cluster, analyzer_factory=analyzer_factory)
        seen: set[int] = set()  # files whose result came back: a second result for one is dropped
        mine: set[str] = set()  # sessions this run stored (an identical file may follow: it is stored too)
        try:
            for result in results:
                if result.index in seen:
                    continue
                seen.add(result.index)
                file = files[result.index]
                if result.error is not None or store is None:
                    status = "failed" if result.error is not None else "done"
                    yield Outcome(result.index, file, status, result.report, result.error)
                    continue
                # Shielded until the caller has the outcome: a Ctrl-C while the session is stored
                # is raised when the caller asks for the next one, so its count of stored files
                # includes this one (raised before the yield, a stored file went uncounted).
                with interrupts.shielded():
                    outcome = _store(store, result, file, keys[result.index], copy_audio=copy_audio,
                                     force=force, mine=mine)
                    if outcome.status == "done" and outcome.session_id:
                        mine.add(outcome.session_id)
                    yield outcome
        finally:
            results.close()


def _match(sessions: list[tuple[str, str | None]] | None, path: Path, mine: set[str] = frozenset()) -> str | None:
    """The stored session that is ``path``'s analysis: the one stored from the same path, else
    (the folder moved, or a copy of the file) the first one; sessions in ``mine`` do not count."""
    sessions = [s for s in sessions or () if s[0] not in mine]
    if not sessions:
        return None
    here = str(path.resolve())
    return next((sid for sid, source in sessions if source == here), sessions[0][0])


def _skipped(store, index: int, file: BatchFile, session_id: str) -> Outcome:
    try:
        report = store.get(session_id)
    except StoreError:
        report = None
    return Outcome(index, file, "skipped", report, session_id=session_id, folder=store.home / session_id)


def _store(store, result: FileResult, file: BatchFile, key: str | None, *, copy_audio: bool, force: bool,
           mine: set[str]) -> Outcome:
    """Store one result unless its key was stored meanwhile by another run."""
    if key is not None and not force:
        already = _match(store.analysed([key]).get(key), file.path, mine)
        if already is not None:
            return _skipped(store, result.index, file, already)
    try:
        folder = store.save(result.report, file.path, mode="copy" if copy_audio else "link", person=file.person,
                            analysis_key=key)
    except StoreError as e:
        return Outcome(result.index, file, "failed", result.report, f"{file.label} was not stored: {e}")
    return Outcome(result.index, file, "done", result.report, session_id=result.report.id, folder=folder)


def _results(todo: list[tuple[int, Path]], settings: BatchSettings, *, jobs: int, cluster: str | None,
             analyzer_factory: Callable[[], object] | None) -> Iterator[FileResult]:
    if not todo:
        return
    if cluster is not None:
        from .cluster import run_cluster

        yield from run_cluster(todo, settings, cluster)
    elif jobs > 1 and len(todo) > 1:
        from ..transcribe import resolve_model
        from .local import run_local

        resolve_model(settings.model)  # a missing model is one error here, not one per worker
        yield from run_local(todo, settings, jobs)
    else:
        yield from _in_process(todo, settings, analyzer_factory)


def _in_process(todo, settings: BatchSettings, analyzer_factory) -> Iterator[FileResult]:
    from ..pipeline import Analyzer

    analyzer = analyzer_factory() if analyzer_factory else Analyzer(
        model=settings.model, language=settings.language, delivery_options=settings.delivery_options,
        content_options=settings.content_options)
    for index, path in todo:
        yield analyze_path(analyzer, path, settings.question, index)
