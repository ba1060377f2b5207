"""Pauses on signals with known answers: a quiet word in a noisy room is not silence, a
click does not split a pause, and the word-aligned real clips against their TextGrids."""

from __future__ import annotations

import numpy as np

from delivery_signals import SR, harmonic, noise
from mockmic.delivery import analyze_delivery
from mockmic.results import Word


def _hum(seconds: float, level: float) -> np.ndarray:
    t = np.arange(int(round(seconds * SR))) / SR
    return (level * sum(np.sin(2 * np.pi * 50 * k * t) / k for k in range(1, 5)) / 2).astype(np.float32)


def _room(seconds: float, seed: int) -> np.ndarray:
    return noise(seconds, level=0.003, seed=seed) + _hum(seconds, 0.003)


def test_a_quiet_word_between_loud_ones_is_not_a_pause():
    # loud word, 0.6 s room tone, a word 30 dB quieter than the loud ones, 0.6 s, loud word
    loud = harmonic(0.5, (120, 160), level=0.3)
    quiet = harmonic(0.4, (130, 150), level=0.3 * 10 ** (-30 / 20))
    parts = [_room(0.5, 1), loud, _room(0.6, 2), quiet, _room(0.6, 3), loud, _room(0.5, 4)]
    x = np.concatenate([p if p.size == parts[0].size or p is loud else p for p in parts])
    x = x + noise(x.size / SR, level=0.003, seed=9)[: x.size]
    words = [Word("first", 0.5, 1.0, 0.95), Word("and", 1.6, 2.0, 0.9), Word("last.", 2.6, 3.1, 0.95)]
    m = analyze_delivery(x, words)
    assert m.pauses, "the two real silences are pauses"
    for p in m.pauses:
        assert not (p.start_s < 1.9 and p.end_s > 1.7), (p, "the quiet word is inside a pause")
    starts = sorted(round(p.start_s, 1) for p in m.pauses if p.duration_s >= 0.5)
    assert starts == [1.0, 2.0], m.pauses


def test_one_pause_with_a_click_in_the_middle_is_one_pause():
    loud = harmonic(0.6, (120, 160), level=0.3)
    room = _room(1.2, 5)
    room[int(0.6 * SR): int(0.6 * SR) + 80] += 0.5  # a 5 ms click
    x = np.concatenate([_room(0.4, 6), loud, room, loud, _room(0.4, 7)])
    words = [Word("one", 0.4, 1.0, 0.95), Word("two.", 2.2, 2.8, 0.95)]
    m = analyze_delivery(x, words)
    assert len(m.pauses) == 1, m.pauses
    p = m.pauses[0]
    assert abs(p.start_s - 1.0) <= 0.15 and abs(p.end_s - 2.2) <= 0.15, p


def _noisy_room(seconds: float, seed: int) -> np.ndarray:
    return noise(seconds, level=0.01, seed=seed)  # -40 dBFS: 16 dB under the words below


LOUD = harmonic(0.6, (120, 160), level=0.12)


def test_a_soft_um_held_in_a_noisy_room_is_not_silence():
    # 0.3 s room, a steady "um" 8 dB under the words (never the full hysteresis over the
    # threshold, but held for 0.4 s well over it), 0.3 s room: no pause runs through the um.
    um = harmonic(0.4, 110, level=0.12 * 10 ** (-8 / 20)) + _noisy_room(0.4, 3)
    x = np.concatenate([_noisy_room(0.5, 1), LOUD, _noisy_room(0.3, 2), um, _noisy_room(0.3, 4), LOUD,
                        _noisy_room(0.5, 5)])
    words = [Word("One", 0.5, 1.1, 0.95), Word("um,", 1.45, 1.75, 0.2), Word("two.", 2.1, 2.7, 0.95)]
    m = analyze_delivery(x, words)
    assert [(round(p.start_s, 1), round(p.end_s, 1)) for p in m.pauses] == [(1.1, 1.4), (1.8, 2.1)], m.pauses


def test_a_word_whisper_stretches_over_a_pause_does_not_hide_it():
    # Whisper times "two." from 1.4 s though it is spoken at 2.1-2.7 s; the room swells 4 dB
    # (under the threshold) three times during the pause. The pause is the whole silence.
    room = _noisy_room(1.0, 2)
    for at in (0.15, 0.45, 0.75):
        room[int(at * SR): int((at + 0.08) * SR)] *= 10 ** (4 / 20)
    x = np.concatenate([_noisy_room(0.5, 1), LOUD, room, LOUD, _noisy_room(0.5, 3)])
    m = analyze_delivery(x, [Word("One", 0.5, 1.1, 0.95), Word("two.", 1.4, 2.7, 0.95)])
    assert len(m.pauses) == 1, m.pauses
    assert abs(m.pauses[0].start_s - 1.1) <= 0.03 and abs(m.pauses[0].end_s - 2.1) <= 0.03, m.pauses


