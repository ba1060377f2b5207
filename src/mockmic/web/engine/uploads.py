"""The Upload page's library calls: a file received into the data home, analysed and stored."""

from __future__ import annotations

import re
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path

from ...errors import AudioError, MockmicError
from ...pipeline import Take, analyze_and_store
from ...results import SessionReport

UPLOADS_DIR = ".uploads"  # uploads being analysed; hidden, so the store's listing skips it


class UploadTooLong(AudioError):
    """An upload is longer than :attr:`~mockmic.web.engine.Limits.upload_seconds`."""


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:g} minute{'s' if seconds != 60 else ''}"


class UploadsMixin:
    """The part of :class:`~mockmic.web.engine.Engine` that takes uploads (it needs ``home``,
    ``store``, ``analyzer``, ``limits`` and ``one_analysis``)."""

    def upload_path(self, file_name: str) -> Path:
        """A fresh place in the data home to receive an upload called ``file_name``."""
        folder = self.home / UPLOADS_DIR / secrets.token_hex(8)
        folder.mkdir(parents=True, exist_ok=True)
        return folder / safe_file_name(file_name)

    def analyse_upload(self, path: Path, *, shown_name: str, question: str | None = None,
                       on_progress: Callable[[str, float, float | None], None] | None = None) -> SessionReport:
        """Analyse an uploaded file and store it as a session (the file moves into it).

        Errors are one sentence naming the file as the person knows it (``shown_name``).
        """
        limit = self.limits.upload_seconds

        def progress(stage: str, done: float, total: float | None) -> None:
            if stage == "decode" and max(done, total or 0.0) > limit:
                raise UploadTooLong(f"{shown_name} is longer than {_minutes(limit)}: the web app analyses answers up to "
                                    f"that length; use `mockmic analyze` for longer recordings.")
            if on_progress is not None:
                on_progress(stage, done, total)

        # The store moves the file into the session; the report names it as the person knows it.
        take = Take(path=path, mode="move", question=question or None, audio_name=shown_name)
        try:
            with self.one_analysis():
                self.analyzer.on_progress = progress
                try:
                    report, _folder = analyze_and_store(self.analyzer, take, store=self.store)
                finally:
                    self.analyzer.on_progress = _no_progress
            return report
        except MockmicError as e:
            raise type(e)(str(e).replace(str(path), shown_name)) from None
        finally:
            shutil.rmtree(path.parent, ignore_errors=True)


def _no_progress(stage: str, done: float, total: float | None) -> None:
    pass


def safe_file_name(name: str) -> str:
    """A name to keep an upload under: its last path part, letters, digits, ``.-_`` only."""
    base = re.split(r"[\\/]", name or "")[-1]
    clean = re.sub(r"[^\w.\-]+", "_", base, flags=re.ASCII).lstrip(".")[:100]
    return clean or "upload"
