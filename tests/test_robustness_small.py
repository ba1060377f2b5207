"""The smaller cases: special input files, cut-short and clipped recordings, grouped stalls,
trend axes from zero, --open with no browser."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
from click.testing import CliRunner

from conftest import SR, STAR_SENTENCES, espeak_samples, write_wav
from mockmic.audio import load_audio, recording_notices
from mockmic.cli import cli
from mockmic.delivery import delivery_feedback
from mockmic.delivery.options import DeliveryOptions
from mockmic.render.charts import TREND_METRICS, trend_y_limits
from mockmic.results import Pause, Word
from mockmic.store import Store
from sample_sessions import make_report

SESSION = "20261120-090000-0000c3"


def test_a_fifo_as_input_is_refused_at_once(tmp_path):
    fifo = tmp_path / "answer.wav"
    os.mkfifo(fifo)
    # in a subprocess with a timeout: the old code waited for a writer forever
    result = subprocess.run([sys.executable, "-m", "mockmic", "analyze", str(fifo), "--no-save"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "special file" in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def speech():
    return espeak_samples(" ".join(STAR_SENTENCES[:2]))


@pytest.mark.parametrize("ext, fmt", [(".flac", "FLAC"), (".mp3", "MP3")])
def test_a_truncated_file_says_it_was_cut_short(tmp_path, speech, ext, fmt):
    import soundfile as sf

    whole = tmp_path / f"whole{ext}"
    sf.write(str(whole), speech, SR, format=fmt)
    cut = tmp_path / f"cut{ext}"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    samples, info = load_audio(whole)
    assert recording_notices(samples, info) == []
    samples, info = load_audio(cut)
    notices = recording_notices(samples, info)
    assert len(notices) == 1 and notices[0].startswith(f"cut{ext} was cut short"), notices
    assert info.declared_duration_s == pytest.approx(speech.size / SR, abs=0.1)


def test_clipping_gets_a_notice(tmp_path, speech):
    loud = np.clip(speech * 20, -1, 1).astype(np.float32)
    samples, info = load_audio(write_wav(tmp_path / "loud.wav", loud))
    notices = recording_notices(samples, info)
    assert len(notices) == 1 and "clipped" in notices[0]
    samples, info = load_audio(write_wav(tmp_path / "fine.wav", speech * 0.5))
    assert recording_notices(samples, info) == []


def test_many_stalls_are_one_feedback_item():
    report = make_report()
    words = tuple(Word(f"w{i}", 5.0 * i, 5.0 * i + 0.5, 0.9) for i in range(60))
    pauses = tuple(Pause(5.0 * i + 0.5, 5.0 * i + 4.5, 4.0) for i in range(44))
    metrics = replace(report.delivery, pauses=pauses)
    stall_items = [f for f in delivery_feedback(metrics, words, DeliveryOptions()) if "stall" in f.message.lower()]
    assert len(stall_items) == 1
    assert "stalled 44 times" in stall_items[0].message and "first at 0:00, 0:06, 0:10" in stall_items[0].message
    few = replace(metrics, pauses=pauses[:2])
    assert len([f for f in delivery_feedback(few, words, DeliveryOptions()) if "stall" in f.message.lower()]) == 2


@pytest.mark.parametrize("metric", [m for m in TREND_METRICS if TREND_METRICS[m].unit != "/100"])
def test_trend_axes_for_figures_start_at_zero(metric):
    for ys in (np.zeros(3), np.array([0.2, 0.0, np.nan]), np.array([np.nan])):
        lo, hi = trend_y_limits(TREND_METRICS[metric], ys)
        assert lo == 0 and hi > 0


def test_show_open_with_no_browser_fails_with_one_sentence(tmp_path, monkeypatch):
    Store().save(make_report(SESSION), None)
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"):
        monkeypatch.delenv(var, raising=False)
    result = CliRunner().invoke(cli, ["reports", "show", SESSION, "--format", "md", "--open"])
    assert result.exit_code == 1, result.output
    assert "No browser or viewer could be started" in result.output
    assert (Store().session_dir(SESSION) / "view.md").is_file()  # the report is kept


def test_the_same_prevention_quote_is_listed_once():
    from mockmic.content import analyze_content
    from mockmic.content.analyze import words_from_text

    text = ("I shipped a build with the wrong database setting. I told my manager and fixed it. I learned to double "
            "check every setting, and since then I use a checklist before each release. Now I always run the "
            "checklist before every release.")
    signals = analyze_content(words_from_text(text), question="Tell me about a time you made a mistake.").accountability.signals
    prevention = [s.text for s in signals if s.kind == "prevention"]
    assert prevention == ["and since then I use a checklist before each release",
                          "Now I always run the checklist before every release"]
