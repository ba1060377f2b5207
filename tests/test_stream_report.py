"""A recording analysed while it is made gives the report of the same audio analysed as a file."""

from __future__ import annotations

import numpy as np

from conftest import SR, STAR_SENTENCES, espeak_samples, silence
from mockmic.delivery import LiveAcoustics
from mockmic.pipeline import Analyzer
from mockmic.results import AudioInfo
from mockmic.transcribe import LiveTranscriber, StreamOptions


def test_streamed_report_equals_the_file_report(transcriber):
    parts = [silence(0.5)]
    for s in STAR_SENTENCES * 2:
        parts += [espeak_samples(s), silence(0.7)]
    signal = np.concatenate(parts)
    analyzer = Analyzer()
    analyzer._transcriber = transcriber
    live = LiveTranscriber(transcriber, StreamOptions(min_chunk_s=8.0),
                           acoustics=LiveAcoustics(options=analyzer.delivery_options))
    for i in range(0, signal.size, 1600):  # as the page sends it: 16 kHz, 0.1 s at a time
        live(signal[i:i + 1600], SR)
    transcript = live.finish()
    assert live.timing.chunks >= 3 and live.acoustics_result is not None
    info = AudioInfo("answer.wav", signal.size / SR, SR)
    streamed = analyzer.analyze_samples(signal, info, transcript=transcript, acoustics=live.acoustics_result)

    # The same words with the acoustics computed from the file: identical delivery and scores.
    same_words = analyzer.analyze_samples(signal, info, transcript=transcript)
    assert streamed.delivery == same_words.delivery
    assert streamed.scores == same_words.scores and streamed.feedback == same_words.feedback

    # The file transcribed whole (one pass): the same figures within the chunking's tolerance.
    whole = analyzer.analyze_samples(signal, info)
    a, b = streamed.delivery, whole.delivery
    assert abs(a.words - b.words) <= 2
    assert abs(a.words_per_minute - b.words_per_minute) <= 0.05 * b.words_per_minute
    assert abs(a.pitch.median_hz - b.pitch.median_hz) <= 1.0
    assert abs(a.pitch.variation_semitones - b.pitch.variation_semitones) <= 0.3
    assert abs(a.loudness.median_dbfs - b.loudness.median_dbfs) <= 0.5
    assert a.long_pause_count == b.long_pause_count and abs(len(a.pauses) - len(b.pauses)) <= 1
    assert abs(a.filler_count - b.filler_count) <= 1
    assert abs(streamed.scores.overall - whole.scores.overall) <= 5
