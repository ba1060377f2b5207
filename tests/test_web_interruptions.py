"""What a killed server or a full disk leaves of an answer being recorded in the page: all but
the last second, in incoming/, and the next start offers to finish it."""

from __future__ import annotations

import json
import re
import time

import pytest
import soundfile as sf

from conftest import STAR_SENTENCES
from test_web_interview import start_interview
from web_helpers import Frames, Server, fake_mic_wav, launch

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def mic_wav(tmp_path_factory):
    return fake_mic_wav(tmp_path_factory.mktemp("mic") / "answer.wav", " ".join(STAR_SENTENCES[:3]))[0]


def _record_until_saved(page, frames, seconds: float) -> tuple[str, float]:
    page.keyboard.press("Space")
    page.wait_for_selector("#panel-record", state="visible", timeout=10_000)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not [m for m in frames.of("saved") if m["seconds"] >= seconds]:
        page.wait_for_timeout(100)
    return frames.of("recording")[0]["session_id"], max(m["seconds"] for m in frames.of("saved"))


def test_a_killed_server_keeps_the_audio_and_the_next_start_finishes_it(tmp_path, mic_wav):
    from playwright.sync_api import sync_playwright

    from mockmic.store import Store

    home = tmp_path / "home"
    first = Server(home).start()
    try:
        first.wait_model()
        with sync_playwright() as p:
            browser = launch(p, mic_wav=mic_wav)
            try:
                page = browser.new_page()
                frames = Frames(page)
                start_interview(page, first, ["mistake-at-work"])
                session_id, saved_s = _record_until_saved(page, frames, 5.0)
                first.kill()
                page.wait_for_function("() => /connection to mockmic was lost/.test(document.getElementById('status').textContent)",
                                       timeout=10_000)
            finally:
                browser.close()
    finally:
        first.stop()

    wav = home / "incoming" / f"{session_id}.wav"
    info = sf.info(str(wav))  # a valid WAV as it was left: no repair needed to read it
    assert info.duration >= saved_s - 0.05 and saved_s >= 5.0  # saved_s is rounded to 0.1 s

    second = Server(home).start()
    try:
        with sync_playwright() as p:
            browser = launch(p)
            try:
                page = browser.new_page()
                page.goto(second.url)
                item = page.locator(f"#unfinished li[data-recording='{session_id}']")
                assert "Tell me about a time you made a mistake at work." in item.inner_text()
                item.locator("button.finish-recording").click()
                link = item.locator(".result a")
                link.wait_for(timeout=90_000)
                assert link.get_attribute("href") == f"/sessions/{session_id}"
            finally:
                browser.close()
        assert "1 unfinished recording(s) are waiting" in "".join(second.stderr)
    finally:
        second.stop()
    report = Store(home).get(session_id)
    assert report.audio.duration_s >= saved_s - 0.05 and "revenue report" in report.transcript.text.lower()
    assert not wav.exists()


def test_a_full_disk_stops_the_answer_and_keeps_what_was_written(tmp_path, mic_wav):
    from playwright.sync_api import sync_playwright

    from mockmic.record import recover_recordings

    home = tmp_path / "home"
    server = Server(home, file_size_limit=160_000).start()  # about 5 s of 16 kHz 16-bit audio
    try:
        server.wait_model()
        with sync_playwright() as p:
            browser = launch(p, mic_wav=mic_wav)
            try:
                page = browser.new_page()
                frames = Frames(page)
                start_interview(page, server, ["mistake-at-work"])
                page.keyboard.press("Space")
                page.wait_for_selector("#to-summary", timeout=60_000)
                message = page.inner_text("#status")
                session_id = frames.of("recording")[0]["session_id"]
            finally:
                browser.close()
    finally:
        server.stop()
    wav = home / "incoming" / f"{session_id}.wav"
    # The sentence of `mockmic record` (record.outcome.settle decides for both).
    assert re.fullmatch(r"Recording stopped because the file grew past the size limit: the (\d\.\d) s written are kept "
                        rf"in {re.escape(str(wav))}\. Free some space, then run `mockmic record --recover`\.",
                        message), message
    kept_s = float(re.search(r"the (\d\.\d) s", message).group(1))
    assert 4.0 <= kept_s <= 5.0 and sf.info(str(wav)).duration == pytest.approx(kept_s, abs=0.05)
    ready, _notes = recover_recordings(home)
    try:
        assert [r.session_id for r in ready] == [session_id]
    finally:
        for r in ready:
            r.release()
    record = json.loads(next((home / "interviews").glob("*.json")).read_text())
    assert record["status"] == "failed"
