"""Transcribe while the person is still speaking, so only the tail is left when they stop.

Audio arrives in small blocks (16 kHz mono float32). When enough has gathered and the speaker
pauses, the audio up to the middle of the pause becomes a chunk and is transcribed on a
background thread while recording goes on. ``finish()`` transcribes the last chunk and joins
the words, with times shifted to the whole recording.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from ..audio.frames import frame_rms
from ..config import SAMPLE_RATE
from ..results import Transcript, Word

FRAME_S = 0.03  # energy frames for finding pauses


@dataclass(frozen=True)
class StreamOptions:
    """Where streamed audio is cut into chunks.

    Attributes
    ----------
    min_chunk_s : float
        Cut only once this much audio has gathered: short chunks give Whisper too little
        context and cost a decoder start each.
    max_chunk_s : float
        Cut at the quietest point before this, to stay inside Whisper's 30 s window.
    pause_s : float
        A pause this long (s) is a safe place to cut: no word spans it.
    rel_level : float
        A frame is silent below this share of the loud frames' level (75th percentile).
    """

    min_chunk_s: float = 12.0
    max_chunk_s: float = 28.0
    pause_s: float = 0.45
    rel_level: float = 0.06


@dataclass(frozen=True)
class StreamTiming:
    chunks: int
    tail_s: float  # seconds of audio left to transcribe at finish()
    finish_wait_s: float  # wall time finish() took: the wait after the person stopped


class StreamingTranscriber:
    """Feed blocks with :meth:`feed` from any one thread; call :meth:`finish` once at the end.

    ``transcriber`` is a :class:`mockmic.transcribe.Transcriber`, or a function returning one:
    then the model loads on the worker thread when the first chunk is ready, so recording
    starts at once and a model that fails to load costs the recording nothing.
    """

    def __init__(self, transcriber, options: StreamOptions | None = None):
        self._transcriber = transcriber
        self.options = options or StreamOptions()
        self._pending: list[np.ndarray] = []  # blocks since the last cut
        self._pending_n = 0
        self._chunk_start = 0  # sample index of the pending audio's start
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mockmic-stream")
        self._futures: list[tuple[int, Future]] = []
        self._previous_text = ""
        self._lock = threading.Lock()
        self.timing: StreamTiming | None = None
        self.chunk_texts: list[str] = []

    # --- feeding -----------------------------------------------------------------------
    def feed(self, block: np.ndarray) -> None:
        block = np.asarray(block, dtype=np.float32).reshape(-1)
        if block.size == 0:
            return
        self._pending.append(block)
        self._pending_n += block.size
        if self._pending_n >= self.options.min_chunk_s * SAMPLE_RATE:
            cut = self._find_cut(force=self._pending_n >= self.options.max_chunk_s * SAMPLE_RATE)
            if cut is not None:
                self._submit(cut)

    def _find_cut(self, *, force: bool) -> int | None:
        """Sample offset (in pending audio) to cut at: the middle of the latest long pause."""
        audio = np.concatenate(self._pending)
        self._pending = [audio]
        hop = int(FRAME_S * SAMPLE_RATE)
        rms = frame_rms(audio, hop)
        n = rms.size
        loud = rms[rms > 1e-4]
        if loud.size == 0:
            return audio.size if force else None
        silent = rms < max(self.options.rel_level * float(np.percentile(loud, 75)), 1e-4)
        need = int(np.ceil(self.options.pause_s / FRAME_S))
        run_end = 0
        run = 0
        # Scan backwards for the latest run of silent frames at least `need` long that has
        # speech before it (a run still growing at the end is fine: its middle is silent).
        for i in range(n - 1, -1, -1):
            if silent[i]:
                if run == 0:
                    run_end = i + 1
                run += 1
                continue
            if run >= need:
                return ((i + 1 + run_end) // 2) * hop
            run = 0
        if force:
            # No pause: cut at the quietest frame of the last third.
            start = 2 * n // 3
            return (start + int(np.argmin(rms[start:]))) * hop
        return None

    def _submit(self, cut: int) -> None:
        audio = np.concatenate(self._pending) if len(self._pending) > 1 else self._pending[0]
        chunk, rest = audio[:cut], audio[cut:]
        offset = self._chunk_start
        self._chunk_start += cut
        self._pending = [rest] if rest.size else []
        self._pending_n = rest.size
        self._futures.append((offset, self._pool.submit(self._transcribe, chunk)))

    @property
    def transcriber(self):
        if not hasattr(self._transcriber, "transcribe"):
            self._transcriber = self._transcriber()
        return self._transcriber

    def _transcribe(self, chunk: np.ndarray) -> Transcript:
        # Runs on the single worker thread, in order, so previous_text is the chunk before.
        t = self.transcriber.transcribe(chunk, previous_text=self._previous_text)
        if t.text:
            self._previous_text = (self._previous_text + " " + t.text)[-400:]
        return t

    # --- the end -------------------------------------------------------------------------
    def finish(self) -> Transcript:
        """Transcribe what is left and return the whole transcript (times from the start)."""
        started = time.perf_counter()
        tail_n = self._pending_n
        if tail_n:
            self._submit(tail_n)
        words: list[Word] = []
        dropped: list[str] = []
        language = "en"
        spent = 0.0
        for offset, future in self._futures:
            t = future.result()
            self.chunk_texts.append(t.text)
            shift = offset / SAMPLE_RATE
            words.extend(Word(w.text, round(w.start_s + shift, 3), round(w.end_s + shift, 3), w.probability) for w in t.words)
            dropped.extend(t.dropped_hallucinations)
            language = t.language
            spent += t.transcribe_seconds or 0.0
        self._pool.shutdown(wait=True)
        self.timing = StreamTiming(len(self._futures), tail_n / SAMPLE_RATE, time.perf_counter() - started)
        return Transcript(
            text=" ".join(w.text for w in words),
            language=language,
            model=self.transcriber.model_name,
            words=tuple(words),
            transcribe_seconds=spent,
            dropped_hallucinations=tuple(dropped),
        )


class LiveTranscriber:
    """The recorder's ``on_block(samples, rate_hz)`` consumer: resample to 16 kHz and stream.

    Starts transcribing chunks while the person is still speaking; :meth:`finish` returns the
    whole transcript once recording has stopped. ``soxr`` (a librosa dependency) resamples
    block by block without seams.

    ``acoustics``: a :class:`mockmic.delivery.LiveAcoustics` (or anything with ``feed``,
    ``close``, ``finish`` and ``cancel``) that gets the same 16 kHz blocks, so the delivery
    analysis's pitch and spectral work is done while the person speaks too; after
    :meth:`finish` its result is in :attr:`acoustics_result` (None when it failed).
    """

    def __init__(self, transcriber, options: StreamOptions | None = None, *, acoustics=None):
        self.stream = StreamingTranscriber(transcriber, options)
        self._resampler = None
        self._rate: int | None = None
        self.error: BaseException | None = None  # set when streaming failed: transcribe the file
        self.acoustics = acoustics
        self.acoustics_result = None

    def __call__(self, samples: np.ndarray, rate_hz: int) -> None:
        if self.error is not None:
            return
        try:
            self._feed(samples, rate_hz)
        except Exception as e:  # the recording must go on; the file is transcribed instead
            self.error = e

    def _feed(self, samples: np.ndarray, rate_hz: int) -> None:
        block = np.asarray(samples, dtype=np.float32).reshape(-1)
        if rate_hz != SAMPLE_RATE:
            if self._resampler is None:
                import soxr

                self._rate = rate_hz
                self._resampler = soxr.ResampleStream(rate_hz, SAMPLE_RATE, 1, dtype="float32")
            block = self._resampler.resample_chunk(block)
        self._feed16k(block)

    def _feed16k(self, block: np.ndarray) -> None:
        self.stream.feed(block)
        if self.acoustics is not None:
            self.acoustics.feed(block)

    def cancel(self) -> None:
        """Drop chunks not yet transcribed (the recording is not being analysed now)."""
        self.stream._pool.shutdown(wait=False, cancel_futures=True)
        if self.acoustics is not None:
            self.acoustics.cancel()

    def finish(self) -> Transcript | None:
        """The streamed transcript, or None when streaming failed (then transcribe the file)."""
        if self.error is not None:
            self.cancel()
            return None
        if self._resampler is not None:
            self._feed16k(self._resampler.resample_chunk(np.zeros(0, np.float32), last=True))
        if self.acoustics is not None:
            self.acoustics.close()  # its last blocks are computed beside the last chunk's transcription
        try:
            transcript = self.stream.finish()
        except Exception as e:
            self.error = e
            if self.acoustics is not None:
                self.acoustics.cancel()
            return None
        if self.acoustics is not None:
            self.acoustics_result = self.acoustics.finish()
        return transcript

    @property
    def timing(self) -> StreamTiming | None:
        return self.stream.timing
