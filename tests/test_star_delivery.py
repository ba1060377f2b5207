"""Delivery per STAR part: pace, pauses and fillers of each part, on signals whose answer is known.

The synthetic answer is a tone per word (gliding; a steady one for "um", which the delivery stage
hears as a filled pause) with silences of exact length between the parts, so every part's word
count, time, pauses and fillers are known by construction.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from delivery_signals import harmonic, silence
from mockmic.content import star_pace_feedback, star_part_delivery
from mockmic.delivery import DeliveryOptions, analyze_delivery
from mockmic.errors import ConfigError
from mockmic.pipeline import analyze_report
from mockmic.results import (
    AudioInfo,
    Sentence,
    SessionReport,
    StarPartDelivery,
    Transcript,
    Word,
    report_from_dict,
    report_to_dict,
)

REPO = Path(__file__).resolve().parents[1]

SITUATION = "In my last role I ran the monthly billing run."  # 10 words at 0.4 s: 150 words/min
ACTION = "I sent the wrong invoices to forty clients and then I called each client the same day."  # 17 words
# 21 words and an "um" at 0.25 s a word: 240 words/min, rushed
RESULT = "As a result um every client paid on time and I now check each run against the ledger before it goes out."


def spoken(parts: list) -> tuple[np.ndarray, list[Word]]:
    """Join ``(text, seconds per word)`` speech and float silences; each word sounds for 90% of its step."""
    chunks, words, t = [], [], 0.0
    for part in parts:
        if isinstance(part, float):
            chunks.append(silence(part))
            t += part
            continue
        text, step = part
        for i, tok in enumerate(text.split()):
            sound = 0.9 * step
            steady = tok.strip(",.").lower() in ("um", "uh")
            chunks += [harmonic(sound, 120.0 if steady else ((110.0, 150.0) if i % 2 else (150.0, 110.0))),
                       silence(step - sound)]
            words.append(Word(tok, round(t, 3), round(t + sound, 3), 0.9))
            t += step
    return np.concatenate(chunks), words


def known_answer():
    """Situation, a 1.5 s pause, an Action with a 0.6 s pause inside it, a 1.2 s pause, a rushed Result."""
    first, second = ACTION.split(" and ")
    samples, words = spoken([0.5, (SITUATION, 0.4), 1.5, (first, 0.4), 0.6, ("and " + second, 0.4), 1.2,
                             (RESULT, 0.25), 0.5])
    n_s, n_a = len(SITUATION.split()), len(ACTION.split())
    spans = [(0, n_s, "situation"), (n_s, n_s + n_a, "action"), (n_s + n_a, len(words), "result")]
    sentences = tuple(Sentence(" ".join(w.text for w in words[a:b]), words[a].start_s, words[b - 1].end_s, label)
                      for a, b, label in spans)
    return samples, words, sentences


def test_each_part_has_its_own_pace_pauses_and_fillers():
    samples, words, sentences = known_answer()
    metrics = analyze_delivery(samples, words)
    assert len(metrics.pauses) == 3  # the signal's three silences, found in the audio
    parts = star_part_delivery(sentences, metrics, long_pause_s=1.0)
    # pace over the part's own sentences: 10 words in 9 steps of 0.4 s plus one word's sound (0.36 s)
    assert parts["situation"] == StarPartDelivery(round(60 * 10 / (9 * 0.4 + 0.36), 1), 0, 0, 0)
    # the 1.5 s pause before the Action is the Action's, and so is the 0.6 s one inside it
    assert parts["action"] == StarPartDelivery(round(60 * 17 / (16 * 0.4 + 0.36 + 0.6), 1), 2, 1, 0)
    # "um" is a filler, not a word: 21 words over 21 steps of 0.25 s plus one word's sound
    assert parts["result"] == StarPartDelivery(round(60 * 21 / (21 * 0.25 + 0.225), 1), 1, 1, 1)
    assert parts["task"] is None
    assert parts["result"].words_per_minute == pytest.approx(230.1, abs=0.1)


def test_the_long_pause_threshold_comes_from_the_caller():
    samples, words, sentences = known_answer()
    parts = star_part_delivery(sentences, analyze_delivery(samples, words), long_pause_s=1.3)
    assert (parts["action"].long_pause_count, parts["result"].long_pause_count) == (1, 0)  # 1.5 s yes, 1.2 s no


def test_a_rushed_result_gets_one_note_with_its_time():
    samples, words, sentences = known_answer()
    content = _content(sentences)
    notes = star_pace_feedback(content, pace_change=0.4, min_words=12)
    assert len(notes) == 1
    fb = notes[0]
    rest = 60 * 27 / (9 * 0.4 + 0.36 + 16 * 0.4 + 0.36 + 0.6)  # Situation and Action together: 143 words/min
    assert fb.area == "pace" and fb.severity == "low" and fb.start_s == sentences[2].start_s
    assert fb.message.startswith(f"You speed up in the Result: 230 words/min against {rest:.0f} in the rest")
    assert "(61% faster)" in fb.message and "As a result um" in fb.evidence
    # a higher threshold, or a part too short to judge: no note
    assert star_pace_feedback(content, pace_change=0.7, min_words=12) == []
    assert star_pace_feedback(content, pace_change=0.4, min_words=22) == []


def test_a_slow_situation_is_named_as_slower():
    result = "As a result every client paid on time and I now check each run."  # 14 words
    samples, words = spoken([(SITUATION + " " + SITUATION, 0.7), 1.0, (ACTION, 0.4), 1.0, (result, 0.4)])
    sentences = (Sentence(SITUATION + " " + SITUATION, words[0].start_s, words[19].end_s, "situation"),
                 Sentence(ACTION, words[20].start_s, words[36].end_s, "action"),
                 Sentence(result, words[37].start_s, words[-1].end_s, "result"))
    (fb,) = star_pace_feedback(_content(sentences), pace_change=0.4, min_words=12)
    slow, rest = 60 * 20 / (19 * 0.7 + 0.63), 60 * 31 / (16 * 0.4 + 0.36 + 13 * 0.4 + 0.36)  # 86 and 151 words/min
    assert fb.message.startswith(f"You slow down in the Situation: {slow:.0f} words/min against {rest:.0f}")
    assert "set the scene briefly" in fb.message and fb.start_s == 0.0


def _content(sentences):
    from mockmic.results import Accountability, ContentAnalysis, StarPart, StarSummary

    parts = {p: StarPart(any(s.star == p for s in sentences), 0.0, 0.0) for p in ("situation", "task", "action", "result")}
    return ContentAnalysis(sentences, StarSummary(**parts, score=0), Accountability(0, None, ()), ())


@pytest.mark.parametrize("values, message", [
    ({"star_pace_change": 0}, "star_pace_change must be above 0"),
    ({"star_pace_min_words": -3}, "star_pace_min_words must be a number >= 0"),
    ({"star_pace_change": "fast"}, "star_pace_change"),
])
def test_bad_part_pace_options_are_named(values, message):
    with pytest.raises(ConfigError, match=message):
        DeliveryOptions.from_mapping(values)


def test_the_pipeline_fills_each_part_and_the_json_keeps_it():
    samples, words, _ = known_answer()
    text = " ".join(w.text for w in words)
    report = SessionReport(id="20261126-000000-abcdef", created_at="2026-11-26T00:00:00+00:00",
                           question="Tell me about a mistake you made.",
                           audio=AudioInfo("answer.wav", samples.size / 16000, 16000),
                           transcript=Transcript(text, "en", "tiny.en", tuple(words)))
    r = analyze_report(report, samples, DeliveryOptions(star_pace_change=0.4))
    star = r.content.star
    parts = {p: getattr(star, p) for p in ("situation", "task", "action", "result")}
    # every part the judge found has a delivery block; those it did not find have none
    assert all((p.delivery is not None) == p.present for p in parts.values())
    # the three pauses and the one filler are shared out among the sentences, none lost or counted twice
    labelled = all(s.star is not None for s in r.content.sentences)
    assert labelled and sum(p.delivery.pause_count for p in parts.values() if p.delivery) == 3
    assert sum(p.delivery.filler_count for p in parts.values() if p.delivery) == 1
    assert star.result.delivery.filler_count == 1 and star.result.delivery.long_pause_count == 1
    assert any(f.area == "pace" and "speed up in the Result" in f.message for f in r.feedback)
    data = report_to_dict(r)
    assert set(data["content"]["star"]["result"]["delivery"]) == {
        "words_per_minute", "pause_count", "long_pause_count", "filler_count"}
    assert report_from_dict(data).content.star == star


@pytest.mark.slow
def test_the_sample_answer_per_part(tmp_path):
    """samples/answer.flac: espeak-ng at one rate, 1.5 s silences before "My task" and "As a
    result", an "Um" in the first sentence and an "Uh" in the Action (samples/answer.txt)."""
    from mockmic.pipeline import Analyzer

    r, _ = Analyzer().analyze_file(REPO / "samples" / "answer.flac",
                                   question="Tell me about a time you made a mistake at work.")
    star, d = r.content.star, r.delivery
    parts = {p: getattr(star, p).delivery for p in ("situation", "task", "action", "result")}
    assert all(parts.values())
    assert {p: v.long_pause_count for p, v in parts.items()} == {"situation": 0, "task": 1, "action": 0, "result": 1}
    assert sum(v.pause_count for v in parts.values()) == len(d.pauses)
    assert (parts["situation"].filler_count, parts["action"].filler_count) == (1, 1)
    assert sum(v.filler_count for v in parts.values()) == d.filler_count == 2
    # one voice at one rate: every part's pace is close to the answer's pace without pauses
    for v in parts.values():
        assert v.words_per_minute == pytest.approx(d.articulation_wpm, rel=0.15)
    assert not any("speed up" in f.message or "slow down in the" in f.message for f in r.feedback)
