"""Many recordings at once: expand folders, then analyse in parallel processes.

Each worker process loads the model once and analyses the files it is handed; a file that
fails is reported and the batch goes on. Results come back in the order given.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .errors import AudioError, MockmicError
from .results import SessionReport

AUDIO_EXTENSIONS = frozenset(
    ".wav .wave .flac .ogg .oga .opus .mp3 .m4a .aac .mp4 .webm .weba .mka .aif .aiff .wma .caf".split()
)


@dataclass(frozen=True)
class FileResult:
    path: Path
    report: SessionReport | None
    error: str | None


def expand_inputs(paths: Sequence[Path]) -> list[Path]:
    """Files as given; a folder becomes the audio files directly inside it, sorted by name.

    A folder with no audio files raises AudioError (one clear sentence); missing files are
    kept so that the analysis reports them in order with the others.
    """
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in AUDIO_EXTENSIONS)
            if not found:
                raise AudioError(f"{path} is a directory with no audio files in it.")
            out.extend(found)
        else:
            out.append(path)
    return out


# --- worker process state: one Analyzer (one model load) per process ----------------------
_worker_analyzer = None


def _init_worker(model: str | None, language: str | None, cpu_threads: int, delivery_options, content_options) -> None:
    global _worker_analyzer
    from .pipeline import Analyzer
    from .transcribe import TranscribeOptions, Transcriber

    _worker_analyzer = Analyzer(model=model, language=language,
                                delivery_options=delivery_options, content_options=content_options)
    _worker_analyzer._transcriber = Transcriber(model, TranscribeOptions(language=language, cpu_threads=cpu_threads))


def _analyze(analyzer, path: Path, question: str | None) -> FileResult:
    from .pipeline import Take, analyze_take

    try:
        return FileResult(path, analyze_take(analyzer, Take(path, question=question)), None)
    except MockmicError as e:
        return FileResult(path, None, str(e))


def _work(path: Path, question: str | None) -> FileResult:
    return _analyze(_worker_analyzer, path, question)


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
) -> Iterator[FileResult]:
    """Analyse ``paths``; yields one FileResult per path, in order, as each completes.

    ``jobs`` > 1 uses that many processes, each with ``cores // jobs`` CTranslate2 threads so
    the processes do not fight over cores. ``jobs`` = 1 runs here, with ``analyzer_factory``'s
    Analyzer (so the caller's progress callback sees each stage).
    """
    if jobs <= 1 or len(paths) <= 1:
        from .pipeline import Analyzer

        analyzer = analyzer_factory() if analyzer_factory else Analyzer(
            model=model, language=language, delivery_options=delivery_options, content_options=content_options)
        for path in paths:
            yield _analyze(analyzer, path, question)
        return

    # Load the model once here first, so a missing or unknown model is one error, not N.
    from .transcribe import resolve_model

    resolve_model(model)
    jobs = min(jobs, len(paths))
    threads = max(1, (os.cpu_count() or 1) // jobs)
    with ProcessPoolExecutor(
        max_workers=jobs,
        initializer=_init_worker,
        initargs=(model, language, threads, delivery_options, content_options),
    ) as pool:
        futures = [pool.submit(_work, path, question) for path in paths]
        for future in futures:
            yield future.result()
