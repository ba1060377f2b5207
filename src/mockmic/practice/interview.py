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
scores (:func:`.followup.combined_scores`). The interview file is rewritten after every
question (:mod:`.record`), so Ctrl-C loses no finished answer.

>>> from mockmic.pipeline import Analyzer
>>> from mockmic.practice import FolderAnswers, Interview, load_questions, pick_questions
>>> from mockmic.render.interview import summary_text
>>> qs = pick_questions(load_questions(), ids=["mistake-at-work"])
>>> record = Interview(qs, FolderAnswers("answers/"), analyzer=Analyzer()).run()  # doctest: +SKIP
>>> print(summary_text(record))  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import random
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from ..errors import ConfigError, MockmicError
from ..results import SessionReport
from .followup import FollowUp, choose_follow_up, combined_scores, joined_words
from .questions import Question
from .record import AnswerRecord, InterviewRecord, previous_interview, save_interview
from ..pipeline import Take
from .sources import FolderAnswers, InterviewStopped, MicrophoneAnswers  # noqa: F401  (part of this API)
from .summary import answer_issues, summarise

DEFAULT_COUNT = 5
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


# --- what the interview tells --------------------------------------------------------------


class Listener:
    """What an interview reports as it goes; every method does nothing by default."""

    def question(self, number: int, total: int, question: Question) -> None: ...

    def follow_up(self, number: int, follow_up: FollowUp) -> None: ...

    def answered(self, number: int, report: SessionReport, *, follow_up: bool) -> None: ...

    def outcome(self, number: int, answer: AnswerRecord) -> None: ...

    def note(self, message: str) -> None: ...

    @contextlib.contextmanager
    def analyzing(self) -> Iterator[Callable[[str, float, float | None], None] | None]:
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
        from ..config import data_home
        from ..pipeline import new_session_id
        from ..store import Store

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
            report = self._analyze(take, question=q.text)
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
            freport = self._analyze(ftake, question=follow_up_question(q, fu), notices=(link,))
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
        from ..content import analyze_content

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
            first_quality=report.content.quality if report.content is not None else None,
            joined_quality=joined.quality,
            pitfalls=[p.kind for p in joined.pitfalls],
        )
        return dataclasses.replace(base, follow_up=fu, follow_up_session_id=freport.id, follow_up_status="answered",
                                   scores=scores, issues=answer_issues(report, freport, needs=q.needs))

    def _analyze(self, take: Take, *, question: str, notices: tuple[str, ...] = ()) -> SessionReport:
        """Analyse ``take`` and store it as a session; on failure a recording stays in incoming/."""
        from ..pipeline import analyze_and_store

        try:
            with self.listener.analyzing() as progress:
                if progress is not None:
                    self.analyzer.on_progress = progress
                report, _folder = analyze_and_store(self.analyzer, take, store=self.store, question=question,
                                                    notices=notices)
        except BaseException:
            take.release()
            raise
        return report


def follow_up_question(question: Question, follow_up: FollowUp) -> str:
    """The question a follow-up session is stored with: ``<question> Follow-up: <follow-up>``."""
    return f"{question.text} Follow-up: {follow_up.text}"


def _now() -> str:
    # Milliseconds: two interviews in one second (scripts, tests) still come in order.
    return _dt.datetime.now().astimezone().isoformat(timespec="milliseconds")
