"""Accountability: who the person says did what, and the signals the seeds listen for.

Signals come from the phrase lexicon (ownership, blame, excuse, denial, minimising, apology,
amends, learning, prevention), each quoted in the person's own words with its time. The
ownership ratio is the share of action clauses told with "I" as the doer, against "we", other
people, and agentless passives ("mistakes were made"); it is counted with rules or, when asked,
from a spaCy dependency parse (see :mod:`.spacy_parser`).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..results import Accountability, ActionClauses, Signal, Word
from .lexicon import Lexicon, find_all
from .sentences import Span

SIGNAL_KINDS = ("ownership", "blame", "excuse", "denial", "minimising", "apology", "amends", "learning", "prevention")
# These kinds credit the person, so "it wasn't my fault" must not count as owning "my fault".
_NEGATABLE = frozenset({"ownership", "apology", "amends", "learning"})
_NEGATORS = frozenset({"not", "wasn't", "isn't", "never", "no", "didn't", "don't", "hardly", "weren't"})

# Verbs after "I"/"we" that report a state or an opinion, not something done.
_NOT_ACTIONS = frozenset(
    "was am m 'm were are is be been being think thought guess mean feel felt like liked love loved know knew "
    "hope believe suppose wish want wanted would d will ll can could might may must really just actually "
    "also still kind sort".split()
)
_ADVERBS = frozenset("immediately then also quickly just really actually first finally later swiftly personally "
                     "proactively eventually always never still never even only honestly basically".split())
_OTHERS = frozenset({"they", "he", "she"})
_OTHER_NOUNS = frozenset(
    "team manager boss lead client customer colleague coworker developer developers engineer intern vendor "
    "supplier department designer tester testers analyst contractor person guy director qa ops".split()
)
_BE = frozenset({"was", "were", "got", "been", "is", "are", "be", "get", "gets", "wasn't", "weren't"})
# "-ed" words after "was" that describe a state, not an action done to something.
_STATE_ED = frozenset(
    "tired stressed rushed supposed used excited interested worried surprised frustrated overwhelmed involved "
    "based located concerned scared embarrassed annoyed relieved pleased shocked impressed exhausted distracted "
    "ashamed mortified devastated confused motivated tasked asked assigned expected needed required allowed "
    "scheduled booked qualified prepared determined disappointed upset named called".split()
)
_IRREGULAR_PARTICIPLES = frozenset(
    "made sent done given taken lost forgotten broken shipped missed overlooked dropped left put shown told "
    "written run hit caught built set sold paid kept held brought".split()
)


def _is_participle(tok: str) -> bool:
    return tok in _IRREGULAR_PARTICIPLES or (tok.endswith("ed") and len(tok) > 4 and tok not in _STATE_ED)


def count_agents_rules(norm: str) -> ActionClauses:
    """Count action clauses by doer in one normalised sentence, with word-order rules."""
    toks = norm.split()
    i = we = others = passive = 0
    for k, t in enumerate(toks):
        nxt = k + 1
        while nxt < len(toks) and toks[nxt] in _ADVERBS:
            nxt += 1
        verb = toks[nxt] if nxt < len(toks) else ""
        if t in ("i", "we") or t in _OTHERS:
            if not verb or verb in _NOT_ACTIONS or verb in _BE:
                continue
            if t == "i":
                i += 1
            elif t == "we":
                we += 1
            else:
                others += 1
        elif t in _OTHER_NOUNS and k > 0 and toks[k - 1] in ("the", "my", "our", "their", "a") and verb:
            if verb not in _NOT_ACTIONS and verb not in _BE and (verb.endswith("ed") or verb in (
                    "should", "didn't", "never", "forgot", "sent", "gave", "made", "told", "missed")):
                # "our team shipped" is the speaker's own group: a "we" told in other words.
                if toks[k - 1] == "our":
                    we += 1
                else:
                    others += 1
        elif t in _BE and verb and _is_participle(verb) and k > 0 and toks[k - 1] not in ("i", "we"):
            after = toks[nxt + 1] if nxt + 1 < len(toks) else ""
            if after == "by":
                others += 1
            else:
                passive += 1
    return ActionClauses(i, we, others, passive)


def quote(words: Sequence[Word], span: Span, first: int, last: int, *, max_words: int = 14) -> str:
    """The person's words around ``first..last`` (word indices), whole sentence when short."""
    if span.end - span.start <= max_words:
        a, b = span.start, span.end
    else:
        # The clause around the match: back to the last comma (at most 8 words), on to the
        # next comma or max_words, so the quote reads as something the person said.
        a = first
        while a > span.start and first - a < 8 and not words[a - 1].text.rstrip().endswith((",", ";", ":")):
            a -= 1
        b = min(span.end, max(last + 1, a + max_words))
        for k in range(max(last, a + 5), b - 1):
            if words[k].text.rstrip().endswith((",", ";", ":")):
                b = k + 1
                break
    text = " ".join(w.text.strip() for w in words[a:b])
    return text.strip(" ,;:-\"'").rstrip(".!?").strip()


