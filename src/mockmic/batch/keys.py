"""The analysis key: what makes a batch resumable and exactly once.

A file's key is the SHA-256 of its bytes and of everything that decides its report (the
model, the language, the question, the stages' options and mockmic's version), as canonical
JSON. A stored session with the same key is the same analysis, so a re-run skips the file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

CHUNK = 1 << 20


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in 1 MiB chunks (OSError if it cannot be read)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


def settings_digest(*, model: str | None, language: str | None, question: str | None,
                    delivery_options: Any = None, content_options: Any = None) -> str:
    """The SHA-256 of an analysis's settings as canonical JSON (sorted keys, no spaces).

    >>> a = settings_digest(model="tiny.en", language="en", question=None)
    >>> a == settings_digest(model="tiny.en", language="en", question=None)
    True
    >>> a == settings_digest(model="base", language="en", question=None)
    False
    """
    from .. import __version__
    from ..pipeline import content_options_from, delivery_options_from

    settings = {
        "mockmic": __version__,
        "model": model,
        "language": language,
        "question": question,
        "delivery": _plain(delivery_options_from(delivery_options)),
        "content": _plain(content_options_from(content_options)),
    }
    text = json.dumps(settings, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def analysis_key(path: Path, settings: str) -> str | None:
    """The key of analysing ``path`` with ``settings`` (from :func:`settings_digest`); None when
    the file cannot be read (the analysis then reports why)."""
    try:
        digest = file_digest(path)
    except OSError:
        return None
    return hashlib.sha256(f"{digest}:{settings}".encode("ascii")).hexdigest()
