"""Result dataclasses: what each stage produces, shaped like the report's JSON contract.

Every field that is a time is in seconds from the start of the audio (``*_s``). The stages
build these; ``results.convert`` turns a whole report into the JSON contract of DESIGN.md.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 1
STAR_PARTS = ("situation", "task", "action", "result")  # in story order


def clock(seconds: float | None) -> str:
    """A time in a result as people read it: ``0:41`` (minutes:seconds); ``–`` for None.

    >>> clock(41.4), clock(125), clock(None)
    ('0:41', '2:05', '–')
    """
    if seconds is None:
        return "–"
    m, s = divmod(int(round(max(0.0, float(seconds)))), 60)
    return f"{m}:{s:02d}"


# --- audio and transcript ----------------------------------------------------------------


@dataclass(frozen=True)
class AudioInfo:
    path: str
    duration_s: float
    sample_rate: int  # Hz of the analysed signal (always 16000)
    original_sample_rate: int | None = None  # Hz of the file as found
    channels: int | None = None  # channels of the file as found
    format: str | None = None  # container name as PyAV reports it
    declared_duration_s: float | None = None  # what the file's header says (more than decoded: cut short)


@dataclass(frozen=True)
class Word:
    text: str
    start_s: float
    end_s: float
    probability: float


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str
    model: str
    words: tuple[Word, ...] = ()
    transcribe_seconds: float | None = None  # wall-clock seconds the transcription took (not audio seconds)
    dropped_hallucinations: tuple[str, ...] = ()


# --- delivery ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PaceWindow:
    start_s: float
    end_s: float
    words_per_minute: float


@dataclass(frozen=True)
class Pause:
    start_s: float
    end_s: float
    duration_s: float


@dataclass(frozen=True)
class Filler:
    text: str
    start_s: float
    end_s: float
    kind: str  # "hesitation" | "lexical" | "acoustic"


@dataclass(frozen=True)
class FillerCluster:
    """A stretch where fillers come close together (DESIGN.md: clusters matter more than singles)."""

    start_s: float
    end_s: float
    count: int


@dataclass(frozen=True)
class TrailingOff:
    """A sentence whose last word is much quieter than the rest of it."""

    start_s: float  # the last word's start
    drop_db: float  # how much quieter than the sentence's median word
    text: str  # the sentence's last words


@dataclass(frozen=True)
class PitchStats:
    median_hz: float | None
    variation_semitones: float | None
    monotone: bool | None
    # The pitch the analysis measured over the whole recording, one point every track_hop_s
    # seconds (Hz, None where unvoiced): what the HTML report draws.
    track_hop_s: float | None = None
    track_hz: tuple[float | None, ...] = ()


@dataclass(frozen=True)
class LoudnessStats:
    median_dbfs: float | None
    variation_db: float | None


@dataclass(frozen=True)
class DeliveryMetrics:
    words: int
    speaking_time_s: float
    words_per_minute: float | None
    articulation_wpm: float | None
    pace_over_time: tuple[PaceWindow, ...]
    pauses: tuple[Pause, ...]
    long_pause_count: int
    fillers: tuple[Filler, ...]
    filler_count: int
    fillers_per_minute: float | None
    fillers_per_100_words: float | None
    pitch: PitchStats
    loudness: LoudnessStats
    # Added to the contract: the answer span (first word to last, moved onto the audio) ...
    answer_start_s: float | None = None
    answer_end_s: float | None = None
    answer_duration_s: float = 0.0
    stall_count: int = 0  # pauses of at least the stall threshold
    filler_clusters: tuple[FillerCluster, ...] = ()
    loudness_flat: bool | None = None  # loudness varied less than the flat threshold
    trailing_off: tuple[TrailingOff, ...] = ()


# --- content -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sentence:
    text: str
    start_s: float
    end_s: float
    star: str | None  # "situation" | "task" | "action" | "result" | None


@dataclass(frozen=True)
class StarPartDelivery:
    """How one STAR part was spoken: pace over its sentences, pauses and fillers in or before them."""

    words_per_minute: float | None
    pause_count: int
    long_pause_count: int
    filler_count: int


@dataclass(frozen=True)
class StarPart:
    present: bool
    seconds: float
    share: float  # 0..1 of the answer's sentence time
    delivery: StarPartDelivery | None = None  # set by the pipeline once delivery is measured


@dataclass(frozen=True)
class StarSummary:
    situation: StarPart
    task: StarPart
    action: StarPart
    result: StarPart
    score: int


@dataclass(frozen=True)
class Signal:
    kind: str
    text: str
    start_s: float | None


@dataclass(frozen=True)
class Accountability:
    score: int
    ownership_ratio: float | None
    signals: tuple[Signal, ...]


@dataclass(frozen=True)
class Pitfall:
    kind: str
    message: str
    evidence: str  # the person's words that show it, with their time
    start_s: float | None = None  # when those words start


@dataclass(frozen=True)
class Suggestion:
    """What to say instead, for one pitfall or missing STAR part (JSON keys ``for`` and ``try``)."""

    for_: str = field(metadata={"json": "for"})  # a pitfall kind or "missing_<part>"
    quote: str  # the person's own sentence it is about
    start_s: float | None
    why: str  # what an interviewer hears, in the seed guides' terms
    try_: str = field(metadata={"json": "try"})  # the better sentence's shape; [placeholders] for facts


@dataclass(frozen=True)
class ActionClauses:
    """Action clauses by doer: the person ("I"), "we", other people, agentless passives."""

    i: int = 0
    we: int = 0
    others: int = 0
    passive: int = 0

    @property
    def total(self) -> int:
        return self.i + self.we + self.others + self.passive

    def __add__(self, o: ActionClauses) -> ActionClauses:
        return ActionClauses(self.i + o.i, self.we + o.we, self.others + o.others, self.passive + o.passive)


@dataclass(frozen=True)
class ContentAnalysis:
    sentences: tuple[Sentence, ...]
    star: StarSummary
    accountability: Accountability
    pitfalls: tuple[Pitfall, ...]
    content_score: int = 0  # 0..100: structure and accountability together, less a penalty per pitfall
    situation_stalling: bool = False  # the Situation ran over its time or share limit
    action_clauses: ActionClauses = field(default_factory=ActionClauses)
    suggestions: tuple[Suggestion, ...] = ()
    quality: int | None = None  # 0..100: the quality model's judgement that the answer is strong


# --- scores and feedback -----------------------------------------------------------------


@dataclass(frozen=True)
class Scores:
    overall: int | None
    delivery: int | None
    structure: int | None
    accountability: int | None


SCORE_NAMES = tuple(f.name for f in dataclasses.fields(Scores))


@dataclass(frozen=True)
class Feedback:
    area: str  # "pace" | "pauses" | "fillers" | "pitch" | "loudness" | "length" | "structure" | ...
    severity: str  # "high" | "medium" | "low" | "info" | "good"
    message: str
    evidence: str = ""
    start_s: float | None = None


@dataclass(frozen=True)
class SessionReport:
    id: str
    created_at: str  # ISO 8601
    question: str | None
    audio: AudioInfo
    transcript: Transcript
    delivery: DeliveryMetrics | None = None
    content: ContentAnalysis | None = None
    scores: Scores | None = None
    feedback: tuple[Feedback, ...] = ()
    notices: tuple[str, ...] = ()  # plain sentences about the run, e.g. "No speech was found."
    # The options the stages ran with, one table per stage ("delivery", "content"), as a
    # config file would give them: the renderers take their thresholds from here.
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION
