"""Which transcript words count towards pace, counted the way a forced aligner counts them.

Whisper writes some words differently from how they are spoken and aligned: "4" for "four",
"NA" for "n a", "high -pitched" as two tokens. Pace counts spoken words, so each token is
counted by what a speaker says.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?%?$")


def spoken_word_count(token: str) -> int:
    """How many spoken words a transcript token stands for (0 for punctuation).

    >>> [spoken_word_count(t) for t in ("Hello,", "-pitched", "...", "don't")]
    [1, 0, 0, 1]
    """
    text = token.strip()
    if text.startswith("-") or not any(ch.isalnum() for ch in text):
        return 0
    return 1
