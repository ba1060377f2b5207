"""A whole interview through the page, with Chromium's fake microphone playing known speech.

One `mockmic serve` for the module (one model load); each test launches Chromium with the WAV
its microphone plays.
"""

from __future__ import annotations

import json
import re
import time

import pytest
import soundfile as sf

from conftest import STAR_SENTENCES
from web_helpers import Frames, Server, fake_mic_wav, launch, request, wer

pytestmark = pytest.mark.slow

# A STAR answer with its action, result and lesson: no follow-up is needed.
FULL_ANSWER = " ".join(STAR_SENTENCES[i] for i in (1, 2, 4))
# An answer that stops at the Action: the interviewer asks for the outcome.
NO_RESULT_ANSWER = "I sent the wrong invoice to a client. I called them and fixed it."
QUESTION_IDS = ["mistake-at-work", "biggest-mistake"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("web-interview-home")).start()
    s.wait_model()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def full_answer(tmp_path_factory):
    return fake_mic_wav(tmp_path_factory.mktemp("mic") / "full.wav", FULL_ANSWER)


def start_interview(page, server, ids, *, max_seconds=None, follow_ups=True):
    page.goto(server.url)
    page.check("input[name=mode][value=pick]")
    for qid in ids:
        page.check(f"input[name=ids][value={qid}]")
    page.fill("#countdown_s", "1")
    if max_seconds is not None:
        page.fill("#max_seconds", str(max_seconds))
    if not follow_ups:
        page.uncheck("#follow_ups")
    page.click("#start")
    page.wait_for_url(re.compile(r"/practice/\d{8}-\d{6}-[0-9a-f]{6}$"))
    page.wait_for_selector("#btn-answer", state="visible", timeout=30_000)


def record_answer(page, frames, *, speech_s, stop="key", start=True):
    """Space starts (after the countdown) and, once the speech is over, Space stops; with
    ``stop="limit"`` the time limit stops it; ``start=False`` when the recording starts by itself
    (a redo). Returns the time the stop was sent."""
    after = time.monotonic()
    if start:
        page.keyboard.press("Space")
    page.wait_for_selector("#panel-record", state="visible", timeout=10_000)
    page.wait_for_function("() => document.getElementById('saved').textContent.startsWith('Saved')", timeout=20_000)
    started = frames.first_time("recording", after) or time.monotonic()
    if stop == "limit":
        page.wait_for_selector("#panel-record", state="hidden", timeout=(speech_s + 30) * 1000)
        return time.monotonic()
    time.sleep(max(0.0, started + speech_s + 1.0 - time.monotonic()))
    page.keyboard.press("Space")
    return time.monotonic()


