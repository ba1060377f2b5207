"""Batches: folders expand to their audio files; --jobs runs processes; bad files don't stop it."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from mockmic.batch import expand_inputs
from mockmic.cli import cli
from mockmic.errors import AudioError


def test_expand_inputs(tmp_path):
    (tmp_path / "b.mp3").write_bytes(b"x")
    (tmp_path / "a.WAV").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    single = tmp_path / "single.flac"
    assert expand_inputs([tmp_path, single]) == [tmp_path / "a.WAV", tmp_path / "b.mp3", single]


def test_folder_without_audio_is_an_error(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(AudioError, match="is a directory with no audio files in it"):
        expand_inputs([tmp_path])


@pytest.mark.parametrize("jobs", [1, 2])
def test_batch_in_parallel_goes_on_after_a_bad_file(tmp_path, known_speech, jobs):
    folder = tmp_path / "cohort"
    folder.mkdir()
    for name in ("s1.wav", "s2.wav", "s3.wav"):
        shutil.copy(known_speech, folder / name)
    (folder / "s0_broken.wav").write_bytes(b"RIFF" + b"\0" * 200)
    result = CliRunner().invoke(cli, ["analyze", str(folder), "--jobs", str(jobs), "--format", "json", "--no-save"])
    assert result.exit_code == 1
    reports = json.loads(result.stdout)
    assert [r["audio"]["path"].rsplit("/", 1)[1] for r in reports] == ["s1.wav", "s2.wav", "s3.wav"]
    assert all("invoice" in r["transcript"]["text"].lower() for r in reports)
    assert "Error: " in result.stderr and "s0_broken.wav" in result.stderr
