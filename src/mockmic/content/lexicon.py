"""The content analyser's phrase lexicon: loaded once from ``content/lexicon.toml``.

The phrases are data, not code, so a coach can add "I dropped the ball" without reading the
analyser. Patterns are regular expressions over normalised text (see :func:`normalise_token`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..errors import ConfigError

LEXICON_FILE = "lexicon.toml"


@dataclass(frozen=True)
class Lexicon:
    """Compiled pattern groups: ``signals[kind]``, ``star[part]``, ``cues[name]`` and fillers."""

    fillers: frozenset[str]
    signals: dict[str, tuple[re.Pattern[str], ...]]
    star: dict[str, tuple[re.Pattern[str], ...]]
    cues: dict[str, tuple[re.Pattern[str], ...]]


class Patterns(tuple):
    """A group's compiled patterns, plus ``any_of``: one alternation of them all, which finds a
    match exactly where some pattern does (most sentences match none of a group: one search
    tells so instead of one search per pattern)."""

    any_of: re.Pattern[str] | None = None


def _compile(kind: str, patterns: list[str]) -> Patterns:
    out = []
    for p in patterns:
        # Anchored patterns (^...$) keep their anchors; the rest get word boundaries.
        source = p if p.startswith("^") else rf"(?<![\w']){p}(?![\w'])"
        try:
            out.append(re.compile(source))
        except re.error as e:
            raise ConfigError(f"Bad pattern {p!r} in {LEXICON_FILE} [{kind}]: {e}.") from e
    group = Patterns(out)
    try:
        # The shared word boundaries once around the unanchored patterns (backtracking still
        # tries every alternative before the end boundary fails, so the same texts match).
        free = [p for p in patterns if not p.startswith("^")]
        parts = [f"(?:{p})" for p in patterns if p.startswith("^")]
        if free:
            parts.append(r"(?<![\w'])(?:" + "|".join(f"(?:{p})" for p in free) + r")(?![\w'])")
        group.any_of = re.compile("|".join(parts)) if parts else None
    except re.error:  # e.g. the same group name in two patterns: search them one by one
        group.any_of = None
    return group


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """Read and compile the packaged lexicon (cached: the file is read once per process)."""
    text = resources.files("mockmic.content").joinpath(LEXICON_FILE).read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return Lexicon(
        fillers=frozenset(data["fillers"]["hesitation"]),
        signals={k: _compile(k, v) for k, v in data["signals"].items()},
        star={k: _compile(k, v) for k, v in data["star"].items()},
        cues={k: _compile(k, v) for k, v in data["pitfall_cues"].items()},
    )


def find_all(patterns: tuple[re.Pattern[str], ...], text: str) -> list[tuple[int, int]]:
    """Character spans of every match of any pattern in ``text``, sorted, overlaps merged."""
    any_of = getattr(patterns, "any_of", None)
    if any_of is not None and any_of.search(text) is None:
        return []
    spans = sorted((m.start(), m.end()) for p in patterns for m in p.finditer(text))
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged
