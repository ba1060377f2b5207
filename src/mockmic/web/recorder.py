"""One answer streamed from the page over the interview's WebSocket.

The page captures the microphone with an AudioWorklet, downsamples to 16 kHz mono 16-bit PCM
and sends it in small binary messages (about four a second). Here a writer thread appends them
to ``<data home>/incoming/<id>.wav`` about once a second, exactly as the terminal recorder does
(the file is a valid WAV on disk after every write), and feeds the same audio to the streaming
transcriber, whose words go back to the page as they come. So a closed tab, a lost
connection, a killed server or a full disk keep all but the last second, and the next start
(or ``mockmic record --recover``) offers to finish the recording.
"""

from __future__ import annotations

import queue
import threading
import time

import numpy as np

from .engine import SAMPLE_RATE, Engine, Recording
from .interviews import PageInterview, TakeFailed

FLUSH_INTERVAL_S = 1.0  # the most a kill can lose, as in `mockmic record`
SAMPLE_BYTES = 2


class TakeStream:
    """Receives one answer's PCM from the event loop (:meth:`feed`, never blocks) and writes it
    on its own thread; :meth:`stop` hands the finished take to the waiting interview."""

    def __init__(self, engine: Engine, session: PageInterview, recording: Recording, *, max_seconds: float) -> None:
        self.engine = engine
        self.session = session
        self.recording = recording
        self.max_frames = int(max_seconds * SAMPLE_RATE)
        self.frames = 0
        self._queue: queue.Queue = queue.Queue()
        self._odd = b""
        self._limit_told = False
        self.live = engine.live_transcriber(self._words)
        self.thread = threading.Thread(target=self._run, name=f"mockmic-take-{recording.session_id}", daemon=True)
        self.thread.start()

    @classmethod
    def open(cls, engine: Engine, session: PageInterview, prompt: str | None, *, max_seconds: float) -> TakeStream:
        """Create the incoming WAV (blocking file work: call from a worker thread)."""
        return cls(engine, session, engine.open_recording(prompt), max_seconds=max_seconds)

    @property
    def session_id(self) -> str:
        return self.recording.session_id

    # -- from the event loop --

    def feed(self, data: bytes) -> None:
        self._queue.put(data)

    def stop(self, reason: str) -> None:
        """The person stopped (button, key, time limit): finish, analyse, answer."""
        self.session.listener_stopped_at(time.monotonic())
        self._queue.put(("stop", reason))

    def lost(self, reason: str) -> None:
        """The page went away: finish the file and leave it for recovery."""
        self._queue.put(("lost", reason))

    # -- the writer thread --

    def _run(self) -> None:
        batch: list[bytes] = []
        last_flush = time.monotonic()
        failed = False
        while True:
            try:
                item = self._queue.get(timeout=0.1)
            except queue.Empty:
                item = None
            if isinstance(item, bytes) and not failed:
                pcm = self._take(item)
                if pcm:
                    batch.append(pcm)
            if isinstance(item, tuple) or (batch and time.monotonic() - last_flush >= FLUSH_INTERVAL_S):
                if not failed and not self._flush(batch):
                    failed = True
                    self._end("write_error")
                    return
                last_flush = time.monotonic()
            if isinstance(item, tuple):
                self._end(item[1] if item[0] == "stop" else None, lost_reason=item[1] if item[0] == "lost" else None)
                return

    def _take(self, data: bytes) -> bytes:
        data = self._odd + data
        cut = len(data) - len(data) % SAMPLE_BYTES
        data, self._odd = data[:cut], data[cut:]
        room = self.max_frames - self.frames
        if room <= 0:
            if not self._limit_told:
                self._limit_told = True
                self.session.post({"type": "limit", "max_seconds": self.max_frames / SAMPLE_RATE})
            return b""
        data = data[: room * SAMPLE_BYTES]
        self.frames += len(data) // SAMPLE_BYTES
        self.live(np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0, SAMPLE_RATE)
        return data

    def _flush(self, batch: list[bytes]) -> bool:
        if not batch:
            return True
        pcm = b"".join(batch)
        batch.clear()
        try:
            self.recording.write(pcm)
        except OSError:
            return False
        self.session.post({"type": "saved", "seconds": round(self.recording.seconds_written, 1)})
        return True

    def _end(self, stop_reason: str | None, *, lost_reason: str | None = None) -> None:
        rec = self.recording
        if lost_reason is not None:  # nobody is waiting for this answer any more
            self.live.cancel()
            rec.keep_for_recovery(lost_reason)
            return
        finished = rec.finish(stop_reason or "stopped")
        if finished.take is None:
            self.live.cancel()
            if finished.failed:
                self.session.tell(TakeFailed(finished.reason, finished.message or "The recording failed."))
            else:
                self.session.post({"type": "note", "message": finished.message})
                self.session.tell(None)
            return
        self.session.post({"type": "stopped", "duration_s": round(finished.duration_s, 1), "reason": stop_reason})
        if finished.message:
            self.session.post({"type": "note", "message": finished.message})
        finished.take.transcript = self.live.finish()  # only the last chunk is left to transcribe
        finished.take.acoustics = self.live.acoustics_result
        self.session.tell(finished.take)

    def _words(self, words) -> None:
        self.session.post({"type": "words", "words": [{"text": w.text, "start_s": round(w.start_s, 2)} for w in words]})
