"""What to say instead: for each pitfall and each missing STAR part, one concrete suggestion.

Each :class:`~mockmic.results.Suggestion` quotes the person's own sentence (the one that shows
the pitfall, or the one a missing part belongs before or after) with its time, says what an
interviewer hears in the seed guides' terms, and shows the shape of a better sentence. The
shapes are data (``suggestions.toml``); where a clause of the person's sentence can carry the
better sentence it is reused ("the QA team should have caught it" becomes "I should have
caught it myself; that was mine ..."), and everything only the person knows is a
``[placeholder]``. Nothing else is added: no fact they did not say.

Pure: a :class:`~mockmic.results.ContentAnalysis` in, a tuple of suggestions out.

Example
-------
>>> from mockmic.content import analyze_content, words_from_text
>>> c = analyze_content(words_from_text("I sent the wrong file to a client. Honestly the QA team "
...                                     "should have caught it. I fixed it the next day."))
>>> s = next(s for s in c.suggestions if s.for_ == "blaming_others")
>>> s.quote
'Honestly the QA team should have caught it.'
>>> s.try_
'I should have caught it myself; that was mine. Now I [what you do differently].'
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from functools import lru_cache
from importlib import resources

from ..results import STAR_PARTS, ContentAnalysis, Sentence, Suggestion
from .sentences import normalise_token

SUGGESTIONS_FILE = "suggestions.toml"
# Order of suggestions quoting the same sentence: the most serious first (as the feedback ranks).
KIND_ORDER = (
    "denying_mistakes", "blaming_others", "making_excuses", "minimising_harm", "low_ownership",
    "trivial_example", "dwelling_on_negative", "no_learning",
    "missing_result", "missing_action", "missing_situation", "missing_task",
)

# Clause edges: after a word ending in , ; : (or a full stop), or before a joining word.
_JOINS = frozenset({"and", "but", "so", "because", "although", "though", "while", "which", "cause"})
_EDGE_PUNCT = re.compile(r"[,;:.!?…]+$")
# Words that open an answer's sentence without adding to it ("Um, so honestly ...").
_OPENERS = frozenset({"um", "uh", "er", "erm", "hmm", "so", "and", "well", "honestly", "like", "yeah", "okay", "ok",
                      "basically", "then", "but"})
# After "I"/"we": a state or an opinion, not something done ("I was rushed", "we had no time").
_STATES = frozenset(
    "was were am is are had have has felt feel think thought guess mean know knew wanted want hoped wish "
    "didn't did couldn't can't wasn't weren't would could might kind sort".split()
)
_ADVERBS = frozenset("just really also then immediately quickly actually honestly basically still first finally".split())
# Negated actions are still actions the person took or skipped: "I didn't check" is owning.
_NEGATED_ACTIONS = frozenset({"didn't", "did", "never"})
_OBJECT_PRONOUNS = frozenset({"me", "us", "my", "our", "i", "we", "myself", "ourselves", "mine"})
# Past participles that are also the simple past, so "the file was sent" can become "I sent the file".
_SAFE_PARTICIPLES = frozenset(
    "sent made lost left built kept paid sold told put set cut hit caught brought held found bought spent "
    "read missed".split()
)
_NOT_DEEDS = frozenset({"supposed", "used", "based", "tasked", "asked", "assigned", "expected", "needed", "required",
                        "allowed", "scheduled", "booked", "named", "called"})
_DETERMINERS = frozenset({"the", "a", "an", "my", "our", "that", "this", "those", "these", "some", "their", "his", "her"})
_MISTAKE_NOUNS = frozenset({"mistakes", "errors", "a mistake", "an error", "some mistakes", "a few mistakes",
                            "mistakes and errors", "oversights", "an oversight"})


@lru_cache(maxsize=1)
def load_templates() -> dict[str, dict[str, str]]:
    """The packaged shapes, one table per kind (read once per process)."""
    text = resources.files("mockmic.content").joinpath(SUGGESTIONS_FILE).read_text(encoding="utf-8")
    return tomllib.loads(text)


# --- the person's sentence, in clauses ----------------------------------------------------


def _tokens(text: str) -> list[str]:
    return [t for t in text.split() if t.strip()]


def _bare(token: str) -> str:
    return normalise_token(token)


def _clauses(text: str) -> list[list[str]]:
    """The sentence's words split into clauses, each as the person's own tokens (edge punctuation dropped)."""
    out: list[list[str]] = [[]]
    for tok in _tokens(text):
        if _bare(tok) in _JOINS and out[-1]:
            out.append([])
        out[-1].append(tok)
        if _EDGE_PUNCT.search(tok):
            out.append([])
    clean = []
    for c in out:
        words = [t.strip("\"'()") for t in c]
        words = [_EDGE_PUNCT.sub("", t) for t in words]
        words = [t for t in words if t]
        if words:
            clean.append(words)
    return clean


def _strip_openers(words: list[str]) -> list[str]:
    k = 0
    while k < len(words) and _bare(words[k]) in _OPENERS:
        k += 1
    return words[k:]


def _join(words: list[str]) -> str:
    return " ".join(words)


def _doer_clauses(text: str, doer: str) -> list[list[str]]:
    """Runs of the person's words that start at ``doer`` ("i" or "we") and do something, to a clause's end."""
    out = []
    for clause in _clauses(text):
        bare = [_bare(t) for t in clause]
        for k, b in enumerate(bare[:-1]):
            if b != doer:
                continue
            v = k + 1
            while v < len(bare) - 1 and bare[v] in _ADVERBS:
                v += 1
            verb = bare[v]
            if verb in _ADVERBS or (verb in _STATES and not (verb in _NEGATED_ACTIONS and v + 1 < len(bare))):
                continue
            out.append(clause[k:])
    return out


# --- shapes built from the person's words ---------------------------------------------------


def _blame_clause(text: str) -> str | None:
    """"the QA team should have caught it" -> "should have caught it" (told of someone else, not of me)."""
    for clause in _clauses(text):
        bare = [_bare(t) for t in clause]
        for k in range(1, len(bare) - 2):
            if bare[k] == "should" and bare[k + 1] == "have" and bare[k - 1] not in ("i", "we"):
                rest = clause[k + 2:]
                if rest and not ({_bare(t) for t in rest} & _OBJECT_PRONOUNS):
                    return _join(["should", "have", *rest])
    return None


def _excuse_clause(text: str, excuse_patterns) -> str | None:
    """The deed inside an excuse: "I was so rushed that I didn't check the numbers" -> "I didn't check the numbers"."""
    for run in _doer_clauses(text, "i"):
        norm = normalise_token(_join(run))
        if any(p.search(norm) for p in excuse_patterns):
            continue
        return _join(["I", *run[1:]])
    return None


def _we_clause(text: str) -> str | None:
    """"we rolled the change back" -> "rolled the change back" (for "I rolled the change back")."""
    runs = _doer_clauses(text, "we")
    return _join(runs[0][1:]) if runs else None


def _passive_clause(text: str) -> str | None:
    """"In May the invoice was sent to the wrong client" -> "In May I sent the invoice to the wrong client"."""
    for clause in _clauses(text):
        bare = [_bare(t) for t in clause]
        for k in range(1, len(bare) - 1):
            if bare[k] not in ("was", "were", "got") or bare[k - 1] in ("i", "we", "it", "there", "that", "this"):
                continue
            part = bare[k + 1]
            if part in _NOT_DEEDS or not (part in _SAFE_PARTICIPLES or (part.endswith("ed") and len(part) > 4)):
                continue
            # The subject: from the nearest determiner before the verb, else the one word before it.
            start = next((j for j in range(k - 1, max(-1, k - 5), -1) if bare[j] in _DETERMINERS), k - 1)
            before, subject, rest = _strip_openers(clause[:start]), clause[start:k], clause[k + 2:]
            if rest and _bare(rest[0]) == "by" and not (len(rest) > 1 and _bare(rest[1]) in ("accident", "mistake")):
                continue  # done by someone named: that is blame's business, not a deed of mine
            if " ".join(_bare(t) for t in subject) in _MISTAKE_NOUNS:
                return _join([*before, "I", "made", "[which mistake]", *rest])
            if _bare(subject[0]) in _DETERMINERS:
                subject = [subject[0].lower(), *subject[1:]]
            if before:
                before = [before[0][:1].upper() + before[0][1:], *before[1:]]
            return _join([*before, "I", clause[k + 1], *subject, *rest])
    return None


def _dwell_clause(text: str) -> str | None:
    """The first clause of a sentence about the damage, if it is short: the brief acknowledgement."""
    clauses = _clauses(text)
    words = _strip_openers(clauses[0]) if clauses else []
    if not 3 <= len(words) <= 10:
        return None
    return _join([words[0][:1].upper() + words[0][1:], *words[1:]])


def _opening_clause(text: str) -> str | None:
    """A first sentence told as "I ...": it can follow the scene ("In my [role] at [where], I ...")."""
    words = _strip_openers(_tokens(text))
    if not words or _bare(words[0]) != "i" or len(words) > 16:
        return None
    return _EDGE_PUNCT.sub("", _join(words))


# --- which sentence, and the suggestion --------------------------------------------------


def _sentence_at(sentences: tuple[Sentence, ...], t_s: float | None) -> Sentence | None:
    """The sentence holding the word that starts at ``t_s``: the last one to start by then.

    Sentences abut (one word ends a few ms before the next begins), so matching on both edges
    with a tolerance would pick the sentence before when the words are the first of theirs.
    """
    if t_s is None:
        return None
    started = [s for s in sentences if s.start_s <= t_s + 0.01]  # times are rounded to 10 ms
    return started[-1] if started else sentences[0]


def _missing_part_place(part: str, sentences: tuple[Sentence, ...]) -> tuple[Sentence, str]:
    """The sentence a missing part belongs next to, and whether it goes "before" or "after" it."""
    story = [s for s in sentences if s.star is not None] or list(sentences)
    if part == "situation":
        return story[0], "before"
    if part == "task":
        later = next((s for s in story if s.star in ("action", "result")), None)
        if later is not None:
            return later, "before"
        return story[-1], "after"
    if part == "action":
        result = next((s for s in story if s.star == "result"), None)
        return (result, "before") if result is not None else (story[-1], "after")
    return story[-1], "after"


def _shape(kind: str, sentence: Sentence, excuse_patterns) -> str:
    t = load_templates()[kind]
    text = sentence.text
    clause, key = None, "grounded"
    if kind == "blaming_others":
        clause = _blame_clause(text)
    elif kind == "making_excuses":
        clause = _excuse_clause(text, excuse_patterns)
    elif kind == "low_ownership":
        clause = _we_clause(text)
        if clause is None:
            clause, key = _passive_clause(text), "grounded_passive"
    elif kind == "dwelling_on_negative":
        clause = _dwell_clause(text)
    elif kind == "missing_situation":
        clause = _opening_clause(text)
    if clause and key in t:
        return t[key].format(clause=clause)
    return t["try"]


def _excuse_patterns():
    from .lexicon import load_lexicon

    return load_lexicon().signals.get("excuse", ())


def suggest(content: ContentAnalysis) -> tuple[Suggestion, ...]:
    """One suggestion per pitfall and per missing STAR part, in the order of the sentences they quote.

    A missing part is not suggested when the answer denies any mistake (no story was told: the
    denial's suggestion says what to tell), and "no lesson" is left to the missing Result when
    there is no Result (its shape holds the lesson), as the feedback does.

    Returns
    -------
    tuple of Suggestion
        ``for_`` is the pitfall kind or ``missing_<part>``; ``quote`` the person's sentence,
        word for word, and ``start_s`` its start; ``why`` and ``try_`` from ``suggestions.toml``.
    """
    sentences = content.sentences
    if not sentences:
        return ()
    templates = load_templates()
    kinds = {p.kind for p in content.pitfalls}
    excuse_patterns = _excuse_patterns() if "making_excuses" in kinds else ()
    found: dict[str, Suggestion] = {}
    for p in content.pitfalls:
        if p.kind not in templates or p.kind in found:
            continue
        if p.kind == "no_learning" and not content.star.result.present:
            continue
        default = sentences[-1] if p.kind == "no_learning" else sentences[0]
        s = _sentence_at(sentences, p.start_s) or default
        found[p.kind] = Suggestion(p.kind, s.text, s.start_s, templates[p.kind]["why"],
                                   _shape(p.kind, s, excuse_patterns))
    if "denying_mistakes" not in kinds:
        for part in STAR_PARTS:
            if getattr(content.star, part).present:
                continue
            kind = f"missing_{part}"
            s, where = _missing_part_place(part, sentences)
            why = f"{templates[kind]['why']} Say it {where} this sentence."
            found[kind] = Suggestion(kind, s.text, s.start_s, why, _shape(kind, s, ()))
    order = {k: i for i, k in enumerate(KIND_ORDER)}
    return tuple(sorted(found.values(), key=lambda g: (g.start_s if g.start_s is not None else float("inf"),
                                                        order.get(g.for_, len(order)))))


def with_suggestions(content: ContentAnalysis) -> ContentAnalysis:
    """``content`` with its :func:`suggest` suggestions."""
    return replace(content, suggestions=suggest(content))
