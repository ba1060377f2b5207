"""`mockmic practice`: a whole mock interview from the question bank, with follow-up questions."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from .options import analysis_options, model_options, quiet_option

EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_TERMINATED = 143  # 128 + SIGTERM


class Console:
    """Shows the interview: the interviewer's lines and prompts on stderr, reports on stdout."""

    def __init__(self, *, quiet: bool, lines) -> None:
        self.quiet = quiet
        self.lines = lines

    def say(self, message: str) -> None:
        if not self.quiet:
            click.echo(message, err=True)

    # -- the prompt between questions --

    def choose(self, number: int, total: int, *, can_retry: bool, final: bool) -> str:
        keys = ["Enter: finish" if final else "Enter: answer"]
        if not final:
            keys.append("s: skip it")
        if can_retry:
            keys.append(f"r: redo question {number - 1}")
        if not final:
            keys.append("q: finish now")
        while True:
            if not self.quiet:
                click.echo("[" + "  ".join(keys) + "] ", err=True, nl=False)
            line = self.lines.read_line()
            if not self.quiet and (line is None or not self.lines.tty):
                click.echo("" if line is None else line, err=True)  # a piped answer shows in the log
            if line is None:
                return "quit" if final else "answer"
            key = line.strip().casefold()
            if key == "":
                return "quit" if final else "answer"
            if key in ("q", "quit", "finish") or (final and key in ("s", "skip")):
                return "quit"
            if key in ("s", "skip"):
                return "skip"
            if key in ("r", "retry", "redo"):
                if can_retry:
                    return "retry"
                self.say("There is no earlier question to redo." if number == 1
                         else "Answers from a folder cannot be redone: record them again instead.")
                continue
            self.say(f"'{line.strip()}' is not a choice: press Enter, or type s, r or q and Enter.")


class PracticeListener:
    """Adapts :class:`mockmic.practice.Listener` to the terminal."""

    def __init__(self, console: Console, *, quiet: bool) -> None:
        self.console = console
        self.quiet = quiet

    def question(self, number, total, question) -> None:
        self.console.say(f"\nQuestion {number} of {total} [{question.category}]: {question.text}")

    def follow_up(self, number, follow_up) -> None:
        self.console.say(f"Follow-up ({follow_up.reason}): {follow_up.text}")

    def answered(self, number, report, *, follow_up: bool) -> None:
        from ..render.interview import short_report

        click.echo(short_report(report, label=f"Question {number}" + (" follow-up" if follow_up else "")), nl=False)

    def outcome(self, number, answer) -> None:
        if answer.follow_up is not None and answer.scores is not None and answer.follow_up_status == "answered":
            click.echo(f"Question {number} with its follow-up: overall {answer.scores.overall}/100 "
                       f"(first answer alone {answer.first_scores.overall}/100).")

    def note(self, message: str) -> None:
        self.console.say(message)

    @contextlib.contextmanager
    def analyzing(self):
        from .progress import StderrProgress

        with StderrProgress(quiet=self.quiet) as progress:
            yield progress


@contextlib.contextmanager
def _terminate_ends_the_interview():
    """SIGTERM between recordings ends the interview like Ctrl-C: summary printed, answers kept.
    (During a recording the recorder handles it and keeps the audio.)"""
    import signal

    from ..practice import InterviewStopped

    def handler(_sig, _frame):
        raise InterviewStopped("terminate", "Stopped by SIGTERM.")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@click.command()
@click.option("-n", "--count", type=click.IntRange(min=1), metavar="N",
              help="How many questions to ask (default 5, or one per file with --answers).")
@click.option("-c", "--category", metavar="C", help="Only questions of this category (see `mockmic questions`).")
@click.option("--question", "question_ids", metavar="ID", multiple=True,
              help="Ask this question from the bank, by id; repeat for several, asked in that order.")
@click.option("--questions", "questions_file", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="A TOML file of your own [[question]] entries; with no --question or --category, the interview asks exactly these.")
@click.option("--max-seconds", type=click.FloatRange(min=0, min_open=True), default=180.0, show_default=True, metavar="S",
              help="Stop each answer after S seconds of audio.")
@click.option("--silence-stop", type=click.FloatRange(min=0, min_open=True), metavar="S",
              help="Stop an answer after S seconds of silence, once you have started speaking.")
@click.option("--device", metavar="NAME|INDEX", help="Input device: an index or part of a name from `mockmic devices`.")
@click.option("--answers", "answers_dir", type=click.Path(path_type=Path, file_okay=False), metavar="DIR",
              help="No microphone: take the answers from the audio files in DIR, one per question in name order "
                   "(a file named like 02-followup.wav answers question 2's follow-up).")
@click.option("--countdown", type=click.FloatRange(min=0), default=3.0, show_default=True, metavar="S",
              help="Seconds of countdown before each answer is recorded (0 for none).")
