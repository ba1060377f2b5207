"""The Practice page's library calls: the question bank, the page's own questions, and
:class:`mockmic.practice.Interview` (the very one ``mockmic practice`` runs) and its records."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ...store import check_session_id


class PracticeMixin:
    """The part of :class:`~mockmic.web.engine.Engine` for interviews (it needs ``home`` and
    ``analyzer``)."""

    def question_bank(self):
        from ...practice import load_questions

        return load_questions()

    def choose_questions(self, *, category: str | None = None, count: int | None = None,
                         ids: Sequence[str] = (), own: str = ""):
        """The questions of an interview: the person's own (one a line) or from the bank."""
        from ...practice import Question, pick_questions

        mine = [line.strip() for line in own.splitlines() if line.strip()]
        if mine:
            questions = [Question(id=f"own-{i}-{_slug(text)}"[:60], category="own", text=text, source="the page")
                         for i, text in enumerate(mine, 1)]
            return questions[:count] if count else questions
        return pick_questions(self.question_bank(), count=count, category=category or None, ids=list(ids))

    def interview(self, questions, source, *, listener, choose, follow_ups: bool = True):
        """A :class:`mockmic.practice.Interview` over the shared model, storing in this home.

        ``listener.analyzing()`` should be :meth:`one_analysis`: one analysis at a time."""
        from ...practice import Interview

        return Interview(questions, source, analyzer=self.analyzer, home=self.home, choose=choose,
                         listener=listener, follow_ups=follow_ups)

    def interviews(self) -> list:
        """Past interviews, newest first."""
        from ...practice import list_interviews

        return list(reversed(list_interviews(self.home)))

    def get_interview(self, interview_id: str):
        from ...practice import interviews_dir, load_interview

        check_session_id(interview_id)  # interview ids are made like session ids
        return load_interview(interviews_dir(self.home) / f"{interview_id}.json")

    def interview_summary_text(self, record) -> str:
        from ...render.interview import summary_text

        return summary_text(record)

    @staticmethod
    def follow_up_statuses() -> dict[str, str]:
        from ...render.interview import FOLLOW_UP_STATUS_TEXT

        return dict(FOLLOW_UP_STATUS_TEXT)


def interview_stopped(reason: str, message: str) -> Exception:
    """The exception that ends an interview now, keeping its answers (``mockmic.practice``)."""
    from ...practice import InterviewStopped

    return InterviewStopped(reason, message)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:40] or "question"
