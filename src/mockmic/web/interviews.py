"""A mock interview driven from the page: :class:`mockmic.practice.Interview` on its own thread.

The interview is the very one ``mockmic practice`` runs (skip, redo, finish, follow-ups, the
summary, ``interviews/<id>.json``); only its three hands are the page's:

- the answer source (:class:`PageAnswers`) asks the page to record and waits for the take the
  WebSocket streamed into ``incoming/`` (:mod:`mockmic.web.recorder`);
- ``choose`` asks the page what to do before each question and waits for the click or key;
- the listener (:class:`PageListener`) turns what happens into messages for the page.

The thread blocks only on its own queue; the event loop never waits for it.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .engine import Engine

WAIT_TICK_S = 0.5  # how often a waiting interview thread checks that it should still wait


class PageGone(Exception):
    """The page went away (closed tab, lost connection, server stopping)."""


@dataclass
class Settings:
    follow_ups: bool = True
    max_seconds: float = 180.0  # the time limit of each answer
    countdown_s: float = 3.0


def report_card(engine: Engine, report) -> dict:
    """What the page shows right after an answer: scores, STAR parts, the first notes."""
    c = report.content
    star = None
    if c is not None and c.sentences:
        star = {p: bool(getattr(c.star, p).present) for p in ("situation", "task", "action", "result")}
    notes = [fb for fb in engine.ranked_feedback(report) if fb.severity in ("high", "medium", "low")][:3]
    if not notes:
        notes = [fb for fb in engine.ranked_feedback(report) if fb.severity == "good"][:1]
    return {
        "session_id": report.id,
        "question": report.question,
        "duration_s": round(report.audio.duration_s, 1),
        "scores": [[name, value] for name, value in engine.score_rows(report)],
        "star": star,
        "notes": [{"severity": fb.severity, "area": fb.area, "message": fb.message} for fb in notes],
        "notices": list(report.notices),
        "transcript": report.transcript.text,
        "words": len(report.transcript.words),
    }


def _scores(s) -> dict | None:
    if s is None:
        return None
    return {"overall": s.overall, "delivery": s.delivery, "structure": s.structure, "accountability": s.accountability}


class PageInterview:
    """One interview in the page. Messages for the page go to :attr:`outbox` (an asyncio queue,
    filled from the thread through the loop); what the page says goes to :meth:`tell`."""

    def __init__(self, engine: Engine, questions, settings: Settings, *, loop: asyncio.AbstractEventLoop) -> None:
        self.engine = engine
        self.questions = list(questions)
        self.settings = settings
        self.loop = loop
        self.outbox: asyncio.Queue = asyncio.Queue()
        self._inbox: queue.Queue = queue.Queue()
        self._gone = threading.Event()
        self.answers = PageAnswers(self)
        self.listener = PageListener(self)
        self.interview = engine.interview(self.questions, self.answers, listener=self.listener,
                                          choose=self._choose, follow_ups=settings.follow_ups)
        self.id = self.interview.record.id
        self.thread: threading.Thread | None = None
        self.done = threading.Event()
        self.record = None
        self.attached = False
        self.recording = None  # the recorder.TakeStream of the answer being recorded

    # -- to the page --

    def post(self, message: dict) -> None:
        """Queue a message for the page; safe from any thread."""
        self.loop.call_soon_threadsafe(self.outbox.put_nowait, message)

    def listener_stopped_at(self, when: float) -> None:
        """When the person stopped the answer being recorded (time.monotonic): the report's wait
        is measured from here."""
        self.listener.stopped_at = when

    # -- from the page --

    def tell(self, message) -> None:
        """A choice, a finished take (or None: no answer) or PageGone, for the waiting thread."""
        self._inbox.put(message)

    def gone(self) -> None:
        """The page is not coming back: end the interview, keeping what was done."""
        self._gone.set()
        self._inbox.put(PageGone())

    def _wait(self, expect: Callable[[object], bool]):
        while True:
            try:
                item = self._inbox.get(timeout=WAIT_TICK_S)
            except queue.Empty:
                if self._gone.is_set():
                    raise PageGone()
                continue
            if isinstance(item, PageGone):
                raise item
            if expect(item):
                return item

    # -- the thread --

    def start(self) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name=f"mockmic-interview-{self.id}", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        self.post({"type": "start", "interview_id": self.id, "total": len(self.questions),
                   "max_seconds": self.settings.max_seconds, "countdown_s": self.settings.countdown_s})
        error = None
        try:
            self.record = self.interview.run()
            error = self.interview.error
        except Exception as e:  # the interview file keeps every finished answer
            error = f"The interview stopped because of an error: {e}"
        finally:
            self.done.set()
        record = self.record or self.interview.record
        self.post({"type": "summary", "interview_id": self.id, "status": record.status, "error": error,
                   "url": f"/interviews/{self.id}"})

    def _choose(self, number: int, total: int, *, can_retry: bool, final: bool) -> str:
        self.post({"type": "choose", "number": number, "total": total, "can_retry": can_retry, "final": final})
        try:
            item = self._wait(lambda m: isinstance(m, dict) and m.get("type") == "choice")
        except PageGone:
            # After the last answer there is nothing left to lose: the interview is finished.
            if final:
                return "quit"
            raise _stopped("disconnected", "The page was closed before the interview was finished; "
                                           "the answers given so far are stored.")
        value = item.get("value")
        if value == "retry" and not can_retry:
            value = "answer"
        return value if value in ("answer", "skip", "retry", "quit") else "answer"


def _stopped(reason: str, message: str) -> Exception:
    from .engine import interview_stopped

    return interview_stopped(reason, message)


class PageAnswers:
    """The interview's answer source: each answer is recorded in the page (see recorder.py)."""

    can_retry = True
    label = "browser microphone"

    def __init__(self, session: PageInterview) -> None:
        self.session = session
        self.prompt: str | None = None  # what the answer being asked for answers (kept with its audio)

    def answer(self, prompt: str, *, position: int, follow_up: bool):
        s = self.session
        self.prompt = prompt
        s.post({"type": "record", "number": position + 1, "prompt": prompt, "follow_up": follow_up,
                "max_seconds": s.settings.max_seconds, "countdown_s": s.settings.countdown_s})
        try:
            item = s._wait(lambda m: not (isinstance(m, dict) and m.get("type") == "choice"))
        except PageGone:
            raise _stopped("disconnected", "The page was closed while an answer was being recorded: the audio "
                                           "streamed so far is kept in incoming/ and offered when mockmic serve "
                                           "starts again (or `mockmic record --recover`).") from None
        if isinstance(item, TakeFailed):
            raise _stopped(item.reason, item.message)
        return item  # a Take, or None: no answer to this follow-up


