"""Delivery analysis on espeak-ng speech with known pauses, rates and inserted fillers,
transcribed by the default model as `mockmic analyze` does."""

from __future__ import annotations

import numpy as np
import pytest

from delivery_signals import PHRASES, SR, build, espeak, espeak_setting, silence, trim
from mockmic.delivery import analyze_delivery, delivery_feedback
from mockmic.results import clock

pytestmark = pytest.mark.slow

RATES = (110, 160, 230)  # words/min
GAPS = (0.3, 0.5, 0.8, 1.2, 2.0, 3.5)  # s of silence between the phrases
_cache: dict = {}


def pause_clip(rate: int, transcriber):
    """Seven phrases at ``rate`` with the GAPS between them, 1 s of silence either side."""
    if rate not in _cache:
        parts: list = [1.0]
        for phrase, gap in zip(PHRASES, GAPS + (None,)):
            parts += [phrase] + ([gap] if gap is not None else [])
        parts.append(1.0)
        built = build(parts, words_per_minute=espeak_setting(PHRASES[0], rate))
        words = transcriber.transcribe(built.samples).words
        _cache[rate] = (built, words, analyze_delivery(built.samples, words))
    return _cache[rate]


@pytest.mark.parametrize("rate", RATES)
def test_every_inserted_silence_is_found_on_time(rate, transcriber):
    built, words, m = pause_clip(rate, transcriber)
    assert [round(d, 2) for _, d in built.silences] == list(GAPS)
    for start, dur in built.silences:
        hits = [p for p in m.pauses if p.start_s < start + dur and p.end_s > start]
        assert len(hits) == 1, (start, dur, m.pauses)
        assert abs(hits[0].start_s - start) <= 0.15 and abs(hits[0].duration_s - dur) <= 0.15, (hits[0], start, dur)
    invented = [p for p in m.pauses if p.duration_s >= 0.5
                and not any(p.start_s < s + d and p.end_s > s for s, d in built.silences)]
    assert invented == []
    assert m.long_pause_count == sum(1 for g in GAPS if g >= 1.0)
    assert m.stall_count == 1


def test_a_stall_in_speech_is_named_with_its_time_and_words(transcriber):
    built, words, m = pause_clip(160, transcriber)
    start, dur = built.silences[-1]  # the 3.5 s stall
    stalls = [f for f in delivery_feedback(m, words) if f.area == "pauses" and f.severity == "high"]
    assert len(stalls) == 1
    assert stalls[0].start_s == pytest.approx(start, abs=0.15)
    assert clock(start) in stalls[0].evidence and f"{dur:.1f} s" in stalls[0].evidence
    next_words = " ".join(w.text.strip(",.") for w in words if w.start_s >= start + dur - 0.2)[:12]
    assert next_words.split()[0] in stalls[0].evidence


@pytest.mark.parametrize("pad_s", [0.0, 1.5], ids=["no silence", "1.5 s silence either side"])
@pytest.mark.parametrize("rate", RATES)
def test_words_per_minute_within_7_percent(rate, pad_s, transcriber):
    text = ". ".join(PHRASES[:4]) + "."
    key = ("speech", rate)
    if key not in _cache:
        _cache[key] = trim(espeak(text, words_per_minute=espeak_setting(text, rate)))
    speech = _cache[key]
    truth = 60.0 * len(text.split()) / (speech.size / SR)
    assert truth == pytest.approx(rate, rel=0.1)  # espeak's rate is corrected to the target
    samples = np.concatenate([silence(pad_s), speech, silence(pad_s)])
    m = analyze_delivery(samples, transcriber.transcribe(samples).words)
    assert m.words_per_minute == pytest.approx(truth, rel=0.07)
    assert m.answer_start_s == pytest.approx(pad_s, abs=0.15)


_um_cache: dict = {}


def _um_clip(rate: int, transcriber):
    """Four phrases at ``rate`` with "um", "uh", "um" between them; (inserted, heard fillers)."""
    if rate not in _um_cache:
        parts: list = [0.5]
        for i, phrase in enumerate(PHRASES[:4]):
            parts.append(phrase)
            if i < 3:
                parts += [0.4, ("um", "uh", "um")[i], 0.4]
        parts.append(0.5)
        built = build(parts, words_per_minute=rate)
        m = analyze_delivery(built.samples, transcriber.transcribe(built.samples).words)
        inserted = [s for s in built.speech if s[2] in ("um", "uh")]
        _um_cache[rate] = (inserted, [f for f in m.fillers if f.kind in ("hesitation", "acoustic")])
    return _um_cache[rate]


@pytest.mark.parametrize("rate", [130, 160])
def test_inserted_um_and_uh_are_found_at_their_time(rate, transcriber):
    inserted, heard = _um_clip(rate, transcriber)
    for start, end, text in inserted:
        hits = [f for f in heard if abs(f.start_s - start) <= 0.15 and abs(f.end_s - end) <= 0.15]
        assert hits, (text, start, end, heard)


@pytest.mark.parametrize("rate", [
    # Not strict: whether tiny.en writes the 'um' moved between days' fresh installs and machines
    # (the same code wrote it on 2026-12-03 and not on 2026-12-04).
    pytest.param(130, marks=pytest.mark.xfail(strict=False, reason=(
        "known miss on some machines: at beam 2 tiny.en writes 'none of them' as 'a, um,' and espeak-ng's "
        "monotone 'none' passes the filled-pause check (23.6 s)"))),
    160,
])
def test_nothing_else_is_taken_for_a_filler(rate, transcriber):
    inserted, heard = _um_clip(rate, transcriber)
    assert len(heard) == len(inserted), heard


def test_plain_speech_has_no_fillers(transcriber):
    text = ". ".join(PHRASES) + "."
    samples = trim(espeak(text, words_per_minute=160))
    m = analyze_delivery(samples, transcriber.transcribe(samples).words)
    assert m.fillers == ()
