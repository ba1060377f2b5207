"""Helpers for the web app's tests: a real `mockmic serve` process, Debian's Chromium with a fake
microphone fed from known speech, and raw requests with chosen Host, Origin and cookies."""

from __future__ import annotations

import base64
import http.client
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from conftest import SR, espeak_samples, normalise_text, silence, write_wav

CHROMIUM = "/usr/bin/chromium"
MOCKMIC = [sys.executable, "-c", "import sys; sys.argv[0] = 'mockmic'; from mockmic.cli import main; main()"]
BROWSER_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"]
FAKE_MIC_ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


def record_requests_and_refuse(page):
    """Abort every request that leaves the file (or data: URLs) and keep its URL in
    ``page.requests``, so a test can assert that a self-contained page fetched nothing."""
    requests: list[str] = []

    def route(r):
        requests.append(r.request.url)
        r.abort()

    page.route(re.compile(r"^(?!file:|data:).*"), route)
    page.requests = requests
    return page


def wer(reference: str, hypothesis: str) -> float:
    import jiwer

    return jiwer.wer(normalise_text(reference), normalise_text(hypothesis))


def fake_mic_wav(path: Path, text: str, *, lead_s: float = 0.5, tail_s: float = 6.0) -> tuple[Path, float]:
    """espeak-ng speech of ``text`` as a 16 kHz mono WAV for Chromium's fake microphone (which
    plays it in a loop): silence before, and a long silence after, to stop in. Returns the path
    and the seconds until the speech ends."""
    speech = espeak_samples(text)
    samples = np.concatenate([silence(lead_s), speech, silence(tail_s)])
    write_wav(path, samples)
    return path, lead_s + speech.size / SR


@dataclass
class Server:
    """A `mockmic serve --no-browser --port 0` process on a temporary data home."""

    home: Path
    args: list[str] = field(default_factory=list)
    file_size_limit: int | None = None  # bytes (RLIMIT_FSIZE): a write past it fails as a full disk does
    proc: subprocess.Popen | None = None
    url: str = ""
    stderr: list[str] = field(default_factory=list)

    def start(self, timeout: float = 60.0) -> Server:
        env = dict(os.environ, MOCKMIC_HOME=str(self.home), HF_HUB_OFFLINE="1", PYTHONUNBUFFERED="1")
        preexec = None
        if self.file_size_limit is not None:
            import resource

            limit = self.file_size_limit

            def preexec():
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        self.proc = subprocess.Popen([*MOCKMIC, "serve", "--no-browser", "--port", "0", *self.args], env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=preexec)
        threading.Thread(target=self._drain, daemon=True).start()
        deadline = time.monotonic() + timeout
        line = ""
        while time.monotonic() < deadline and not line:
            line = self.proc.stdout.readline().strip()
            if self.proc.poll() is not None:
                break
        if not line.startswith("http://"):
            self.stop()
            pytest.fail(f"mockmic serve did not start: {line!r} {''.join(self.stderr)}")
        self.url = line
        return self

    def _drain(self) -> None:
        for line in self.proc.stderr:
            self.stderr.append(line)

    @property
    def token(self) -> str:
        return self.url.split("token=", 1)[1]

    @property
    def port(self) -> int:
        return int(re.search(r":(\d+)/", self.url).group(1))

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def cookie(self) -> str:
        return f"mockmic_token_{self.port}={self.token}"

    def wait_model(self, timeout: float = 120.0) -> None:
        """Until the model is loaded and the analysis warmed up (api/status)."""
        import json

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, _h, body = request(self, "GET", "/api/status", cookie=True)
            if status == 200 and json.loads(body).get("model_loaded"):
                return
            time.sleep(0.3)
        pytest.fail("the model did not load")

    def kill(self) -> None:
        """SIGKILL: no chance to finish anything."""
        self.proc.kill()
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def request(server: Server, method: str, path: str, *, host: str | None = None, origin: str | None = None,
            cookie: bool = False, body: bytes | None = None, headers: dict | None = None):
    """One HTTP request with exactly the Host, Origin and cookie given; (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", host or f"127.0.0.1:{server.port}")
        if origin is not None:
            conn.putheader("Origin", origin)
        if cookie:
            conn.putheader("Cookie", server.cookie)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def websocket_handshake(server: Server, path: str, *, host: str | None = None, origin: str | None = None,
                        cookie: bool = False, query_token: bool = False) -> int:
    """The HTTP status a WebSocket handshake gets: 101 when accepted, 403 when refused."""
    key = base64.b64encode(secrets.token_bytes(16)).decode()
    target = path + (f"?token={server.token}" if query_token else "")
    lines = [f"GET {target} HTTP/1.1", f"Host: {host or f'127.0.0.1:{server.port}'}", "Upgrade: websocket",
             "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
    if origin is not None:
        lines.append(f"Origin: {origin}")
    if cookie:
        lines.append(f"Cookie: {server.cookie}")
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        reply = b""
        while b"\r\n" not in reply:
            chunk = s.recv(1024)
            if not chunk:
                break
            reply += chunk
    return int(reply.split(b" ", 2)[1])


def require_chromium() -> None:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.fail(f"{CHROMIUM} is missing: run ./scripts/setup --test (installs Debian's chromium)")


def launch(playwright, *, mic_wav: Path | None = None):
    """Debian's Chromium, headless; with ``mic_wav`` its microphone plays that file (in a loop)."""
    require_chromium()
    args = list(BROWSER_ARGS)
    if mic_wav is not None:
        args += [*FAKE_MIC_ARGS, f"--use-file-for-fake-audio-capture={mic_wav}"]
    return playwright.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)


class Frames:
    """The interview WebSocket's messages as the page received them, with their arrival time."""

    def __init__(self, page) -> None:
        import json

        self.messages: list[tuple[float, dict]] = []
        self._json = json

        def on_socket(ws):
            ws.on("framereceived", self._received)

        page.on("websocket", on_socket)

    def _received(self, payload) -> None:
        if isinstance(payload, str):
            try:
                self.messages.append((time.monotonic(), self._json.loads(payload)))
            except ValueError:
                pass

    def of(self, kind: str) -> list[dict]:
        return [m for _t, m in self.messages if m.get("type") == kind]

    def first_time(self, kind: str, after: float = 0.0) -> float | None:
        return next((t for t, m in self.messages if m.get("type") == kind and t >= after), None)
