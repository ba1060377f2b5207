"""pipeline.Take: a transcript made while recording is used as it is, and an upload's report
names its audio as the person knows it; the audio still moves into the session."""

from __future__ import annotations

import numpy as np

from conftest import SR, write_wav

TEXT = "I made a mistake and I fixed it"


def _answer(path):
    t = np.arange(2 * SR) / SR
    return write_wav(path, (0.2 * np.sin(2 * np.pi * (120 + 20 * np.sin(2 * np.pi * t)) * t)).astype(np.float32))


def _transcript():
    from mockmic.results import Transcript, Word

    words = tuple(Word(w, 0.1 + 0.2 * i, 0.28 + 0.2 * i, 0.9) for i, w in enumerate(TEXT.split()))
    return Transcript(TEXT, "en", "streamed", words)


def test_a_takes_own_transcript_is_not_transcribed_again(tmp_path):
    from mockmic.pipeline import Analyzer, Take, analyze_and_store
    from mockmic.store import Store, new_session_id

    store = Store(tmp_path / "home")
    wav = _answer(tmp_path / "take.wav")
    take = Take(path=wav, mode="move", session_id=new_session_id(), transcript=_transcript())
    analyzer = Analyzer()
    report, folder = analyze_and_store(analyzer, take, store=store, question="Tell me about a mistake.")
    assert analyzer._transcriber is None  # no model was loaded
    assert report.transcript == _transcript() and report.scores is not None
    assert report.audio.path == str(folder / "audio.wav") and not wav.exists()
    # a transcript given to analyze_and_store wins over the take's own
    other = Take(path=_answer(tmp_path / "other.wav"), transcript=_transcript())
    given = _transcript().__class__("", "en", "given", ())
    report, _folder = analyze_and_store(analyzer, other, store=store, transcript=given)
    assert report.transcript.model == "given"


def test_audio_name_is_what_the_report_calls_the_audio(tmp_path):
    from mockmic.pipeline import Analyzer, Take, analyze_and_store
    from mockmic.store import Store

    store = Store(tmp_path / "home")
    upload = _answer(tmp_path / "answer_one.wav")
    take = Take(path=upload, mode="move", audio_name="answer one.wav", transcript=_transcript())
    report, folder = analyze_and_store(Analyzer(), take, store=store)
    assert report.audio.path == "answer one.wav" and store.get(report.id).audio.path == "answer one.wav"
    assert store.audio_path(report.id) == folder / "audio.wav" and not upload.exists()
