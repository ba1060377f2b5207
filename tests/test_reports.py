"""`mockmic reports ...` and `analyze`'s storing, through click's CliRunner on a private home."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from mockmic.cli import cli
from mockmic.results import report_to_dict
from mockmic.store import Store
from sample_sessions import QUESTION, make_report, write_audio

OLD = "20261101-090000-0000a1"  # first attempt: fast, many fillers, no result
MID = "20261110-090000-0000b2"  # another question
NEW = "20261120-090000-0000c3"  # second attempt: comfortable pace, few fillers, a result
OTHER_Q = "Describe a conflict with a colleague."


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


@pytest.fixture
def store(_private_home, tmp_path) -> Store:
    s = Store()
    audio = write_audio(tmp_path / "answer.wav")
    s.save(make_report(OLD, created_at="2026-11-01T09:00:00+00:00", words_per_minute=205.0, filler_count=6,
                       fillers_per_100_words=6.5, overall=58), audio)
    s.save(make_report(MID, created_at="2026-11-10T09:00:00+00:00", question=OTHER_Q, overall=64), None)
    s.save(make_report(NEW, created_at="2026-11-20T09:00:00+00:00", words_per_minute=150.0, filler_count=1,
                       fillers_per_100_words=1.2, overall=81, result_present=True), audio)
    return s


# --- list ----------------------------------------------------------------------------------


def test_list_table(store):
    r = run("reports", "list")
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert lines[0].split() == ["ID", "When", "Length", "Overall", "Pace", "Fillers/100w", "Long", "pauses", "Question"]
    assert [line.split()[0] for line in lines[1:4]] == [NEW, MID, OLD]  # newest first
    assert "20 Nov 2026, 09:00" in lines[1] and " 81 " in lines[1] and " 150 " in lines[1] and " 1.2 " in lines[1]
    assert QUESTION[:40] in lines[1]
    assert lines[-1] == f"3 sessions in {store.home}"


def test_list_filters(store):
    r = run("reports", "list", "--question", "conflict")
    assert [line.split()[0] for line in r.output.splitlines()[1:-1]] == [MID]
    r = run("reports", "list", "--since", "2026-11-05", "--limit", "1")
    assert [line.split()[0] for line in r.output.splitlines()[1:-1]] == [NEW]
    r = run("reports", "list", "--question", "nothing like this")
    assert r.output == "No sessions match.\n"


def test_list_empty_home(_private_home):
    r = run("reports", "list")
    assert r.exit_code == 0
    assert r.output == f"No sessions stored in {_private_home} yet: `mockmic analyze FILE` stores one.\n"


def test_list_bad_since_is_one_sentence(store):
    r = CliRunner().invoke(cli, ["reports", "list", "--since", "last tuesday"])
    assert r.exit_code == 1
    assert r.output.strip() == "Error: 'last tuesday' is not a date: use 2026-11-01, 2026-11-01T14:30 or 7d (days ago)."


# --- show ----------------------------------------------------------------------------------


def test_show_json_is_the_stored_contract(store):
    r = run("reports", "show", NEW, "--format", "json")
    assert r.exit_code == 0
    assert json.loads(r.output) == report_to_dict(store.get(NEW))


def test_show_text_and_last(store):
    r = run("reports", "show", "last")
    assert r.exit_code == 0
    assert r.output.startswith(f"mockmic report {NEW}")
    assert f"Question: {QUESTION}" in r.output
    assert "Overall 81/100" in r.output


def test_show_md_to_file(store, tmp_path):
    out = tmp_path / "notes" / "answer.md"
    out.parent.mkdir()  # a missing folder is refused (tests/test_robustness_outputs.py)
    r = CliRunner().invoke(cli, ["reports", "show", OLD, "--format", "md", "-o", str(out)])
    assert r.exit_code == 0, r.output
    text = out.read_text()
    assert text.startswith(f"# Mock interview answer {OLD}\n")
    assert f"**Question:** {QUESTION}" in text
    assert "| Pace | 205 words/min |" in text
    assert "| Result | no | 0 s | 0% |" in text
    assert f"Report written to {out}" in r.stderr


def test_show_html_has_history_and_audio(store, tmp_path):
    out = tmp_path / "r.html"
    r = CliRunner().invoke(cli, ["reports", "show", NEW, "--format", "html", "-o", str(out)])
    assert r.exit_code == 0, r.output
    html = out.read_text()
    assert html.count("data:audio/ogg;base64,") == 1  # compressed (tests/test_robustness_long.py)
    assert 'id="trend"' in html  # two attempts at this question
    assert "(this one)" in html and "1 Nov 2026, 09:00" in html and "10 Nov 2026" not in html  # other question left out


def test_show_html_without_audio_says_so(store, tmp_path):
    out = tmp_path / "r.html"
    r = CliRunner().invoke(cli, ["reports", "show", MID, "--format", "html", "-o", str(out)])
    assert r.exit_code == 0
    assert "This session's audio is not available" in r.stderr
    html = out.read_text()
    assert "data:audio" not in html and 'id="timeline"' in html and 'id="trend"' not in html


def test_show_open_writes_into_the_session_and_launches(store, monkeypatch, tmp_path):
    # a stand-in xdg-open on PATH that notes what it was asked to open
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "xdg-open").write_text(f'#!/bin/sh\necho "$1" >> {tmp_path / "opened"}\n')
    (bin_dir / "xdg-open").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    r = CliRunner().invoke(cli, ["reports", "show", NEW, "--format", "html", "--open"])
    assert r.exit_code == 0, r.output
    launched = (tmp_path / "opened").read_text().splitlines()
    assert launched == [str(store.home / NEW / "view.html")]
    assert Path(launched[0]).read_text().startswith("<!DOCTYPE html>")
    assert store.get(NEW).id == NEW  # report.json untouched


@pytest.mark.parametrize("bad", ["../x", "/etc/passwd", "20261126-153812-zzzzzz"])
def test_show_bad_id(store, bad):
    r = CliRunner().invoke(cli, ["reports", "show", bad])
    assert r.exit_code == 1
    assert r.output.startswith(f"Error: {bad!r} is not a session id")
    assert "Traceback" not in r.output


def test_show_unknown_id(store):
    r = CliRunner().invoke(cli, ["reports", "show", "20261126-153812-abcdef"])
    assert r.exit_code == 1
    assert r.output == f"Error: No session 20261126-153812-abcdef in {store.home} (see `mockmic reports list`).\n"


# --- compare -------------------------------------------------------------------------------


def test_compare_says_what_got_better(store):
    r = run("reports", "compare", OLD, NEW)
    assert r.exit_code == 0
    out = r.output
    assert out.splitlines()[0] == f"A: {OLD}  {QUESTION}"
    assert "different questions" not in out
    lines = {line.strip().split("  ")[0]: line for line in out.splitlines() if line.startswith("  ")}
    assert lines["Overall"].split()[1:] == ["58", "81", "+23", "better"]
    assert lines["Pace"].split()[1:] == ["205", "wpm", "150", "wpm", "-55", "better"]
    assert lines["Fillers per 100 words"].split()[-3:] == ["1.2", "-5.3", "better"]
    assert lines["Result"].split()[1:] == ["missing", "yes,", "2", "s", "better"]
    assert lines["Situation"].rstrip().endswith("same")
    assert "Better in B: overall, pace, fillers, fillers per 100 words, result" in out
    assert "Worse in B: nothing measured" in out
    # and the other way round, the same figures got worse
    back = run("reports", "compare", NEW, OLD).output
    assert "Better in B: nothing measured" in back
    assert "Worse in B: overall, pace, fillers, fillers per 100 words, result" in back


def test_compare_different_questions_and_same_id(store):
    r = run("reports", "compare", OLD, MID)
    assert "Note: these sessions answer different questions" in r.output
    r = CliRunner().invoke(cli, ["reports", "compare", NEW, "last"])
    assert r.exit_code == 2 and "give two different sessions" in r.output


# --- trend ---------------------------------------------------------------------------------


def test_trend_terminal(store):
    r = run("reports", "trend", "--question", "mistake")
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert lines[0] == "2 sessions, 2026-11-01 to 2026-11-20 (oldest first)"
    rows = {line.split("  ")[0]: line for line in lines[2:]}
    assert rows["Overall score (/100)"].split()[-5:] == ["▁█", "58", "81", "81", "improving"]
    assert rows["Pace (words/min)"].split()[-4:] == ["205", "150", "150", "improving"]
    assert rows["Fillers (per 100 words)"].split()[-5:] == ["█▁", "6.5", "1.2", "1.2", "improving"]


def test_trend_metric_choice_and_html(store, tmp_path):
    out = tmp_path / "trend.html"
    r = CliRunner().invoke(cli, ["reports", "trend", "-m", "pace", "-m", "overall", "--html", str(out)])
    assert r.exit_code == 0, r.output
    body = [line for line in r.stdout.splitlines()[3:]]
    assert [line.split()[0] for line in body] == ["Pace", "Overall"]
    html = out.read_text()
    assert html.count('<img class="chart" id="trend" src="data:image/png;base64,') == 1
    assert html.count("<tr>") == 4  # head + 3 sessions
    r = CliRunner().invoke(cli, ["reports", "trend", "-m", "speed"])
    assert r.exit_code == 2 and "'speed' is not one of" in r.output


# --- export --------------------------------------------------------------------------------


def test_export_csv(store):
    r = run("reports", "export")
    rows = list(csv.DictReader(io.StringIO(r.output)))
    assert [row["id"] for row in rows] == [OLD, MID, NEW]  # oldest first
    assert rows[0]["words_per_minute"] == "205.0" and rows[2]["overall"] == "81"
    assert rows[1]["question"] == OTHER_Q and rows[1]["audio_mode"] == ""


def test_export_json_to_file(store, tmp_path):
    out = tmp_path / "all.json"
    r = CliRunner().invoke(cli, ["reports", "export", "--format", "json", "--since", "2026-11-05", "-o", str(out)])
    assert r.exit_code == 0
    data = json.loads(out.read_text())
    assert [d["id"] for d in data] == [MID, NEW]
    assert data[1] == report_to_dict(store.get(NEW))
    assert f"2 sessions written to {out}" in r.stderr


# --- delete --------------------------------------------------------------------------------


def test_delete_asks_first(store):
    r = run("reports", "delete", OLD, input="n\n")
    assert f"Delete session {OLD} (1 Nov 2026, 09:00, {QUESTION})? [y/N]" in r.output
    assert f"Kept {OLD}." in r.output
    assert store.get(OLD).id == OLD
    r = run("reports", "delete", OLD, input="y\n")
    assert f"Deleted {OLD}." in r.output
    assert [s.id for s in store.list()] == [NEW, MID]
    assert not (store.home / OLD).exists()


def test_delete_yes_and_unknown(store):
    r = CliRunner().invoke(cli, ["reports", "delete", MID, "20261126-153812-abcdef", "--yes"])
    assert r.exit_code == 1 and "No session 20261126-153812-abcdef" in r.output
    assert len(store.list()) == 3  # nothing deleted when one id is wrong
    r = run("reports", "delete", MID, NEW, "--yes")
    assert r.output == f"Deleted {MID}.\nDeleted {NEW}.\n"
    assert [s.id for s in store.list()] == [OLD]


# --- help ----------------------------------------------------------------------------------


def test_every_reports_command_has_help():
    group = cli.commands["reports"]
    assert group.help
    for name, command in group.commands.items():
        assert command.help and len(command.help) > 40, name
        for param in command.params:
            if isinstance(param, click.Option) and param.name != "help":
                assert param.help, f"{name} {param.opts}"
        r = run("reports", name, "--help")
        assert r.exit_code == 0 and "Usage: " in r.output and "Example" in r.output


# --- analyze stores ------------------------------------------------------------------------


@pytest.fixture
def fake_analysis(monkeypatch):
    """analyze without the model: the pipeline returns a known report for each file."""
    from mockmic import pipeline

    made = []

    def analyze_file(self, path, *, question=None, **_):
        ids = ["20261126-100000-00000a", "20261126-100000-00000b"]
        report = make_report(ids[len(made)], question=question, audio_path=str(path))
        made.append(report)
        return report, None

    monkeypatch.setattr(pipeline.Analyzer, "analyze_file", analyze_file)
    return made


def test_analyze_stores_a_copy_by_default(_private_home, tmp_path, fake_analysis):
    audio = write_audio(tmp_path / "a.wav")
    before = audio.read_bytes()
    r = CliRunner().invoke(cli, ["analyze", str(audio), "--question", QUESTION, "--format", "json"])
    assert r.exit_code == 0, r.output
    sid = fake_analysis[0].id
    assert f"Stored a.wav as session {sid} in {_private_home / sid}" in r.stderr
    store = Store()
    assert store.get(sid) == fake_analysis[0]
    assert store.audio_path(sid) == _private_home / sid / "audio.wav"
    assert audio.read_bytes() == before


def test_analyze_link_no_save_and_quiet(_private_home, tmp_path, fake_analysis):
    a = write_audio(tmp_path / "a.wav")
    b = write_audio(tmp_path / "b.wav")
    r = CliRunner().invoke(cli, ["analyze", str(a), str(b), "--link", "-q", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert r.stderr == ""
    store = Store()
    assert sorted(store.audio_path(x.id) for x in fake_analysis) == [a.resolve(), b.resolve()]
    assert sorted(p.name for p in (_private_home / fake_analysis[0].id).iterdir()) == ["report.json"]
    fake_analysis.clear()
    for s in store.list():
        store.delete(s.id)
    r = CliRunner().invoke(cli, ["analyze", str(a), "--no-save", "--format", "json"])
    assert r.exit_code == 0 and "Stored" not in r.stderr
    assert store.list() == []


def test_analyze_store_failure_keeps_the_report(_private_home, tmp_path, fake_analysis):
    audio = write_audio(tmp_path / "a.wav")
    Store().save(make_report("20261126-100000-00000a"), None)  # the id is taken: saving with audio fails
    r = CliRunner().invoke(cli, ["analyze", str(audio), "--format", "json"])
    assert r.exit_code == 1
    assert json.loads(r.stdout)["id"] == "20261126-100000-00000a"
    assert "Error: a.wav was not stored: Session 20261126-100000-00000a is already stored" in r.stderr


def test_sparkline():
    from mockmic.render.trend import sparkline

    assert sparkline([1, 2, 3, None, 8]) == "▁▂▃ █"
    assert sparkline([5, 5]) == "▅▅"
    assert sparkline([None, None]) == "  "
    long = sparkline(list(range(1000)), width=40)
    assert len(long) == 40 and long[0] == "▁" and long[-1] == "█"
    assert list(long) == sorted(long)  # a rising series stays rising when squeezed


def test_compare_with_the_previous_attempt(store):
    r = run("reports", "compare", "last")
    assert r.output.splitlines()[:2] == [f"A: {OLD}  {QUESTION}", f"B: {NEW}  {QUESTION}"]
    r = CliRunner().invoke(cli, ["reports", "compare", OLD])
    assert r.exit_code == 1
    assert r.output == f"Error: Session {OLD} is your first attempt at its question; give a second ID to compare with.\n"