def test_a_whole_two_question_interview(server, full_answer, tmp_path):
    from click.testing import CliRunner
    from playwright.sync_api import sync_playwright

    from mockmic.cli import cli
    from mockmic.store import Store

    from mockmic.practice import load_questions

    asked = {q.id: q.text for q in load_questions()}
    wav, speech_s = full_answer
    with sync_playwright() as p:
        browser = launch(p, mic_wav=wav)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            frames = Frames(page)
            start_interview(page, server, QUESTION_IDS, max_seconds=round(speech_s + 2))
            assert page.inner_text("#question-text") == asked[QUESTION_IDS[0]]

            # question 1: stopped with Space
            stopped = record_answer(page, frames, speech_s=speech_s)
            page.wait_for_selector("#report", state="visible", timeout=60_000)
            assert page.locator("#report-scores .score").count() >= 3
            live_before_stop = [m for t, m in frames.messages if m["type"] == "words" and t < stopped and m["words"]]
            live_text = page.inner_text("#live")  # the words as the page showed them
            if page.is_visible("#panel-followup-offer"):
                page.click("#btn-fu-skip")
            page.wait_for_selector("#btn-next", state="visible", timeout=30_000)
            page.keyboard.press("Enter")  # go on
            page.wait_for_selector("#btn-answer", state="visible")
            assert page.inner_text("#progress") == "Question 2 of 2"

            # question 2: stopped by the time limit
            record_answer(page, frames, speech_s=speech_s, stop="limit")
            page.wait_for_selector("#report", state="visible", timeout=60_000)
            if page.is_visible("#panel-followup-offer"):
                page.click("#btn-fu-skip")
            page.wait_for_selector("#btn-finish", state="visible", timeout=30_000)
            page.keyboard.press("Enter")  # finish: the summary
            page.wait_for_url(re.compile(r"/interviews/\d{8}-\d{6}-[0-9a-f]{6}$"), timeout=30_000)
            page.wait_for_selector("#summary-table")
            summary_rows = page.locator("#summary-table tbody tr").count()
            page.screenshot(path=str(tmp_path / "summary.png"), full_page=True)
        finally:
            browser.close()

    assert errors == []
    answered = frames.of("answered")
    assert [m["follow_up"] for m in answered if not m["follow_up"]] == [False, False]
    assert summary_rows == 3  # two questions and the average
    # The words were transcribed while the person spoke: chunks are cut only while audio arrives
    # (the stop adds one last chunk), so several messages of words mean live transcription.
    # Whether the first reaches the page before the stop depends on how busy the cores are.
    first_words = [m for m in frames.messages if m[1]["type"] in ("words", "answered")]
    first_words = first_words[: next(i for i, (_t, m) in enumerate(first_words) if m["type"] == "answered")]
    assert len([m for _t, m in first_words if m["words"]]) >= 2, first_words
    assert wer(FULL_ANSWER, live_text) <= 0.25, live_text
    print(f"first words {'before' if live_before_stop else 'after'} the stop;", end=" ")
    waits = [m["report"]["ready_after_stop_s"] for m in answered]
    print(f"report ready after stop: {waits} s")
    # On a quiet machine a report follows within 3 s (README); shared cores can take far longer.
    assert all(w is not None and w < 90 for w in waits)

    store = Store(server.home)
    sessions = store.list(oldest_first=True)
    assert len(sessions) == 2
    for qid, s in zip(QUESTION_IDS, sessions):
        report = store.get(s.id)
        assert wer(FULL_ANSWER, report.transcript.text) <= 0.25, report.transcript.text
        assert report.question == asked[qid]
        assert store.audio_path(s.id).name == "audio.wav"
    # the second answer was cut by the time limit, not before
    assert sessions[1].duration_s == pytest.approx(round(speech_s + 2), abs=0.3)

    # the CLI sees what the page stored
    result = CliRunner().invoke(cli, ["reports", "list"], env={"MOCKMIC_HOME": str(server.home)})
    assert result.exit_code == 0, result.output
    assert all(s.id in result.output for s in sessions) and "2 sessions" in result.output
    # and the interview is stored as `mockmic practice` stores it
    record = json.loads(next((server.home / "interviews").glob("*.json")).read_text())
    assert record["status"] == "finished" and record["planned"] == QUESTION_IDS
    assert [a["status"] for a in record["answers"]] == ["answered", "answered"]
    assert [a["session_id"] for a in record["answers"]] == [s.id for s in sessions]
    assert record["summary"]["answered"] == 2
    assert not list((server.home / "incoming").glob("*.wav"))  # nothing left unfinished