@click.option("--no-follow-ups", is_flag=True, help="Do not ask follow-up questions.")
@click.option("--seed", type=int, help="Pick the questions at random from this seed, to repeat an interview.")
@model_options
@analysis_options
@quiet_option
def practice(count, category, question_ids, questions_file, max_seconds, silence_stop, device, answers_dir, countdown,
             no_follow_ups, seed, model, language, quiet, delivery_options,
             content_options):
    """A mock interview: questions one after another, each answer recorded, analysed and scored.

    Each question is shown with a short countdown; then speak your answer and press Enter (or
    wait for --max-seconds / --silence-stop). mockmic prints a short report of the answer and,
    when the answer left something out, asks a follow-up as an interviewer would ("What was the
    outcome?", "What part of it was yours?", "What did you do to prevent this from happening
    again?"); its answer counts for the same question. Before each question, press Enter to
    answer, or type s (skip it), r (redo the previous question) or q (finish) and Enter.

    At the end (also after Ctrl-C, which keeps every finished answer) it prints a summary: every
    question with its scores, the strongest and weakest answers, the three things to work on
    first, and how this interview compares with the last one. Answers are stored as sessions
    (`mockmic reports list`); the interview itself in <data home>/interviews/<id>.json.

    \b
    Examples:
      mockmic practice --count 3 --category mistakes
      mockmic practice --question mistake-at-work --question biggest-mistake --max-seconds 120
      mockmic practice --answers my-recordings/ --question mistake-at-work --question conflict-teammate
    """
    from ..config import data_home
    from ..errors import ConfigError
    from ..pipeline import Analyzer
    from ..practice import FolderAnswers, Interview, MicrophoneAnswers, pick_questions
    from ..practice.questions import load_questions
    from ..render.interview import summary_text

    bank = load_questions(questions_file)
    ids = list(question_ids)
    if questions_file is not None and not ids and not category:
        ids = [q.id for q in load_questions(questions_file, include_builtin=False)]
    from ..record.stopping import stdin_lines as lines

    console = Console(quiet=quiet, lines=lines)
    listener = PracticeListener(console, quiet=quiet)
    home = data_home()

    if answers_dir is not None:
        source = FolderAnswers(answers_dir)
        if count is not None and count > len(source):
            raise ConfigError(f"{answers_dir} holds {len(source)} answer(s) for {count} questions: "
                              f"give --count {len(source)} or add files.")
        n = count or (min(len(ids), len(source)) if ids else len(source))
        if ids and len(ids) > len(source):
            raise ConfigError(f"{answers_dir} holds {len(source)} answer(s) for {len(ids)} questions: add files or ask fewer.")
        questions = pick_questions(bank, count=n, category=category, ids=ids, seed=seed, shuffle=False)
    else:
        from ..record import RecordOptions
        from .live import countdown as count_down
        from .record import LiveLine

        questions = pick_questions(bank, count=count, category=category, ids=ids, seed=seed)
        stop_hint = f"Enter to stop, stops at {max_seconds:g} s"
        live = LiveLine(quiet=quiet, stop_hint=stop_hint)

        def before_start(dev, rate):
            console.say(f"Microphone: {dev.name} ({rate} Hz).")
            count_down(countdown, quiet)

        def on_recording():
            console.say("Recording: speak now, press Enter to stop (Ctrl-C ends the interview).")

        def on_recorded(result):
            from ..record import STOP_REASONS

            live.end()
            console.say(f"Recorded {result.duration_s:.1f} s (stopped: {STOP_REASONS.get(result.stop_reason, result.stop_reason)}).")
            for n_ in result.notices:
                console.say(f"Warning: {n_}")

        source = MicrophoneAnswers(
            RecordOptions(device=device, max_seconds=max_seconds, silence_stop_s=silence_stop),
            home=home, enter=lines, on_status=live, before_start=before_start,
            on_recording=on_recording, on_recorded=on_recorded,
        )
        source.check()  # no microphone: say so before the first question, not after it

    analyzer = Analyzer(model=model, language=language, delivery_options=delivery_options,
                        content_options=content_options)
    interview = Interview(questions, source, analyzer=analyzer, home=home, choose=console.choose,
                          listener=listener, follow_ups=not no_follow_ups)
    console.say(f"Interview {interview.record.id}: {len(questions)} question(s)"
                + (f" answered from {answers_dir}." if answers_dir is not None else "."))
    with _terminate_ends_the_interview():
        record = interview.run()
    click.echo("\n" + summary_text(record), nl=False)
    console.say(f"Saved the interview in {interview.path}.")
    if record.status == "interrupted":
        sys.exit(EXIT_INTERRUPTED)
    if record.status == "terminated":
        console.say(interview.error or "Stopped by SIGTERM.")
        sys.exit(EXIT_TERMINATED)
    if record.status == "failed" and interview.error:
        raise click.ClickException(interview.error)


COMMANDS = [practice]
