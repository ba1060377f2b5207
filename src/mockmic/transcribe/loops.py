"""Clips Whisper decoded badly: into a loop ("ahh, ahh, ahh, ..."), or skipping most of the speech.

Given a long clip of many unrelated short utterances, tiny.en at temperature 0 sometimes repeats
one word or phrase until it runs out of tokens and never writes the rest. Such a clip is found
by its text: it compresses far better than speech does (gzip, as Whisper's own
``compression_ratio_threshold``), one n-gram comes back again and again, or it has far more
words per second than anyone speaks. A clip that skipped speech has far fewer words than its
voiced seconds hold (on ../shared/eval/mfa joined, a 19 s clip of which 18 s voiced got 17 words,
the first half of an utterance lost). Pure Python.

>>> looks_looping("Ahh, ahh, ahh, ahh, ahh, ahh, ahh, ahh, ahh, ahh, ahh, ahh.", 20.0)
True
>>> looks_looping("I told my manager that it was my mistake and I rebuilt the calculation.", 5.0)
False
"""

from __future__ import annotations

import dataclasses
import re
import zlib
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class LoopOptions:
    """When a clip's text is taken as a loop (each alone suffices).

    ``max_compression_ratio``: gzip ratio of the text; Whisper's own fallback threshold is 2.4.
    ``max_ngram_repeats``: the commonest ``ngram``-word sequence may come back this many times.
    ``max_words_per_s``: words per second of clip (fast speech is about 4).
    ``min_words_per_voiced_s``: speech read at 100 words a minute with no pause is 1.7.
    Texts under ``min_words`` words are never judged (short texts do not compress).
    """

    max_compression_ratio: float = 2.4
    ngram: int = 3
    max_ngram_repeats: int = 4
    max_words_per_s: float = 6.0
    min_words: int = 8
    # Skipped speech: fewer than this many words per voiced second, over at least min_voiced_s.
    min_words_per_voiced_s: float = 1.2
    min_voiced_s: float = 6.0
    # ... or (checked in transcribe.whisper, from the audio) this many voiced seconds lie farther
    # than ``cover_slack_s`` from every word written (Whisper stopped early: a 11.5 s streamed chunk got its first sentence and not the second,
    # 16 words for 8.9 voiced seconds, above the rate rule).
    max_uncovered_s: float = 2.0
    cover_slack_s: float = 0.3
    # Parts decoded for skipped speech replace the clip only with this many times its words.
    min_gain: float = 1.5


def compression_ratio(text: str) -> float:
    """Bytes of ``text`` over bytes of its zlib compression (Whisper's measure of repetition)."""
    raw = text.encode("utf-8")
    return len(raw) / max(1, len(zlib.compress(raw)))


def _words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split()


def looks_looping(text: str, clip_s: float, options: LoopOptions | None = None) -> bool:
    """Whether the text Whisper wrote for a clip of ``clip_s`` seconds is a decoding loop."""
    o = options or LoopOptions()
    words = _words(text)
    if len(words) < o.min_words:
        return False
    grams = Counter(tuple(words[i: i + o.ngram]) for i in range(len(words) - o.ngram + 1))
    return bool(grams and grams.most_common(1)[0][1] > o.max_ngram_repeats) or runs_away(text, clip_s, o)


def runs_away(text: str, clip_s: float, options: LoopOptions | None = None) -> bool:
    """Whether ``text`` is more than a clip of ``clip_s`` seconds can hold: it compresses like a
    loop or has more words a second than anyone says. Unlike :func:`looks_looping`, a word said
    several times in a row ("uh uh uh uh uh uh") is not enough on its own.

    >>> runs_away(" ".join(["uh"] * 60), 3.0), runs_away("montreal uh uh uh uh uh uh forced aligner", 3.0)
    (True, False)
    """
    o = options or LoopOptions()
    words = _words(text)
    if len(words) < o.min_words:
        return False
    return (compression_ratio(" ".join(words)) > o.max_compression_ratio
            or (clip_s > 0 and len(words) / clip_s > o.max_words_per_s))


def repeated_runs(words: list[str], *, max_repeats: int = 4, max_n: int = 3) -> list[bool]:
    """Which of ``words`` to keep when a run of one word or phrase (up to ``max_n`` words) comes
    back more than ``max_repeats`` times in a row: the run's first time stays, the rest is a loop.
    Words are compared as :func:`looks_looping` reads them (case and punctuation aside).

    >>> w = "Montreal, uh, uh, uh, uh, uh, uh, uh. You know".split()
    >>> [x for x, k in zip(w, repeated_runs(w)) if k]
    ['Montreal,', 'uh,', 'You', 'know']
    >>> w = "montreal uh uh uh uh uh uh uh you know".split()
    >>> [x for x, k in zip(w, repeated_runs(w)) if k]
    ['montreal', 'uh', 'you', 'know']
    >>> w = "i mean i mean i mean i mean i mean i mean so".split()
    >>> [x for x, k in zip(w, repeated_runs(w)) if k]
    ['i', 'mean', 'so']
    >>> all(repeated_runs("no no no and uh uh fine".split()))
    True
    """
    words = ["".join(_words(w)) for w in words]
    keep = [True] * len(words)
    i = 0
    while i < len(words):
        for n in range(1, max_n + 1):
            gram = words[i : i + n]
            if len(gram) < n:
                break
            j = i + n
            while words[j : j + n] == gram:
                j += n
            if (j - i) // n > max_repeats:
                for k in range(i + n, j):
                    keep[k] = False
                i = j - 1
                break
        i += 1
    return keep


def looks_sparse(text: str, voiced_s: float, options: LoopOptions | None = None) -> bool:
    """Whether a clip with ``voiced_s`` seconds of sound got far fewer words than that holds."""
    o = options or LoopOptions()
    return voiced_s >= o.min_voiced_s and len(_words(text)) < o.min_words_per_voiced_s * voiced_s


def needs_second_look(text: str, clip_s: float, voiced_s: float, options: LoopOptions | None = None) -> bool:
    """A loop or skipped speech, from the text alone: the clip is worth decoding again in parts.
    (Speech the words leave bare needs the audio: ``transcribe.whisper`` checks it after these.)"""
    return looks_looping(text, clip_s, options) or looks_sparse(text, voiced_s, options)


def without_repeats(seg, options: LoopOptions):
    """``seg`` with a word or phrase that comes back more than ``max_ngram_repeats`` times in a
    row cut to its first time (:func:`repeated_runs`): the loop left when no decoding
    escaped it is not what was said."""
    words = list(seg.words or [])
    keep = repeated_runs([w.word for w in words], max_repeats=options.max_ngram_repeats)
    if all(keep):
        return seg
    kept = [w for w, k in zip(words, keep) if k]
    return dataclasses.replace(seg, words=kept, text="".join(w.word for w in kept))
