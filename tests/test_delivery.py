"""Delivery analysis on numpy signals whose answers are known exactly (no model needed)."""

from __future__ import annotations

import numpy as np
import pytest

from delivery_signals import SR, harmonic, noise, silence
from mockmic.delivery import DeliveryOptions, analyze_delivery, delivery_feedback, delivery_score
from mockmic.errors import ConfigError
from mockmic.delivery.fillers import lexical_fillers
from mockmic.render.text_delivery import delivery_lines
from mockmic.results import Word


def word_bursts(gaps_s: list[float], *, word_s: float = 0.5, lead_s: float = 0.0, trail_s: float = 0.0):
    """Gliding 'words' separated by exact silences; returns samples and matching Words."""
    parts, words, t = [silence(lead_s)], [], lead_s
    for i in range(len(gaps_s) + 1):
        parts.append(harmonic(word_s, (110.0, 150.0) if i % 2 else (150.0, 110.0)))
        words.append(Word(f"word{i}", t, t + word_s, 0.9))
        t += word_s
        if i < len(gaps_s):
            parts.append(silence(gaps_s[i]))
            t += gaps_s[i]
    parts.append(silence(trail_s))
    return np.concatenate(parts), words


# --- pauses -----------------------------------------------------------------------------

def test_pauses_are_found_with_their_start_and_length():
    gaps = [0.1, 0.3, 0.6, 1.2, 3.5, 0.2]
    samples, words = word_bursts(gaps, lead_s=1.0, trail_s=2.0)
    m = analyze_delivery(samples, words)
    expected = [(words[i].end_s, g) for i, g in enumerate(gaps) if g >= 0.25]
    assert len(m.pauses) == len(expected)
    for p, (start, dur) in zip(m.pauses, expected):
        assert abs(p.start_s - start) <= 0.05 and abs(p.duration_s - dur) <= 0.05, (p, start, dur)
        assert p.end_s == pytest.approx(p.start_s + p.duration_s, abs=1e-3)
    assert m.long_pause_count == 2  # 1.2 s and 3.5 s
    assert m.stall_count == 1
    # Leading and trailing silence are not pauses; the span starts and ends on the sound.
    assert m.answer_start_s == pytest.approx(1.0, abs=0.03)
    assert m.answer_end_s == pytest.approx(words[-1].end_s, abs=0.03)


def test_a_click_inside_a_pause_does_not_split_it():
    samples, words = word_bursts([2.0])
    click_at = int((0.5 + 1.0) * SR)
    samples[click_at: click_at + 40] = 0.5  # 2.5 ms click
    m = analyze_delivery(samples, words)
    assert [round(p.duration_s, 1) for p in m.pauses] == [2.0]


def test_stall_feedback_names_the_time_and_quotes_the_words():
    samples, words = word_bursts([0.4, 3.4, 0.4], lead_s=0.5)
    m = analyze_delivery(samples, words)
    stall = [f for f in delivery_feedback(m, words) if f.area == "pauses" and f.severity == "high"]
    assert len(stall) == 1
    fb = stall[0]
    assert fb.start_s == pytest.approx(0.5 + 0.5 + 0.4 + 0.5, abs=0.05)
    assert "3.4 s" in fb.message and "0:02" in fb.message
    assert "before 'word2 word3'" in fb.evidence and "after 'word0 word1'" in fb.evidence


# --- pace -------------------------------------------------------------------------------

def test_pace_counts_words_over_the_answer_span_not_the_leading_silence():
    # 40 words of 0.3 s with 0.1 s gaps: 40 words in 15.9 s of answer, plus 5 s of silence.
    samples, words = word_bursts([0.1] * 39, word_s=0.3, lead_s=3.0, trail_s=2.0)
    m = analyze_delivery(samples, words)
    assert m.words == 40
    assert m.words_per_minute == pytest.approx(60 * 40 / 15.9, rel=0.02)
    assert m.pauses == ()  # 0.1 s gaps are not pauses
    assert m.articulation_wpm == pytest.approx(m.words_per_minute, rel=0.01)
    assert len(m.pace_over_time) == 1  # 15.9 s: the short tail joins the first window


def test_pace_windows_show_where_the_speaker_sped_up():
    slow, w1 = word_bursts([0.5] * 14, word_s=0.5)  # 15 words in 14.5 s
    fast, w2 = word_bursts([0.05] * 29, word_s=0.45)  # 30 words in 14.5 s
    offset = slow.size / SR + 0.5
    words = w1 + [Word(w.text, w.start_s + offset, w.end_s + offset, 0.9) for w in w2]
    m = analyze_delivery(np.concatenate([slow, silence(0.5), fast]), words)
    rates = [w.words_per_minute for w in m.pace_over_time]
    assert len(rates) == 2 and rates[1] > 1.7 * rates[0]


