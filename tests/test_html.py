"""The HTML and Markdown reports: escaping and structure, then the page in headless Chromium."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from mockmic.render import render
from mockmic.render.html import transcript_segments
from mockmic.render.md import md_escape
from mockmic.results import Word
from mockmic.store import Store
from sample_sessions import WORDS, make_report, tone_signal
from web_helpers import record_requests_and_refuse

CHROMIUM = "/usr/bin/chromium"
EVIL_QUESTION = 'Tell me about a mistake <script>window.__pwned = 1</script>'
EVIL_WORD = '<img src=x onerror="window.__pwned = 2">'
EVIL_FILE = '/tmp/<img src=y onerror="window.__pwned = 3">.wav'


def evil_report(session_id="20261126-153812-a1b2c3", **kw):
    """The sample answer with markup in the question, a transcribed word and the file name."""
    report = make_report(session_id, question=EVIL_QUESTION, audio_path=EVIL_FILE, **kw)
    words = list(report.transcript.words)
    words[15] = Word(EVIL_WORD, words[15].start_s, words[15].end_s, 0.9)  # "manager" at 6.8 s
    return replace(report, transcript=replace(report.transcript, words=tuple(words),
                                              text=report.transcript.text + " " + EVIL_WORD))


def history_for(report):
    """Two earlier attempts and this one, as the store lists them."""
    store = Store()
    store.save(make_report("20261101-090000-0000a1", created_at="2026-11-01T09:00:00+00:00",
                           question=EVIL_QUESTION, overall=50, words_per_minute=200.0), None)
    store.save(make_report("20261110-090000-0000b2", created_at="2026-11-10T09:00:00+00:00",
                           question=EVIL_QUESTION, overall=61, words_per_minute=180.0), None)
    store.save(report, None)
    return store.list(same_question=report.question, oldest_first=True)


# --- without a browser ---------------------------------------------------------------------


def test_everything_from_the_person_is_escaped():
    report = evil_report()
    html = render(report, "html", samples=tone_signal(), history=history_for(report))
    assert "<script>window.__pwned" not in html and "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=&#34;window.__pwned = 2&#34;&gt;" in html
    assert "<img src=y" not in html and "&lt;img src=y onerror=&#34;window.__pwned = 3&#34;&gt;.wav" in html
    assert html.count("<script") == 1  # the page's own


def test_self_contained_and_locked_down():
    html = render(make_report(), "html", samples=tone_signal())
    # no address anywhere (':' cannot occur in base64, so this cannot hit embedded data)
    assert not re.search(r"(?i)\b(https?|ftp|wss?):", html)
    assert not re.search(r'(?:src|href)="(?!data:)', html)
    nonce = re.search(r'<script nonce="([^"]+)">', html).group(1)
    assert f"script-src 'nonce-{nonce}'" in html and "default-src 'none'" in html
    assert render(make_report(), "html", samples=tone_signal()) != html  # a fresh nonce per page


def test_transcript_marks_fillers_pauses_and_star_parts():
    segments = transcript_segments(make_report())
    assert [s.star for s in segments] == ["situation", "action"]
    first, second = segments[0].tokens, segments[1].tokens
    um = next(t for t in first if t.text == "um")
    assert "filler" in um.classes and um.start_s == 2.2
    assert [t.text for t in first if "filler" in t.classes] == ["um"]
    # pauses sit where they happened: the short one after "billing", the long one after the sentence
    assert [(t.text, first[i - 1].text) for i, t in enumerate(first) if t.kind == "pause"] == [
        ("0.1 s", "billing"), ("1.2 s", "tests.")]
    assert first[-1].classes == ["pause", "long"]
    # the filled pause heard but not transcribed comes after the last word
    assert (second[-1].kind, second[-1].classes, second[-2].text) == ("acoustic", ["filler", "acoustic"], "afternoon.")
    plain = [t.text for s in segments for t in s.tokens if t.kind == "word"]
    assert plain == [w[0] for w in WORDS]


def test_partial_report_without_audio_degrades():
    report = make_report(full=False, question=None)
    html = render(report, "html")
    assert "data:audio" not in html
    assert 'id="timeline" src="data:image/png;base64,' in html
    assert "The audio is not available" in html
    assert 'id="summary"' not in html and 'id="delivery"' not in html and 'id="content"' not in html
    assert html.count('class="w"') == len(WORDS)


def test_several_reports_are_refused_for_html():
    with pytest.raises(ValueError, match="one session"):
        render([make_report(), make_report()], "html")


def test_markdown_escapes_and_orders_feedback():
    md = render(evil_report(), "md")
    assert not re.search(r"(?<!\\)[<>]", md)  # every angle bracket is escaped: shown, not parsed
    assert r"**Question:** Tell me about a mistake \<script\>window.\_\_pwned = 1\</script\>" in md
    assert r"Audio: \<img src=y onerror=" in md
    feedback = md.split("## Feedback (most important first)")[1].split("##")[0]
    assert [line.split("**")[1] for line in feedback.strip().splitlines() if line.startswith("- ")] == ["High", "Medium", "Good"]
    assert md_escape("a | b [c](d) *e* `f`") == r"a \| b \[c\](d) \*e\* \`f\`"


# --- in the browser ------------------------------------------------------------------------

LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    """Debian's Chromium driven by Playwright; never a downloaded browser."""
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.fail(f"{CHROMIUM} is missing: run ./scripts/setup --test (installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM,
            args=LAUNCH_ARGS,
            headless=True,
            viewport={"width": 1200, "height": 900},
        )
        yield context
        context.close()


