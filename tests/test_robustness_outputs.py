"""-o and other outputs: checked before any work, never over an input, written atomically."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from mockmic.cli import cli
from mockmic.errors import OutputError
from mockmic.store import Store, check_output, write_output
from sample_sessions import make_report, tone_signal, write_audio
from conftest import write_wav

SESSION = "20261120-090000-0000c3"


def run(args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def one_sentence_error(result, *must_name: str) -> str:
    """The run failed with one clear line on the output, no traceback."""
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    text = result.output.strip()
    assert "Traceback" not in text
    assert len(text.splitlines()) == 1, text
    for name in must_name:
        assert name in text, text
    return text


@pytest.fixture
def answer(tmp_path) -> Path:
    return write_wav(tmp_path / "answer.wav", tone_signal())


@pytest.mark.parametrize("flags", [["--link"], ["--no-save"], []])
def test_analyze_refuses_an_output_that_is_its_input(answer, flags):
    before = answer.read_bytes()
    result = run(["analyze", answer, *flags, "-o", answer])
    one_sentence_error(result, "-o/--output", "input recording")
    assert answer.read_bytes() == before
    assert Store().list() == []  # nothing was analysed or stored


def test_analyze_refuses_an_output_that_is_the_input_by_another_name(answer, tmp_path):
    before = answer.read_bytes()
    (tmp_path / "alias.wav").symlink_to(answer)
    os.link(answer, tmp_path / "hard.wav")
    for other in ("alias.wav", "hard.wav"):
        result = run(["analyze", answer, "--link", "-o", tmp_path / other])
        one_sentence_error(result, "input recording")
    # a folder given as input: its files are inputs too
    result = run(["analyze", tmp_path, "--no-save", "-o", answer])
    one_sentence_error(result, "input recording")
    assert answer.read_bytes() == before


@pytest.mark.parametrize("target, says", [
    ("/proc/version", "does not take new files"),
    ("{tmp}/missing/report.json", "does not exist"),
    ("{fifo}", "special file"),
])
def test_analyze_refuses_an_unwritable_output_before_any_work(answer, tmp_path, target, says):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    target = target.format(tmp=tmp_path, fifo=fifo)
    result = run(["analyze", answer, "--format", "json", "-o", target])
    one_sentence_error(result, "-o/--output", says)
    assert Store().list() == []  # refused before the analysis, so nothing was stored either
    assert not (tmp_path / "missing").exists()


def test_reports_commands_check_their_outputs(tmp_path):
    audio = write_audio(tmp_path / "linked.wav")
    store = Store()
    store.save(make_report(SESSION), audio, mode="link")
    before = audio.read_bytes()
    one_sentence_error(run(["reports", "show", SESSION, "--format", "md", "-o", audio]), "input recording")
    assert audio.read_bytes() == before
    one_sentence_error(run(["reports", "show", "last", "-o", "/proc/version"]), "-o/--output")
    one_sentence_error(run(["reports", "export", "-o", tmp_path / "no" / "x.csv"]), "-o/--output", "does not exist")
    one_sentence_error(run(["reports", "trend", "--html", "/proc/trend.html"]), "--html")
    ok = run(["reports", "export", "-o", tmp_path / "out.csv"])
    assert ok.exit_code == 0, ok.output
    assert SESSION in (tmp_path / "out.csv").read_text()


def test_a_failed_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    target = tmp_path / "report.txt"
    target.write_text("the old report\n")

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OutputError, match="disk is full"):
        write_output(target, "x" * 100_000)
    assert target.read_text() == "the old report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]  # no temp file left


def test_check_output_accepts_a_new_or_existing_file(tmp_path):
    assert check_output(tmp_path / "new.json", option="-o") == tmp_path / "new.json"
    (tmp_path / "old.json").write_text("{}")
    check_output(tmp_path / "old.json", option="-o", inputs=[tmp_path / "other.wav"])
    write_output(tmp_path / "old.json", "[]")
    assert (tmp_path / "old.json").read_text() == "[]"
    with pytest.raises(OutputError, match="is a folder"):
        check_output(tmp_path, option="-o")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.json"]  # the probe file is gone