def test_hesitations_and_hyphen_pieces_are_not_counted_as_words():
    samples, _ = word_bursts([0.3, 0.3, 0.3])
    words = [Word("Um,", 0.0, 0.5, 0.9), Word("high", 0.8, 1.3, 0.9), Word("-pitched.", 1.6, 2.1, 0.9),
             Word("yes", 2.4, 2.9, 0.9)]
    assert analyze_delivery(samples, words).words == 2


# --- fillers ----------------------------------------------------------------------------

def filler_scene(middle: np.ndarray):
    """'Then' (gliding), a gap holding ``middle`` at 0.9-1.6 s, then 'we' (gliding)."""
    x = np.concatenate([harmonic(0.5, (150, 110)), silence(0.4), middle, silence(0.9), harmonic(0.5, (110, 150))])
    return x


def test_a_transcribed_um_is_timed_from_the_audio():
    samples = filler_scene(harmonic(0.7, 120.0))
    # Whisper's habit: a zero-length filler time in the middle of the sound.
    words = [Word("Then", 0.0, 0.5, 0.9), Word("um,", 1.2, 1.2, 0.5), Word("we", 2.5, 3.0, 0.9)]
    m = analyze_delivery(samples, words)
    hes = [f for f in m.fillers if f.kind == "hesitation"]
    assert len(hes) == 1 and hes[0].text == "um"
    assert hes[0].start_s == pytest.approx(0.9, abs=0.05) and hes[0].end_s == pytest.approx(1.6, abs=0.05)


@pytest.mark.parametrize("middle", [silence(0.7), noise(0.7)], ids=["over silence", "over a hiss"])
def test_a_transcribed_filler_without_a_filled_pause_under_it_is_dropped(middle):
    samples = filler_scene(middle)
    words = [Word("Then", 0.0, 0.5, 0.9), Word("uh,", 1.2, 1.2, 0.5), Word("we", 2.5, 3.0, 0.9)]
    m = analyze_delivery(samples, words)
    assert [f for f in m.fillers if f.kind != "lexical"] == []


def test_a_filled_pause_missing_from_the_transcript_is_heard():
    samples = filler_scene(harmonic(0.7, 120.0))
    words = [Word("Then", 0.0, 0.5, 0.9), Word("we", 2.5, 3.0, 0.9)]
    m = analyze_delivery(samples, words)
    assert [(f.kind, round(f.start_s, 1), round(f.end_s, 1)) for f in m.fillers] == [("acoustic", 0.9, 1.6)]
    quiet = analyze_delivery(samples, words, options=DeliveryOptions(acoustic_fillers=False))
    assert quiet.fillers == ()


def timed(text: str) -> list[Word]:
    return [Word(t, 0.4 * i, 0.4 * i + 0.3, 0.9) for i, t in enumerate(text.split())]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I like my job.", []),
        ("I really like working with data.", []),
        ("It looks like a bug.", []),
        ("We found a kind of bug in the parser.", []),
        ("What kind of test would catch it?", []),
        ("Do you know the answer?", []),
        ("I mean it.", []),
        ("It was, like, completely broken.", ["like"]),
        ("Like, we had no tests.", ["like"]),
        ("I kind of forgot the deadline.", ["kind of"]),
        ("We were, you know, late.", ["you know"]),
        ("I mean, the tests passed.", ["i mean"]),
        ("Basically, I broke it.", ["basically"]),
        ("So I told my manager.", ["so"]),
        ("It was not so bad.", []),
        ("Right, so I fixed it.", ["right", "so"]),
        ("That is right.", []),
    ],
)
def test_lexical_fillers_follow_sentence_structure(text, expected):
    assert [f.text for f in lexical_fillers(timed(text))] == expected


def test_filler_rates_and_clusters():
    samples, _ = word_bursts([0.3] * 19, word_s=0.5)  # 20 'words' in 15.7 s
    words = timed("So I like it. Like, you know, it was, like, fine. " + " ".join(["ok"] * 12))
    words = [Word(w.text, 0.8 * i, 0.8 * i + 0.5, 0.9) for i, w in enumerate(words)]
    m = analyze_delivery(samples, words)
    assert [f.text for f in m.fillers] == ["so", "like", "you know", "like"]
    assert m.filler_count == 4
    assert m.fillers_per_100_words == pytest.approx(100 * 4 / m.words, abs=0.01)
    assert m.filler_clusters and m.filler_clusters[0].count == 4
    areas = {(f.area, f.severity) for f in delivery_feedback(m, words)}
    assert ("fillers", "high") in areas  # 4 in 22 words is far over 5 per 100


# --- pitch and loudness -----------------------------------------------------------------

