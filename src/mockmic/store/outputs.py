"""Files a person names with ``-o``: checked before any work starts, written atomically.

A report written over the recording it is about, or a traceback after an hour of analysis
because the folder is missing, costs the person their data; :func:`check_output` refuses such
a place up front and :func:`write_output` replaces the file in one step (temp file + rename),
so a failure leaves the old file as it was.

>>> check_output(Path("/proc/version"), option="-o")
Traceback (most recent call last):
...
mockmic.errors.OutputError: -o /proc/version cannot be written (the folder /proc does not take new files): choose another place; nothing was written.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..errors import OutputError
from .files import write_atomic


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def check_output(path: Path, *, option: str, inputs: Iterable[Path] = ()) -> Path:
    """Raise :class:`OutputError` (one sentence naming ``option``) unless ``path`` can take a new file.

    Refused: one of ``inputs`` (the person's recordings: also through a link or another
    name), anything that exists and is not a regular file (a folder, FIFO, device), a
    read-only file, a missing folder, and a folder where no file can be created (tried with a
    real temp file, so permissions, read-only and special file systems all count).
    Returns ``path``.
    """
    path = Path(path)
    where = f"{option} {path}"
    for source in inputs:
        if Path(source).exists() and path.exists() and _same_file(path, Path(source)):
            raise OutputError(
                f"{where} is one of the input recordings: writing the report there would destroy it; "
                "choose another file name."
            )
    if path.exists() or path.is_symlink():
        try:
            mode = path.stat().st_mode
        except OSError as e:
            raise OutputError(f"{where} cannot be used: {e.strerror or e}; choose another file name.") from None
        if stat.S_ISDIR(mode):
            raise OutputError(f"{where} is a folder: give a file name inside it, e.g. {path / 'report.txt'}.")
        if not stat.S_ISREG(mode):
            raise OutputError(f"{where} is a special file (a device, pipe or socket), not a file a report can replace.")
        if not os.access(path, os.W_OK):
            raise OutputError(f"{where} is read-only: choose another file name; nothing was written.")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{where} cannot be written: the folder {folder} does not exist (create it first).")
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".check", dir=folder)
    except OSError as e:
        reason = e.strerror.lower() if e.strerror else "it does not take new files"
        raise OutputError(
            f"{where} cannot be written (the folder {folder} does not take new files): choose another place; "
            "nothing was written."
            if reason in ("read-only file system", "no such file or directory", "operation not permitted",
                          "permission denied", "invalid argument")
            else f"{where} cannot be written ({reason}): choose another place; nothing was written."
        ) from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)
    return path


def write_output(path: Path, text: str, *, option: str = "-o") -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically; an OSError becomes one OutputError sentence.

    The old file, if any, stays whole until the new one is complete.
    """
    try:
        write_atomic(Path(path), text.encode("utf-8"))
    except OSError as e:
        if e.errno == 28:
            raise OutputError(f"{option} {path} was not written: the disk is full. Free some space and try again.") from None
        raise OutputError(f"{option} {path} was not written: {e.strerror or e}.") from None
