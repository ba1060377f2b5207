"""A whole mock interview: the question bank, answer sources, follow-ups, and the interview's data.

>>> from mockmic.practice import load_questions, pick_questions
>>> [q.id for q in pick_questions(load_questions(), ids=["mistake-at-work"])]
['mistake-at-work']
"""

from .followup import FollowUp, choose_follow_up, combined_scores, follow_up_reasons, joined_words
from .interview import CHOICES, DEFAULT_COUNT, Interview, Listener, follow_up_question, pick_questions
from .questions import Question, categories, find_question, load_questions
from .record import (
    AnswerRecord,
    InterviewRecord,
    InterviewSummary,
    interviews_dir,
    list_interviews,
    load_interview,
    previous_interview,
    save_interview,
)
from ..pipeline import Take
from .sources import FolderAnswers, InterviewStopped, MicrophoneAnswers
from .summary import answer_issues, summarise

__all__ = [
    "CHOICES", "DEFAULT_COUNT", "AnswerRecord", "FolderAnswers", "FollowUp", "Interview", "InterviewRecord",
    "InterviewStopped", "InterviewSummary", "Listener", "MicrophoneAnswers", "Question", "Take", "answer_issues",
    "categories", "choose_follow_up", "combined_scores", "find_question", "follow_up_question", "follow_up_reasons",
    "interviews_dir", "joined_words", "list_interviews", "load_interview", "load_questions", "pick_questions",
    "previous_interview", "save_interview", "summarise",
]
