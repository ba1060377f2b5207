"""A coach's notes on the content: missing STAR parts, pitfalls, balance, and what went well."""

from __future__ import annotations

from ..results import ContentAnalysis, Feedback, clock
from .pitfalls import first_signal, signal_evidence
from .star import PARTS

_PITFALL_SEVERITY = {
    "denying_mistakes": "high", "blaming_others": "high", "no_learning": "high", "low_ownership": "medium",
    "trivial_example": "medium", "dwelling_on_negative": "medium", "making_excuses": "medium",
    "minimising_harm": "medium",
}


_PITFALL_AREA = {
    "denying_mistakes": "accountability", "blaming_others": "accountability", "low_ownership": "accountability",
    "no_learning": "structure", "trivial_example": "content", "dwelling_on_negative": "content",
    "making_excuses": "accountability", "minimising_harm": "accountability",
}


_MISSING = {
    "result": ("high", "Your answer has no Result: say what changed and what you learned, and how you apply it now."),
    "action": ("high", "Your answer has no Action: detail the specific steps you took to fix the mistake and limit its impact."),
    "situation": ("low", "Set the scene briefly first: where you were and what went wrong, in a sentence or two."),
    "task": ("low", "Say what your role or goal was, so the interviewer knows what was at stake for you."),
}


def content_feedback(content: ContentAnalysis) -> list[Feedback]:
    """A coach's notes on the content, most important first within this stage.

    Missing STAR parts and pitfalls come first, then balance (a long Situation), then what the
    answer did well. Evidence quotes the person's words with their time where there are words.
    """
    fb: list[Feedback] = []
    if not content.sentences:
        return fb
    star = content.star
    sentences = content.sentences
    pitfall_kinds = {p.kind for p in content.pitfalls}
    for part in ("result", "action", "situation", "task"):
        if getattr(star, part).present:
            continue
        if "denying_mistakes" in pitfall_kinds:
            continue  # no story was told: the denial note says what to do
        sev, msg = _MISSING[part]
        if part in ("result", "action"):
            last = sentences[-1]
            ev = f"the answer ends at {clock(last.end_s)} with: '{_short(last.text)}'"
            fb.append(Feedback("structure", sev, msg, ev, last.start_s))
        else:
            first = sentences[0]
            fb.append(Feedback("structure", sev, msg, f"the answer opens at {clock(first.start_s)} with: '{_short(first.text)}'", first.start_s))
    for p in content.pitfalls:
        if p.kind == "no_learning" and not star.result.present:
            continue  # the missing-Result note above says the same thing
        fb.append(Feedback(_PITFALL_AREA[p.kind], _PITFALL_SEVERITY[p.kind], p.message, p.evidence, p.start_s))
    if content.quality is not None:
        from .rank import MESSAGE, WEAK_BELOW

        if content.quality < WEAK_BELOW:
            fb.append(Feedback("content", "medium", MESSAGE,
                               f"the quality model puts this answer at {content.quality}/100 "
                               "(100: certainly strong, 0: certainly weak)", sentences[0].start_s))
    sit = star.situation
    if sit.present and "denying_mistakes" not in pitfall_kinds:
        first = next(s for s in sentences if s.star == "situation")
        if content.situation_stalling:
            fb.append(Feedback("structure", "medium",
                               f"The Situation takes {sit.seconds:.0f} s ({sit.share:.0%} of the answer): set the scene in a sentence or two and move on to what you did.",
                               f"at {clock(first.start_s)}: '{_short(first.text)}'", first.start_s))
    ar = star.action.share + star.result.share
    if star.action.present and star.result.present and ar < 0.5 and "denying_mistakes" not in pitfall_kinds:
        act = next(x for x in sentences if x.star == "action")
        fb.append(Feedback("structure", "low",
                           f"Action and Result take only {ar:.0%} of the answer: interviewers most want what you did and what you learned.",
                           f"the Action starts at {clock(act.start_s)}: '{_short(act.text)}'", act.start_s))
    sig = content.accountability.signals
    good = [s for s in sig if s.kind in ("ownership", "prevention", "learning")]
    if all(getattr(star, p).present for p in PARTS) and not content.pitfalls:
        starts = [(p, next(x.start_s for x in sentences if x.star == p)) for p in PARTS]
        ev = ", ".join(f"{p.capitalize()} at {clock(t)}" for p, t in starts)
        fb.append(Feedback("structure", "good", "Clear STAR structure: situation, task, action and result are all there.", ev, starts[0][1]))
    own = first_signal(sig, "ownership")
    if own is not None and not {"blaming_others", "low_ownership"} & pitfall_kinds:
        fb.append(Feedback("accountability", "good", "You own the mistake in plain words.", signal_evidence(own), own.start_s))
    prev = first_signal(sig, "prevention") or first_signal(sig, "learning")
    if prev is not None and good:
        fb.append(Feedback("content", "good", "You say what you learned and what you do differently now.", signal_evidence(prev), prev.start_s))
    return fb


def _short(text: str, max_words: int = 14) -> str:
    ws = text.split()
    return " ".join(ws[:max_words]).rstrip(".!?,") + (" ..." if len(ws) > max_words else "")


