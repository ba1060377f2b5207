"""The web app's engine without a browser: what becomes of an answer recorded in the page
(record.outcome.settle decides, as for `mockmic record`), its way into the store
(pipeline.analyze_and_store), and the thresholds `mockmic serve` was given."""

from __future__ import annotations

import errno

import numpy as np
import pytest

from conftest import SR

TEXT = "I made a mistake and I fixed it"


def _pcm(seconds: float) -> bytes:
    t = np.arange(int(seconds * SR)) / SR
    return (0.3 * 32767 * np.sin(2 * np.pi * 150 * t)).astype("<i2").tobytes()


@pytest.fixture
def engine(tmp_path):
    from mockmic.web.engine import Engine

    return Engine(tmp_path / "home")


def _incoming(engine):
    folder = engine.home / "incoming"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_an_empty_recording_is_dropped_and_the_interview_goes_on(engine):
    rec = engine.open_recording("Tell me about a mistake.")
    finished = rec.finish("stopped")
    assert finished.take is None and not finished.failed
    assert finished.message == "Nothing was recorded: it was stopped before any audio arrived."
    assert _incoming(engine) == []


def test_a_recording_is_stored_with_the_transcript_streamed_while_speaking(engine):
    from mockmic.pipeline import analyze_and_store
    from mockmic.results import Transcript, Word

    rec = engine.open_recording("Tell me about a mistake.")
    rec.write(_pcm(1.0))
    rec.write(_pcm(1.0))
    finished = rec.finish("max_seconds")
    take = finished.take
    assert finished.duration_s == pytest.approx(2.0) and finished.message is None
    assert (take.mode, take.session_id, take.stop_reason, take.question) == (
        "move", rec.session_id, "max_seconds", "Tell me about a mistake.")
    assert rec.levels.speech_started  # measured as the terminal recorder measures it
    words = tuple(Word(w, 0.1 + 0.2 * i, 0.28 + 0.2 * i, 0.9) for i, w in enumerate(TEXT.split()))
    take.transcript = Transcript(TEXT, "en", "streamed", words)
    report, folder = analyze_and_store(engine.analyzer, take, store=engine.store)
    assert engine.analyzer._transcriber is None  # nothing left to transcribe
    assert report.id == rec.session_id and report.transcript.text == TEXT
    assert report.audio.path == str(folder / "audio.wav") and report.audio.duration_s == pytest.approx(2.0)
    assert _incoming(engine) == []


def test_a_refused_write_keeps_what_was_written_and_stops_the_interview(engine, monkeypatch):
    from mockmic.record import recover_recordings

    rec = engine.open_recording(None)
    rec.write(_pcm(1.0))

    def full(pcm):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(rec.wav, "write", full)
    with pytest.raises(OSError):
        rec.write(_pcm(1.0))
    finished = rec.finish("stopped")
    assert finished.take is None and finished.failed and finished.reason == "write_error"
    assert finished.message == (f"Recording stopped because the disk is full: the 1.0 s written are kept in "
                                f"{rec.path}. Free some space, then run `mockmic record --recover`.")
    ready, _notes = recover_recordings(engine.home)
    try:
        assert [p.session_id for p in ready] == [rec.session_id]
        assert ready[0].duration_s == pytest.approx(1.0)
    finally:
        for p in ready:
            p.release()


def test_a_closed_page_leaves_the_recording_for_recovery(engine):
    rec = engine.open_recording("Tell me about a mistake.")
    rec.write(_pcm(1.0))
    rec.keep_for_recovery("disconnected")
    [left] = engine.unfinished_recordings()
    assert (left["id"], left["question"], left["duration_s"]) == (rec.session_id, "Tell me about a mistake.", 1.0)


def test_the_thresholds_reach_the_analyzer(tmp_path):
    from mockmic.web.engine import ConfigError, Engine

    engine = Engine(tmp_path / "home", delivery_options={"long_pause_s": 1.5}, content_options={})
    assert engine.analyzer.delivery_options.long_pause_s == 1.5
    with pytest.raises(ConfigError):
        Engine(tmp_path / "home", delivery_options={"long_pause_s": "long"})
