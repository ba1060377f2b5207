"""The mistakes the seed guides say to avoid, found in an analysed answer.

denying_mistakes, blaming_others, making_excuses, minimising_harm, trivial_example,
dwelling_on_negative, no_learning and low_ownership, each with one plain sentence in the guides' terms and the words that show it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..results import ActionClauses, Pitfall, Signal, Word, clock
from .accountability import count_agents_rules
from .lexicon import find_all, load_lexicon
from .sentences import Span

if TYPE_CHECKING:
    from .options import ContentOptions


def signal_evidence(sig: Signal) -> str:
    """``at 0:41: 'the QA team should have caught it'``."""
    return f"at {clock(sig.start_s)}: '{sig.text}'"


def first_signal(signals: Sequence[Signal], kind: str) -> Signal | None:
    return next((s for s in signals if s.kind == kind), None)


def detect_pitfalls(
    words: Sequence[Word],
    spans: Sequence[Span],
    labels: Sequence[str | None],
    durations: Sequence[float],
    signals: Sequence[Signal],
    ratio: float | None,
    counts: ActionClauses,
    opts: ContentOptions,
    *,
    mistake_question: bool = True,
) -> list[Pitfall]:
    """The seeds' mistakes to avoid, each with a message and the words that show it.

    ``ratio`` and ``counts`` are the ownership figures with blamed people's clauses left out
    (blame has its own pitfall). ``mistake_question`` False skips the pitfalls that only make
    sense for a question about a mistake (denial, trivial example, no lesson).
    """
    lex = load_lexicon()
    out: list[Pitfall] = []
    kinds = {s.kind for s in signals}

    def at(span: Span, s: int | None = None) -> tuple[str, float]:
        """Evidence quoting ``span`` and the time of the word at character ``s`` (its start)."""
        w = words[span.word_at(s) if s is not None else span.start]
        text = " ".join(x.text.strip() for x in words[span.start : span.end][:16]).rstrip(".!?,")
        return f"at {clock(w.start_s)}: '{text}'", w.start_s

    def said(kind: str) -> tuple[str, float | None]:
        sig = first_signal(signals, kind)
        return signal_evidence(sig), sig.start_s

    if mistake_question and "denial" in kinds:
        out.append(Pitfall("denying_mistakes",
                           "You said you can't think of a mistake: interviewers hear a lack of self-awareness and honesty. Pick a real one and own it.",
                           *said("denial")))
    if "blame" in kinds:
        out.append(Pitfall("blaming_others",
                           "You put the cause on other people: take full ownership of your part instead of shifting responsibility.",
                           *said("blame")))
    if "excuse" in kinds:
        out.append(Pitfall("making_excuses",
                           "You explain the mistake away with circumstances (busy, new, a tight deadline): name them once at most, then own what you did.",
                           *said("excuse")))
    if "minimising" in kinds:
        out.append(Pitfall("minimising_harm",
                           "You play the harm down ('no big deal', 'nobody noticed'): say plainly what it cost others, then what you did about it.",
                           *said("minimising")))
    if mistake_question:
        stakes = sum(len(find_all(lex.cues["stakes"], s.norm)) for s in spans)
        trivial = [(s, m) for s in spans for m in find_all(lex.cues["trivial"], s.norm)]
        if trivial and stakes <= opts.trivial_max_stakes:
            span, (a, _) = trivial[0]
            out.append(Pitfall("trivial_example",
                               "The example has no real stakes: choose a mistake that mattered and shows a genuine learning opportunity.",
                               *at(span, a)))
    negative = [i for i, s in enumerate(spans) if find_all(lex.cues["negative"], s.norm)]
    neg_s = sum(durations[i] for i in negative)
    pos_s = sum(d for i, (d, lab) in enumerate(zip(durations, labels)) if lab in ("action", "result") and i not in negative)
    if len(negative) >= opts.dwell_min_sentences and neg_s >= opts.dwell_ratio * pos_s:
        out.append(Pitfall("dwelling_on_negative",
                           f"You spend {neg_s:.0f} s on the damage and how bad it felt and {pos_s:.0f} s on what you did and learned: acknowledge it briefly, then shift to action and learning.",
                           *at(spans[negative[0]])))
    n_words = sum(len(s.norm.split()) for s in spans)
    if mistake_question and n_words >= opts.min_words_to_judge and not ({"learning", "prevention"} & kinds):
        out.append(Pitfall("no_learning",
                           "You never say what you learned: without a clear lesson and how you apply it now, the answer falls flat.",
                           *at(spans[-1])))
    # An explicit "my mistake" earns some slack: "we" for the team's fix is then fine, unless
    # hardly any action is the person's own.
    low = (
        ratio is not None
        and counts.total >= opts.min_action_clauses
        and ratio < opts.low_ownership_ratio
        and ("ownership" not in kinds or ratio < opts.low_ownership_ratio_owned)
    )
    # "Mistakes were made": the mistake itself told with no doer, and never owned elsewhere.
    hidden = [sp for sp in spans if find_all(lex.cues["agentless_mistake"], sp.norm)]
    if low or (hidden and "ownership" not in kinds and "denial" not in kinds):
        passive_span = hidden[0] if hidden else next((s for s in spans if count_agents_rules(s.norm).passive), None)
        ev = at(passive_span) if passive_span is not None else at(spans[0])
        share = f"{ratio:.0%}" if ratio is not None else "none"
        out.append(Pitfall("low_ownership",
                           f"Few actions are told with 'I' as the doer ({share}): say 'I made', 'I should have', 'I fixed' rather than 'we' or 'mistakes were made'.",
                           *ev))
    return out
