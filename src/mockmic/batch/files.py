"""Which files a batch analyses: folders searched recursively, and who spoke each file.

Hidden files and folders (a leading dot) and the data home are skipped, so a cohort folder
that holds mockmic's own sessions is not analysed twice.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import AudioError, MockmicError

AUDIO_EXTENSIONS = frozenset(
    ".wav .wave .flac .ogg .oga .opus .mp3 .m4a .aac .mp4 .webm .weba .mka .aif .aiff .wma .caf".split()
)
PERSON_FROM = ("folder", "filename-prefix")


@dataclass(frozen=True)
class BatchFile:
    """One file of a batch: its path as found, the folder it was found under, who spoke it."""

    path: Path
    root: Path | None = None  # the folder given on the command line; None for a file given itself
    person: str | None = None

    @property
    def label(self) -> str:
        """How messages name it: its path under the folder given, or its file name."""
        if self.root is not None:
            return str(self.path.relative_to(self.root))
        return self.path.name


def _is_hidden(name: str) -> bool:
    return name.startswith(".")


def _same(a: Path, b: Path | None) -> bool:
    try:
        return b is not None and a.resolve() == b.resolve()
    except OSError:
        return False


def find_audio(folder: Path, *, skip: Path | None = None) -> list[Path]:
    """The audio files under ``folder`` at any depth, sorted by their path inside it.

    >>> find_audio(Path("/nonexistent-folder"))
    []
    """
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not _is_hidden(d) and not _same(here / d, skip))
        found.extend(here / f for f in filenames
                     if not _is_hidden(f) and Path(f).suffix.lower() in AUDIO_EXTENSIONS and (here / f).is_file())
    return sorted(found, key=lambda p: p.relative_to(folder).parts)


def expand_inputs(paths: Sequence[Path], *, skip: Path | None = None) -> list[Path]:
    """Files as given; a folder becomes the audio files anywhere under it (see :func:`find_audio`).

    A folder with no audio files raises AudioError (one clear sentence); missing files are
    kept so that the analysis reports them in order with the others.
    """
    return [f.path for f in batch_files(paths, skip=skip)]


def batch_files(paths: Sequence[Path], *, skip: Path | None = None, person_from: str | None = None) -> list[BatchFile]:
    """:func:`expand_inputs` with the folder each file came from and its person."""
    if person_from is not None and person_from not in PERSON_FROM:
        raise MockmicError(f"--person-from must be one of {', '.join(PERSON_FROM)}, not {person_from!r}.")
    out: list[BatchFile] = []
    for path in paths:
        if path.is_dir():
            found = find_audio(path, skip=skip)
            if not found:
                raise AudioError(f"{path} is a directory with no audio files in it (folders are searched at any depth).")
            out.extend(BatchFile(p, path, person_of(p, path, person_from)) for p in found)
        else:
            out.append(BatchFile(path, None, person_of(path, None, person_from)))
    return out


def person_of(path: Path, root: Path | None, person_from: str | None) -> str | None:
    """Who spoke ``path``: its folder's name, or its file name up to the first ``_``, ``-`` or space.

    ``folder`` names the first folder under ``root`` (``cohort/alice/week1/q1.wav`` is alice);
    a file directly in ``root``, or given on its own, is named by the folder holding it.

    >>> person_of(Path("cohort/alice/week1/q1.wav"), Path("cohort"), "folder")
    'alice'
    >>> person_of(Path("cohort/bob_q2.wav"), Path("cohort"), "filename-prefix")
    'bob'
    >>> person_of(Path("cohort/bob_q2.wav"), Path("cohort"), None) is None
    True
    """
    if person_from is None:
        return None
    if person_from == "filename-prefix":
        prefix = re.split(r"[_\- ]", path.stem, maxsplit=1)[0]
        return prefix or None
    if root is not None:
        parts = path.relative_to(root).parts
        if len(parts) > 1:
            return parts[0]
    name = path.absolute().parent.name
    return name or None
