"""Delivery: pace, pauses, fillers, pitch and loudness of a spoken answer; feedback and a score.

Pure: a 16 kHz mono signal and the transcript's timed words in, dataclasses out.
"""

from .analyze import analyze_delivery, counted_words, signal_acoustics
from .feedback import delivery_feedback
from .live import LiveAcoustics
from .options import DeliveryOptions
from .score import delivery_score

__all__ = ["DeliveryOptions", "LiveAcoustics", "analyze_delivery", "counted_words", "delivery_feedback", "delivery_score",
           "signal_acoustics"]
