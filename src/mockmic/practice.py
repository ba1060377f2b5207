"""Practice mode: a whole mock interview, question after question, with follow-ups.

No click and no terminal here: the interview is driven through three things it is given.

- an answer source: :class:`MicrophoneAnswers` records each answer with
  :func:`mockmic.record.record_answer`; :class:`FolderAnswers` takes one audio file per
  question from a folder, in order (``02-followup.wav`` answers question 2's follow-up);
- ``choose(number, total, can_retry=..., final=...)``: what the person wants before each
  question: "answer", "skip", "retry" (redo the previous question) or "quit";
- a :class:`Listener` told what happens, to show it.

Each answer is analysed and stored as a session as soon as it ends; a follow-up's answer is its
own session, whose report names the question's session, and both count for the question's
scores (:func:`mockmic.followup.combined_scores`). The interview file is rewritten after every
question (:mod:`mockmic.interview`), so Ctrl-C loses no finished answer.

>>> from mockmic.interview import summary_text
>>> from mockmic.pipeline import Analyzer
>>> from mockmic.practice import FolderAnswers, Interview, pick_questions
>>> from mockmic.questions import load_questions
>>> qs = pick_questions(load_questions(), ids=["mistake-at-work"])
>>> record = Interview(qs, FolderAnswers("answers/"), analyzer=Analyzer()).run()  # doctest: +SKIP
>>> print(summary_text(record))  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import random
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import AudioError, ConfigError, MockmicError
from .followup import FollowUp, choose_follow_up, combined_scores, joined_words
from .interview import AnswerRecord, InterviewRecord, answer_issues, previous_interview, save_interview, summarise
from .questions import Question
from .results import SessionReport

DEFAULT_COUNT = 5
AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".m4a", ".ogg", ".oga", ".opus", ".webm", ".aac", ".mp4", ".aif", ".aiff", ".wma", ".mka")
FOLLOW_UP_FILE = re.compile(r"[-_. ]?follow[-_ ]?up\Z", re.I)  # "02-followup", "2 follow-up"
CHOICES = ("answer", "skip", "retry", "quit")


# --- which questions -----------------------------------------------------------------------


def pick_questions(
    bank: Sequence[Question],
    *,
    count: int | None = None,
    category: str | None = None,
    ids: Sequence[str] = (),
    seed: int | None = None,
    shuffle: bool = True,
) -> list[Question]:
    """The questions of one interview.

    Parameters
    ----------
    bank : sequence of Question
    count : int, optional
        How many; default all of ``ids``, else :data:`DEFAULT_COUNT` (or fewer if the bank has fewer).
    category : str, optional
        Only questions of this category.
    ids : sequence of str
        These questions, in this order (``count`` then takes the first ``count``).
    seed : int, optional
        Makes the random choice repeatable.
    shuffle : bool
        Pick at random (default); False keeps the bank's order, as answers from a folder need.

    Raises
    ------
    ConfigError
        An unknown or repeated id, an unknown category, or a count below 1.
    """
    if count is not None and count < 1:
        raise ConfigError(f"The number of questions must be 1 or more, not {count}.")
    pool = list(bank)
    if category:
        pool = [q for q in pool if q.category == category]
        if not pool:
            known = ", ".join(sorted({q.category for q in bank}))
            raise ConfigError(f"No questions in category '{category}' (categories: {known}).")
    if ids:
        twice = next((i for n, i in enumerate(ids) if i in ids[:n]), None)
        if twice is not None:
            raise ConfigError(f"The question '{twice}' is given twice: an interview asks each question once (r redoes one).")
        by_id = {q.id: q for q in pool}
        missing = [i for i in ids if i not in by_id]
        if missing:
            where = f" in category '{category}'" if category else ""
            raise ConfigError(f"No question with id '{missing[0]}'{where}: see `mockmic questions` for the ids.")
        chosen = [by_id[i] for i in ids]
        return chosen[:count] if count else chosen
    n = min(count or DEFAULT_COUNT, len(pool))
    if shuffle:
        return random.Random(seed).sample(pool, n)
    return pool[:n]


# --- where answers come from ---------------------------------------------------------------


@dataclass
class Take:
    """One answer's audio, ready to analyse and store.

    ``mode`` is how the store takes the file: "move" for the recorder's own WAV, "copy" for a
    person's file (never changed). ``stop_reason`` is the recorder's (a key of
    ``record.STOP_REASONS``), None for a file.
    """

    path: Path
    mode: str
    session_id: str
    pending: object | None = None  # the recorder's PendingRecording, until stored
    stop_reason: str | None = None
    notices: tuple[str, ...] = ()

    def stored(self) -> None:
        if self.pending is not None:
            self.pending.marker.remove()
            self.pending = None

    def release(self) -> None:
        """Leave a recording in ``incoming/`` for ``mockmic record --recover``."""
        if self.pending is not None:
            self.pending.release()
            self.pending = None


class InterviewStopped(Exception):
    """The interview must end now (SIGTERM while recording); ``reason`` says why."""

    def __init__(self, reason: str, message: str = "") -> None:
        super().__init__(message or reason)
        self.reason = reason


class FolderAnswers:
    """Answers from a folder: its audio files in natural name order, one per question.

    A file whose name ends in ``followup`` answers the follow-up of the answer named by the
    rest of its name: ``02-followup.wav`` goes with ``02.wav`` or ``02-missed-deadline.wav``.
    Files are never changed; sessions hold a copy.

    Raises
    ------
    AudioError
        The folder does not exist, holds no audio file, or a follow-up file matches no answer.
    """

    can_retry = False

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise AudioError(f"The answers folder {self.folder} does not exist.")
        files = [p for p in self.folder.iterdir() if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES]
        mains = sorted((p for p in files if not FOLLOW_UP_FILE.search(p.stem)), key=_natural)
        follow = {}
        for p in sorted((p for p in files if FOLLOW_UP_FILE.search(p.stem)), key=_natural):
            prefix = FOLLOW_UP_FILE.sub("", p.stem)
            owners = [m for m in mains if m.stem == prefix
                      or (prefix and m.stem.startswith(prefix) and not m.stem[len(prefix)].isalnum())]
            if len(owners) != 1:
                what = "no answer" if not owners else f"{len(owners)} answers"
                raise AudioError(f"The follow-up answer {p.name} in {self.folder} matches {what}: "
                                 f"name it after its answer, e.g. {prefix or '02'}-followup{p.suffix}.")
            if owners[0] in follow:
                raise AudioError(f"{owners[0].name} in {self.folder} has two follow-up answers: keep one.")
            follow[owners[0]] = p
        self.entries: list[tuple[Path, Path | None]] = [(m, follow.get(m)) for m in mains]
        if not self.entries:
            raise AudioError(f"The answers folder {self.folder} holds no audio files ({', '.join(AUDIO_SUFFIXES[:5])}, ...).")

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def label(self) -> str:
        return f"answers: {self.folder}"

    def follow_up_hint(self, position: int) -> str:
        main = self.entries[position][0]
        return f" in {self.folder} (a file named {main.stem}-followup{main.suffix} would answer it)"

    def answer(self, prompt: str, *, position: int, follow_up: bool) -> Take | None:
        from .pipeline import new_session_id

        if position >= len(self.entries):
            return None
        path = self.entries[position][1 if follow_up else 0]
        if path is None:
            return None
        return Take(path=path, mode="copy", session_id=new_session_id())


def _natural(path: Path) -> list:
    return [int(t) if t.isdigit() else t.casefold() for t in re.split(r"(\d+)", path.name)]


class MicrophoneAnswers:
    """Answers recorded from the microphone with :func:`mockmic.record.record_answer`.

    Parameters
    ----------
    options : RecordOptions, optional
    home : Path, optional
        The data home (recordings go to its ``incoming/`` until stored).
    enter : object, optional
        Stops a recording when the person presses Enter: ``enter.watch(stopper)`` is called once
        the countdown is over and ``enter.unwatch(stopper)`` when the recording ends. The CLI
        gives one that shares standard input with the prompts. None: only the recorder's own
        limits (and Ctrl-C) stop an answer.
    on_status, before_start, on_recording : callable, optional
        Passed to :func:`record_answer` (live line, countdown, "speak now").
    """

    can_retry = True
    label = "microphone"

    def __init__(self, options=None, *, home: Path | None = None, enter=None,
                 on_status: Callable | None = None, before_start: Callable | None = None,
                 on_recording: Callable | None = None, on_recorded: Callable | None = None) -> None:
        self.options = options
        self.home = home
        self.enter = enter
        self.on_status = on_status
        self.before_start = before_start
        self.on_recording = on_recording
        self.on_recorded = on_recorded  # called with the RecordingResult

    def check(self) -> str:
        """The name of the input device that will record; DeviceError (one sentence) if none."""
        from .record import find_input_device

        return find_input_device(getattr(self.options, "device", None)).name

    def answer(self, prompt: str, *, position: int, follow_up: bool) -> Take | None:
        from .record import Stopper, record_answer

        stopper = Stopper()

        def before_start(device, rate):
            if self.before_start is not None:
                self.before_start(device, rate)
            if self.enter is not None:
                self.enter.watch(stopper)

        try:
            result = record_answer(prompt, options=self.options, home=self.home, on_status=self.on_status,
                                   before_start=before_start, on_recording=self.on_recording,
                                   stopper=stopper, stop_on_enter=False)
        finally:
            if self.enter is not None:
                self.enter.unwatch(stopper)
        if self.on_recorded is not None:
            self.on_recorded(result)
        if result.stop_reason == "terminate":
            if result.duration_s == 0:
                result.pending.discard()
            else:
                result.pending.release()  # complete and valid; the next `mockmic record` analyses it
            raise InterviewStopped("terminate", f"Stopped by SIGTERM: the recording is kept in {result.path}; "
                                                "`mockmic record --recover` analyses it.")
        if result.stop_reason == "interrupt" and not result.speech_detected:
            result.pending.discard()  # Ctrl-C before a word was said: no answer to keep
            raise KeyboardInterrupt
        if result.duration_s == 0:
            result.pending.discard()
            raise InterviewStopped("no_audio", result.error or "Nothing was recorded: it was stopped before any audio arrived.")
        if result.stop_reason == "write_error":
            result.pending.release()
            raise InterviewStopped("write_error", f"{result.error} Free some space, then run `mockmic record --recover`.")
        return Take(path=result.path, mode="move", session_id=result.session_id, pending=result.pending,
                    stop_reason=result.stop_reason, notices=tuple(n for n in result.notices))


# --- what the interview tells --------------------------------------------------------------


class Listener:
    """What an interview reports as it goes; every method does nothing by default."""

    def question(self, number: int, total: int, question: Question) -> None: ...

    def follow_up(self, number: int, follow_up: FollowUp) -> None: ...

    def answered(self, number: int, report: SessionReport, *, follow_up: bool) -> None: ...

    def outcome(self, number: int, answer: AnswerRecord) -> None: ...

    def note(self, message: str) -> None: ...

    @contextlib.contextmanager
    def analysing(self) -> Iterator[Callable[[str, float, float | None], None] | None]:
        """Around each analysis; may yield an ``on_progress`` for the analyzer."""
        yield None


def _always_answer(number: int, total: int, *, can_retry: bool, final: bool) -> str:
    return "quit" if final else "answer"


class _Interrupted(Exception):
    """Ctrl-C stopped a recording: its answer is stored, then the interview ends."""


# --- the interview -------------------------------------------------------------------------


class Interview:
    """Asks ``questions`` one after another; :meth:`run` returns the finished record.

    Parameters
    ----------
    questions : sequence of Question
    source : FolderAnswers, MicrophoneAnswers or similar
        ``answer(prompt, position=, follow_up=) -> Take | None``, ``can_retry``, ``label``.
    analyzer : mockmic.pipeline.Analyzer
        One for the whole interview, so the model loads once.
    home : Path, optional
        The data home for sessions and the interview file.
    choose : callable, optional
        ``choose(number, total, can_retry=, final=)`` before each question (``final`` after
        the last, where only "retry" and "quit" make sense). Default: answer everything.
    follow_ups : bool
        Ask follow-up questions (default True).
    """

    def __init__(self, questions: Sequence[Question], source, *, analyzer, home: Path | None = None,
                 choose: Callable[..., str] | None = None, listener: Listener | None = None,
                 follow_ups: bool = True, interview_id: str | None = None) -> None:
        from .config import data_home
        from .pipeline import new_session_id
        from .store import Store

        if not questions:
            raise ConfigError("An interview needs at least one question.")
        self.questions = list(questions)
        self.source = source
        self.analyzer = analyzer
        self.home = Path(home) if home is not None else data_home()
        self.store = Store(self.home)
        self.choose = choose or _always_answer
        self.listener = listener or Listener()
        self.follow_ups = follow_ups
        self.record = InterviewRecord(
            id=interview_id or new_session_id(),
            started_at=_now(),
            source=getattr(source, "label", type(source).__name__),
            planned=tuple(q.id for q in self.questions),
        )
        self.path: Path | None = None
        self.error: str | None = None  # why a "failed" or "terminated" interview ended
        self._by_index: dict[int, AnswerRecord] = {}

    # -- the loop --

    def run(self) -> InterviewRecord:
        """Ask every question; returns when they are done, on "quit", Ctrl-C or SIGTERM.

        The record's ``status`` says which: "finished", "interrupted" (Ctrl-C), "terminated"
        (SIGTERM) or "failed" (the microphone failed: :attr:`error` says how). Every finished
        answer is stored either way.
        """
        status = "finished"
        try:
            self._loop()
        except (KeyboardInterrupt, _Interrupted):
            status = "interrupted"
        except InterviewStopped as e:
            # SIGTERM, or the microphone failed: the answers so far still make a summary.
            status = "terminated" if e.reason == "terminate" else "failed"
            self.error = str(e)
        except BaseException:
            status = "failed"
            raise
        finally:
            self.record.status = status
            self.record.ended_at = _now()
            self._finish()
        return self.record

    def _loop(self) -> None:
        total = len(self.questions)
        i = 0
        redo = False
        while True:
            can_retry = bool(self.source.can_retry and i > 0)
            if i >= total:
                choice = self.choose(total + 1, total, can_retry=can_retry, final=True)
                if choice == "retry" and can_retry:
                    i, redo = total - 1, True
                    continue
                return
            q = self.questions[i]
            self.listener.question(i + 1, total, q)
            if not redo:
                choice = self.choose(i + 1, total, can_retry=can_retry, final=False)
                if choice not in CHOICES:
                    raise ConfigError(f"Unknown choice {choice!r}: use one of {', '.join(CHOICES)}.")
                if choice == "quit":
                    return
                if choice == "retry" and can_retry:
                    i, redo = i - 1, True
                    continue
                if choice == "skip":
                    self._put(i, AnswerRecord(q.id, q.category, q.text, status="skipped"))
                    i += 1
                    continue
            redo = False
            try:
                answer = self._ask(i, q)
            except _Interrupted as stop:
                self._put(i, stop.args[0])
                raise
            self._put(i, answer)
            i += 1

    def _put(self, index: int, answer: AnswerRecord) -> None:
        old = self._by_index.get(index)
        if old is not None and old.status != "skipped":
            self.record.replaced.append(old)
            answer = dataclasses.replace(answer, attempt=old.attempt + 1)
        self._by_index[index] = answer
        self.record.answers = [self._by_index[k] for k in sorted(self._by_index)]
        self.listener.outcome(index + 1, answer)
        self.path = save_interview(self.record, self.home)

    def _finish(self) -> None:
        previous = previous_interview(self.home, self.record)
        self.record.summary = summarise(self.record, previous)
        self.path = save_interview(self.record, self.home)

    # -- one question --

    def _ask(self, index: int, q: Question) -> AnswerRecord:
        number = index + 1
        take = self.source.answer(q.text, position=index, follow_up=False)
        if take is None:
            return AnswerRecord(q.id, q.category, q.text, status="skipped", note="no answer was given")
        try:
            report = self._analyse(take, question=q.text)
        except MockmicError as e:
            self.listener.note(f"{e} The recording is kept for `mockmic record --recover`." if take.pending else str(e))
            take.release()
            return AnswerRecord(q.id, q.category, q.text, status="failed", note=str(e))
        self.listener.answered(number, report, follow_up=False)
        base = AnswerRecord(q.id, q.category, q.text, status="answered", session_id=report.id,
                            first_scores=report.scores, scores=report.scores,
                            issues=answer_issues(report, needs=q.needs))
        if not report.transcript.words:
            base = dataclasses.replace(base, status="no_speech", first_scores=None, scores=None)
        if take.stop_reason == "interrupt":
            raise _Interrupted(dataclasses.replace(base, status="interrupted"))
        if base.status == "no_speech":
            return base
        fu = choose_follow_up(report.content, needs=q.needs) if self.follow_ups else None
        if fu is None:
            return base
        self.listener.follow_up(number, fu)
        ftake = self.source.answer(fu.text, position=index, follow_up=True)
        if ftake is None:
            hint = getattr(self.source, "follow_up_hint", lambda _i: "")(index)
            self.listener.note(f"No answer to the follow-up{hint}: question {number} is scored on its first answer.")
            return dataclasses.replace(base, follow_up=fu, follow_up_status="no_recording")
        link = f"Follow-up to session {report.id} ({q.text})."
        try:
            # The question names both, so the session reads on its own and is analysed as an
            # answer to the same (e.g. mistake) question.
            freport = self._analyse(ftake, question=follow_up_question(q, fu), notices=(link,))
        except MockmicError as e:
            self.listener.note(str(e))
            ftake.release()
            return dataclasses.replace(base, follow_up=fu, follow_up_status="failed")
        self.listener.answered(number, freport, follow_up=True)
        answer = self._combine(q, base, report, freport, fu)
        if ftake.stop_reason == "interrupt":
            raise _Interrupted(answer)
        return answer

    def _combine(self, q: Question, base: AnswerRecord, report: SessionReport, freport: SessionReport,
                 fu: FollowUp) -> AnswerRecord:
        from .content import analyze_content

        fwords = freport.transcript.words
        if not fwords:
            return dataclasses.replace(base, follow_up=fu, follow_up_session_id=freport.id, follow_up_status="no_speech")
        words = joined_words(report.transcript.words, report.audio.duration_s, fwords)
        joined = analyze_content(words, question=q.text, options=self.analyzer.content_options)
        scores = combined_scores(
            report.scores,
            joined_structure=joined.star.score,
            joined_accountability=joined.accountability.score,
            follow_up_delivery=freport.scores.delivery if freport.scores else None,
            first_words=len(report.transcript.words),
            follow_up_words=len(fwords),
        )
        return dataclasses.replace(base, follow_up=fu, follow_up_session_id=freport.id, follow_up_status="answered",
                                   scores=scores, issues=answer_issues(report, freport, needs=q.needs))

    def _analyse(self, take: Take, *, question: str, notices: tuple[str, ...] = ()) -> SessionReport:
        """Analyse ``take`` and store it as a session; on failure a recording stays in incoming/."""
        from .audio import load_audio
        from .store import AUDIO_STEM

        try:
            with self.listener.analysing() as progress:
                if progress is not None:
                    self.analyzer.on_progress = progress
                samples, info = load_audio(take.path)
                if take.mode == "move":
                    # The report names where the audio will live once stored.
                    final = self.store.session_dir(take.session_id) / (AUDIO_STEM + take.path.suffix.lower())
                    info = dataclasses.replace(info, path=str(final))
                report = self.analyzer.analyze_samples(samples, info, question=question, session_id=take.session_id)
                if notices:
                    report = dataclasses.replace(report, notices=report.notices + tuple(notices))
                self.store.save(report, take.path, mode=take.mode)
        except BaseException:
            take.release()
            raise
        take.stored()
        return report


def follow_up_question(question: Question, follow_up: FollowUp) -> str:
    """The question a follow-up session is stored with: ``<question> Follow-up: <follow-up>``."""
    return f"{question.text} Follow-up: {follow_up.text}"


def _now() -> str:
    # Milliseconds: two interviews in one second (scripts, tests) still come in order.
    return _dt.datetime.now().astimezone().isoformat(timespec="milliseconds")