@dataclass
class TakeFailed:
    """A recording that cannot be an answer (disk full, microphone refused)."""

    reason: str
    message: str


class PageListener:
    """Adapts :class:`mockmic.practice.Listener` to messages for the page."""

    def __init__(self, session: PageInterview) -> None:
        self.session = session
        self.stopped_at: float | None = None

    def question(self, number, total, question) -> None:
        self.session.post({"type": "question", "number": number, "total": total, "text": question.text,
                           "category": question.category, "id": question.id})

    def follow_up(self, number, follow_up) -> None:
        self.session.post({"type": "follow_up", "number": number, "text": follow_up.text, "reason": follow_up.reason})

    def answered(self, number, report, *, follow_up: bool) -> None:
        card = report_card(self.session.engine, report)
        card["ready_after_stop_s"] = (round(time.monotonic() - self.stopped_at, 2)
                                      if self.stopped_at is not None else None)
        self.session.post({"type": "answered", "number": number, "follow_up": follow_up, "report": card})

    def outcome(self, number, answer) -> None:
        self.session.post({
            "type": "outcome", "number": number, "status": answer.status, "session_id": answer.session_id,
            "scores": _scores(answer.scores), "first_scores": _scores(answer.first_scores),
            "follow_up": answer.follow_up.text if answer.follow_up else None,
            "follow_up_status": answer.follow_up_status, "note": answer.note,
        })

    def note(self, message: str) -> None:
        self.session.post({"type": "note", "message": message})

    def analyzing(self):
        """Around each analysis: one at a time in this server, no progress shown."""
        return self.session.engine.one_analysis()


@dataclass
class Interviews:
    """The interviews of this server, by id."""

    by_id: dict[str, PageInterview] = field(default_factory=dict)

    def add(self, session: PageInterview) -> None:
        self.by_id[session.id] = session

    def get(self, interview_id: str) -> PageInterview | None:
        return self.by_id.get(interview_id)

    def stop_all(self) -> None:
        for s in self.by_id.values():
            if s.recording is not None:
                s.recording.lost("server_stopped")
            s.gone()
