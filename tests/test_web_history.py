"""History in the page: sessions the CLI stored, filtered; a report (the CLI's HTML, click a word
to play); compare two attempts; trends; past interviews; delete with a confirmation; and an
upload's report, with progress, in the same list."""

from __future__ import annotations

import re

import numpy as np
import pytest

from conftest import espeak_samples, silence, write_wav
from sample_sessions import QUESTION, make_report, write_audio
from web_helpers import Server, launch, request

pytestmark = pytest.mark.slow

FIRST, SECOND, OTHER = "20261101-090000-0000a1", "20261110-090000-0000b2", "20261112-090000-0000c3"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from mockmic.practice import AnswerRecord, InterviewRecord, save_interview, summarise
    from mockmic.results import Scores
    from mockmic.store import Store

    home = tmp_path_factory.mktemp("web-history-home")
    store = Store(home)
    audio = write_audio(tmp_path_factory.mktemp("audio") / "answer.wav")
    store.save(make_report(FIRST, created_at="2026-11-01T09:00:00+00:00", overall=50, words_per_minute=200.0), audio)
    store.save(make_report(SECOND, created_at="2026-11-10T09:00:00+00:00", overall=71, words_per_minute=150.0), audio)
    store.save(make_report(OTHER, created_at="2026-11-12T09:00:00+00:00", question="Describe a conflict <b>at work</b>."),
               None)
    record = InterviewRecord(id="20261110-085900-00ffee", started_at="2026-11-10T08:59:00+00:00", source="microphone",
                             planned=("mistake-at-work",), status="finished", ended_at="2026-11-10T09:05:00+00:00")
    scores = Scores(71, 70, 72, 68)
    record.answers = [AnswerRecord("mistake-at-work", "mistakes", QUESTION, "answered", session_id=SECOND,
                                   first_scores=scores, scores=scores)]
    record.summary = summarise(record)
    save_interview(record, home)
    s = Server(home).start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(server.url)
    yield page
    context.close()


def test_history_lists_and_filters_what_the_cli_stored(page, server):
    page.goto(server.base + "/history")
    ids = page.eval_on_selector_all("#sessions tbody tr", "rows => rows.map(r => r.dataset.id)")
    assert ids == [OTHER, SECOND, FIRST]  # newest first
    # a question with markup shows as text
    assert page.locator("#sessions td.q", has_text="Describe a conflict <b>at work</b>.").count() == 1
    page.fill("#f-question", "mistake")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"question=mistake"))
    assert page.eval_on_selector_all("#sessions tbody tr", "rows => rows.map(r => r.dataset.id)") == [SECOND, FIRST]
    page.goto(server.base + "/history?since=2026-11-05")
    assert page.eval_on_selector_all("#sessions tbody tr", "rows => rows.map(r => r.dataset.id)") == [OTHER, SECOND]
    # the past interview and its summary
    page.goto(server.base + "/history")
    page.click("#interviews a")
    page.wait_for_url(re.compile(r"/interviews/20261110-085900-00ffee$"))
    assert "71" in page.inner_text("#summary-table") and QUESTION in page.inner_text("#summary-table")
    assert page.errors == []


def test_a_report_is_the_cli_report_and_a_word_plays_from_there(page, server):
    from click.testing import CliRunner

    from mockmic.cli import cli

    page.goto(server.base + "/history")
    page.click(f"#sessions tr[data-id='{SECOND}'] a")
    page.wait_for_url(re.compile(rf"/sessions/{SECOND}$"))
    frame = page.frame_locator("#report-frame")
    frame.locator("#audio").wait_for(state="attached")
    audio = frame.locator("#audio")
    frame.locator("#transcript .w", has_text="tests.").click()
    t = audio.evaluate("a => { a.pause(); return a.currentTime; }")
    assert 4.09 <= t < 6.0  # "tests." starts at 4.1 s; playing on a busy machine adds a little
    frame.locator("#transcript .w", has_text="afternoon.").click()
    assert 8.19 <= audio.evaluate("a => { a.pause(); return a.currentTime; }") < 10.0
    served = request(server, "GET", f"/sessions/{SECOND}/report.html", cookie=True)[2].decode()
    cli_html = CliRunner().invoke(cli, ["reports", "show", SECOND, "--format", "html"],
                                  env={"MOCKMIC_HOME": str(server.home)}).output

    def strip_nonce(html):
        return re.sub(r"nonce(-|=\")[A-Za-z0-9_\-]{16,}", "nonce", html)

    assert strip_nonce(served) == strip_nonce(cli_html)  # the very same report
    assert page.errors == []


def test_compare_two_attempts_and_trends(page, server):
    page.goto(server.base + "/history")
    page.check(f"input.pick[value='{FIRST}']")
    assert page.is_disabled("#compare-btn")
    page.check(f"input.pick[value='{SECOND}']")
    page.click("#compare-btn")
    page.wait_for_url(re.compile(rf"/compare\?a={FIRST}&b={SECOND}$"))
    overall = page.locator("#compare tr", has_text="Overall")
    assert overall.locator("td").nth(2).inner_text() == "50" and overall.locator("td").nth(3).inner_text() == "71"
    assert "better" in overall.get_attribute("class")
    # from a session, straight to its previous attempt
    page.goto(server.base + f"/sessions/{SECOND}")
    page.click("#compare-previous")
    page.wait_for_url(re.compile(rf"/compare\?a={FIRST}&b={SECOND}$"))
    page.goto(server.base + "/history")
    page.click("#trend-link")
    img = page.frame_locator("#trend-frame").locator("img#trend")
    img.wait_for()
    assert img.evaluate("i => i.complete && i.naturalWidth > 300")
    assert page.errors == []


