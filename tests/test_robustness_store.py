"""A data home that cannot be written is still listed and shown; a data home that is a file
is one clear sentence."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from mockmic.cli import cli
from mockmic.store import Store
from sample_sessions import make_report

SESSION = "20261120-090000-0000c3"


def _as_another_user(args: list[str], home: Path) -> subprocess.CompletedProcess:
    """Run mockmic as a user who may not write ``home`` (root ignores file modes, so as nobody)."""
    cmd = [sys.executable, "-m", "mockmic", *args]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.fail("setpriv (util-linux) is needed to drop root for this test")
        cmd = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
    env = {**os.environ, "MOCKMIC_HOME": str(home)}
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)


def test_a_read_only_data_home_can_be_listed_and_shown():
    root = Path(tempfile.mkdtemp(prefix="mockmic-ro-"))
    try:
        root.chmod(0o755)
        home = root / "home"
        Store(home).save(make_report(SESSION), None)
        for path in [home, *home.rglob("*")]:
            mode = path.stat().st_mode
            path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        before = {p: p.read_bytes() for p in home.rglob("*") if p.is_file()}
        listed = _as_another_user(["reports", "list"], home)
        assert listed.returncode == 0, listed.stderr
        assert SESSION in listed.stdout and "1 session in" in listed.stdout
        shown = _as_another_user(["reports", "show", "last", "--format", "json"], home)
        assert shown.returncode == 0, shown.stderr
        assert f'"id": "{SESSION}"' in shown.stdout
        trend = _as_another_user(["reports", "trend"], home)
        assert trend.returncode == 0, trend.stderr
        assert {p: p.read_bytes() for p in home.rglob("*") if p.is_file()} == before
    finally:
        for path in [root, *root.rglob("*")]:
            path.chmod(0o755)
        shutil.rmtree(root)


def test_a_data_home_that_is_a_file_is_one_sentence(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.write_text("not a folder")
    monkeypatch.setenv("MOCKMIC_HOME", str(home))
    for args in (["reports", "list"], ["reports", "show", "last"], ["reports", "export"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1, (args, result.output)
        assert result.output.strip().splitlines() == [
            f"Error: The data home {home} is a file, not a folder: point $MOCKMIC_HOME at a folder."]
    assert home.read_text() == "not a folder"


def test_a_full_disk_still_lists_the_sessions(tmp_path):
    """The data home on a 1 MB tmpfs filled to 0 bytes free (a mount namespace of our own)."""
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-rm", "true"]).returncode != 0:
        pytest.skip("needs `unshare -rm` (user and mount namespaces) to mount a small full file system")
    src = tmp_path / "src"
    Store(src).save(make_report(SESSION), None)
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    script = f"""set -e
mount -t tmpfs -o size=1m tmpfs {mnt}
cp -a {src} {mnt}/home
dd if=/dev/zero of={mnt}/fill bs=4k 2>/dev/null || true
test "$(df --output=avail {mnt} | tail -1 | tr -d ' ')" = 0
MOCKMIC_HOME={mnt}/home {sys.executable} -m mockmic reports list
MOCKMIC_HOME={mnt}/home {sys.executable} -m mockmic reports show last --format json
"""
    result = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "1 session in" in result.stdout and f'"id": "{SESSION}"' in result.stdout