def find_signals(words: Sequence[Word], spans: Sequence[Span], lex: Lexicon) -> list[Signal]:
    """Every accountability signal in the answer, in time order, quoted with its time."""
    out: list[tuple[float, int, Signal]] = []
    for span in spans:
        toks = span.norm.split()
        kinds_here: dict[str, list[tuple[int, int]]] = {}
        for kind in SIGNAL_KINDS:
            for s, e in find_all(lex.signals[kind], span.norm):
                if kind in _NEGATABLE:
                    k = span.norm[:s].count(" ")
                    if any(t in _NEGATORS for t in toks[max(0, k - 2) : k]):
                        continue
                kinds_here.setdefault(kind, []).append((s, e))
        # "Because I was rushed" told as the lesson ("I learned to ask for help when rushed")
        # is insight, not an excuse.
        if "excuse" in kinds_here and ("learning" in kinds_here or "prevention" in kinds_here):
            del kinds_here["excuse"]
        quoted: set[tuple[str, str]] = set()  # two phrases of one clause are one signal, quoted once
        for kind, matches in kinds_here.items():
            for s, e in matches:
                first, last = span.word_at(s), span.word_at(max(s, e - 1))
                text = quote(words, span, first, last)
                if (kind, text) in quoted:
                    continue
                quoted.add((kind, text))
                out.append((words[first].start_s, SIGNAL_KINDS.index(kind), Signal(kind, text, round(words[first].start_s, 2))))
    out.sort(key=lambda x: (x[0], x[1]))
    return [s for _, _, s in out]


def ownership_ratio(counts: ActionClauses) -> float | None:
    """Share of action clauses with "I" as the doer; None when the answer has no action clause."""
    return round(counts.i / counts.total, 3) if counts.total else None


def accountability_score(signals: Sequence[Signal], ratio: float | None) -> int:
    """0..100: owning, fixing, learning and preventing earn; blaming, denying, excusing and minimising cost.

    Starts at 40 (an answer that says nothing either way), then ownership +14 (+6 for a second
    statement), apology +6, amends +10, learning +12, prevention +10; each blame -20 (at most
    -40), denial -40, each excuse -8 (at most -16), each minimising -10 (at most -20). The
    ownership ratio moves the result by up to 10 either way around one half.
    """
    n = {k: sum(1 for s in signals if s.kind == k) for k in SIGNAL_KINDS}
    score = 40.0
    score += 14 * (n["ownership"] > 0) + 6 * (n["ownership"] > 1)
    score += 6 * (n["apology"] > 0) + 10 * (n["amends"] > 0) + 12 * (n["learning"] > 0) + 10 * (n["prevention"] > 0)
    score -= min(40, 20 * n["blame"]) + 40 * (n["denial"] > 0) + min(16, 8 * n["excuse"]) + min(20, 10 * n["minimising"])
    if ratio is not None:
        score += 20 * (ratio - 0.5)
    return int(round(max(0.0, min(100.0, score))))


def build_accountability(signals: Sequence[Signal], counts: ActionClauses) -> Accountability:
    ratio = ownership_ratio(counts)
    return Accountability(score=accountability_score(signals, ratio), ownership_ratio=ratio, signals=tuple(signals))
