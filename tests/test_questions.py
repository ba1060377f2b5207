"""The question bank: built-in data, categories, people's own files, clear errors."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from mockmic.cli import cli
from mockmic.errors import ConfigError
from mockmic.practice.questions import find_question, load_questions
from mockmic.results import STAR_PARTS


def test_builtin_bank_is_large_and_seeded():
    qs = load_questions()
    assert len(qs) >= 30
    assert len({q.id for q in qs}) == len(qs)
    mistakes = [q for q in qs if q.category == "mistakes"]
    seed_questions = {
        "Tell me about a time you made a mistake at work. How did you handle it?",
        "Describe a situation where a mistake you made impacted your team. What did you do?",
        "Can you recall a significant decision you made that turned out to be a mistake? How did you recover?",
    }
    assert seed_questions <= {q.text for q in mistakes}
    assert all(set(q.needs) <= set(STAR_PARTS) for q in qs)
    assert all("learning" in q.signals or "amends" in q.signals for q in mistakes)


def test_own_questions_file(tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text('[[question]]\nid = "why-us"\ncategory = "motivation"\ntext = "Why do you want to work here?"\nneeds = ["situation", "result"]\n')
    qs = load_questions(f)
    assert qs[-1].id == "why-us" and qs[-1].needs == ("situation", "result")
    assert find_question("why-us", f).text == "Why do you want to work here?"


@pytest.mark.parametrize("content,message", [
    ("not = [valid", "not a valid TOML"),
    ("title = 'x'", "has no [[question]] entries"),
    ('[[question]]\nid = "x"\n', "has no text"),
    ('[[question]]\nid = "x"\ntext = "y"\nneeds = ["intro"]\n', "unknown STAR parts: intro"),
])
def test_bad_question_files(tmp_path, content, message):
    f = tmp_path / "bad.toml"
    f.write_text(content)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_questions(f)


def test_unknown_id():
    with pytest.raises(ConfigError, match="No question with id 'nope'"):
        find_question("nope")


def test_questions_command():
    r = CliRunner().invoke(cli, ["questions", "--category", "mistakes"])
    assert r.exit_code == 0
    assert "mistake-at-work" in r.stdout and "[teamwork]" not in r.stdout
    r = CliRunner().invoke(cli, ["questions", "--category", "astrology"])
    assert r.exit_code == 1 and "No questions in category 'astrology'" in r.output
