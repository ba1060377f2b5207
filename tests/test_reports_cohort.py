"""`mockmic reports cohort` on a stored cohort of known sessions; its HTML in Chromium."""

from __future__ import annotations

import csv
import io
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from mockmic.cli import cli
from mockmic.results import Feedback, Pitfall
from mockmic.store import Store
from sample_sessions import make_report
from web_helpers import CHROMIUM, record_requests_and_refuse

EVIL = "<script>window.__pwned=1</script>Zed"
# person: overall scores of their answers, oldest first (one day apart)
COHORT = {"alice": [40, 55, 70], "bob": [80, 75], "carol": [60, 60, 90], EVIL: [50]}


@pytest.fixture
def store(_private_home):
    store = Store()
    day = 1
    for person, scores in COHORT.items():
        for n, overall in enumerate(scores):
            report = make_report(f"202611{day:02d}-100000-{day:06x}", created_at=f"2026-11-{day:02d}T10:00:00+00:00",
                                 overall=overall)
            report = replace(report, scores=replace(report.scores, overall=overall))
            if person == "bob":  # bob blames others once and talks too fast every time
                report = replace(report, content=replace(report.content, pitfalls=report.content.pitfalls + (
                    Pitfall("blame", "You put the mistake on others.", ""),)))
                report = replace(report, feedback=report.feedback + (Feedback("pace", "high", "Too fast.", "", None),))
            store.save(report, None, person=person)
            day += 1
    return store


def test_cohort_text_and_csv(store):
    r = CliRunner().invoke(cli, ["reports", "cohort"])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("Cohort: 9 answers from 4 people, 2026-11-01 to 2026-11-09")
    overall = next(line for line in r.stdout.splitlines() if line.startswith("Overall"))
    # 40 50 55 60 60 70 75 80 90: median 60, quartiles 55 and 75
    assert overall.split() == ["Overall", "9", "40", "55", "60", "75", "90"]
    assert "     9  No learning: You did not say what you learned." in r.stdout
    assert "     2  Blame: You put the mistake on others." in r.stdout
    issues = r.stdout.split("Most common delivery issues:\n")[1].split("\n\n")[0]
    assert issues.splitlines() == ["     9  Fillers", "     2  Pace"]  # every answer's medium filler note; bob's pace
    most = r.stdout.split("Improved most")[1].split("Improved least")[0]
    assert most.splitlines()[1:3] == ["  alice: 40 -> 70 (+30)", "  carol: 60 -> 90 (+30)"]
    least = r.stdout.split("Improved least")[1].split("Latest scores")[0]
    assert least.splitlines()[1:] == ["  bob: 80 -> 75 (-5)", ""]  # the lower half: nobody is in both lists

    rows = list(csv.DictReader(io.StringIO(CliRunner().invoke(cli, ["reports", "cohort", "--csv"]).stdout)))
    assert [(row["person"], row["answers"], row["latest_overall"], row["change_points"]) for row in rows] == [
        (EVIL, "1", "50", ""), ("alice", "3", "70", "30"), ("bob", "2", "75", "-5"), ("carol", "3", "90", "30")]

    only = CliRunner().invoke(cli, ["reports", "cohort", "--person", "Bob", "--since", "2026-11-05"])
    assert only.stdout.startswith("Cohort: 1 answer from 1 person")
    listed = CliRunner().invoke(cli, ["reports", "list", "--person", "alice"])
    assert listed.stdout.strip().splitlines()[-1].startswith("3 sessions")
    assert "Person" in listed.stdout.splitlines()[0] and listed.stdout.count("  alice  ") == 3
    trend = CliRunner().invoke(cli, ["reports", "trend", "--person", "carol", "-m", "overall"])
    assert trend.exit_code == 0 and "90" in trend.stdout
    none = CliRunner().invoke(cli, ["reports", "cohort", "--person", "nobody"])
    assert none.exit_code == 1 and "No sessions match." in none.output


@pytest.fixture(scope="module")
def page():
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.fail(f"{CHROMIUM} is missing: run ./scripts/setup --test (installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        record_requests_and_refuse(page)
        yield page
        browser.close()


def test_cohort_dashboard_in_chromium(store, tmp_path, page):
    out = tmp_path / "cohort.html"
    r = CliRunner().invoke(cli, ["reports", "cohort", "--html", str(out)])
    assert r.exit_code == 0 and f"Dashboard written to {out}" in r.stderr
    page.goto(out.as_uri())
    assert page.inner_text("#answers") == "9" and page.inner_text("#people") == "4"
    medians = page.eval_on_selector_all(".dist", "els => els.map(e => [e.dataset.score, e.querySelector('.median').textContent])")
    assert medians[0] == ["overall", "60"]
    bars = page.eval_on_selector_all(".dist[data-score=overall] .bar",
                                     "els => els.map(e => [Number(e.dataset.count), e.getBoundingClientRect().height])")
    assert [n for n, _h in bars] == [0, 0, 0, 0, 1, 2, 2, 2, 1, 1]  # 40 | 50 55 | 60 60 | 70 75 | 80 | 90
    tallest = max(h for _n, h in bars)
    assert tallest > 50 and all(abs(h - tallest * n / 2) < 2 for n, h in bars if n)
    assert page.inner_text("#improved-least .person") == "bob"
    assert "Blame" in page.inner_text("#pitfalls") and "Pace" in page.inner_text("#delivery-issues")
    people = page.eval_on_selector_all("#latest .person", "els => els.map(e => e.textContent)")
    assert people == [EVIL, "alice", "bob", "carol"]  # the markup in a name shows as text
    assert page.evaluate("window.__pwned") is None and page.requests == []
    page.screenshot(path=str(tmp_path / "cohort.png"), full_page=True)