def test_pitch_median_and_a_monotone_voice():
    samples, words = word_bursts([0.2] * 15, word_s=0.6)
    flat = np.concatenate([harmonic(0.6, 180.0) if i % 2 == 0 else silence(0.2) for i in range(31)])
    m = analyze_delivery(flat, words)
    assert m.pitch.median_hz == pytest.approx(180.0, rel=0.03)
    assert m.pitch.monotone is True and m.pitch.variation_semitones < 1.0
    fb = {(f.area, f.severity): f for f in delivery_feedback(m, words)}
    assert ("pitch", "medium") in fb and "monotone" in fb[("pitch", "medium")].message
    assert "180 Hz" in fb[("pitch", "medium")].evidence
    # A 12.6 s answer (16 words of 0.6 s, 15 gaps of 0.2 s) is far under the 60 s target.
    assert ("length", "medium") in fb and "0:13 (13 s)" in fb[("length", "medium")].message


def test_pitch_that_moves_is_not_monotone():
    parts = []
    for i in range(16):
        parts += [harmonic(0.6, (100.0, 180.0) if i % 2 else (170.0, 110.0)), silence(0.2)]
    samples = np.concatenate(parts)
    words = [Word(f"w{i}", 0.8 * i, 0.8 * i + 0.6, 0.9) for i in range(16)]
    m = analyze_delivery(samples, words)
    assert m.pitch.monotone is False and m.pitch.variation_semitones > 4.0


def test_loudness_level_and_flatness():
    samples, words = word_bursts([0.2] * 15, word_s=0.6)
    m = analyze_delivery(samples, words)
    speech = samples[np.abs(samples) > 0]
    expected = 20 * np.log10(np.sqrt(np.mean(speech.astype(float) ** 2)))
    assert m.loudness.median_dbfs == pytest.approx(expected, abs=1.5)
    assert m.loudness_flat is True
    # Every other second 12 dB quieter: not flat.
    varied = samples.copy()
    for k in range(0, varied.size, 2 * SR):
        varied[k: k + SR] *= 0.25
    m2 = analyze_delivery(varied, words)
    assert m2.loudness_flat is False and m2.loudness.variation_db > 3.0


# --- edge cases -------------------------------------------------------------------------

def test_silent_audio_without_words():
    m = analyze_delivery(silence(5.0), [])
    assert (m.words, m.pauses, m.fillers, m.words_per_minute) == (0, (), (), None)
    assert m.pitch.median_hz is None and m.loudness.median_dbfs is None
    assert delivery_feedback(m, []) == [] and delivery_score(m) == 0


def test_silent_audio_with_a_stray_word_does_not_invent_anything():
    m = analyze_delivery(silence(3.0), [Word("you", 0.5, 1.0, 0.2)])
    assert m.pauses == () and m.fillers == () and m.pitch.median_hz is None


@pytest.mark.parametrize("seconds", [0.0, 0.01, 0.2])
def test_very_short_audio(seconds):
    samples = harmonic(seconds, 150.0) if seconds else np.zeros(0, np.float32)
    words = [Word("Hi.", 0.0, seconds, 0.9)] if seconds else []
    m = analyze_delivery(samples, words)
    assert m.pauses == () and m.filler_count == 0
    assert isinstance(delivery_score(m), int)


# --- options, score, text ---------------------------------------------------------------

@pytest.mark.parametrize(
    "values, message",
    [
        ({"long_pause": 1}, "Unknown delivery option 'long_pause'"),
        ({"long_pause_s": "soon"}, "long_pause_s needs a float"),
        ({"slow_wpm": 200}, "slow_wpm (200.0) must not exceed fast_wpm"),
        ({"stall_s": -1}, "stall_s must be a number >= 0"),
        ({"acoustic_fillers": "maybe"}, "acoustic_fillers needs a bool"),
    ],
)
def test_bad_options_are_named(values, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        DeliveryOptions.from_mapping(values)


def test_options_from_strings_and_their_effect():
    opts = DeliveryOptions.from_mapping({"long-pause-s": "0.5", "acoustic_fillers": "false", "cluster_min": "2"})
    assert (opts.long_pause_s, opts.acoustic_fillers, opts.cluster_min) == (0.5, False, 2)
    samples, words = word_bursts([0.6, 0.6])
    assert analyze_delivery(samples, words).long_pause_count == 0
    assert analyze_delivery(samples, words, options=opts).long_pause_count == 2


def test_score_rewards_good_delivery_and_penalises_stalls():
    good, gw = word_bursts([0.3] * 150, word_s=0.15)  # ~0.45 s per word: 133 words/min, 68 s
    bad, bw = word_bursts([0.3] * 30 + [4.0, 4.0, 4.0], word_s=0.15)
    g = analyze_delivery(good, gw)
    b = analyze_delivery(bad, bw)
    assert 130 <= g.words_per_minute <= 170
    assert delivery_score(g) > delivery_score(b) + 20
    assert 0 <= delivery_score(b) <= 100


def test_text_lines_carry_units():
    samples, words = word_bursts([0.4, 1.5, 0.3], lead_s=0.5)
    lines = delivery_lines(analyze_delivery(samples, words))
    text = "\n".join(lines)
    assert lines[0] == "Delivery:"
    for unit in ("words/min", " s", "Hz", "semitones", "dBFS", " dB"):
        assert unit in text, unit
    assert "1.5 s at 0:02" in text
