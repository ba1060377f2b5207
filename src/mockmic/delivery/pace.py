"""Which transcript words count towards pace, counted the way a forced aligner counts them.

Whisper writes some words differently from how they are spoken and aligned: "4" for "four",
"NA" for "n a", "high -pitched" as two tokens. Pace counts spoken words, so each token is
counted by what a speaker says.
"""

from __future__ import annotations

import re

import numpy as np

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


INVENTED_PROB = 0.5  # Whisper's word probability under which a word over silence is not believed


def invented_words(words, speech: np.ndarray, hop_s: float) -> set[int]:
    """Indices of words Whisper was unsure of (:data:`INVENTED_PROB`) whose times hold no
    speech frame at all (``speech``, one flag every ``hop_s`` seconds): over noise Whisper
    writes words nobody said, and pace counts spoken words only.
    """
    out = set()
    for i, w in enumerate(words):
        a = int(round(w.start_s / hop_s))
        b = max(a + 1, int(round(w.end_s / hop_s)))
        if w.probability < INVENTED_PROB and not speech[max(0, a): max(0, b)].any():
            out.add(i)
    return out
