"""Delivery thresholds from the command line and a config file, end to end through `analyze`."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from delivery_signals import PHRASES, build
from mockmic.cli import cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def paused_answer(tmp_path_factory):
    """Three phrases with 0.7 s and 1.6 s silences between them, as a WAV file."""
    from mockmic.audio import write_wav

    built = build([0.3, PHRASES[0], 0.7, PHRASES[1], 1.6, PHRASES[2], 0.3])
    path = tmp_path_factory.mktemp("cli") / "answer.wav"
    write_wav(path, built.samples)
    return path


def analyze(*args):
    return CliRunner().invoke(cli, ["analyze", "--no-save", "--format", "json", "-q", *map(str, args)])


def test_defaults_and_overrides_change_the_report(paused_answer, tmp_path, no_network):
    default = analyze(paused_answer)
    assert default.exit_code == 0, default.output
    d = json.loads(default.output)["delivery"]
    assert [round(p["duration_s"], 1) for p in d["pauses"] if p["duration_s"] >= 0.5] == [0.7, 1.6]
    assert d["long_pause_count"] == 1
    for key in ("words", "speaking_time_s", "words_per_minute", "articulation_wpm", "pace_over_time",
                "pauses", "long_pause_count", "fillers", "filler_count", "fillers_per_minute",
                "fillers_per_100_words", "pitch", "loudness"):
        assert key in d, key
    assert set(d["pitch"]) >= {"median_hz", "variation_semitones", "monotone"}

    config = tmp_path / "mockmic.toml"
    config.write_text("[delivery]\nlong_pause_s = 0.6\nstall_s = 1.5\n", encoding="utf-8")
    from_file = json.loads(analyze(paused_answer, "--config", config).output)["delivery"]
    assert from_file["long_pause_count"] == 2 and from_file["stall_count"] == 1

    # A flag beats the file: --long-pause 2 leaves no long pause.
    flagged = json.loads(analyze(paused_answer, "--config", config, "--long-pause", "2",
                                 "--delivery", "stall_s=2.5").output)["delivery"]
    assert flagged["long_pause_count"] == 0 and flagged["stall_count"] == 0


def test_pace_range_changes_the_pace_feedback(paused_answer):
    report = json.loads(analyze(paused_answer, "--pace-range", "60-80").output)
    pace = [f for f in report["feedback"] if f["area"] == "pace"]
    assert pace and pace[0]["severity"] != "good" and "faster than the comfortable 60-80" in pace[0]["message"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--delivery", "bogus=1"], "Unknown delivery option 'bogus'"),
        (["--delivery", "long_pause_s"], "is not KEY=VALUE"),
        (["--delivery", "stall_s=0.5"], "long_pause_s (1.0) must not exceed stall_s"),
        (["--pace-range", "fast"], "is not a range such as 130-170"),
    ],
)
def test_bad_delivery_options_are_one_clear_error(paused_answer, args, message):
    result = analyze(paused_answer, *args)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_a_broken_config_file_is_named(paused_answer, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[delivery\nlong_pause_s = ", encoding="utf-8")
    result = analyze(paused_answer, "--config", bad)
    assert result.exit_code == 2 and "is not valid TOML" in result.output


def test_text_report_shows_the_delivery_section(paused_answer):
    result = CliRunner().invoke(cli, ["analyze", "--no-save", "-q", str(paused_answer)])
    assert result.exit_code == 0, result.output
    assert "Delivery:" in result.output and "words/min" in result.output
    assert "Pauses: " in result.output and "1.6 s at 0:" in result.output
    assert np.isfinite(float(result.output.split("Pace: ")[1].split()[0]))
