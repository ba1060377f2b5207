"""`mockmic serve` as a command: its help, lazy imports, the warning off loopback, a taken port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

from click.testing import CliRunner

from mockmic.cli import cli
from web_helpers import MOCKMIC


def test_serve_help_names_its_options():
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--port", "--host", "--no-browser", "--max-upload-mb", "--max-upload-minutes", "--model",
                   "--config", "--delivery", "--pace-range", "--long-pause"):
        assert option in result.output


def test_serve_checks_its_thresholds_before_starting(tmp_path):
    """The analysis options are those of `mockmic analyze`, refused before any server starts."""
    backwards = CliRunner().invoke(cli, ["serve", "--no-browser", "--pace-range", "170-130"])
    assert backwards.exit_code == 2 and "runs backwards" in backwards.output
    config = tmp_path / "mockmic.toml"
    config.write_text("[delivery]\nlong_pause_s = 0\n")
    bad = CliRunner().invoke(cli, ["serve", "--no-browser", "--config", str(config)])
    assert bad.exit_code == 2 and "long_pause_s" in bad.output


def test_help_imports_no_web_framework():
    code = ("import sys; from mockmic.cli import cli; "
            "print([m for m in ('starlette', 'uvicorn', 'websockets', 'multipart', 'jinja2') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_upload_names_are_made_safe():
    from mockmic.web.engine import safe_file_name

    assert safe_file_name("../../etc/passwd") == "passwd"
    assert safe_file_name("C:\\Users\\me\\answer one.m4a") == "answer_one.m4a"
    assert safe_file_name(".hidden.wav") == "hidden.wav"
    assert safe_file_name("") == "upload" and safe_file_name("...") == "upload"


def _serve(args, tmp_path, wait_for: str, timeout: float = 60.0):
    env = dict(os.environ, MOCKMIC_HOME=str(tmp_path / "home"))
    proc = subprocess.Popen([*MOCKMIC, "serve", "--no-browser", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    lines = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            lines.append(line)
            if wait_for in line:
                break
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    return proc.returncode, "".join(lines)


def test_a_host_off_loopback_is_warned_about(tmp_path):
    _code, err = _serve(["--host", "0.0.0.0", "--port", "0"], tmp_path, "is running at")
    assert "Warning: listening on 0.0.0.0, not only on this computer" in err
    assert "is running at http://127.0.0.1:" in err


def test_a_taken_port_that_was_asked_for_is_one_sentence(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        code, err = _serve(["--port", str(port)], tmp_path, "Error")
    assert code != 0
    assert err.strip() == (f"Error: The server could not start: port {port} is already in use: choose another "
                           "with --port (--port 0 takes any free one).")
