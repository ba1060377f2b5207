"""The batched transcription on real speech (../shared/eval/mfa): reproducible, no words over
silence, no less accurate than the plain sequential faster-whisper call."""

from __future__ import annotations

import json

import jiwer
import numpy as np
import pytest
from click.testing import CliRunner

from conftest import EVAL_DIR, SR, normalise_text, silence
from mockmic.audio import load_audio
from mockmic.results import Word
from mockmic.transcribe import FILLER_PROMPT, TranscribeOptions, Transcriber, resolve_model
from mockmic.transcribe.chunks import energy_clips
from mockmic.transcribe.heard import silero_speech_prob, unheard_words

MFA = EVAL_DIR / "mfa"
PROMPT_WORDS = {"um", "uh", "er", "hmm", "like", "you", "know", "i", "mean"}


def _clips() -> dict[str, dict]:
    manifest = MFA / "manifest.jsonl"
    if not manifest.is_file():
        pytest.fail(f"the real-speech set is missing: {manifest} (set MOCKMIC_EVAL)")
    return {json.loads(line)["id"].split("/", 1)[1]: json.loads(line) for line in open(manifest)}


def _audio(name: str) -> np.ndarray:
    return load_audio(MFA / _clips()[name]["audio"])[0]


def _timed(t) -> list[tuple[str, float, float]]:
    return [(w.text, w.start_s, w.end_s) for w in t.words]


def test_energy_clips_tile_the_signal_and_cut_in_pauses():
    rng = np.random.default_rng(0)
    burst = lambda s: (0.2 * rng.standard_normal(int(s * SR))).astype(np.float32)  # noqa: E731
    signal = np.concatenate([burst(12), silence(0.8), burst(12), silence(0.8), burst(12), silence(0.8), burst(5)])
    clips = energy_clips(signal, max_clip_s=28.0)
    assert clips[0][0] == 0 and clips[-1][1] == signal.size
    assert all(b == c for (_, b), (c, _) in zip(clips, clips[1:]))  # contiguous: nothing cut away
    assert all((b - a) / SR <= 28.0 for a, b in clips)
    # Cuts fall inside the second and third pauses (24.8-25.6 s, 37.6-38.4 s), not in speech.
    assert [round(b / SR, 1) for a, b in clips[:-1]] == [25.2]
    # No pause at all: still at most 28 s each.
    assert all((b - a) / SR <= 28.0 for a, b in energy_clips(burst(70)))


def test_same_real_clip_gives_identical_words_and_times(transcriber):
    names = ["mfa_uhuh", "mfa_kmg", "mfa_um", "cold_corpus"]
    first = {n: _timed(transcriber.transcribe(_audio(n))) for n in names}
    assert all(first.values())
    for _ in range(2):
        assert {n: _timed(transcriber.transcribe(_audio(n))) for n in names} == first
    fresh = Transcriber()  # a second load of the model gives the same words too
    assert {n: _timed(fresh.transcribe(_audio(n))) for n in names} == first


def _without_run_details(report: dict) -> dict:
    report = dict(report, id=None, created_at=None)
    report["transcript"] = dict(report["transcript"], transcribe_seconds=None)
    return report


def test_jobs_1_and_2_give_the_same_reports():
    from mockmic.cli import cli

    paths = [str(MFA / _clips()[n]["audio"]) for n in ("cold_corpus", "mfa_uhuh", "multilingual_ipa_us_4")]
    out = {}
    for jobs in (1, 2):
        result = CliRunner().invoke(cli, ["analyze", *paths, "--jobs", str(jobs), "--format", "json", "--no-save", "-q"])
        assert result.exit_code == 0, result.output
        out[jobs] = [_without_run_details(r) for r in json.loads(result.stdout)]
    assert out[1] == out[2]


@pytest.mark.parametrize("tail", ["silence", "noise"])
def test_no_prompt_words_over_appended_silence_or_noise(transcriber, tail):
    rng = np.random.default_rng(5)
    speech = _audio("mfa_um")
    end_s = speech.size / SR
    pad = silence(4.0) if tail == "silence" else (0.002 * rng.standard_normal(4 * SR)).astype(np.float32)
    t = transcriber.transcribe(np.concatenate([speech, pad]))
    late = [w.text for w in t.words if w.start_s > end_s]
    assert late == [], (late, t.dropped_hallucinations)
    assert "montreal" in normalise_text(t.text)


def test_echoed_prompt_after_the_last_word_is_found_and_spoken_fillers_are_not():
    # Real speech, then 3 s of near-silence carrying the prompt's words as Whisper echoes them.
    speech = _audio("mfa_um")
    signal = np.concatenate([speech, (1e-4 * np.random.default_rng(1).standard_normal(3 * SR)).astype(np.float32)])
    end = speech.size / SR
    spoken = [Word("Montreal", 0.3, 0.9, 0.95), Word("forced", 0.9, 1.3, 0.9)]
    echo = [Word("Um,", end + 0.5, end + 0.9, 0.3), Word("uh,", end + 1.0, end + 1.3, 0.2),
            Word("hmm.", end + 1.4, end + 1.9, 0.25)]
    found = unheard_words(signal, spoken + echo, silero_speech_prob())
    assert [w.text for w in found] == ["Um,", "uh,", "hmm."]
    # The same words with Whisper sure of them are kept: all three checks must agree.
    sure = [Word(w.text, w.start_s, w.end_s, 0.9) for w in echo]
    assert unheard_words(signal, spoken + sure, silero_speech_prob()) == []


def test_spoken_uh_in_a_noisy_recording_is_kept(transcriber):
    # cold_corpus: a speaker with a cold, a noisy room; the reference has three "uh"s.
    words = normalise_text(transcriber.transcribe(_audio("cold_corpus")).text).split()
    assert words.count("uh") >= 2, words


@pytest.mark.slow
def test_batched_is_no_less_accurate_than_the_plain_sequential_call(transcriber):
    from faster_whisper import WhisperModel

    names = ["acoustic_corpus", "cold_corpus", "mfa_surround", "mfa_thoughts", "mfa_words", "multilingual_ipa_2",
             "multilingual_ipa_us_3", "61-70968-0000", "mfa_uhuh", "falsetto2"]
    plain_model = WhisperModel(str(resolve_model(None).path), device="cpu", compute_type="int8", local_files_only=True)
    refs, batched, plain = [], [], []
    for n in names:
        samples = _audio(n)
        refs.append(normalise_text(_clips()[n]["reference"]))
        batched.append(normalise_text(transcriber.transcribe(samples).text))
        segments, _ = plain_model.transcribe(samples, language="en", beam_size=5, word_timestamps=True,
                                             initial_prompt=FILLER_PROMPT, hotwords=FILLER_PROMPT)
        plain.append(normalise_text(" ".join(s.text for s in segments)))
    wer_batched, wer_plain = jiwer.wer(refs, batched), jiwer.wer(refs, plain)
    assert wer_batched <= wer_plain + 0.01, (wer_batched, wer_plain)


def test_options_are_checked_with_their_names():
    from mockmic.errors import ConfigError

    with pytest.raises(ConfigError, match="mode must be one of batched, sequential"):
        TranscribeOptions(mode="fast")
    with pytest.raises(ConfigError, match="max_clip_s must lie between 1 and 30"):
        TranscribeOptions(max_clip_s=45)
