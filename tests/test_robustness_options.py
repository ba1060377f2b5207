"""Every option checked up front, with one sentence naming the option the person typed."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from mockmic.cli import cli
from mockmic.store import Store
from sample_sessions import tone_signal
from conftest import write_wav


@pytest.fixture
def answer(tmp_path):
    return write_wav(tmp_path / "answer.wav", tone_signal())


def refused(args, *must_name):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = [line for line in result.output.strip().splitlines() if line]
    error = [line for line in lines if line.startswith("Error")]
    assert len(error) == 1 and "Traceback" not in result.output, result.output
    for name in must_name:
        assert name in error[0], error[0]
    assert Store().list() == []  # refused before anything was analysed or stored
    return error[0]


@pytest.mark.parametrize("code, says", [
    ("xx", "not a language code"),
    ("EN", "did you mean 'en'"),
    ("", "needs a language code"),
    ("  ", "needs a language code"),
])
def test_a_language_whisper_does_not_know_is_refused(answer, code, says):
    line = refused(["analyze", answer, "--no-save", "--model", "base", "--language", code], "--language", says)
    assert "mockmic models languages" in line  # how to see the valid codes


def test_the_listed_codes_are_accepted_by_the_check():
    result = CliRunner().invoke(cli, ["models", "languages"])
    codes = result.output.split()
    assert result.exit_code == 0 and "en" in codes and "de" in codes and len(codes) >= 99
    assert "EN" not in codes


def test_an_english_only_model_with_another_language_is_refused(answer):
    refused(["analyze", answer, "--language", "de"], "--model tiny.en", "English-only", "--language de")
    refused(["analyze", answer, "--model", "tiny.en", "--language", "fr"], "English-only")


def test_record_and_serve_check_the_language_before_starting():
    refused(["record", "--language", "xx"], "--language")
    refused(["serve", "--no-browser", "--language", "de"], "English-only")


def test_unknown_config_tables_and_keys_are_errors(answer, tmp_path):
    typo = tmp_path / "typo.toml"
    typo.write_text("[delivry]\nlong_pause_s = 2\n")
    refused(["analyze", answer, "--no-save", "--config", typo], "--config", "[delivry]")
    key = tmp_path / "key.toml"
    key.write_text("[content]\nno_such_threshold = 3\n")
    refused(["analyze", answer, "--no-save", "--config", key], "--config", "no_such_threshold")
    dkey = tmp_path / "dkey.toml"
    dkey.write_text("[delivery]\nlong_pause = 3\n")
    refused(["analyze", answer, "--no-save", "--config", dkey], "--config", "long_pause")


def test_a_backwards_pace_range_names_pace_range(answer):
    line = refused(["analyze", answer, "--no-save", "--pace-range", "200-100"], "--pace-range", "100-200")
    assert "--delivery" not in line and "--config" not in line
