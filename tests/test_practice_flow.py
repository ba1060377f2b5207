"""The interview flow in the library, driven by scripted choices and answer sources.

Transcription is the one stage replaced here: each answer file is a tone whose length names a
known text, and a stand-in transcriber returns that text as timed words. Everything else (the
content and delivery analysis, follow-ups, the store, the interview file, the summary) is real.
Whisper itself runs in test_practice_cli.py.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from conftest import SR, write_wav
from mockmic.content import words_from_text
from mockmic.errors import AudioError, ConfigError
from mockmic.practice.record import AnswerRecord, InterviewRecord, Issue, list_interviews, load_interview
from mockmic.practice.summary import summarise, work_on
from mockmic.render.interview import summary_text
from mockmic.pipeline import Analyzer
from mockmic.store import new_session_id
from mockmic.practice import FolderAnswers, Interview, Listener, Take, pick_questions
from mockmic.practice.questions import Question, load_questions
from mockmic.results import Scores, Transcript
from mockmic.store import Store

WPM = 240  # the stand-in transcript's pace; the tone lasts as long as its words
Q_MISTAKE = Question("mistake-at-work", "mistakes", "Tell me about a time you made a mistake at work. How did you handle it?")
Q_PREVENT = Question("prevent-recurrence", "mistakes", "Tell me about a mistake you made and what you did to prevent it from happening again.")
Q_HANDLE = Question("how-handle-mistakes", "mistakes", "How do you handle mistakes?")
Q_BIGGEST = Question("biggest-mistake", "mistakes", "What is the biggest mistake you have made in your career, and what did you learn from it?")

TEXTS = {
    "strong": "In my last job I was responsible for the weekly release. I made a mistake and shipped a build with the "
              "wrong database setting. My task was to get the service back quickly. I rolled back the release, told my "
              "manager right away, and fixed the setting myself. As a result, the service was back within an hour. I "
              "learned to double check every setting, and since then I use a checklist before each release.",
    "no_result": "In my last job I was responsible for the weekly release. I made a mistake and shipped a build with the "
                 "wrong database setting. My task was to get the service back quickly. I rolled back the release and "
                 "told my manager right away. Then I fixed the setting myself and deployed it again.",
    "blame": "Last year our release failed and the client was angry. It was not my fault, the QA team should have caught "
             "it. My manager gave me the wrong requirements. I fixed the build over the weekend and we shipped it on "
             "Monday. As a result the client was happy again, and I learned to ask for written requirements.",
    "outcome": "The service was back within the hour and no customer lost data. I learned to double check every "
               "setting, and since then I use a checklist before every release.",
}


class StandInTranscriber:
    """Returns the known text of a tone, found by its length in samples."""

    model_name = "stand-in"

    def __init__(self, by_length: dict[int, str]) -> None:
        self.by_length = by_length
        self.calls = 0

    def transcribe(self, samples, on_progress=None):
        self.calls += 1
        text = self.by_length[samples.size]
        return Transcript(text=text, language="en", model=self.model_name,
                          words=words_from_text(text, words_per_minute=WPM))


@pytest.fixture(scope="module")
def tones(tmp_path_factory) -> tuple[dict[str, Path], dict[int, str]]:
    """One WAV per text: a quiet 200 Hz tone as long as the text at WPM (plus a distinct tail)."""
    folder = tmp_path_factory.mktemp("tones")
    paths, by_length = {}, {}
    for i, (name, text) in enumerate(TEXTS.items()):
        n = int(round((len(text.split()) * 60 / WPM + 0.3 + 0.01 * i) * SR))
        t = np.arange(n) / SR
        samples = (0.1 * np.sin(2 * np.pi * 200 * t)).astype(np.float32)
        paths[name] = write_wav(folder / f"{name}.wav", samples)
        by_length[n] = text
    return paths, by_length


@pytest.fixture
def analyzer(tones) -> Analyzer:
    a = Analyzer(check_speech=False)  # the stand-in audio is a tone, not speech
    a._transcriber = StandInTranscriber(tones[1])
    return a


class ScriptedSource:
    """Hands out copies of the given files in order, one per answer asked for; records the prompts."""

    can_retry = True
    label = "scripted"

    def __init__(self, files: list[Path | None], folder: Path, *, interrupt_at: int | None = None,
                 stop_reasons: dict[int, str] | None = None) -> None:
        self.stop_reasons = stop_reasons or {}
        self.files = list(files)
        self.folder = folder
        self.prompts: list[tuple[str, int, bool]] = []
        self.interrupt_at = interrupt_at

    def answer(self, prompt, *, position, follow_up):
        self.prompts.append((prompt, position, follow_up))
        if self.interrupt_at is not None and len(self.prompts) == self.interrupt_at:
            raise KeyboardInterrupt
        path = self.files.pop(0)
        if path is None:
            return None
        copy = self.folder / f"take-{len(self.prompts)}.wav"
        shutil.copy(path, copy)
        return Take(path=copy, mode="move", session_id=new_session_id(),
                    stop_reason=self.stop_reasons.get(len(self.prompts)))


class Script:
    """``choose`` answering from a list; records what it was offered."""

    def __init__(self, choices: list[str]) -> None:
        self.choices = list(choices)
        self.offered: list[tuple[int, bool, bool]] = []

    def __call__(self, number, total, *, can_retry, final):
        self.offered.append((number, can_retry, final))
        return self.choices.pop(0)


class Events(Listener):
    def __init__(self) -> None:
        self.seen: list[tuple] = []

    def question(self, number, total, question):
        self.seen.append(("question", number, question.id))

    def follow_up(self, number, follow_up):
        self.seen.append(("follow-up", number, follow_up.text))

    def note(self, message):
        self.seen.append(("note", message))


def test_skip_redo_follow_ups_and_quit(tmp_path, tones, analyzer, _private_home):
    paths, _ = tones
    source = ScriptedSource([paths["strong"], paths["no_result"], paths["outcome"], paths["blame"], None], tmp_path)
    script = Script(["answer", "skip", "retry", "answer", "quit"])
    events = Events()
    record = Interview([Q_MISTAKE, Q_PREVENT, Q_HANDLE, Q_BIGGEST], source, analyzer=analyzer,
                       choose=script, listener=events).run()

    # Q1 answered; Q2 skipped, then redone from Q3's prompt (straight to the answer, no second
    # prompt); its follow-up answered; Q3 blames and its follow-up gets no answer; q at Q4.
    assert script.offered == [(1, False, False), (2, True, False), (3, True, False), (3, True, False), (4, True, False)]
    assert [p[0] for p in source.prompts] == [Q_MISTAKE.text, Q_PREVENT.text, "What was the outcome?",
                                              Q_HANDLE.text, "What part of it was yours?"]
    assert [e for e in events.seen if e[0] == "follow-up"] == [
        ("follow-up", 2, "What was the outcome?"), ("follow-up", 3, "What part of it was yours?")]
    assert record.status == "finished"
    a1, a2, a3 = record.answers
    assert [a.question_id for a in record.answers] == ["mistake-at-work", "prevent-recurrence", "how-handle-mistakes"]
    assert [a.status for a in record.answers] == ["answered", "answered", "answered"]
    assert a1.follow_up is None and a1.scores == a1.first_scores
    assert a2.follow_up.kind == "no_result" and a2.follow_up_status == "answered"
    assert a2.scores.structure > a2.first_scores.structure  # the outcome counted, at half credit
    assert a3.follow_up.kind == "blame" and a3.follow_up_status == "no_recording" and a3.scores == a3.first_scores
    assert a2.attempt == 1 and record.replaced == []  # a skipped question redone is its first attempt

    store = Store(_private_home)
    ids = {s.id: s for s in store.list()}
    assert set(ids) == {a1.session_id, a2.session_id, a2.follow_up_session_id, a3.session_id}
    follow = store.get(a2.follow_up_session_id)
    assert follow.question == f"{Q_PREVENT.text} Follow-up: What was the outcome?"
    assert f"Follow-up to session {a2.session_id}" in " ".join(follow.notices)
    assert store.audio_path(a2.follow_up_session_id).is_file()
    assert not list(tmp_path.glob("take-*.wav"))  # the recorder's files moved into the sessions
    assert ("note", "No answer to the follow-up: question 3 is scored on its first answer.") in events.seen

    saved = load_interview(_private_home / "interviews" / f"{record.id}.json")
    assert saved == record
    s = record.summary
    assert (s.answered, s.skipped, s.strongest, s.weakest) == (3, 0, "mistake-at-work", "how-handle-mistakes")
    # All high: the stand-in's 240 words/min is too fast in all three answers, so it leads;
    # then the missing Result (Q2) and Q3's issues. Q3 blames, and the learned judge also reads
    # no lesson in it (its only lesson, "ask for written requirements", is about other people's
    # input): structure comes before accountability on a tie, so no_learning takes the third place.
    assert [w.key for w in s.work_on] == ["delivery_pace", "missing_result", "no_learning"]
    assert {"blaming_others", "no_learning"} <= {i.key for i in a3.issues}
    assert s.work_on[0].question_ids == ("mistake-at-work", "prevent-recurrence", "how-handle-mistakes")
    assert s.work_on[1].question_ids == ("prevent-recurrence",)
    assert s.comparison is None


def test_a_redo_replaces_the_answer_and_keeps_both_sessions(tmp_path, tones, analyzer, _private_home):
    paths, _ = tones
    source = ScriptedSource([paths["no_result"], paths["strong"]], tmp_path)
    record = Interview([Q_MISTAKE], source, analyzer=analyzer, follow_ups=False,
                       choose=Script(["answer", "retry", "quit"])).run()
    (answer,) = record.answers
    (old,) = record.replaced
    assert answer.attempt == 2 and old.attempt == 1
    assert answer.first_scores.structure > old.first_scores.structure
    assert {s.id for s in Store(_private_home).list()} == {answer.session_id, old.session_id}


def test_ctrl_c_keeps_finished_answers_and_the_summary(tmp_path, tones, analyzer, _private_home):
    paths, _ = tones
    source = ScriptedSource([paths["strong"], paths["no_result"]], tmp_path, interrupt_at=2)
    record = Interview([Q_MISTAKE, Q_PREVENT, Q_HANDLE], source, analyzer=analyzer).run()
    assert record.status == "interrupted"
    assert [a.status for a in record.answers] == ["answered"]
    assert [s.id for s in Store(_private_home).list()] == [record.answers[0].session_id]
    saved = json.loads((_private_home / "interviews" / f"{record.id}.json").read_text())
    assert saved["status"] == "interrupted" and saved["summary"]["answered"] == 1
    assert "(interrupted)" in summary_text(record)


def test_ctrl_c_during_an_answer_keeps_that_answer_and_asks_no_follow_up(tmp_path, tones, analyzer, _private_home):
    paths, _ = tones
    # the recorder stopped the second answer for Ctrl-C: it is analysed and stored, then the end
    source = ScriptedSource([paths["strong"], paths["no_result"], paths["outcome"]], tmp_path, stop_reasons={2: "interrupt"})
    record = Interview([Q_MISTAKE, Q_PREVENT, Q_HANDLE], source, analyzer=analyzer).run()
    assert record.status == "interrupted"
    assert [a.status for a in record.answers] == ["answered", "interrupted"]
    assert record.answers[1].follow_up is None and record.answers[1].scores is not None
    assert len(source.prompts) == 2  # no follow-up, no third question
    assert {s.id for s in Store(_private_home).list()} == {a.session_id for a in record.answers}
    assert record.summary.answered == 2


def test_a_failed_analysis_is_noted_and_the_interview_goes_on(tmp_path, tones, analyzer, _private_home):
    paths, _ = tones
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF but not really a wave file")
    events = Events()
    record = Interview([Q_MISTAKE, Q_HANDLE], ScriptedSource([broken, paths["strong"]], tmp_path), analyzer=analyzer,
                       listener=events).run()
    assert [a.status for a in record.answers] == ["failed", "answered"]
    assert record.answers[0].note and record.status == "finished"
    notes = [e[1] for e in events.seen if e[0] == "note"]
    assert notes == [record.answers[0].note] and notes[0].endswith(".") and "\n" not in notes[0]
    assert [s.id for s in Store(_private_home).list()] == [record.answers[1].session_id]


def test_the_summary_compares_with_the_last_interview(tmp_path, tones, analyzer, _private_home):
    paths, _ = tones
    first = Interview([Q_MISTAKE], ScriptedSource([paths["no_result"]], tmp_path), analyzer=analyzer,
                      follow_ups=False).run()
    second = Interview([Q_MISTAKE], ScriptedSource([paths["strong"]], tmp_path), analyzer=analyzer,
                       follow_ups=False).run()
    assert [r.id for r in list_interviews(_private_home)] == sorted([first.id, second.id])
    c = second.summary.comparison
    before, now = first.answers[0].scores.overall, second.answers[0].scores.overall
    assert c.previous_id == first.id and c.previous_answered == 1
    assert c.same_questions == (("mistake-at-work", before, now),) and now > before
    assert c.average.overall - c.previous_average.overall == now - before
    assert "missing_result" in [w.key for w in c.fixed]
    text = summary_text(second)
    assert f"overall         {before} -> {now} (+{now - before})" in text
    assert "fixed since then: End every answer with its Result" in text


def _answer(qid, overall, issues=(), status="answered"):
    scores = Scores(overall, 70, overall, overall) if overall is not None else None
    return AnswerRecord(qid, "mistakes", f"{qid}?", status, session_id=None, first_scores=scores, scores=scores,
                        issues=tuple(issues))


def test_work_on_puts_serious_issues_first_then_the_most_frequent():
    result = Issue("missing_result", "structure", "high", "Result")
    blame = Issue("blaming_others", "accountability", "high", "Blame")
    fillers = Issue("delivery_fillers", "fillers", "medium", "Fillers")
    length = Issue("delivery_length", "length", "medium", "Length")
    situation = Issue("missing_situation", "structure", "low", "Situation")
    answers = [_answer("a", 60, [fillers, situation, blame]), _answer("b", 80, [fillers, length, result]),
               _answer("c", 50, [fillers, result])]
    items = work_on(answers)
    # high first (Result in two answers before blame in one), then fillers (medium, three answers)
    assert [w.key for w in items] == ["missing_result", "blaming_others", "delivery_fillers"]
    assert items[0].question_ids == ("b", "c") and items[2].question_ids == ("a", "b", "c")
    # on a tie of severity and count, content comes before delivery
    tie = work_on([_answer("a", 60, [length, Issue("low_ownership", "accountability", "medium", "Own")])])
    assert [w.key for w in tie] == ["low_ownership", "delivery_length"]


def _report(text: str, question: str = Q_MISTAKE.text):
    from mockmic.content import analyze_content
    from mockmic.results import AudioInfo, SessionReport

    words = words_from_text(text)
    return SessionReport(id=new_session_id(), created_at="2026-11-26T16:00:00+00:00", question=question,
                         audio=AudioInfo("x.wav", words[-1].end_s, SR),
                         transcript=Transcript(text, "en", "none", words),
                         content=analyze_content(words, question=question))


def test_issues_judge_the_first_answer_whole_and_the_follow_up_only_for_what_it_says():
    from mockmic.practice.summary import answer_issues

    first = _report(TEXTS["no_result"])
    assert {i.key for i in answer_issues(first)} == {"missing_result"}  # no lesson: said by the missing Result
    # a follow-up that names the outcome but no lesson is not blamed for the lesson it leaves out
    plain = _report("The service was back within the hour and no customer lost any data at all that day, "
                    "and the client renewed the contract the next month.")
    assert "no_learning" in {p.kind for p in plain.content.pitfalls}
    assert {i.key for i in answer_issues(first, plain)} == {"missing_result"}
    # blame in the follow-up counts
    blame = _report("It was not my fault, the QA team should have caught it before the release went out to "
                    "every customer that week.")
    assert {i.key for i in answer_issues(first, blame)} == {"missing_result", "blaming_others"}


def test_strongest_and_weakest_skip_unscored_answers():
    record = InterviewRecord(id=new_session_id(), started_at="2026-11-26T16:00:00+00:00", source="x",
                             planned=("a", "b", "c", "d"),
                             answers=[_answer("a", 61), _answer("b", None, status="skipped"), _answer("c", 88),
                                      _answer("d", None, status="no_speech")])
    s = summarise(record)
    assert (s.answered, s.skipped, s.strongest, s.weakest) == (2, 1, "c", "a")
    assert s.average.overall == round((61 + 88) / 2)
    text = summary_text(record, s)
    assert "Strongest: 3. c? (88/100)." in text and "Weakest:   1. a? (61/100)." in text
    assert "No earlier interview to compare with" in text


def test_answers_folder_pairs_follow_ups_by_name_in_natural_order(tmp_path):
    for name in ["10-last.wav", "2-second.flac", "1.wav", "2-followup.wav", "1-follow-up.m4a", "notes.txt"]:
        (tmp_path / name).write_bytes(b"")
    source = FolderAnswers(tmp_path)
    assert [(m.name, f.name if f else None) for m, f in source.entries] == [
        ("1.wav", "1-follow-up.m4a"), ("2-second.flac", "2-followup.wav"), ("10-last.wav", None)]
    assert source.answer("Q?", position=2, follow_up=True) is None
    assert source.answer("Q?", position=1, follow_up=True).path.name == "2-followup.wav"
    assert source.answer("Q?", position=1, follow_up=False).mode == "copy"


@pytest.mark.parametrize(
    "names, message",
    [
        ([], "holds no audio files"),
        (["1.wav", "3-followup.wav"], "The follow-up answer 3-followup.wav"),
        (["1.wav", "1-followup.wav", "1 follow up.wav"], "has two follow-up answers"),
    ],
)
def test_answers_folder_errors_are_one_sentence(tmp_path, names, message):
    for name in names:
        (tmp_path / name).write_bytes(b"")
    with pytest.raises(AudioError, match=message) as e:
        FolderAnswers(tmp_path)
    assert str(e.value).endswith(".") and "\n" not in str(e.value)
    with pytest.raises(AudioError, match="does not exist"):
        FolderAnswers(tmp_path / "missing")


def test_pick_questions():
    bank = load_questions()
    assert [q.id for q in pick_questions(bank, ids=["biggest-mistake", "mistake-at-work"])] == ["biggest-mistake", "mistake-at-work"]
    picked = pick_questions(bank, count=3, category="mistakes", seed=7)
    assert len(picked) == 3 and {q.category for q in picked} == {"mistakes"}
    assert picked == pick_questions(bank, count=3, category="mistakes", seed=7)
    assert len(pick_questions(bank)) == 5 and len({q.id for q in pick_questions(bank)}) == 5
    mistakes = [q for q in bank if q.category == "mistakes"]
    assert pick_questions(bank, count=2, category="mistakes", shuffle=False) == mistakes[:2]
    with pytest.raises(ConfigError, match="No question with id 'nope'"):
        pick_questions(bank, ids=["nope"])
    with pytest.raises(ConfigError, match="The question 'failure' is given twice"):
        pick_questions(bank, ids=["failure", "criticism", "failure"])
    with pytest.raises(ConfigError, match="No questions in category 'astrology'"):
        pick_questions(bank, category="astrology")
