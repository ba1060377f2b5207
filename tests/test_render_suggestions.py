"""What to say instead and delivery per STAR part in the text, Markdown and HTML reports.

The person's words reach every format as text: a ``<script>`` said in the answer (as Whisper
might write it) is shown, never run, and in the HTML page a click on a quoted sentence plays
that moment, as a click on a transcript word does.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from mockmic.render import render
from mockmic.results import StarPartDelivery, Suggestion
from sample_sessions import make_report, tone_signal
from test_html import chromium, open_report, page  # noqa: F401  (the browser fixtures)

EVIL = "<script>window.__pwned = 4</script>"
QUOTE = f"I told my manager {EVIL} and fixed it that afternoon."  # the Action sentence, at 6.2 s


def report_with_suggestions():
    """The sample report with a per-part delivery block and two suggestions, one quoting markup."""
    r = make_report(result_present=True)
    c = r.content
    star = replace(c.star,
                   situation=replace(c.star.situation, delivery=StarPartDelivery(158.4, 2, 1, 1)),
                   action=replace(c.star.action, delivery=StarPartDelivery(214.0, 0, 0, 0)))
    suggestions = (
        Suggestion("missing_task", "I was leading the billing um release and I skipped the tests.", 0.5,
                   "Nothing says what your role or goal was. Say it after this sentence.",
                   "My [role] was to [what you were responsible for], so [what was at stake]."),
        Suggestion("low_ownership", QUOTE, 6.2, "An interviewer hears 'we' <b>and</b> cannot tell what you did.",
                   f"I [the step you took yourself] {EVIL}."),
    )
    sentences = (c.sentences[0], replace(c.sentences[1], text=QUOTE))
    return replace(r, content=replace(c, star=star, suggestions=suggestions, sentences=sentences))


def test_text_report_shows_suggestions_and_part_delivery():
    text = render(report_with_suggestions(), "text")
    section = text.split("What to say instead:")[1].split("Feedback")[0]
    lines = [ln.strip() for ln in section.strip().splitlines()]
    assert lines[0] == "0:00  No Task: 'I was leading the billing um release and I skipped the tests.'"
    assert f"0:06  Low ownership: '{QUOTE}'" in lines
    assert "Try: My [role] was to [what you were responsible for], so [what was at stake]." in lines
    star = {ln.split()[0]: ln for ln in text.splitlines() if ln.startswith("  ") and ln.split()[:1] in (
        ["Situation"], ["Task"], ["Action"], ["Result"])}
    assert "158 words/min" in star["Situation"] and "pauses 2 (1 long)" in star["Situation"]
    assert "fillers 1" in star["Situation"]
    assert "214 words/min" in star["Action"] and "pauses 0" in star["Action"]
    assert "words/min" not in star["Result"]  # no delivery block: nothing invented
    assert EVIL in text  # a terminal shows text as it is


def test_markdown_escapes_suggestions_and_has_a_part_table():
    md = render(report_with_suggestions(), "md")
    assert not re.search(r"(?<!\\)[<>]", md)
    section = md.split("## What to say instead")[1].split("\n## ")[0]
    assert r"- **No Task** (0:00): “I was leading the billing um release and I skipped the tests.”" in section
    assert r"\<script\>window.\_\_pwned = 4\</script\>" in section
    assert r"  - Try: My \[role\] was to \[what you were responsible for\], so \[what was at stake\]." in section
    assert "| Part | Present | Time | Share | Pace (words/min) | Pauses | Fillers |" in md
    assert "| Situation | yes | 4 s | 60% | 158 | 2 (1 long) | 1 |" in md
    assert "| Task | no | 0 s | 0% | – | – | – |" in md


def test_html_escapes_suggestions_and_marks_placeholders():
    html = render(report_with_suggestions(), "html", samples=tone_signal())
    assert "<script>window.__pwned" not in html and "&lt;script&gt;window.__pwned = 4&lt;/script&gt;" in html
    assert "<b>and</b>" not in html and "&lt;b&gt;and&lt;/b&gt;" in html
    assert html.count("<script") == 1
    section = html.split('id="suggestions"')[1].split("</section>")[0]
    assert section.count('class="quote" data-t="6.2"') == 1 and 'class="quote" data-t="0.5"' in section
    assert '<span class="ph">[role]</span>' in section and "No Task" in section
    content = html.split('id="content"')[1].split("</table>")[0]
    assert "Pace (wpm)</th>" in content and '<td class="num">158</td>' in content and "2 (1 long)" in content


def test_a_click_on_a_quote_plays_that_moment(page, tmp_path):
    open_report(page, tmp_path, render(report_with_suggestions(), "html", samples=tone_signal()))
    page.locator("#suggestions .quote", has_text="told my manager").click()
    assert 6.19 <= page.evaluate("document.getElementById('audio').currentTime") < 7.0
    page.locator("#suggestions .quote", has_text="billing").click()
    assert 0.49 <= page.evaluate("document.getElementById('audio').currentTime") < 1.3
    assert page.evaluate("window.__pwned") is None and page.evaluate("document.scripts.length") == 1
    assert EVIL in page.inner_text("#suggestions") and page.requests == []


def test_reports_without_suggestions_or_part_delivery_show_neither():
    r = make_report()
    assert "What to say instead" not in render(r, "text") and "What to say instead" not in render(r, "md")
    assert 'id="suggestions"' not in render(r, "html", samples=tone_signal())
    assert "| Situation | yes | 4 s | 60% | – | – | – |" in render(r, "md")
