"""--cluster on a real Dask LocalCluster of 2 worker processes on this machine."""

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
from mockmic.batch import BatchSettings, batch_files, run_batch
from mockmic.cli import cli
from mockmic.store import Store

# Each test starts a cluster whose workers load Whisper: minutes on a 2-core machine.
pytestmark = pytest.mark.slow

MOCKMIC = [sys.executable, "-c", "import sys; sys.argv[0] = 'mockmic'; from mockmic.cli import main; main()"]


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    root = tmp_path_factory.mktemp("cohort")
    return root, make_cohort(root)


def _essence(report: dict) -> tuple:
    """Path, words and scores. Punctuation is left out: CTranslate2 with 1 thread (a cluster
    worker) and with 2 (--jobs 1 here) can place a comma differently; the words may not differ."""
    return (report["audio"]["path"], normalise_text(report["transcript"]["text"]), report["scores"],
            report["delivery"]["words_per_minute"], report["content"]["star"]["score"])


def test_cluster_gives_what_jobs_1_gives_and_stores_each_file_once(cohort, _private_home):
    root, spoken = cohort
    one = CliRunner().invoke(cli, ["analyze", str(root), "--no-save", "--format", "json", "-q"])
    assert one.exit_code == 0, one.output
    two = CliRunner().invoke(cli, ["analyze", str(root), "--cluster", "local:2", "--person-from", "folder",
                                   "--format", "json", "-q"])
    assert two.exit_code == 0, two.output
    assert [_essence(r) for r in json.loads(two.stdout)] == [_essence(r) for r in json.loads(one.stdout)]
    rows = Store().list()
    assert sorted((s.person, s.source_path) for s in rows) == sorted((p.parent.name, str(p.resolve())) for p in spoken)
    again = CliRunner().invoke(cli, ["analyze", str(root), "--cluster", "local:2", "--format", "json"])
    assert again.exit_code == 0 and again.stderr.count("Skipped ") == len(spoken)
    assert len(Store().list()) == len(spoken)


def test_a_bad_file_on_the_cluster(tmp_path, _private_home):
    make_cohort(tmp_path, {"erin": ["I made the call and I owned the result."]})
    broken_file(tmp_path / "erin" / "q0_broken.wav")
    r = CliRunner().invoke(cli, ["analyze", str(tmp_path), "--cluster", "local:2", "-q"])
    assert r.exit_code == 1 and "q0_broken.wav" in r.stderr and "Traceback" not in r.stderr
    assert len(Store().list()) == 1


def _dask_workers():
    return [k for k in psutil.Process().children(recursive=True) if "spawn_main" in " ".join(k.cmdline())]


def test_a_worker_killed_mid_batch_has_its_file_retried(cohort, tmp_path):
    import shutil

    root = tmp_path / "six"
    for copy in range(2):
        for path in cohort[1]:
            target = root / path.parent.name / f"{copy}-{path.name}"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
    files = batch_files([root], person_from="folder")
    store = Store(tmp_path / "home")
    killed: list[int] = []
    outcomes = []
    for outcome in run_batch(files, BatchSettings(), cluster="local:2", store=store):
        outcomes.append(outcome)
        if len(outcomes) == 1:  # both workers are now busy with the next files
            # Each single-threaded worker holds a file now (4 go out at once, 5 are left), so
            # the one killed dies mid-file. (CPU use is not asserted: this machine is shared.)
            time.sleep(1.0)
            workers = _dask_workers()
            assert len(workers) == 2
            busy = workers[0]
            killed.append(busy.pid)
            left_at_kill = len(files) - len(outcomes)
            busy.kill()
            psutil.wait_procs([busy], timeout=15)
    assert killed and not any(w.pid == killed[0] for w in _dask_workers())
    assert left_at_kill >= 4
    assert sorted(o.status for o in outcomes) == ["done"] * len(files)
    assert sorted(o.index for o in outcomes) == list(range(len(files)))
    rows = store.list()
    assert len(rows) == len(files)  # nothing lost, nothing stored twice
    assert sorted(s.source_path for s in rows) == sorted(str(f.path.resolve()) for f in files)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_no_cluster_process_outlives_the_parent(cohort, tmp_path, sig):
    env = dict(os.environ, MOCKMIC_HOME=str(tmp_path / "home"), HF_HUB_OFFLINE="1")
    proc = subprocess.Popen([*MOCKMIC, "analyze", str(cohort[0]), "--cluster", "local:2", "-q"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    kids = []
    while time.monotonic() < deadline and len(kids) < 2:
        kids = [k for k in psutil.Process(proc.pid).children(recursive=True) if "spawn_main" in " ".join(k.cmdline())]
        time.sleep(0.2)
    assert len(kids) >= 2
    everything = psutil.Process(proc.pid).children(recursive=True)
    time.sleep(3)
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    _out, err = proc.communicate(timeout=90)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in everything):
        time.sleep(0.2)
    assert [p.pid for p in everything if p.is_running() and p.status() != psutil.STATUS_ZOMBIE] == []
    if sig == signal.SIGINT:
        assert proc.returncode == 130 and "Traceback" not in err
        assert err.strip().splitlines()[-1].startswith("Interrupted: ")


def test_without_dask_cluster_says_how_to_install_it(monkeypatch, tmp_path):
    import builtins

    real = builtins.__import__

    def no_dask(name, *a, **k):
        if name == "distributed" or name.startswith("distributed."):
            raise ImportError(name)
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    r = CliRunner().invoke(cli, ["analyze", str(tmp_path), "--cluster", "local:2"])
    assert r.exit_code == 1
    assert r.output.strip() == "Error: --cluster needs Dask: install it with pip install 'mockmic[cluster]'."
    bad = CliRunner().invoke(cli, ["analyze", str(tmp_path), "--cluster", "local"])
    assert "--cluster must be local:N" in bad.output


def test_a_running_scheduler_gets_the_files_as_bytes(tmp_path, _private_home):
    """--cluster tcp://HOST:PORT: the workers are told no path, only the file's bytes."""
    from distributed import LocalCluster

    spoken = make_cohort(tmp_path / "c", {"finn": ["I fixed the outage and wrote down what I learned."]})
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as running:
        r = CliRunner().invoke(cli, ["analyze", str(tmp_path / "c"), "--cluster", running.scheduler_address,
                                     "--person-from", "folder", "--format", "json", "-q"])
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)  # one file: one report
    assert report["audio"]["path"] == str(next(iter(spoken)))  # named as here, not the worker's temporary copy
    assert "outage" in report["transcript"]["text"].lower()
    assert [s.person for s in Store().list()] == ["finn"]
    nobody = CliRunner().invoke(cli, ["analyze", str(tmp_path / "c"), "--cluster", "tcp://127.0.0.1:9", "--again"])
    assert nobody.exit_code == 1 and "No Dask scheduler answers at tcp://127.0.0.1:9" in nobody.output
