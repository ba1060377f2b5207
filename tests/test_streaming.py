"""Streaming transcription: chunks cut at pauses, times shifted, as faithful as a whole-file run."""

from __future__ import annotations


import jiwer
import numpy as np

from conftest import STAR_SENTENCES, normalise_text, SR, espeak_samples, silence
from mockmic.transcribe.streaming import StreamingTranscriber, StreamOptions

class FakeTranscriber:
    """Records the chunks it is given; says one word per chunk at the chunk's start."""

    model_name = "fake"

    def __init__(self):
        self.chunks: list[np.ndarray] = []

    def transcribe(self, samples, previous_text=None):
        from mockmic.results import Transcript, Word

        self.chunks.append(samples)
        return Transcript(text=f"w{len(self.chunks)}", language="en", model="fake",
                          words=(Word(f"w{len(self.chunks)}", 0.0, 0.5, 1.0),), transcribe_seconds=0.0)


def test_cuts_fall_in_pauses_and_times_are_shifted():
    rng = np.random.default_rng(0)
    burst = lambda s: (0.3 * rng.standard_normal(int(s * SR))).astype(np.float32)  # noqa: E731
    # 10 s speech, 1 s pause, 10 s speech, 1 s pause, 5 s speech
    signal = np.concatenate([burst(10), silence(1.0), burst(10), silence(1.0), burst(5)])
    fake = FakeTranscriber()
    stream = StreamingTranscriber(fake, StreamOptions(min_chunk_s=8.0, max_chunk_s=28.0))
    for i in range(0, signal.size, 1600):
        stream.feed(signal[i:i + 1600])
    transcript = stream.finish()
    lengths = [c.size / SR for c in fake.chunks]
    assert sum(c.size for c in fake.chunks) == signal.size  # nothing lost or doubled
    assert len(lengths) == 3
    # Each cut falls inside a 1 s pause (10-11 s and 21-22 s), clear of the speech around it
    # (the middle of the silence seen so far when the pause is long enough to cut).
    assert 10.15 < lengths[0] < 10.85 and 21.15 < lengths[0] + lengths[1] < 21.85
    assert [w.start_s for w in transcript.words] == [0.0, round(lengths[0], 3), round(lengths[0] + lengths[1], 3)]
    assert stream.timing.chunks == 3 and abs(stream.timing.tail_s - lengths[2]) < 1e-6


def test_no_pause_forces_a_cut_before_the_window_ends():
    rng = np.random.default_rng(1)
    signal = (0.3 * rng.standard_normal(70 * SR)).astype(np.float32)
    fake = FakeTranscriber()
    stream = StreamingTranscriber(fake)
    for i in range(0, signal.size, 1600):
        stream.feed(signal[i:i + 1600])
    stream.finish()
    assert all(c.size / SR <= 30 for c in fake.chunks)
    assert sum(c.size for c in fake.chunks) == signal.size


def test_streamed_transcript_is_as_faithful_as_whole_file(transcriber):
    parts = []
    for s in STAR_SENTENCES * 2:
        parts += [espeak_samples(s), silence(0.6)]
    signal = np.concatenate(parts)
    truth = normalise_text(" ".join(STAR_SENTENCES * 2))
    whole = transcriber.transcribe(signal)
    stream = StreamingTranscriber(transcriber)
    for i in range(0, signal.size, 1600):
        stream.feed(signal[i:i + 1600])
    streamed = stream.finish()
    assert stream.timing.chunks >= 3
    wer_whole = jiwer.wer(truth, normalise_text(whole.text))
    wer_stream = jiwer.wer(truth, normalise_text(streamed.text))
    assert wer_stream <= wer_whole + 0.05, (wer_stream, wer_whole, stream.chunk_texts, whole.text)
    # Word times run in order across chunk joins and stay inside the audio.
    starts = [w.start_s for w in streamed.words]
    assert starts == sorted(starts) and streamed.words[-1].end_s <= signal.size / SR + 0.01


def test_live_transcriber_resamples_device_blocks_without_losing_audio():
    from mockmic.transcribe.streaming import LiveTranscriber

    rng = np.random.default_rng(3)
    rate = 44100
    signal = np.concatenate([(0.3 * rng.standard_normal(rate * 10)).astype(np.float32), np.zeros(rate, np.float32),
                             (0.3 * rng.standard_normal(rate * 6)).astype(np.float32)])
    fake = FakeTranscriber()
    live = LiveTranscriber(fake, StreamOptions(min_chunk_s=8.0))
    for i in range(0, signal.size, 4410):
        live(signal[i:i + 4410], rate)
    live.finish()
    total_16k = sum(c.size for c in fake.chunks)
    assert abs(total_16k - signal.size * SR / rate) <= 2
    assert len(fake.chunks) == 2 and 10.0 < fake.chunks[0].size / SR < 11.0
