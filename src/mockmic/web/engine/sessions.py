"""The History pages' library calls: stored sessions, the CLI's own report and trend pages,
comparisons, and the figures the pages show."""

from __future__ import annotations

import contextlib

from ...errors import AudioError, StoreError
from ...results import SessionReport
from ...store import check_session_id


class SessionsMixin:
    """The part of :class:`~mockmic.web.engine.Engine` that reads the store (it needs ``store``)."""

    def list_sessions(self, *, question: str | None = None, since: str | None = None, limit: int | None = None):
        return self.store.list(question=question or None, since=since or None, limit=limit)

    def get_session(self, session_id: str) -> SessionReport:
        return self.store.get(check_session_id(session_id))

    def session_summary(self, session_id: str):
        return self.store.summary(session_id)

    def delete_session(self, session_id: str) -> None:
        self.store.delete(check_session_id(session_id))

    def report_html(self, session_id: str) -> str:
        """The report exactly as ``mockmic reports show ID --format html`` writes it."""
        from ...audio import load_audio
        from ...render import render

        report = self.get_session(session_id)
        samples = None
        audio = self.store.audio_path(report.id)
        if audio is not None:
            with contextlib.suppress(AudioError):
                samples, _info = load_audio(audio)
        history = self.store.list(same_question=report.question, oldest_first=True) if report.question else []
        return render(report, "html", samples=samples, history=history)

    def compare(self, first_id: str, second_id: str):
        """Rows comparing two stored sessions (``render.compare.CompareRow``), and both reports."""
        from ...render.compare import compare_reports

        a, b = self.get_session(first_id), self.get_session(second_id)
        if a.id == b.id:
            raise StoreError("Choose two different sessions to compare.")
        return a, b, compare_reports(a, b)

    def previous_attempt(self, session_id: str) -> str | None:
        """The id of the attempt at the same question just before ``session_id``."""
        previous = self.store.previous_attempt(self.get_session(session_id))
        return previous.id if previous is not None else None

    def trend_html(self, *, question: str | None = None, since: str | None = None) -> str | None:
        """The trend page of ``mockmic reports trend --html``; None when nothing matches."""
        from ...render.charts import DEFAULT_TREND
        from ...render.html import render_trend_html

        history = self.store.list(question=question or None, since=since or None, oldest_first=True)
        if not history:
            return None
        title = f"Progress: {question}" if question else "Progress over sessions"
        return render_trend_html(history, list(DEFAULT_TREND), title=title)

    @staticmethod
    def score_rows(report: SessionReport):
        from ...render.summary import score_rows

        return score_rows(report)

    @staticmethod
    def when(created_at: str) -> str:
        from ...render.summary import when

        return when(created_at)

    @staticmethod
    def clock(seconds: float | None) -> str:
        from ...results import clock

        return clock(seconds)

    @staticmethod
    def ranked_feedback(report: SessionReport):
        from ...render.summary import ranked_feedback

        return ranked_feedback(report)
