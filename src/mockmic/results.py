"""Result dataclasses: what each stage produces, shaped like the report's JSON contract.

Every field that is a time is in seconds from the start of the audio (``*_s``). The stages
build these; ``report_to_dict`` turns a whole report into the JSON contract of DESIGN.md.
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


def to_plain(value: Any) -> Any:
    """Dataclasses, tuples and dicts as plain JSON values; floats rounded to 3 decimals."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.metadata.get("json", f.name): to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, float):
        return round(value, 3)
    return value


def report_to_dict(report: SessionReport) -> dict[str, Any]:
    """The report as the JSON contract: plain dicts, lists, numbers and strings."""
    data = to_plain(report)
    # Contract order: schema_version first, then id, created_at, question, audio, transcript...
    ordered = {"schema_version": data.pop("schema_version")}
    ordered.update(data)
    return ordered


def report_from_dict(data: dict[str, Any]) -> SessionReport:
    """Rebuild a report from its JSON form (as stored in report.json)."""

    def words(ws):
        return tuple(Word(**{k: w[k] for k in ("text", "start_s", "end_s", "probability")}) for w in ws)

    t = data["transcript"]
    transcript = Transcript(
        text=t["text"],
        language=t["language"],
        model=t["model"],
        words=words(t.get("words", [])),
        transcribe_seconds=t.get("transcribe_seconds"),
        dropped_hallucinations=tuple(t.get("dropped_hallucinations", [])),
    )
    a = data["audio"]
    audio = AudioInfo(**{f.name: a.get(f.name) for f in dataclasses.fields(AudioInfo)})
    delivery = _delivery_from_dict(data["delivery"]) if data.get("delivery") else None
    content = _content_from_dict(data["content"]) if data.get("content") else None
    scores = Scores(**data["scores"]) if data.get("scores") else None
    feedback = tuple(
        Feedback(**{f.name: fb.get(f.name) for f in dataclasses.fields(Feedback) if f.name in fb})
        for fb in data.get("feedback", [])
    )
    return SessionReport(
        id=data["id"],
        created_at=data["created_at"],
        question=data.get("question"),
        audio=audio,
        transcript=transcript,
        delivery=delivery,
        content=content,
        scores=scores,
        feedback=feedback,
        notices=tuple(data.get("notices", [])),
        options=dict(data.get("options") or {}),
        schema_version=data.get("schema_version", SCHEMA_VERSION),
    )


def _fields(cls, data: dict[str, Any]) -> dict[str, Any]:
    """The keys of ``data`` that are fields of ``cls`` (stored reports may carry more), by field name."""
    names = {f.metadata.get("json", f.name): f.name for f in dataclasses.fields(cls)}
    return {names[k]: v for k, v in data.items() if k in names}


def _star_part(d: dict[str, Any]) -> StarPart:
    delivery = d.get("delivery")
    return StarPart(**{**_fields(StarPart, d), "delivery": StarPartDelivery(**_fields(StarPartDelivery, delivery))
                       if delivery else None})


def _pitch_from_dict(p: dict[str, Any]) -> PitchStats:
    known = _fields(PitchStats, p)
    known["track_hz"] = tuple(known.get("track_hz") or ())
    return PitchStats(**known)


def _delivery_from_dict(d: dict[str, Any]) -> DeliveryMetrics:
    return DeliveryMetrics(
        **{
            **_fields(DeliveryMetrics, d),
            "pace_over_time": tuple(PaceWindow(**p) for p in d.get("pace_over_time", [])),
            "pauses": tuple(Pause(**p) for p in d.get("pauses", [])),
            "fillers": tuple(Filler(**f) for f in d.get("fillers", [])),
            "pitch": _pitch_from_dict(d["pitch"]),
            "loudness": LoudnessStats(**_fields(LoudnessStats, d["loudness"])),
            "filler_clusters": tuple(FillerCluster(**c) for c in d.get("filler_clusters") or []),
            "trailing_off": tuple(TrailingOff(**t) for t in d.get("trailing_off") or []),
        }
    )


def _content_from_dict(c: dict[str, Any]) -> ContentAnalysis:
    star = c["star"]
    acc = c["accountability"]
    return ContentAnalysis(
        sentences=tuple(Sentence(**_fields(Sentence, s)) for s in c.get("sentences", [])),
        star=StarSummary(
            **{p: _star_part(star[p]) for p in STAR_PARTS},
            score=star["score"],
        ),
        accountability=Accountability(
            score=acc["score"],
            ownership_ratio=acc.get("ownership_ratio"),
            signals=tuple(Signal(**s) for s in acc.get("signals", [])),
        ),
        pitfalls=tuple(Pitfall(**_fields(Pitfall, p)) for p in c.get("pitfalls", [])),
        content_score=c.get("content_score", 0),
        situation_stalling=bool(c.get("situation_stalling", False)),
        action_clauses=ActionClauses(**_fields(ActionClauses, c.get("action_clauses") or {})),
        suggestions=tuple(Suggestion(**_fields(Suggestion, s)) for s in c.get("suggestions") or []),
    )
