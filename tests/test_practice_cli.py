"""`mockmic practice` as a person runs it, with no person: a subprocess whose prompts are answered
through standard input, whose answers come from an --answers folder of espeak-ng speech or from
the virtual microphone, and which is interrupted with SIGINT mid-interview.

Whisper runs on 7 answers in all (about 2 minutes of speech), so keep additions cheap.
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import espeak_samples, silence, write_wav
from record_helpers import MOCKMIC
from virtual_mic import virtual_mic  # noqa: F401  (fixture)
from mockmic.store import Store

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

STRONG = ("In my last job I was responsible for the weekly release. I made a mistake and shipped a build with the "
          "wrong database setting. My task was to get the service back quickly. I rolled back the release, told my "
          "manager right away, and fixed the setting myself. As a result, the service was back within an hour. I "
          "learned to double check every setting, and since then I use a checklist before each release.")
NO_RESULT = ("In my last job I was responsible for the weekly release. I made a mistake and shipped a build with the "
             "wrong database setting. My task was to get the service back quickly. I rolled back the release and "
             "told my manager right away. Then I fixed the setting myself and deployed it again.")
OUTCOME = ("The service was back within the hour and no customer lost data. I learned to double check every "
           "setting, and since then I use a checklist before every release.")
BLAME = ("Last year our release failed and the client was angry. It was not my fault. The QA team should have "
         "caught it, and my manager gave me the wrong requirements. I fixed the build over the weekend and we "
         "shipped it on Monday. As a result, the client was happy again.")

Q_MISTAKE = "Tell me about a time you made a mistake at work. How did you handle it?"
Q_PREVENT = "Tell me about a mistake you made and what you did to prevent it from happening again."
ASK_OUTCOME = "Follow-up (the answer has no Result): What was the outcome?"
ASK_YOURS = "Follow-up (the answer puts the cause on other people): What part of it was yours?"


@pytest.fixture(scope="module")
def answers(tmp_path_factory) -> Path:
    """01 strong STAR answer; 02 no Result, with 02-followup giving the outcome; 03 blames others."""
    folder = tmp_path_factory.mktemp("answers")
    for name, text in [("01-strong", STRONG), ("02-no-result", NO_RESULT), ("02-followup", OUTCOME), ("03-blame", BLAME)]:
        write_wav(folder / f"{name}.wav", np.concatenate([silence(0.5), espeak_samples(text), silence(0.5)]))
    return folder


def run(args: list[str], home: Path, stdin: str, timeout: float = 300) -> subprocess.CompletedProcess:
    import os

    env = dict(os.environ, MOCKMIC_HOME=str(home))
    return subprocess.run(MOCKMIC + ["practice", *args], input=stdin, env=env, capture_output=True, text=True,
                          timeout=timeout)


def interview_file(home: Path) -> dict:
    files = list((home / "interviews").glob("*.json"))
    assert len(files) == 1, files
    return json.loads(files[0].read_text())


def test_prompts_from_stdin_skip_refuse_and_finish(answers, _private_home):
    out = run(["--answers", str(answers), "--question", "mistake-at-work", "--question", "prevent-recurrence"],
              _private_home, stdin="s\nr\nmaybe\nq\n")
    assert out.returncode == 0, out.stderr
    err = out.stderr
    assert "Question 1 of 2 [mistakes]: " + Q_MISTAKE in err
    assert "[Enter: answer  s: skip it  q: finish now]" in err
    # at question 2: r is refused (a folder cannot be redone), an unknown word is explained, q ends
    assert "Answers from a folder cannot be redone: record them again instead." in err
    assert "'maybe' is not a choice: press Enter, or type s, r or q and Enter." in err
    assert "Loading model" not in err  # nothing was answered, so nothing was transcribed
    assert "Interview " in out.stdout and "0 of 2 question(s) answered, 1 skipped." in out.stdout
    assert Store(_private_home).list() == []
    data = interview_file(_private_home)
    assert data["status"] == "finished" and [a["status"] for a in data["answers"]] == ["skipped"]


def test_sigterm_at_a_prompt_ends_the_interview_with_its_summary(answers, _private_home):
    import os

    env = dict(os.environ, MOCKMIC_HOME=str(_private_home))
    proc = subprocess.Popen(MOCKMIC + ["practice", "--answers", str(answers), "--count", "2"], env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdin.write("s\n")
    proc.stdin.flush()
    lines = []
    while not (lines and lines[-1].startswith("Question 2 of 2")):
        line = proc.stderr.readline()
        assert line, "".join(lines)
        lines.append(line)
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "Traceback" not in err and "Stopped by SIGTERM." in err
    assert "0 of 2 question(s) answered, 1 skipped (stopped by SIGTERM)." in out
    assert interview_file(_private_home)["status"] == "terminated"


def test_own_questions_file_is_the_interview(tmp_path, answers, _private_home):
    mine = tmp_path / "mine.toml"
    mine.write_text('[[question]]\nid = "my-launch"\ntext = "Tell me about the launch you ran."\n\n'
                    '[[question]]\nid = "my-outage"\ncategory = "mine"\ntext = "What went wrong in the outage?"\n')
    out = run(["--answers", str(answers), "--questions", str(mine)], _private_home, stdin="s\ns\n")
    assert out.returncode == 0, out.stderr
    assert "Question 1 of 2 [custom]: Tell me about the launch you ran." in out.stderr
    assert "Question 2 of 2 [mine]: What went wrong in the outage?" in out.stderr
    assert [a["question_id"] for a in interview_file(_private_home)["answers"]] == ["my-launch", "my-outage"]


@pytest.mark.parametrize(
    "args, error",
    [
        (["--count", "5"], "Error: {answers} holds 3 answer(s) for 5 questions: give --count 3 or add files."),
        (["--question", "no-such-question"], "Error: No question with id 'no-such-question': see `mockmic questions` for the ids."),
        (["--category", "astrology"], "Error: No questions in category 'astrology' (categories: "),
    ],
)
def test_bad_choices_are_one_sentence(answers, _private_home, args, error):
    out = run(["--answers", str(answers), *args], _private_home, stdin="")
    assert out.returncode == 1, out.stderr
    errors = [line for line in out.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and errors[0].startswith(error.format(answers=answers)), out.stderr
    assert "Traceback" not in out.stderr and not (_private_home / "interviews").exists()


def test_no_microphone_is_said_before_the_first_question(tmp_path, _private_home):
    import os

    client_conf = tmp_path / "client.conf"
    client_conf.write_text("autospawn = no\n")
    env = dict(os.environ, PULSE_SERVER=f"unix:{tmp_path}/no-such-server", PULSE_CLIENTCONFIG=str(client_conf),
               MOCKMIC_HOME=str(_private_home))
    out = subprocess.run(MOCKMIC + ["practice", "--countdown", "0"], env=env, input="\n", capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 1, out.stderr
    assert out.stderr.splitlines()[-1].startswith("Error: No microphone was found"), out.stderr
    assert "Question 1" not in out.stderr and "Traceback" not in out.stderr


def test_help_names_every_option():
    out = subprocess.run(MOCKMIC + ["practice", "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    for option in ("--count", "--category", "--question", "--questions", "--max-seconds", "--device", "--answers",
                   "--countdown", "--no-follow-ups"):
        assert option in out.stdout
    assert "What was the outcome?" in out.stdout and "summary" in out.stdout


def test_answers_folder_interview_with_follow_ups_and_summary(answers, _private_home):
    out = run(["--answers", str(answers), "--question", "mistake-at-work", "--question", "prevent-recurrence",
               "--question", "how-handle-mistakes"], _private_home, stdin="\n\n\n\n")
    assert out.returncode == 0, out.stderr
    err = out.stderr
    q2, q3 = err.index("Question 2 of 3"), err.index("Question 3 of 3")
    assert "Follow-up" not in err[:q2]  # the strong answer needs none
    assert err.count(ASK_OUTCOME) == 1 and q2 < err.index(ASK_OUTCOME) < q3
    assert err.count(ASK_YOURS) == 1 and q3 < err.index(ASK_YOURS)
    assert (f"No answer to the follow-up in {answers} (a file named 03-blame-followup.wav would answer it): "
            "question 3 is scored on its first answer.") in err

    data = interview_file(_private_home)
    a1, a2, a3 = data["answers"]
    assert data["status"] == "finished" and data["source"] == f"answers: {answers}"
    assert [a["status"] for a in data["answers"]] == ["answered"] * 3
    assert a1["follow_up"] is None
    assert a2["follow_up"]["kind"] == "no_result" and a2["follow_up_status"] == "answered"
    assert a3["follow_up"]["kind"] == "blame" and a3["follow_up_status"] == "no_recording"
    # the outcome given when asked lifts question 2's structure, at half credit
    assert a2["scores"]["structure"] > a2["first_scores"]["structure"]
    assert a3["scores"] == a3["first_scores"]

    store = Store(_private_home)
    sessions = {s.id: s for s in store.list()}
    assert set(sessions) == {a1["session_id"], a2["session_id"], a2["follow_up_session_id"], a3["session_id"]}
    assert sessions[a1["session_id"]].question == Q_MISTAKE
    follow = store.get(a2["follow_up_session_id"])
    assert follow.question == f"{Q_PREVENT} Follow-up: What was the outcome?"
    assert f"Follow-up to session {a2['session_id']} ({Q_PREVENT})." in follow.notices
    assert "checklist" in follow.transcript.text
    assert (answers / "02-followup.wav").is_file()  # the person's files stay where they were

    summary = data["summary"]
    assert summary["strongest"] == "mistake-at-work" and summary["weakest"] == "how-handle-mistakes"
    keys = [w["key"] for w in summary["work_on"]]
    assert len(keys) == 3 and {"missing_result", "blaming_others"} <= set(keys)
    text = out.stdout
    assert "3 of 3 question(s) answered." in text
    assert "Strongest: 1. " + Q_MISTAKE in text and "Weakest:   3. How do you handle mistakes?" in text
    assert "Own your part of what went wrong instead of naming who else was at fault. (question 3)" in text
    assert "End every answer with its Result: what changed, and what you learned from it. (question 2)" in text
    assert 'follow-up: "What was the outcome?" (answered; first answer alone' in text
    assert "No earlier interview to compare with: this is the first." in text
    assert text.count("STAR: situation yes") == 4  # a short report after every answer, follow-up included


def test_sigint_at_a_prompt_keeps_the_finished_answer_and_prints_the_summary(answers, _private_home):
    import os

    env = dict(os.environ, MOCKMIC_HOME=str(_private_home))
    proc = subprocess.Popen(MOCKMIC + ["practice", "--answers", str(answers), "--count", "2",
                                       "--question", "mistake-at-work", "--question", "prevent-recurrence"],
                            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdin.write("\n")
    proc.stdin.flush()
    lines = []
    while True:  # the second question is shown once the first answer is stored
        line = proc.stderr.readline()
        assert line, "mockmic practice ended early:\n" + "".join(lines)
        lines.append(line)
        if line.startswith("Question 2 of 2"):
            break
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    err = "".join(lines) + err
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "Interview " in out and "1 of 2 question(s) answered (interrupted)." in out
    assert "Strongest" not in out and "Only one answer was scored: 1. " + Q_MISTAKE in out
    data = interview_file(_private_home)
    assert data["status"] == "interrupted"
    assert [a["status"] for a in data["answers"]] == ["answered"]
    assert [s.id for s in Store(_private_home).list()] == [data["answers"][0]["session_id"]]


class PracticeProcess:
    """`mockmic practice` recording from the virtual microphone; stderr collected as it comes."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(MOCKMIC + ["practice", *args], env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()

    def wait_for(self, start: str, count: int = 1, timeout: float = 120) -> None:
        """Until ``count`` stderr lines start with ``start``."""
        with self._changed:
            ok = self._changed.wait_for(lambda: sum(x.startswith(start) for x in self.lines) >= count, timeout)
        if not ok:
            self.proc.kill()
            raise AssertionError(f"no {count} x {start!r} on stderr:\n" + "".join(self.lines))

    def type(self, text: str) -> None:
        self.proc.stdin.write(text)
        self.proc.stdin.flush()


