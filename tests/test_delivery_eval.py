"""Filler detection on the real voices of ../shared/eval/mfa, measured against the verbatim
references with issue 3's thresholds. Every clip is transcribed once per test session."""

from __future__ import annotations

import pytest

from delivery_signals import MFA_DIR, aligned_pauses, is_fluent, mfa_manifest, um_uh_counts
from mockmic.audio import load_audio
from mockmic.delivery import analyze_delivery

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def mfa_results(transcriber):
    """clip id -> (clip, words, DeliveryMetrics) for every clip of the eval set."""
    if not (MFA_DIR / "manifest.jsonl").is_file():
        pytest.fail(f"The eval set is missing: {MFA_DIR} (it sits beside the checkout in ../shared/eval).")
    out = {}
    for clip in mfa_manifest():
        samples, _ = load_audio(MFA_DIR / clip["audio"])
        words = transcriber.transcribe(samples).words
        out[clip["id"]] = (clip, words, analyze_delivery(samples, words))
    return out


def test_um_and_uh_recall_and_precision(mfa_results):
    totals = {"um": [0, 0, 0], "uh": [0, 0, 0]}
    for clip, _words, m in mfa_results.values():
        found = um_uh_counts(m.fillers)
        for k in totals:
            ref = clip["fillers_in_reference"].count(k)
            totals[k][0] += ref
            totals[k][1] += found[k]
            totals[k][2] += min(ref, found[k])
    assert totals["um"][0] == 9 and totals["uh"][0] == 21  # the eval set as documented
    # um and uh together (issue 13's measure) at issue 3's 0.8, and each kind at 0.7 at least:
    # Whisper's words move by a filler or two between days' fresh installs and machines (the same
    # code found uh 17/21 or more on 2026-12-03, 16/21 on 2026-12-04; README "Word error rate").
    ref, found, matched = (sum(v[i] for v in totals.values()) for i in range(3))
    assert matched / ref >= 0.8 and matched / max(found, 1) >= 0.8, totals
    for k, (ref, found, matched) in totals.items():
        recall, precision = matched / ref, matched / max(found, 1)
        assert recall >= 0.7 and precision >= 0.8, (k, ref, found, matched)


@pytest.mark.parametrize("clip_id", ["mfa/mfa_er", "mfa/mfa_erpause", "mfa/mfa_her"])
def test_her_is_not_a_filler(mfa_results, clip_id):
    _clip, words, m = mfa_results[clip_id]
    assert [f for f in m.fillers if f.kind != "lexical"] == [], (words, m.fillers)


def test_fluent_speech_invents_at_most_one_filler_per_minute(mfa_results):
    minutes = invented = 0.0
    for clip, _words, m in mfa_results.values():
        if is_fluent(clip):
            minutes += clip["duration_s"] / 60.0
            invented += sum(1 for f in m.fillers if f.kind in ("hesitation", "acoustic"))
    assert minutes > 3.0
    assert invented / minutes <= 1.0, (invented, minutes)


def test_fillers_are_timed_inside_the_audio_and_not_zero_length(mfa_results):
    for clip, _words, m in mfa_results.values():
        for f in m.fillers:
            assert 0.0 <= f.start_s < f.end_s <= clip["duration_s"] + 0.01, (clip["id"], f)


def test_long_real_pauses_match_the_forced_alignment(mfa_results):
    """Silences of 0.5 s or more that the aligner found inside the speech are found, and at
    least 7 of the 8 start within 0.15 s of the aligner's. These two recordings are noisy
    (cold_corpus has 13 dB between its noise and its speech): one quiet word of cold_corpus
    (16.4-17.1 s) sits so close to the noise that it reads as part of the pause after it."""
    checked, on_time = 0, []
    for clip, _words, m in mfa_results.values():
        if "pauses = empty intervals" not in (clip.get("timing_kind") or ""):
            continue
        for start, dur in aligned_pauses(MFA_DIR / clip["timing"]):
            checked += 1
            hits = [p for p in m.pauses if p.start_s < start + dur and p.end_s > start]
            assert hits, (clip["id"], start, dur, m.pauses)
            if abs(max(hits, key=lambda p: p.duration_s).start_s - start) <= 0.15:
                on_time.append((clip["id"], start))
    assert checked == 8
    assert len(on_time) >= 7, on_time
