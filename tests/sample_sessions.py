"""Reports with known values for the store, reports and HTML tests.

Built from the dataclasses directly, so these tests do not wait on the model or on the
delivery and content stages. Floats have at most 3 decimals: the JSON contract rounds to 3.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from mockmic.results import (
    Accountability,
    AudioInfo,
    ContentAnalysis,
    DeliveryMetrics,
    Feedback,
    Filler,
    LoudnessStats,
    PaceWindow,
    Pause,
    PitchStats,
    Pitfall,
    Scores,
    Sentence,
    SessionReport,
    Signal,
    StarPart,
    StarSummary,
    Transcript,
    Word,
)

SR = 16000  # Hz
QUESTION = "Tell me about a time you made a mistake."

# (text, start_s, end_s): a 10-second answer with an "um" at 2.2 s and a 1.2 s pause at 5.0 s.
WORDS = [
    ("I", 0.5, 0.7), ("was", 0.7, 1.0), ("leading", 1.0, 1.5), ("the", 1.5, 1.6),
    ("billing", 1.6, 2.1), ("um", 2.2, 2.6), ("release", 2.7, 3.2), ("and", 3.2, 3.4),
    ("I", 3.4, 3.5), ("skipped", 3.5, 4.0), ("the", 4.0, 4.1), ("tests.", 4.1, 5.0),
    ("I", 6.2, 6.3), ("told", 6.3, 6.6), ("my", 6.6, 6.8), ("manager", 6.8, 7.3),
    ("and", 7.3, 7.5), ("fixed", 7.5, 7.9), ("it", 7.9, 8.0), ("that", 8.0, 8.2),
    ("afternoon.", 8.2, 9.0),
]


def tone_signal(words=WORDS, duration_s: float = 10.0) -> np.ndarray:
    """A 160 Hz tone wherever a word is spoken, silence elsewhere: float32 mono 16 kHz."""
    t = np.arange(int(duration_s * SR)) / SR
    freq = 160 + 20 * np.sin(2 * np.pi * 0.5 * t)  # a voice-like glide, 140..180 Hz
    tone = 0.3 * np.sin(2 * np.pi * np.cumsum(freq) / SR)
    y = np.zeros_like(t)
    for _text, start, end in words:
        mask = (t >= start) & (t < end)
        y[mask] = tone[mask]
    return y.astype(np.float32)


def write_audio(path: Path, words=WORDS, duration_s: float = 10.0) -> Path:
    import soundfile as sf

    sf.write(str(path), tone_signal(words, duration_s), SR, subtype="PCM_16")
    return path


def make_report(
    session_id: str = "20261126-153812-a1b2c3",
    *,
    created_at: str = "2026-11-26T15:38:12+00:00",
    question: str | None = QUESTION,
    audio_path: str = "/recordings/answer.wav",
    words=WORDS,
    words_per_minute: float = 140.0,
    filler_count: int = 2,
    fillers_per_100_words: float = 4.762,
    result_present: bool = False,
    overall: int = 72,
    full: bool = True,
    text: str | None = None,
) -> SessionReport:
    """A complete report (``full``) or one with only the transcript, like an early pipeline."""
    ws = tuple(Word(t, s, e, 0.9) for t, s, e in words)
    transcript = Transcript(
        text=text if text is not None else " ".join(t for t, _s, _e in words),
        language="en",
        model="tiny.en",
        words=ws,
    )
    report = SessionReport(
        id=session_id,
        created_at=created_at,
        question=question,
        audio=AudioInfo(path=audio_path, duration_s=10.0, sample_rate=SR),
        transcript=transcript,
    )
    if not full:
        return report
    delivery = DeliveryMetrics(
        words=len(ws),
        speaking_time_s=7.3,
        words_per_minute=words_per_minute,
        articulation_wpm=172.6,
        pace_over_time=(PaceWindow(0.5, 5.0, 160.0), PaceWindow(5.0, 9.0, 120.0)),
        pauses=(Pause(5.0, 6.2, 1.2), Pause(2.1, 2.2, 0.1)),
        long_pause_count=1,
        fillers=(Filler("um", 2.2, 2.6, "hesitation"), Filler("", 9.2, 9.6, "acoustic")),
        filler_count=filler_count,
        fillers_per_minute=6.0,
        fillers_per_100_words=fillers_per_100_words,
        pitch=PitchStats(median_hz=160.0, variation_semitones=2.5, monotone=False),
        loudness=LoudnessStats(median_dbfs=-14.0, variation_db=4.0),
    )
    content = ContentAnalysis(
        sentences=(
            Sentence("I was leading the billing um release and I skipped the tests.", 0.5, 5.0, "situation"),
            Sentence("I told my manager and fixed it that afternoon.", 6.2, 9.0, "action"),
        ),
        star=StarSummary(
            situation=StarPart(True, 4.5, 0.6),
            task=StarPart(False, 0.0, 0.0),
            action=StarPart(True, 2.8, 0.4),
            result=StarPart(True, 1.5, 0.2) if result_present else StarPart(False, 0.0, 0.0),
            score=55,
        ),
        accountability=Accountability(
            score=80, ownership_ratio=0.75, signals=(Signal("ownership", "I skipped the tests", 3.4),)
        ),
        pitfalls=(Pitfall("no_learning", "You did not say what you learned.", ""),),
    )
    return replace(
        report,
        delivery=delivery,
        content=content,
        scores=Scores(overall=overall, delivery=68, structure=55, accountability=80),
        feedback=(
            Feedback("structure", "high", "Say what the result was.", "", None),
            Feedback("fillers", "medium", "One 'um' at 0:02.", "\u201cbilling um release\u201d (0:02)", 2.2),
            Feedback("pace", "good", "Your pace was comfortable.", "", None),
        ),
    )
