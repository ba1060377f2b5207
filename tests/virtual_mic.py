"""A virtual microphone for tests: a private PulseAudio server whose null sink's monitor is the
input PortAudio records from (through ALSA's ``pulse`` plugin), fed by ``paplay``.

Recipe: ../shared/VIRTUAL_MIC.md. Needs pulseaudio, pulseaudio-utils (paplay, pactl),
libasound2-plugins and libportaudio2, all installed by ``./scripts/setup --test``.

Use the ``virtual_mic`` fixture (import it into the test module)::

    from virtual_mic import virtual_mic  # noqa: F401  (a pytest fixture)

    def test_hears(virtual_mic):
        virtual_mic.play(wav_path)           # what the "microphone" hears
        subprocess.run([...], env=virtual_mic.env)

The fixture sets PULSE_SERVER for this process (and re-initialises PortAudio, which lists
devices only once per process) and gives ``env`` for child processes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

SINK = "mic_feed"
START_TIMEOUT_S = 15.0  # a loaded 2-core machine can take a few seconds to start the server


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: run ./scripts/setup --test")
    return path


def _die_with_parent() -> None:
    # A test run killed by a timeout never reaches teardown; the server must not outlive it.
    import ctypes

    PR_SET_PDEATHSIG = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: teardown still stops the server


def reinit_portaudio() -> None:
    """Make sounddevice (if imported) see the current PULSE_SERVER: PortAudio scans once."""
    import sys

    sd = sys.modules.get("sounddevice")
    if sd is None:
        return
    try:
        sd._terminate()
    except Exception:
        pass
    try:
        sd._initialize()
    except Exception:
        pass  # no server: PortAudio then has no devices, which tests may want


class VirtualMic:
    """One private PulseAudio server in ``run_dir``; start() and stop() it, play() into it."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.socket = self.run_dir / "native"
        self.server = f"unix:{self.socket}"
        self.client_conf = self.run_dir / "client.conf"
        # A client must never start a server of its own (autospawn) behind the test's back.
        self.client_conf.write_text("autospawn = no\n")
        self.log = self.run_dir / "pulse.log"
        self.proc: subprocess.Popen | None = None
        self._players: list[subprocess.Popen] = []

    @property
    def env(self) -> dict[str, str]:
        """Environment for a child process that should record from this microphone."""
        env = dict(os.environ)
        env["PULSE_SERVER"] = self.server
        env["PULSE_CLIENTCONFIG"] = str(self.client_conf)
        return env

    def start(self) -> None:
        config = self.run_dir / "default.pa"
        config.write_text(
            f"load-module module-native-protocol-unix auth-anonymous=1 socket={self.socket}\n"
            f"load-module module-null-sink sink_name={SINK}\n"
            f"set-default-sink {SINK}\n"
            f"set-default-source {SINK}.monitor\n"
        )
        server_env = dict(self.env)
        # Keep the server's state and runtime files in the test's folder, not in $HOME.
        for var, sub in (("PULSE_STATE_PATH", "state"), ("PULSE_RUNTIME_PATH", "runtime"),
                         ("XDG_CONFIG_HOME", "config"), ("XDG_RUNTIME_DIR", "xdg")):
            (self.run_dir / sub).mkdir(exist_ok=True, mode=0o700)
            server_env[var] = str(self.run_dir / sub)
        self.proc = subprocess.Popen(
            [_tool("pulseaudio"), "--daemonize=no", "--exit-idle-time=-1", "-n", "-F", str(config),
             "--use-pid-file=no", f"--log-target=file:{self.log}"],
            env=server_env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            ok = subprocess.run([_tool("pactl"), "info"], env=self.env, capture_output=True).returncode == 0
            if ok:
                return
            time.sleep(0.1)
        log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
        self.stop()
        pytest.fail(f"the private PulseAudio server did not start; its log ends:\n{log}")

    def play(self, wav: Path, *, wait: bool = True) -> subprocess.Popen:
        """Play ``wav`` into the sink (what the microphone hears); wait for the end unless told."""
        proc = subprocess.Popen([_tool("paplay"), "-d", SINK, str(wav)], env=self.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._players.append(proc)
        if wait:
            _out, err = proc.communicate(timeout=120)
            if proc.returncode != 0:
                raise RuntimeError(f"paplay failed: {err.decode(errors='replace')}")
        return proc

    def stop(self) -> None:
        """Stop the server (like unplugging the microphone) and any player still running."""
        for p in self._players:
            if p.poll() is None:
                p.kill()
            p.wait()
        self._players.clear()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


@pytest.fixture
def virtual_mic(tmp_path_factory):
    """A started :class:`VirtualMic`, with PULSE_SERVER set in this process; stopped afterwards."""
    mic = VirtualMic(Path(tmp_path_factory.mktemp("pulse")))
    mic.start()
    saved = {k: os.environ.get(k) for k in ("PULSE_SERVER", "PULSE_CLIENTCONFIG")}
    os.environ["PULSE_SERVER"] = mic.server
    os.environ["PULSE_CLIENTCONFIG"] = str(mic.client_conf)
    reinit_portaudio()
    try:
        yield mic
    finally:
        mic.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        reinit_portaudio()
