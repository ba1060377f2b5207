"""`mockmic serve` refuses what it must: no token, a foreign Host or Origin, over HTTP and for the
WebSocket handshake; uploads past the limits; and its pages fetch nothing from the network.

One real server process for the module (the model loads once), with small upload limits.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from conftest import espeak_samples, silence, write_wav
from web_helpers import Server, launch, request, websocket_handshake

pytestmark = pytest.mark.slow

PAGES = ["/practice", "/upload", "/history", "/interviews", "/trend"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("web-security-home")
    s = Server(home, args=["--max-upload-mb", "1", "--max-upload-minutes", "0.1"]).start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def interview_id(server):
    """An interview created through the API (the WebSocket needs one to talk to)."""
    status, _h, body = request(server, "POST", "/api/interviews", cookie=True, origin=server.base,
                               headers={"Content-Type": "application/json"},
                               body=json.dumps({"ids": ["mistake-at-work"], "countdown_s": 0}).encode())
    assert status == 201, body
    return json.loads(body)["id"]


def test_prints_loopback_address_with_a_token(server):
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[A-Za-z0-9_\-]{32}", server.url)


@pytest.mark.parametrize("method,path", [("GET", "/practice"), ("GET", "/static/app.css"), ("GET", "/api/status"),
                                         ("GET", "/sessions/20261126-153812-a1b2c3/report.html"),
                                         ("POST", "/api/interviews"), ("DELETE", "/api/sessions/20261126-153812-a1b2c3")])
def test_without_the_token_is_refused(server, method, path):
    status, _h, body = request(server, method, path, origin=server.base if method != "GET" else None, body=b"{}")
    assert status == 403
    assert b"token" in body and server.token.encode() not in body


def test_a_wrong_token_is_refused(server):
    assert request(server, "GET", "/practice?token=" + "x" * 32)[0] == 403
    status, _h, _b = request(server, "GET", "/practice", headers={"Cookie": f"mockmic_token_{server.port}=nope"})
    assert status == 403


def test_the_token_becomes_an_httponly_strict_cookie(server):
    status, headers, _b = request(server, "GET", "/?token=" + server.token)
    assert status == 303 and headers["location"] == "/"  # the token leaves the address at once
    cookie = headers["set-cookie"]
    assert cookie.startswith(f"mockmic_token_{server.port}={server.token};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    status, headers, body = request(server, "GET", "/practice", cookie=True)
    assert status == 200 and b"Practice an interview" in body
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self';" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'self'" in csp and "object-src 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1:1", "127.0.0.1", "192.168.1.5:{port}"])
def test_a_foreign_host_is_refused(server, host):
    host = host.format(port=server.port)
    # DNS rebinding: the page of evil.example resolved to 127.0.0.1 would send this Host.
    assert request(server, "GET", "/practice", host=host, cookie=True)[0] == 403
    assert request(server, "GET", "/?token=" + server.token, host=host)[0] == 403


def test_localhost_by_name_is_served(server):
    assert request(server, "GET", "/practice", host=f"localhost:{server.port}", cookie=True)[0] == 200


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1:1", "https://127.0.0.1:{port}"])
def test_a_foreign_origin_is_refused(server, origin):
    origin = origin.format(port=server.port)
    assert request(server, "GET", "/practice", origin=origin, cookie=True)[0] == 403
    status, _h, _b = request(server, "POST", "/api/interviews", origin=origin, cookie=True,
                             headers={"Content-Type": "application/json"}, body=b'{"ids": ["mistake-at-work"]}')
    assert status == 403


def test_a_cross_site_post_is_refused_even_without_origin(server):
    status, _h, _b = request(server, "DELETE", "/api/sessions/20261126-153812-a1b2c3", cookie=True,
                             headers={"Sec-Fetch-Site": "cross-site"})
    assert status == 403


def test_websocket_needs_token_same_origin_and_host(server, interview_id):
    path = f"/ws/interviews/{interview_id}"
    same = server.base
    assert websocket_handshake(server, path, origin=same) == 403  # no token
    assert websocket_handshake(server, path, origin="http://evil.example", cookie=True) == 403
    assert websocket_handshake(server, path, cookie=True) == 403  # a WebSocket must say its origin
    assert websocket_handshake(server, path, origin="http://evil.example", query_token=True) == 403
    evil = f"evil.example:{server.port}"
    assert websocket_handshake(server, path, host=evil, origin=f"http://{evil}", cookie=True) == 403
    # and the same handshake from the page itself is accepted
    assert websocket_handshake(server, path, origin=same, cookie=True) == 101


def test_sessions_are_addressed_by_id_only(server):
    for path in ["/sessions/..", "/sessions/20261126-153812-a1b2c3", "/sessions/%2e%2e%2fmockmic.db/report.html",
                 "/sessions/mockmic.db/report.html"]:
        status, _h, body = request(server, "GET", path, cookie=True)
        assert status in (404, 307), (path, status)
        assert b"SQLite" not in body
    status, _h, body = request(server, "DELETE", "/api/sessions/..", cookie=True, origin=server.base)
    assert status == 404 and b"is not a session id" in body


def test_an_upload_past_the_size_limit_is_refused_unread(server):
    body = b"x" * 1_200_000
    status, _h, reply = request(server, "POST", "/api/uploads", cookie=True, origin=server.base, body=body,
                                headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert status == 413
    assert json.loads(reply)["error"] == ("The file is larger than 1 MB, the most the web app takes: "
                                          "use `mockmic analyze` for larger files.")


def _multipart(name: str, data: bytes) -> tuple[bytes, str]:
    boundary = "mockmictestboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"question\"\r\n\r\n\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _job(server, body: bytes, content_type: str) -> dict:
    import time

    status, _h, reply = request(server, "POST", "/api/uploads", cookie=True, origin=server.base, body=body,
                                headers={"Content-Type": content_type})
    assert status == 202, reply
    job = json.loads(reply)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = json.loads(request(server, "GET", f"/api/jobs/{job['id']}", cookie=True)[2])
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    pytest.fail(f"the upload job did not end: {job}")


def test_an_upload_past_the_length_limit_is_one_sentence(server, tmp_path):
    wav = write_wav(tmp_path / "long answer.wav", np.concatenate([silence(0.3), espeak_samples("I fixed it."), silence(8.0)]))
    job = _job(server, *_multipart("long answer.wav", wav.read_bytes()))
    assert job["state"] == "failed"
    assert job["error"] == ("long answer.wav is longer than 0.1 minutes: the web app analyses answers up to that "
                            "length; use `mockmic analyze` for longer recordings.")
    assert not list((server.home / ".uploads").glob("*/*"))  # nothing left behind


def test_a_bad_file_uploaded_in_the_page_shows_one_clear_sentence(server, tmp_path):
    from playwright.sync_api import sync_playwright

    bad = tmp_path / "notes.wav"
    bad.write_text("These are my notes for the interview, not a recording.\n" * 20, encoding="utf-8")
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page()
            outside: list[str] = []
            page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server.base) else None)
            page.goto(server.url)
            page.click("nav >> text=Upload")
            # The page's script listens for files from DOMContentLoaded on: a file set before
            # that is never sent.
            page.wait_for_url(f"{server.base}/upload")
            page.wait_for_load_state("load")
            page.set_input_files("#files", str(bad))
            failed = page.wait_for_selector("#uploads li[data-state=failed]", timeout=60_000)
            text = failed.query_selector(".error").inner_text()
        finally:
            browser.close()
    assert text == "notes.wav is not an audio file that can be read (corrupt or unsupported format)."
    assert outside == []
    assert not list(server.home.glob("2*"))  # no session was stored for it


def test_pages_load_only_from_this_server_and_break_no_policy(server):
    """Every page in Chromium: no request leaves the server and the CSP blocks nothing of ours
    (an inline style or script would show as a console error)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page()
            outside: list[str] = []
            problems: list[str] = []
            page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server.base) else None)
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(server.url)
            for path in PAGES:
                page.goto(server.base + path)
                page.wait_for_load_state("load")
                assert page.locator("nav.main").is_visible()
                css = page.evaluate("getComputedStyle(document.querySelector('header.top')).borderBottomStyle")
                assert css == "solid", path  # the stylesheet applied
        finally:
            browser.close()
    assert outside == [] and problems == []
