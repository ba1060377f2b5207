"""The content stage inside the pipeline: report sections, scores and feedback, JSON round trip."""

from __future__ import annotations

import numpy as np

from mockmic.content import words_from_text
from mockmic.pipeline import analyze_report
from mockmic.render.text import render_text
from mockmic.results import AudioInfo, SessionReport, Transcript, report_from_dict, report_to_dict

TEXT = (
    "Um, in my last role I sent a client the wrong invoice. Honestly the QA team should have caught it. "
    "I fixed it the next day."
)


def _report(text: str, question: str | None = "Tell me about a mistake you made.") -> SessionReport:
    words = words_from_text(text)
    duration = words[-1].end_s + 0.5
    samples = (np.random.default_rng(0).standard_normal(int(duration * 16000)) * 0.01).astype(np.float32)
    report = SessionReport(
        id="20261126-000000-abcdef", created_at="2026-11-26T00:00:00+00:00", question=question,
        audio=AudioInfo("answer.wav", duration, 16000), transcript=Transcript(text, "en", "tiny.en", words),
    )
    return analyze_report(report, samples)


def test_pipeline_fills_content_scores_and_feedback():
    r = _report(TEXT)
    assert r.content is not None
    assert r.scores.structure == r.content.star.score
    assert r.scores.accountability == r.content.accountability.score
    assert {p.kind for p in r.content.pitfalls} >= {"blaming_others", "no_learning"}
    content_fb = [f for f in r.feedback if f.area in ("structure", "accountability", "content")]
    assert any("no Result" in f.message for f in content_fb)
    assert any("at 0:0" in f.evidence and "QA team" in f.evidence for f in content_fb)
    text = render_text(r)
    assert "Structure (STAR):" in text and "Pitfalls to avoid:" in text


def test_content_survives_the_json_contract():
    r = _report(TEXT)
    data = report_to_dict(r)
    c = data["content"]
    assert set(c) >= {"sentences", "star", "accountability", "pitfalls"}
    assert set(c["star"]) == {"situation", "task", "action", "result", "score"}
    assert set(c["star"]["action"]) == {"present", "seconds", "share", "delivery"}
    assert set(c["star"]["action"]["delivery"]) == {"words_per_minute", "pause_count", "long_pause_count", "filler_count"}
    assert set(c["accountability"]) == {"score", "ownership_ratio", "signals"}
    assert all(set(s) == {"kind", "text", "start_s"} for s in c["accountability"]["signals"])
    assert all(set(p) == {"kind", "message", "evidence", "start_s"} for p in c["pitfalls"])
    assert all(s["star"] in ("situation", "task", "action", "result", None) for s in c["sentences"])
    back = report_from_dict(data)
    assert back.content.star == r.content.star
    assert back.content.pitfalls == r.content.pitfalls
