"""Sentences from timed words: split where speech ends a thought, not only at full stops.

Whisper attaches punctuation to words ("it.", "Um,") and may leave it out or put it in the wrong
place, so three kinds of boundary are combined: sentence-final punctuation, a long pause between
words, and, inside long runs, the discourse cues that open a new thought in spoken answers
("so I", "after that", "since then", "my task was", ...).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..results import Word

_STRIP = re.compile(r"[^\w']+")
_FINAL = re.compile(r"[.?!…]+[\"')\]]*$")
# Abbreviations that end in a full stop but do not end a sentence.
_ABBREV = frozenset({"mr.", "mrs.", "ms.", "dr.", "e.g.", "i.e.", "etc.", "vs.", "st.", "jr.", "sr.", "u.s."})

# Openers of a new thought in speech. Checked only inside runs that are already long, and only
# where both pieces keep at least ``min_words`` words, so "so" inside "so much" cannot split a
# short sentence. Order does not matter: the earliest position wins.
BOUNDARY_CUES = tuple(
    c.split()
    for c in (
        "so i", "so we", "so then", "and then i", "then i", "after that", "afterwards", "since then",
        "from then on", "ever since", "one day", "one morning", "as a result", "in the end", "eventually",
        "my task", "my job was", "my role was", "my goal", "my responsibility was", "the goal was",
        "my objective", "i learned", "i learnt", "what i learned", "that taught me", "this taught me",
        "it taught me", "the lesson", "looking back", "now i", "these days", "going forward", "but i",
        "as soon as", "the next day", "the next morning", "luckily", "thankfully", "the result",
        "the outcome", "i immediately", "i realized", "i realised", "we were able", "i apologized",
        "i apologised", "i told", "i called", "i fixed", "i also", "i then", "i had to", "i needed to",
        "that experience", "this experience", "when i", "when we", "when my", "when our", "when the",
        "i was responsible",
        "i was working", "i worked as", "when i realized", "when i realised", "i went", "i set up",
        "i created", "i made sure", "i make sure", "i always", "i owned", "i took", "i offered",
        "honestly", "to be honest", "but honestly", "i felt", "i was so", "it was a", "it was the",
        "they should", "he should", "she should", "nobody", "no one", "it wasn't",
    )
)
# The cues by their first word: a position is checked only against the cues that can start there.
_CUES_BY_FIRST: dict[str, tuple[list[str], ...]] = {}
for _c in BOUNDARY_CUES:
    _CUES_BY_FIRST[_c[0]] = (*_CUES_BY_FIRST.get(_c[0], ()), _c)
# Second choice, for runs with no cue: a subject pronoun opening a new clause ("... from the
# backup | I stayed late ..."), unless the word before it joins the two ("and I", "said I", "to it").
_SUBJECTS = frozenset({"i", "we", "they", "he", "she", "everything", "everyone", "nobody"})
_JOINERS = frozenset(
    "and but or so that when because if as after before while since until then what how why where who which "
    "whether than though although unless once said told thought think realized realised knew know felt feel "
    "guess mean saw noticed hoped wished decided to of for with at in on from by about into did made let gave "
    "asked helped make have had was is were be like the a an my our".split()
)


def normalise_token(text: str) -> str:
    """Lower case, curly apostrophes straightened, punctuation and hyphens dropped ("Re-ran," -> "re ran")."""
    t = text.lower().replace("’", "'").replace("‘", "'").replace("-", " ")
    return " ".join(p.strip("'") for p in _STRIP.split(t) if p.strip("'"))


@dataclass(frozen=True)
class Span:
    """A sentence as word indices ``[start, end)`` plus its normalised text.

    ``offsets[k]`` is the character offset in ``norm`` of normalised token ``k``, and
    ``token_word[k]`` the index (into the full word list) it came from, so a regex match on the
    normalised text maps back to the person's own words and their times.
    """

    start: int
    end: int
    norm: str
    offsets: tuple[int, ...]
    token_word: tuple[int, ...]

    def word_at(self, char: int) -> int:
        """The word index of the normalised token covering character ``char``."""
        k = 0
        for i, off in enumerate(self.offsets):
            if off <= char:
                k = i
            else:
                break
        return self.token_word[k] if self.token_word else self.start


def make_span(words: Sequence[Word], start: int, end: int, fillers: frozenset[str]) -> Span:
    """Normalise words ``[start, end)``, dropping hesitation fillers, and keep the word map."""
    parts: list[str] = []
    offsets: list[int] = []
    token_word: list[int] = []
    pos = 0
    for i in range(start, end):
        for tok in normalise_token(words[i].text).split():
            if tok in fillers:
                continue
            offsets.append(pos)
            token_word.append(i)
            parts.append(tok)
            pos += len(tok) + 1
    return Span(start, end, " ".join(parts), tuple(offsets), tuple(token_word))


def _ends_sentence(text: str) -> bool:
    t = text.strip().lower()
    return bool(_FINAL.search(t)) and t not in _ABBREV and not re.fullmatch(r"\d+\.\d*", t)


def split_sentences(
    words: Sequence[Word],
    *,
    fillers: frozenset[str],
    pause_s: float = 0.8,
    long_words: int = 14,
    min_words: int = 4,
) -> list[Span]:
    """Split timed words into sentence spans.

    Parameters
    ----------
    words : sequence of Word
        Whisper words in time order; punctuation may be attached, missing or wrong.
    fillers : frozenset of str
        Hesitation fillers ignored when matching cues.
    pause_s : float
        A silence at least this long (seconds) between two words ends a sentence.
    long_words : int
        Runs longer than this many words are split again at discourse cues.
    min_words : int
        No cue split leaves a piece shorter than this many words.

    Returns
    -------
    list of Span
        Covering every word once, in order. Empty input gives an empty list.
    """
    if not words:
        return []
    cuts = [0]
    for i in range(len(words) - 1):
        gap = words[i + 1].start_s - words[i].end_s
        if _ends_sentence(words[i].text) or gap >= pause_s:
            cuts.append(i + 1)
    cuts.append(len(words))
    spans: list[Span] = []
    for a, b in zip(cuts, cuts[1:]):
        if b <= a:
            continue
        # A run that ends in a full stop was punctuated by Whisper: trust it more, and cut it
        # only when it is very long (a run-on sentence), not at every "and now".
        limit = long_words * 2 if _ends_sentence(words[b - 1].text) else long_words
        for s, e in _split_run(words, a, b, fillers, limit, min_words):
            spans.append(make_span(words, s, e, fillers))
    return [s for s in spans if s.end > s.start]


def _split_run(words, a, b, fillers, long_words, min_words):
    """Recursively cut a long run before discourse cues until every piece is short or cue-less."""
    if b - a <= long_words:
        return [(a, b)]
    # Normalised tokens with the word each came from (fillers dropped, so "so um I" still cues).
    toks: list[tuple[str, int]] = []
    for i in range(a, b):
        for t in normalise_token(words[i].text).split():
            if t not in fillers:
                toks.append((t, i))
    words_only = [t for t, _ in toks]

    def cue_at(k: int) -> bool:
        return any(words_only[k : k + len(c)] == c for c in _CUES_BY_FIRST.get(words_only[k], ()))

    middle = (a + b) / 2
    best = fallback = None
    for k in range(1, len(toks)):
        i = toks[k][1]
        if i - a < min_words or b - i < min_words or toks[k - 1][1] == i:
            continue
        # "since then I": the cue is "since then", so no cut between "since" and "then I".
        if cue_at(k) and not cue_at(k - 1):
            # Prefer the cue nearest the middle: balanced pieces recurse fewer times.
            if best is None or abs(i - middle) < abs(best - middle):
                best = i
        elif words_only[k] in _SUBJECTS and words_only[k - 1] not in _JOINERS:
            if fallback is None or abs(i - middle) < abs(fallback - middle):
                fallback = i
    # A hesitation ("um", "uh") mid-run often opens the next thought: as good as a cue.
    for i in range(a + min_words, b - min_words + 1):
        if normalise_token(words[i].text) in fillers and (best is None or abs(i - middle) < abs(best - middle)):
            best = i
    best = best if best is not None else fallback
    if best is None:
        return [(a, b)]
    return _split_run(words, a, best, fillers, long_words, min_words) + _split_run(
        words, best, b, fillers, long_words, min_words
    )
