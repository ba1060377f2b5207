"""Many recordings at once: folders searched recursively, each file analysed once.

``files`` finds the audio and who spoke it; ``keys`` names each analysis so a re-run skips
what is stored; ``local`` runs ``--jobs`` worker processes, ``cluster`` a Dask cluster
(``--cluster``); ``run`` stores each result once, here. A file that fails is reported and
the batch goes on.

>>> from mockmic.batch import person_of
>>> from pathlib import Path
>>> person_of(Path("cohort/dana/answer.wav"), Path("cohort"), "folder")
'dana'
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from .files import AUDIO_EXTENSIONS, PERSON_FROM, BatchFile, batch_files, expand_inputs, find_audio, person_of
from .keys import analysis_key, file_digest, settings_digest
from .run import STATUSES, BatchInterrupted, Interrupts, Outcome, run_batch
from .worker import BatchSettings, FileResult, die_with_parent

__all__ = [
    "AUDIO_EXTENSIONS", "PERSON_FROM", "STATUSES", "BatchFile", "BatchInterrupted", "BatchSettings", "FileResult",
    "Interrupts", "Outcome", "analysis_key", "analyze_many", "batch_files", "die_with_parent", "expand_inputs",
    "file_digest", "find_audio", "person_of", "run_batch", "settings_digest",
]


def analyze_many(
    paths: Sequence[Path],
    *,
    jobs: int = 1,
    model: str | None = None,
    language: str | None = "en",
    question: str | None = None,
    delivery_options=None,
    content_options=None,
    analyzer_factory: Callable[[], object] | None = None,
    cluster: str | None = None,
) -> Iterator[FileResult]:
    """Analyse ``paths`` without storing; yields one FileResult per path, in the order given.

    ``jobs`` > 1 uses that many processes, each with ``cores // jobs`` CTranslate2 threads so
    the processes do not fight over cores; ``cluster`` a Dask cluster (see :mod:`.cluster`).
    """
    settings = BatchSettings(model=model, language=language, question=question,
                             delivery_options=delivery_options, content_options=content_options)
    files = [BatchFile(Path(p)) for p in paths]
    waiting: dict[int, FileResult] = {}
    nxt = 0
    for outcome in run_batch(files, settings, jobs=jobs, cluster=cluster, analyzer_factory=analyzer_factory):
        waiting[outcome.index] = FileResult(outcome.file.path, outcome.report, outcome.error, outcome.index)
        while nxt in waiting:
            yield waiting.pop(nxt)
            nxt += 1
