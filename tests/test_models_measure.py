"""`mockmic models measure` writes measured speed and accuracy; `mockmic models list` shows them."""

from __future__ import annotations

import json

from click.testing import CliRunner

from mockmic.cli import cli


def test_measure_then_list(tmp_path, monkeypatch):
    monkeypatch.setenv("MOCKMIC_MODELS", str(tmp_path))
    before = CliRunner().invoke(cli, ["models", "list"])
    assert before.exit_code == 0, before.output
    assert "Not measured yet: tiny.en: run `mockmic models measure`" in before.output
    done = CliRunner().invoke(cli, ["models", "measure", "--model", "tiny.en", "--seconds", "10"])
    assert done.exit_code == 0, done.output
    saved = json.loads((tmp_path / "measurements.json").read_text())
    assert [m["model"] for m in saved] == ["tiny.en"]
    m = saved[0]
    assert m["audio_s"] >= 10 and 0 < m["seconds_per_audio_second"] < 5 and 0 <= m["word_error_rate"] < 0.6
    after = CliRunner().invoke(cli, ["models", "list"])
    assert "Measured on this machine" in after.output and f"word error rate {m['word_error_rate']:.3f}" in after.output
    assert "Not measured yet" not in after.output


def test_measure_an_unknown_model_is_one_sentence(tmp_path, monkeypatch):
    monkeypatch.setenv("MOCKMIC_MODELS", str(tmp_path))
    result = CliRunner().invoke(cli, ["models", "measure", "--model", "large-v9"])
    assert result.exit_code != 0
    assert "No installed model named large-v9" in result.output and "Traceback" not in result.output