def test_microphone_interview_with_a_follow_up_then_ctrl_c(virtual_mic, answers, _private_home):
    env = virtual_mic.env
    env["MOCKMIC_HOME"] = str(_private_home)
    p = PracticeProcess(["--question", "prevent-recurrence", "--question", "mistake-at-work", "--countdown", "0",
                         "--max-seconds", "90"], env)
    p.wait_for("Question 1 of 2")
    p.type("\n")  # Enter: answer
    p.wait_for("Recording:")
    virtual_mic.play(answers / "02-no-result.wav")
    time.sleep(0.3)
    p.type("\n")  # Enter: stop
    p.wait_for(ASK_OUTCOME)
    p.wait_for("Recording:", 2)  # a follow-up is recorded straight away, after its countdown
    virtual_mic.play(answers / "02-followup.wav")
    time.sleep(0.3)
    p.type("\n")
    p.wait_for("Question 2 of 2")
    p.type("\n")
    p.wait_for("Recording:", 3)
    p.proc.send_signal(signal.SIGINT)  # before a word: the interview ends, nothing more is kept
    out, _ = p.proc.communicate(timeout=60)
    err = "".join(p.lines)
    assert p.proc.returncode == 130, err
    assert "Traceback" not in err
    assert err.count("stopped: Enter pressed") == 2

    data = interview_file(_private_home)
    assert data["status"] == "interrupted" and data["source"] == "microphone"
    (answer,) = data["answers"]
    assert answer["question_id"] == "prevent-recurrence" and answer["status"] == "answered"
    assert answer["follow_up"]["kind"] == "no_result" and answer["follow_up_status"] == "answered"
    store = Store(_private_home)
    assert {s.id for s in store.list()} == {answer["session_id"], answer["follow_up_session_id"]}
    first = store.get(answer["session_id"])
    assert first.question == Q_PREVENT and "rolled back the release" in first.transcript.text
    assert not first.content.star.result.present
    assert store.audio_path(answer["session_id"]).suffix == ".wav"
    assert "checklist" in store.get(answer["follow_up_session_id"]).transcript.text
    assert not list((_private_home / "incoming").glob("*.wav"))  # the silent third take was dropped
    assert "1 of 2 question(s) answered (interrupted)." in out
