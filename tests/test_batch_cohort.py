"""A cohort of folders: recursive search, who spoke each file, re-runs that skip what is stored,
and --jobs workers that never outlive the batch (SIGTERM, SIGKILL, Ctrl-C)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest
from click.testing import CliRunner

from cohort_helpers import broken_file, make_cohort
from conftest import normalise_text
from mockmic.batch import batch_files, find_audio
from mockmic.cli import cli
from mockmic.store import Store

MOCKMIC = [sys.executable, "-c", "import sys; sys.argv[0] = 'mockmic'; from mockmic.cli import main; main()"]


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    root = tmp_path_factory.mktemp("cohort")
    return root, make_cohort(root)


def test_folders_are_searched_at_any_depth_skipping_hidden_and_the_data_home(tmp_path):
    for rel in ("alice/week1/q1.wav", "alice/q2.flac", "bob_q1.mp3", ".hidden/x.wav", "alice/.x.wav",
                "recordings/20261126-153812-a1b2c3/audio.wav", "notes/readme.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x")
    found = find_audio(tmp_path, skip=tmp_path / "recordings")
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["alice/q2.flac", "alice/week1/q1.wav", "bob_q1.mp3"]
    by_folder = batch_files([tmp_path], skip=tmp_path / "recordings", person_from="folder")
    assert [f.person for f in by_folder] == ["alice", "alice", tmp_path.name]
    by_prefix = batch_files([tmp_path / "bob_q1.mp3"], person_from="filename-prefix")
    assert [f.person for f in by_prefix] == ["bob"]


def test_a_cohort_is_stored_with_its_people_and_a_rerun_skips_every_file(cohort, _private_home):
    root, spoken = cohort
    first = CliRunner().invoke(cli, ["analyze", str(root), "--jobs", "2", "--person-from", "folder", "--format", "json"])
    assert first.exit_code == 0, first.output
    reports = json.loads(first.stdout)
    assert [r["audio"]["path"] for r in reports] == [str(p) for p in sorted(spoken)]
    for r in reports:
        said = normalise_text(spoken[next(p for p in spoken if str(p) == r["audio"]["path"])])
        assert len(set(normalise_text(r["transcript"]["text"]).split()) & set(said.split())) >= len(said.split()) // 2
    store = Store()
    assert sorted((s.person, s.source_path) for s in store.list()) == sorted(
        (p.parent.name, str(p.resolve())) for p in spoken)
    assert [s.person for s in store.list(person="ALICE")] == ["alice", "alice"]

    again = CliRunner().invoke(cli, ["analyze", str(root), "--jobs", "2", "--person-from", "folder", "--format", "json"])
    assert again.exit_code == 0, again.output
    assert again.stderr.count("Skipped ") == len(spoken) and "Stored" not in again.stderr
    assert json.loads(again.stdout) == reports  # the stored reports, in the same order
    assert len(store.list()) == len(spoken)  # nothing stored twice

    forced = CliRunner().invoke(cli, ["analyze", str(root / "bob" / "q1.wav"), "--again", "-q", "--format", "json"])
    assert forced.exit_code == 0 and len(store.list()) == len(spoken) + 1


def test_a_bad_file_is_reported_and_the_others_are_stored(tmp_path, _private_home):
    make_cohort(tmp_path, {"dana": ["I owned the mistake and fixed it."]})
    broken_file(tmp_path / "dana" / "q0_broken.wav")
    r = CliRunner().invoke(cli, ["analyze", str(tmp_path), "--jobs", "2", "--person-from", "folder", "-q"])
    assert r.exit_code == 1
    assert "Error: " in r.stderr and "q0_broken.wav" in r.stderr
    assert [s.person for s in Store().list()] == ["dana"]
    rerun = CliRunner().invoke(cli, ["analyze", str(tmp_path), "--jobs", "2", "-q"])
    assert rerun.exit_code == 1 and len(Store().list()) == 1  # the bad file is tried again, the good one skipped


def _start(args, home):
    env = dict(os.environ, MOCKMIC_HOME=str(home), HF_HUB_OFFLINE="1", PYTHONUNBUFFERED="1")
    return subprocess.Popen([*MOCKMIC, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _workers(proc, count, timeout=60.0):
    """The batch's worker processes, once ``count`` of them run (the resource tracker aside)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kids = [k for k in psutil.Process(proc.pid).children(recursive=True)
                if "resource_tracker" not in " ".join(k.cmdline())]
        if len(kids) >= count:
            return kids
        time.sleep(0.1)
    pytest.fail(f"the batch never started {count} workers")


def _left(processes, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        alive = [p for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_jobs_workers_die_with_their_parent(cohort, tmp_path, sig):
    root, _spoken = cohort
    proc = _start(["analyze", str(root), "--jobs", "2", "--again"], tmp_path / "home")
    workers = _workers(proc, 2)
    time.sleep(2)  # loading the model or transcribing
    proc.send_signal(sig)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == -sig if sig == signal.SIGKILL else 128 + sig
    assert _left(workers) == []
    assert "Traceback" not in err


def test_ctrl_c_ends_a_batch_with_one_sentence_and_keeps_what_finished(cohort, tmp_path):
    import shutil

    root = tmp_path / "big"
    spoken = []
    for copy in range(3):  # enough files that some are still waiting when Ctrl-C comes
        for path in cohort[1]:
            target = root / path.parent.name / f"{copy}-{path.name}"
            target.parent.mkdir(parents=True, exist_ok=True)
            spoken.append(shutil.copy(path, target))
    home = tmp_path / "home"
    proc = _start(["analyze", str(root), "--jobs", "2", "-q"], home)
    workers = _workers(proc, 2)
    store = Store(home)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (home / "mockmic.db").exists() or not store.list():
        assert time.monotonic() < deadline and proc.poll() is None, "no file was stored before the batch ended"
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Interrupted: ") and "run the same command again" in lines[0], err
    assert _left(workers) == []
    kept = store.list()
    assert 1 <= len(kept) < len(spoken)
    for s in kept:  # every stored session is complete
        assert store.get(s.id).transcript.words and store.audio_path(s.id) is not None
    assert f"Interrupted: {len(kept)} of {len(spoken)} files are stored" in lines[0]