def test_the_fading_tail_of_a_word_is_not_part_of_the_pause():
    # A 0.12 s tail at the silence threshold (it flickers across it with the room noise) after
    # the word, then 0.7 s of room: the pause starts where the tail ends.
    tail = harmonic(0.12, 120, level=0.12 * 10 ** (-12 / 20)) + _noisy_room(0.12, 4)
    x = np.concatenate([_noisy_room(0.5, 1), LOUD, tail, _noisy_room(0.7, 2), LOUD, _noisy_room(0.5, 3)])
    m = analyze_delivery(x, [Word("Well", 0.5, 1.1, 0.95), Word("two.", 1.92, 2.52, 0.95)])
    assert len(m.pauses) == 1, m.pauses
    assert abs(m.pauses[0].start_s - 1.22) <= 0.03 and abs(m.pauses[0].end_s - 1.92) <= 0.03, m.pauses


def _real_delivery():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    import evaluation.real_delivery as rd

    return rd


def test_tokens_added_to_the_textgrids_are_the_references_own_hesitations():
    """The truth adds only what the verbatim reference says and the TextGrid lacks, inside a gap."""
    rd = _real_delivery()
    aligned = {c.name: c for c in rd.load_clips(as_aligned=True)}
    for clip in rd.load_clips():
        hes = [t for _, _, t in clip.tokens if t in rd.HESITATIONS]
        in_reference = [t for t in clip.reference.split() if t in rd.HESITATIONS]
        added = rd.MISSING_TOKENS.get(clip.name, ())
        if added:
            assert hes == in_reference, clip.name
            assert len(clip.tokens) == len(aligned[clip.name].tokens) + len(added)
        for a, b, _ in added:  # inside a silence of the TextGrid
            assert not any(s < b and e > a for s, e, _ in aligned[clip.name].tokens), (clip.name, a, b)


import pytest  # noqa: E402


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="targets not met yet: eval_delivery --only real gives, clean + 20 dB "
                   "white noise over the 3 clips, recall 14/16 and false pauses 4/23 (3 of them cold_corpus "
                   "with white noise)")
def test_pauses_on_word_aligned_real_clips_against_their_textgrids(transcriber):
    """The 3 word-aligned mfa clips, clean and with 20 dB white noise: every TextGrid gap of
    >= 0.5 s found within 0.15 s, at most one false pause in ten, no pause split in two."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    from evaluation.real_delivery import PauseScore, load_clips, score_pauses, with_white_noise

    total = PauseScore()
    for clip in load_clips():
        for v in (clip, with_white_noise(clip)):
            m = analyze_delivery(v.samples, transcriber.transcribe(v.samples).words)
            total = total.add(score_pauses(v, m.pauses))
    assert total.truth >= 3, total
    assert total.recall >= 0.9, total
    assert total.false_rate <= 0.1, total
    assert total.split == 0, total


@pytest.mark.slow
def test_pauses_on_the_tune_clip_in_all_six_versions(transcriber):
    """acoustic_corpus (the tune half), clean, 20 dB white noise, 20 dB hum and the same with
    its silences stretched: the soft "um" at 8.0-8.6 s in white noise is not a pause, the
    pauses Whisper stretches words over are found whole, nothing is split, nothing invented.
    The one pause allowed to miss is "but who" (the aligner puts 0.17 s of words where the
    level track has a 40 ms blip)."""
    rd = _real_delivery()
    clip = next(c for c in rd.load_clips() if c.name == "acoustic_corpus")
    total = rd.PauseScore()
    for v in rd.variants(clip):
        m = analyze_delivery(v.samples, transcriber.transcribe(v.samples).words)
        sc = rd.score_pauses(v, m.pauses)
        if v.variant == "clean+white20dB":
            assert not [p for p in m.pauses if p.start_s < 8.3 < p.end_s], m.pauses  # the um
        total = total.add(sc)
    assert total.truth == 42, total
    assert total.found >= 38, total.misses
    assert total.false == 0 and total.split == 0, total.misses


def test_words_overlapping_a_silence_are_found_by_bisection_exactly():
    # find_pauses looks only at the words overlapping each silence; the bisection must find
    # every one a scan of the whole transcript finds (long, zero-length and unsorted words too).
    from mockmic.delivery.pauses import _Overlapping

    rng = np.random.default_rng(3)
    starts = rng.uniform(0, 60, 300)
    lengths = np.where(rng.random(300) < 0.05, rng.uniform(2, 5, 300), rng.uniform(0, 0.6, 300))
    words = [Word(text="w", start_s=float(s), end_s=float(s + d), probability=0.9) for s, d in zip(starts, lengths)]
    near = _Overlapping(words)
    for s in rng.uniform(-1, 61, 400):
        e = s + rng.uniform(0, 3)
        brute = {id(w) for w in words if w.end_s >= s and w.start_s <= e}
        assert {id(w) for w in near(s, e)} == brute


def test_a_word_whisper_is_unsure_of_over_silence_does_not_count_towards_pace():
    x = np.concatenate([_room(0.4, 11), LOUD, _room(1.0, 12), LOUD, _room(0.4, 13)])
    words = [Word("One", 0.4, 1.0, 0.95), Word("it", 1.3, 1.6, 0.2), Word("two.", 2.0, 2.6, 0.95)]
    assert analyze_delivery(x, words).words == 2
    sure = [words[0], Word("it", 1.3, 1.6, 0.9), words[2]]
    assert analyze_delivery(x, sure).words == 3  # a word Whisper heard well is left to the pauses' rules
