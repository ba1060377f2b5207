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
from dataclasses import dataclass
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import ConfigError
from ..results import ActionClauses, ContentAnalysis, Pitfall, Sentence, Signal, StarPart, StarSummary, Word
from .accountability import build_accountability, count_agents_rules, find_signals, ownership_ratio
from .lexicon import find_all, load_lexicon
from .options import ContentOptions
from .pitfalls import detect_pitfalls
from .sentences import Span, split_sentences
from .star import label_sentences, summarise_star
from .suggestions import with_suggestions

# Questions that ask for a mistake or failure; the mistake pitfalls (denial, trivial example,
# no lesson) only make sense for these, or when the question is not known.
_MISTAKE_QUESTION = re.compile(r"mistake|fail|wrong|error|regret|setback|misstep|went badly|screw|mess", re.I)


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
        accountability=build_accountability([], ActionClauses()),
        pitfalls=(),
    )


@dataclass(frozen=True)
class RuleStage:
    """What the rules find in an answer: the learned judge starts from it (and is trained on it)."""

    spans: list[Span]
    texts: list[str]
    labels: list[str | None]
    signals: list[Signal]
    pitfalls: list[Pitfall]
    counts: ActionClauses
    durations: list[float]
    mistake_question: bool = True


def rule_stage(words: Sequence[Word], *, question: str | None, opts: ContentOptions) -> RuleStage:
    """Sentences, STAR labels, signals and pitfalls by the lexicon rules, for non-empty ``words``."""
    lex = load_lexicon()
    spans = split_sentences(
        words,
        fillers=lex.fillers,
        pause_s=opts.sentence_pause_s,
        long_words=opts.long_sentence_words,
        min_words=opts.min_sentence_words,
    )
    labels = label_sentences(spans, lex)
    texts = [" ".join(w.text.strip() for w in words[s.start : s.end]) for s in spans]
    durations = [max(0.0, round(words[s.end - 1].end_s, 2) - round(words[s.start].start_s, 2)) for s in spans]
    if opts.parser == "spacy":
        from .spacy_parser import count_agents_spacy as count_agents
    else:
        count_agents = count_agents_rules
    counts = ActionClauses()
    for s in spans:
        if s.norm:
            counts = counts + count_agents(s.norm)
    signals = find_signals(words, spans, lex)
    # For the low-ownership pitfall, people named as the cause are the blame pitfall's business:
    # count their clauses out so one fault is not reported twice.
    blamed = ActionClauses()
    for s in spans:
        if s.norm and find_all(lex.signals["blame"], s.norm):
            c = count_agents(s.norm)
            blamed = blamed + ActionClauses(0, 0, c.others, 0)
    own_counts = ActionClauses(counts.i, counts.we, counts.others - blamed.others, counts.passive)
    mistake_q = question is None or bool(_MISTAKE_QUESTION.search(question))
    pitfalls = detect_pitfalls(words, spans, labels, durations, signals, ownership_ratio(own_counts),
                               own_counts, opts, mistake_question=mistake_q)
    return RuleStage(list(spans), texts, labels, signals, pitfalls, counts, durations, mistake_q)


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
        The contract's fields, plus ``content_score`` (0..100, structure and accountability
        together, blended with ``quality`` when there is one, less a penalty per pitfall),
        ``quality`` (0..100, the quality model's judgement that the answer is a strong one, see
        :mod:`.rank`; None for the rules judge and answers under
        :data:`~.learned.LEARNED_MIN_WORDS` words), ``situation_stalling`` and ``action_clauses``
        (action clauses by doer).
    """
    opts = ContentOptions.coerce(options)
    words = [w for w in words if w.text.strip()]
    if not words:
        return _empty()
    st = rule_stage(words, question=question, opts=opts)
    spans, labels, signals, pitfalls, counts = st.spans, st.labels, st.signals, st.pitfalls, st.counts
    if opts.judge != "rules":
        from .learned import apply_judge

        labels, pitfalls = apply_judge(st, words, opts.judge, min_words=opts.min_words_to_judge)
    sentences = tuple(
        Sentence(
            text=t,
            start_s=round(words[s.start].start_s, 2),
            end_s=round(words[s.end - 1].end_s, 2),
            star=lab,
        )
        for s, t, lab in zip(spans, st.texts, labels)
    )
    durations = [max(0.0, s.end_s - s.start_s) for s in sentences]
    star = summarise_star(
        durations,
        labels,
        situation_max_s=opts.situation_max_s,
        situation_max_share=opts.situation_max_share,
        action_result_min_share=opts.action_result_min_share,
    )
    accountability = build_accountability(signals, counts)
    base = (star.score + accountability.score) / 2
    quality = None
    if opts.judge != "rules":
        from .learned import LEARNED_MIN_WORDS
        from .rank import answer_quality, load_weights

        if len(words) >= max(opts.min_words_to_judge, LEARNED_MIN_WORDS):
            quality = answer_quality(st, words, star, accountability.score)
            base = (1 - load_weights().blend) * base + load_weights().blend * quality
    content_score = int(round(max(0.0, base - 8 * len(pitfalls))))
    return with_suggestions(ContentAnalysis(
        sentences=sentences,
        star=star,
        accountability=accountability,
        pitfalls=tuple(pitfalls),
        content_score=content_score,
        quality=quality,
        # A Situation over the limits is stalling (kept here so feedback needs no options).
        situation_stalling=bool(
            star.situation.present
            and (star.situation.seconds > opts.situation_max_s or star.situation.share > opts.situation_max_share)
            and len(sentences) >= 3
        ),
        action_clauses=counts,
    ))


