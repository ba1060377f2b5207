"""Result dataclasses: what each stage produces, shaped like the report's JSON contract.

Every field that is a time is in seconds from the start of the audio (``*_s``). The stages
build these; ``report_to_dict`` turns a whole report into the JSON contract of DESIGN.md.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 1


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
    # seconds of audio that faster-whisper's decoding covered; time spent transcribing
    transcribe_seconds: float | None = None
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
class PitchStats:
    median_hz: float | None
    variation_semitones: float | None
    monotone: bool | None


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
    extra: dict[str, Any] = field(default_factory=dict)  # additional figures (added keys)


# --- content -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sentence:
    text: str
    start_s: float
    end_s: float
    star: str | None  # "situation" | "task" | "action" | "result" | None


@dataclass(frozen=True)
class StarPart:
    present: bool
    seconds: float
    share: float  # 0..1 of the answer's sentence time


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
    evidence: str


@dataclass(frozen=True)
class ContentAnalysis:
    sentences: tuple[Sentence, ...]
    star: StarSummary
    accountability: Accountability
    pitfalls: tuple[Pitfall, ...]
    extra: dict[str, Any] = field(default_factory=dict)


# --- scores and feedback -----------------------------------------------------------------


@dataclass(frozen=True)
class Scores:
    overall: int | None
    delivery: int | None
    structure: int | None
    accountability: int | None


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
    schema_version: int = SCHEMA_VERSION


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, float):
        return round(value, 3)
    return value


def report_to_dict(report: SessionReport) -> dict[str, Any]:
    """The report as the JSON contract: plain dicts, lists, numbers and strings."""
    data = _plain(report)
    # Contract order: schema_version first, then id, created_at, question, audio, transcript...
    ordered = {"schema_version": data.pop("schema_version")}
    ordered.update(data)
    delivery = ordered.get("delivery")
    if isinstance(delivery, dict):
        delivery.update(delivery.pop("extra", {}) or {})
    content = ordered.get("content")
    if isinstance(content, dict):
        content.update(content.pop("extra", {}) or {})
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
        schema_version=data.get("schema_version", SCHEMA_VERSION),
    )


def _split_extra(cls, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    names = {f.name for f in dataclasses.fields(cls)}
    known = {k: v for k, v in data.items() if k in names}
    extra = {k: v for k, v in data.items() if k not in names}
    return known, extra


def _delivery_from_dict(d: dict[str, Any]) -> DeliveryMetrics:
    known, extra = _split_extra(DeliveryMetrics, d)
    known.pop("extra", None)
    return DeliveryMetrics(
        **{
            **known,
            "pace_over_time": tuple(PaceWindow(**p) for p in d.get("pace_over_time", [])),
            "pauses": tuple(Pause(**p) for p in d.get("pauses", [])),
            "fillers": tuple(Filler(**f) for f in d.get("fillers", [])),
            "pitch": PitchStats(**d["pitch"]),
            "loudness": LoudnessStats(**d["loudness"]),
        },
        extra=extra,
    )


def _content_from_dict(c: dict[str, Any]) -> ContentAnalysis:
    known, extra = _split_extra(ContentAnalysis, c)
    star = c["star"]
    acc = c["accountability"]
    return ContentAnalysis(
        sentences=tuple(Sentence(**s) for s in c.get("sentences", [])),
        star=StarSummary(
            **{p: StarPart(**star[p]) for p in ("situation", "task", "action", "result")},
            score=star["score"],
        ),
        accountability=Accountability(
            score=acc["score"],
            ownership_ratio=acc.get("ownership_ratio"),
            signals=tuple(Signal(**s) for s in acc.get("signals", [])),
        ),
        pitfalls=tuple(Pitfall(**p) for p in c.get("pitfalls", [])),
        extra=extra,
    )
