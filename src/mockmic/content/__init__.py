"""Content: sentences, STAR parts, accountability signals, the seeds' pitfalls, suggestions, feedback.

Pure: the transcript's timed words in, :class:`~mockmic.results.ContentAnalysis` out.
"""

from .analyze import analyze_content, words_from_text
from .feedback import content_feedback
from .options import ContentOptions
from .suggestions import suggest

__all__ = ["ContentOptions", "analyze_content", "content_feedback", "suggest", "words_from_text"]