@pytest.fixture
def page(chromium):
    """A page that records any request leaving the file (there must be none)."""
    page = chromium.new_page()
    record_requests_and_refuse(page)
    yield page
    page.close()


def open_report(page, tmp_path, html: str):
    path = tmp_path / "report.html"
    path.write_text(html, encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_function("document.getElementById('audio') ? document.getElementById('audio').readyState >= 1 : true")
    return path


def test_report_in_chromium(page, tmp_path):
    report = evil_report()
    html = render(report, "html", samples=tone_signal(), history=history_for(report))
    open_report(page, tmp_path, html)

    # the charts are images that decoded and take up room on the page
    charts = page.eval_on_selector_all(
        "img.chart",
        "els => els.map(e => ({id: e.id, complete: e.complete, w: e.naturalWidth, h: e.naturalHeight,"
        " shown: e.getBoundingClientRect().width * e.getBoundingClientRect().height}))",
    )
    assert [c["id"] for c in charts] == ["timeline", "trend"]
    for c in charts:
        assert c["complete"] and c["w"] > 500 and c["h"] > 150 and c["shown"] > 50_000, c

    # the embedded audio is the answer: 10 s long
    # Ogg Opus: the last 20 ms frame may be padded, the start is exact
    assert page.evaluate("document.getElementById('audio').duration") == pytest.approx(10.0, abs=0.025)

    # a click on a word plays from that word
    page.locator("#transcript .w", has_text="tests.").click()
    assert 4.09 <= page.evaluate("document.getElementById('audio').currentTime") < 4.9
    page.locator("#transcript .w", has_text="afternoon.").click()
    assert 8.19 <= page.evaluate("document.getElementById('audio').currentTime") < 9.0
    # the feedback's time button, and a click on the timeline at 5 s
    page.locator("button.seek", has_text="0:02").click()
    assert 2.19 <= page.evaluate("document.getElementById('audio').currentTime") < 2.9
    box = page.locator("#timeline").bounding_box()
    from mockmic.render.charts import LEFT as x_left, RIGHT as x_right
    page.mouse.click(box["x"] + box["width"] * (x_left + (x_right - x_left) * 5.0 / 10.0), box["y"] + box["height"] * 0.3)
    assert 4.9 <= page.evaluate("document.getElementById('audio').currentTime") < 5.6

    # injected markup stayed text and ran nothing
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.scripts.length") == 1
    assert page.evaluate("document.querySelectorAll('img:not(.chart), b').length") == 0
    assert "<script>window.__pwned = 1</script>" in page.inner_text("#question")
    assert page.locator("#transcript .w", has_text="onerror").inner_text() == EVIL_WORD
    assert page.inner_text("#file-name") == '<img src=y onerror="window.__pwned = 3">.wav'
    assert page.requests == []

    # feedback most important first
    assert [t.split("·")[0].strip() for t in page.locator("ol.feedback .sev").all_inner_texts()] == ["HIGH", "MEDIUM", "GOOD"]

    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000


def test_report_without_audio_in_chromium(page, tmp_path):
    open_report(page, tmp_path, render(make_report(full=False), "html"))
    assert page.evaluate("document.getElementById('audio')") is None
    size = page.eval_on_selector("#timeline", "e => [e.naturalWidth, e.naturalHeight]")
    assert size[0] > 500 and size[1] > 150
    page.locator("#transcript .w", has_text="manager").click()  # no audio: nothing breaks
    assert page.evaluate("window.__pwned") is None and page.requests == []


def test_trend_page_in_chromium(page, tmp_path):
    from mockmic.render.html import render_trend_html

    history = history_for(make_report(question=EVIL_QUESTION))
    path = tmp_path / "trend.html"
    path.write_text(render_trend_html(history, ["overall", "pace", "fillers"]), encoding="utf-8")
    page.goto(path.as_uri())
    w, h = page.eval_on_selector("#trend", "e => [e.naturalWidth, e.naturalHeight]")
    assert w > 500 and h > 150
    assert page.locator("table tr").count() == 4
    assert page.evaluate("document.scripts.length") == 0 and page.evaluate("window.__pwned") is None
    assert EVIL_QUESTION in page.inner_text("table")


def test_fillers_timed_from_the_audio_find_their_words():
    """Delivery times fillers from the audio; Whisper's word may sit a little apart."""
    from mockmic.results import Filler

    report = make_report()
    fillers = (
        Filler("um", 1.7, 2.0, "hesitation"),  # the word "um" is at 2.2-2.6
        Filler("you know", 7.4, 7.9, "lexical"),  # no such words: shown on its own
        Filler("the", 1.45, 1.55, "lexical"),  # text matches "the" at 1.5 (not the one at 4.0)
    )
    report = replace(report, delivery=replace(report.delivery, fillers=fillers))
    tokens = [t for s in transcript_segments(report) for t in s.tokens]
    marked = [(t.text, t.start_s) for t in tokens if t.kind == "word" and "filler" in t.classes]
    assert marked == [("the", 1.5), ("um", 2.2)]
    alone = [(t.text, t.classes) for t in tokens if t.kind == "acoustic"]
    assert alone == [("you know", ["filler"])]


@pytest.mark.slow
def test_analysed_answer_end_to_end(page, tmp_path, known_speech, _private_home):
    """A real answer: analyze stores it, `reports show --format html` renders it, and in the
    browser a click on a transcribed word plays from that word's time."""
    from click.testing import CliRunner

    from mockmic.cli import cli

    r = CliRunner().invoke(cli, ["analyze", str(known_speech), "--question", "Tell me about a mistake.", "--format", "json"])
    assert r.exit_code == 0, r.output
    stored = Store().list()
    assert len(stored) == 1 and stored[0].question == "Tell me about a mistake."
    report = Store().get(stored[0].id)
    out = tmp_path / "answer.html"
    r = CliRunner().invoke(cli, ["reports", "show", "last", "--format", "html", "-o", str(out)])
    assert r.exit_code == 0, r.output
    page.goto(out.as_uri())
    page.wait_for_function("document.getElementById('audio').readyState >= 1")
    assert page.evaluate("document.getElementById('audio').duration") == pytest.approx(report.audio.duration_s, abs=0.05)
    word = next(w for w in report.transcript.words if w.text.strip(" .,").lower() == "manager")
    page.locator("#transcript .w", has_text=word.text.strip()).first.click()
    assert word.start_s - 0.01 <= page.evaluate("document.getElementById('audio').currentTime") < word.start_s + 0.6
    sizes = page.eval_on_selector_all("img.chart", "els => els.map(e => e.naturalWidth * e.naturalHeight)")
    assert sizes and all(s > 100_000 for s in sizes)
    assert page.requests == []


@pytest.mark.parametrize("freq", [90.0, 160.0, 250.0])
def test_loudness_contour_and_the_measured_pitch_track_of_known_tones(freq):
    """A 0.3-amplitude sine is -10.5 dBFS at its own frequency; silence has no pitch or level.

    The chart draws the pitch the delivery analysis measured: its track follows the tone."""
    import numpy as np

    from mockmic.delivery import analyze_delivery
    from mockmic.render.charts import loudness_contour
    from mockmic.results import Word

    sr = 16000
    t = np.arange(2 * sr) / sr
    y = np.concatenate([0.3 * np.sin(2 * np.pi * freq * t), np.zeros(sr)]).astype(np.float32)
    times, loud = loudness_contour(y)
    assert len(times) == len(loud) == 150 and times[1] == pytest.approx(0.02)
    assert np.nanmedian(loud[20:80]) == pytest.approx(20 * np.log10(0.3), abs=0.2)
    assert np.all(np.isnan(loud[120:]))
    pitch = analyze_delivery(y, [Word("Hello", 0.0, 1.0, 0.9), Word("there.", 1.0, 2.0, 0.9)]).pitch
    track = np.array([np.nan if v is None else v for v in pitch.track_hz])
    assert pitch.track_hop_s == pytest.approx(0.2) and track.size == pytest.approx(3.0 / 0.2, abs=1)
    tone = track[1:9]  # 0.2-1.8 s
    assert np.all(np.abs(tone - freq) < 0.03 * freq)
    assert np.all(np.isnan(track[11:]))  # the silent last second
