"""Content: sentences, STAR parts, accountability signals, the seeds' pitfalls, suggestions, feedback.

Pure: the transcript's timed words in, :class:`~mockmic.results.ContentAnalysis` out.
"""

from .analyze import analyze_content, words_from_text
from .feedback import content_feedback
from .options import ContentOptions
from .star_delivery import star_pace_feedback, star_part_delivery, with_star_delivery
from .suggestions import suggest

__all__ = ["ContentOptions", "analyze_content", "content_feedback", "star_pace_feedback", "star_part_delivery",
           "suggest", "with_star_delivery", "words_from_text"]
