"""Filler words as data: hesitation spellings and the context words the lexical rules consult.

Kept apart from the rules in :mod:`.fillers` so the lists can be read, reviewed and
extended without touching code.
"""

from __future__ import annotations

import re

# Hesitation spellings Whisper writes, with the family each belongs to. "um"-family ends in a
# nasal; "uh"-family is an open vowel ("er" and "ah" are British/other spellings of "uh").
HESITATION_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"u+h*m+", "um"),  # um, umm, uhm
    (r"e+r+m+", "um"),  # erm
    (r"m{2,}|h+m+|m+h+m+", "hmm"),  # mm, hmm, hm, mhm
    (r"u+h+", "uh"),  # uh, uhh
    (r"e+r+", "uh"),  # er, err
    (r"a+h+", "uh"),  # ah, ahh
    (r"e+h+", "uh"),  # eh
)
HESITATION_RE = re.compile(r"^(?:" + "|".join(p for p, _ in HESITATION_PATTERNS) + r")$")

# Lexical fillers and their multi-word forms, longest first so "you know" wins over "you".
LEXICAL_FILLERS: tuple[tuple[str, ...], ...] = (
    ("you", "know"),
    ("i", "mean"),
    ("sort", "of"),
    ("kind", "of"),
    ("kinda",),
    ("sorta",),
    ("yknow",),
    ("like",),
    ("basically",),
    ("actually",),
    ("literally",),
    ("so",),
    ("right",),
)

# Words after which "kind of" / "sort of" is a noun phrase ("a kind of bug"), not a hedge.
DETERMINERS = frozenset(
    "a an the this that these those what which whatever some any every each no another one "
    "same my your his her its our their different certain other such".split()
)

# Words after which "like" is the verb or the preposition, not a filler: "I like", "would
# like", "looks like", "feel like", "something like", "just like".
LIKE_NOT_FILLER_BEFORE = frozenset(
    "i you we they he she it people who to would could should might will do does did don't "
    "doesn't didn't not really also always still never would've i'd you'd we'd they'd "
    "look looks looked looking seem seems seemed sound sounds sounded feel feels felt "
    "feeling just something anything nothing things thing more less much exactly "
    "kind sort lot likes liked".split()
)

# "you know" is a real verb phrase after these: "do you know", "if you know", "as you know".
YOU_KNOW_NOT_FILLER_BEFORE = frozenset(
    "do did don't didn't if as what whether when how because that so cause now".split()
)

# "I mean" is a real verb phrase before these: "I mean it", "I mean that", "what I mean is".
I_MEAN_NOT_FILLER_BEFORE = frozenset("what that which".split())
I_MEAN_NOT_FILLER_AFTER = frozenset("it to that this".split())

# Sentence-initial discourse words that are fillers only at the start of a sentence.
SENTENCE_START_ONLY = frozenset({"so", "right"})

# Adverb fillers: filler when set off by commas or at a sentence edge ("Basically, ...").
ADVERB_FILLERS = frozenset({"basically", "actually", "literally"})


def normalise(token: str) -> str:
    """Lower-case a transcript token and strip punctuation and Whisper's leading hyphen."""
    return re.sub(r"[^a-z']", "", token.lower()).strip("'")


def hesitation_family(token: str) -> str | None:
    """The family ("um", "uh", "hmm") of a hesitation spelling, or None for other words.

    >>> hesitation_family("Umm,"), hesitation_family("er."), hesitation_family("her")
    ('um', 'uh', None)
    """
    norm = normalise(token)
    if not norm or not HESITATION_RE.match(norm):
        return None
    for pattern, family in HESITATION_PATTERNS:
        if re.fullmatch(pattern, norm):
            return family
    return None  # pragma: no cover - HESITATION_RE is the union of the patterns


# Role cues for fillers without commas (spoken transcripts often have none).
# Forms of "be" (and contractions) after which "like"/"basically"/"you know" is a filler:
# "it was like a really stressful week", "it was literally the worst", "it was you know ...".
BE_FORMS = frozenset("is was were are am be been being it's that's he's she's i'm they're we're there's".split())
# Subject pronouns: an adverb filler between a subject and its verb ("I basically rewrote it").
SUBJECTS = frozenset("i we you he she they".split())
# Words after which "like" introduces an approximation or intensifier, i.e. a filler:
# "like three days", "like a month", "like no documentation", "like super slow".
LIKE_FILLER_AFTER = frozenset(
    "a an no maybe super really very pretty totally so just almost about nobody everyone "
    "one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty "
    "forty fifty hundred thousand half".split()
)
