"""A report to and from its JSON form (the contract of DESIGN.md)."""

from __future__ import annotations

import dataclasses
from typing import Any

from mockmic.results.model import (
    Accountability,
    ActionClauses,
    AudioInfo,
    ContentAnalysis,
    DeliveryMetrics,
    Feedback,
    Filler,
    FillerCluster,
    LoudnessStats,
    PaceWindow,
    Pause,
    PitchStats,
    Pitfall,
    SCHEMA_VERSION,
    STAR_PARTS,
    Scores,
    Sentence,
    SessionReport,
    Signal,
    StarPart,
    StarPartDelivery,
    StarSummary,
    Suggestion,
    TrailingOff,
    Transcript,
    Word,
)


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
        quality=c.get("quality"),
    )