def test_delete_asks_first(page, server):
    from mockmic.store import Store

    page.goto(server.base + "/history")
    row = page.locator(f"#sessions tr[data-id='{OTHER}']")
    row.locator("button.delete-session").click()
    assert row.locator("button.delete-session").inner_text() == "Really delete?"
    row.locator("button.cancel-delete").click()  # changed my mind
    assert OTHER in [s.id for s in Store(server.home).list()]
    row.locator("button.delete-session").click()
    row.locator("button.delete-session").click()
    row.wait_for(state="detached")
    assert OTHER not in [s.id for s in Store(server.home).list()]
    page.reload()
    assert page.locator(f"#sessions tr[data-id='{OTHER}']").count() == 0
    assert page.errors == []


def test_uploads_get_reports_with_progress(page, server, tmp_path):
    from mockmic.store import Store

    one = write_wav(tmp_path / "answer one.wav", np.concatenate([silence(0.4), espeak_samples(
        "I made a mistake at work. I told my manager and I fixed it the same day."), silence(0.4)]))
    two = tmp_path / "answer two.flac"
    import soundfile as sf

    data, rate = sf.read(str(one))
    sf.write(str(two), data, rate, format="FLAC")
    page.goto(server.base + "/upload")
    page.fill("#question", "Tell me about a time you made a mistake.")
    page.set_input_files("#files", [str(one), str(two)])
    page.wait_for_selector("#uploads progress")  # each file shows its progress
    page.wait_for_function("() => document.querySelectorAll('#uploads li[data-state=done]').length === 2", timeout=120_000,
                           polling=100)
    items = page.locator("#uploads li")
    assert items.count() == 2
    links = [items.nth(i).locator("a").get_attribute("href") for i in range(2)]
    ids = [link.rsplit("/", 1)[1] for link in links]
    store = Store(server.home)
    for sid, name in zip(ids, ["answer one.wav", "answer two.flac"]):
        report = store.get(sid)
        assert report.audio.path == name and report.question == "Tell me about a time you made a mistake."
        assert "mistake" in report.transcript.text.lower()
    assert [p.suffix for p in (store.audio_path(i) for i in ids)] == [".wav", ".flac"]
    assert not list((server.home / ".uploads").glob("*/*"))
    assert page.errors == []


def test_practice_with_my_own_questions_skip_and_finish(page, server):
    """Own questions, one a line; skipping and finishing early work without a microphone."""
    page.goto(server.base + "/practice")
    page.check("input[name=mode][value=own]")
    page.fill("#own", "Tell me about a time you missed a deadline.\n\n<i>Why</i> this job?\n")
    page.click("#start")
    # The page shows its panel before the server's first question arrives (the server may still
    # be warming up the judge): wait for the question itself.
    page.wait_for_function("() => (document.getElementById('progress') || {}).textContent === 'Question 1 of 2'",
                           timeout=30_000)
    page.wait_for_selector("#btn-answer", state="visible", timeout=30_000)
    assert page.inner_text("#question-text") == "Tell me about a time you missed a deadline."
    assert page.is_hidden("#btn-retry")  # nothing to redo yet
    page.click("#btn-skip")
    page.wait_for_function("() => (document.getElementById('progress') || {}).textContent === 'Question 2 of 2'")
    assert page.inner_text("#question-text") == "<i>Why</i> this job?"  # text, not markup
    page.click("#btn-quit")
    page.wait_for_url(re.compile(r"/interviews/\d{8}-\d{6}-[0-9a-f]{6}$"), timeout=30_000)
    table = page.inner_text("#summary-table")
    assert "Tell me about a time you missed a deadline." in table and "(skipped)" in table
    assert "No answer was scored." in page.inner_text("#work-on")
    assert page.errors == []


def test_practice_from_a_category(page, server):
    from mockmic.practice import load_questions

    mistakes = {q.text for q in load_questions() if q.category == "mistakes"}
    page.goto(server.base + "/practice")
    page.select_option("#category", "mistakes")
    page.fill("#count", "2")
    page.click("#start")
    page.wait_for_selector("#btn-answer", state="visible", timeout=30_000)
    # The question and the choice arrive as two messages: wait for the first to be shown too.
    page.wait_for_function("() => (document.getElementById('progress') || {}).textContent === 'Question 1 of 2'")
    assert page.inner_text("#question-text") in mistakes
    # a count the bank cannot meet, or an unknown category, is one sentence in the form
    page.goto(server.base + "/practice")
    page.fill("#count", "0")
    page.click("#start")
    error = page.locator("#setup-error")
    error.wait_for(state="visible")
    assert error.inner_text() == "The number of questions must be 1 or more, not 0."