def test_closing_the_tab_mid_answer_keeps_the_audio(server, full_answer):
    from playwright.sync_api import sync_playwright

    from mockmic.record import recover_recordings

    wav, _speech_s = full_answer
    with sync_playwright() as p:
        browser = launch(p, mic_wav=wav)
        try:
            page = browser.new_page()
            frames = Frames(page)
            start_interview(page, server, ["mistake-at-work"])
            page.keyboard.press("Space")
            page.wait_for_selector("#panel-record", state="visible", timeout=10_000)
            page.wait_for_function("() => /Saved on this computer: 0:0[5-9]/.test(document.getElementById('saved').textContent)",
                                   timeout=30_000)
            session_id = frames.of("recording")[0]["session_id"]
            saved_s = max(m["seconds"] for m in frames.of("saved"))
            page.close()  # the tab goes away mid-answer
            # the server finishes the file and lets go of it
            incoming = server.home / "incoming"
            marker = incoming / f"{session_id}.json"
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and json.loads(marker.read_text()).get("state") != "recorded":
                time.sleep(0.2)
            data = json.loads(marker.read_text())
            assert data["state"] == "recorded" and data["stop_reason"] == "disconnected"

            # the next visit offers to finish it (once the server has let go of the file)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                listed = json.loads(request(server, "GET", "/api/recordings", cookie=True)[2])["recordings"]
                if session_id in [r["id"] for r in listed]:
                    break
                time.sleep(0.2)
            page = browser.new_page()
            page.goto(server.url)  # the address with the token, which lands on Practice
            banner = page.locator("#unfinished")
            assert banner.is_visible() and f'data-recording="{session_id}"' in banner.inner_html()
        finally:
            browser.close()

    info = sf.info(str(incoming / f"{session_id}.wav"))
    assert info.samplerate == 16000 and info.channels == 1
    assert info.duration >= saved_s - 0.05 and saved_s >= 5.0  # all the page was told is saved (rounded to 0.1 s)
    ready, _notes = recover_recordings(server.home)
    try:
        assert session_id in [r.session_id for r in ready]
        assert next(r for r in ready if r.session_id == session_id).question == "Tell me about a time you made a mistake at work. How did you handle it?"
    finally:
        for r in ready:
            r.release()
    # the interview itself ended, keeping what was done
    record = json.loads((server.home / "interviews" / f"{frames.of('start')[0]['interview_id']}.json").read_text())
    assert record["status"] == "failed"


def test_a_follow_up_is_asked_in_the_page(server, tmp_path):
    from playwright.sync_api import sync_playwright

    wav, speech_s = fake_mic_wav(tmp_path / "short.wav", NO_RESULT_ANSWER)
    with sync_playwright() as p:
        browser = launch(p, mic_wav=wav)
        try:
            page = browser.new_page()
            frames = Frames(page)
            start_interview(page, server, ["mistake-at-work"])
            record_answer(page, frames, speech_s=speech_s)
            page.wait_for_selector("#panel-followup-offer", state="visible", timeout=60_000)
            assert page.inner_text("#question-text") == "What was the outcome?"
            assert page.is_visible("#followup-line")
            page.click("#btn-fu-skip")
            page.wait_for_selector("#btn-finish", state="visible", timeout=30_000)
            page.click("#btn-finish")
            page.wait_for_url(re.compile(r"/interviews/"), timeout=30_000)
            text = page.inner_text("#summary-table")
        finally:
            browser.close()
    assert "Follow-up: “What was the outcome?” (not answered" in text


def test_redo_the_last_question_in_the_page(server, tmp_path):
    """Redo after the last answer: the question is asked again, the second take replaces the first
    in the interview (kept in `replaced`), and both takes stay stored as sessions."""
    from playwright.sync_api import sync_playwright

    from mockmic.store import Store

    before = {s.id for s in Store(server.home).list()}
    wav, speech_s = fake_mic_wav(tmp_path / "redo.wav", FULL_ANSWER)
    with sync_playwright() as p:
        browser = launch(p, mic_wav=wav)
        try:
            page = browser.new_page()
            frames = Frames(page)
            start_interview(page, server, ["biggest-mistake"], follow_ups=False)
            record_answer(page, frames, speech_s=speech_s)
            page.wait_for_selector("#btn-final-retry", state="visible", timeout=60_000)
            page.click("#btn-final-retry")  # the question again, straight to its countdown
            record_answer(page, frames, speech_s=speech_s, start=False)
            assert page.inner_text("#progress") == "Question 1 of 1"
            page.wait_for_selector("#btn-finish", state="visible", timeout=60_000)
            page.click("#btn-finish")
            page.wait_for_url(re.compile(r"/interviews/(\d{8}-\d{6}-[0-9a-f]{6})$"), timeout=30_000)
            interview_id = page.url.rsplit("/", 1)[1]
        finally:
            browser.close()
    record = json.loads((server.home / "interviews" / f"{interview_id}.json").read_text())
    assert record["status"] == "finished"
    [answer] = record["answers"]
    assert answer["status"] == "answered" and answer["attempt"] == 2
    [first] = record["replaced"]
    assert first["status"] == "answered" and first["session_id"] != answer["session_id"]
    new = {s.id for s in Store(server.home).list()} - before
    assert new == {first["session_id"], answer["session_id"]}
    assert [m["number"] for m in frames.of("answered")] == [1, 1]
