"""Answers recorded in the page: the crash-safe file in ``incoming/``, the words shown while
the person speaks, what becomes of a stopped recording, and recordings left unfinished."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...config import SAMPLE_RATE
from ...errors import StoreError
from ...pipeline import Take, analyze_and_store
from ...results import SessionReport, Transcript, Word
from ...store import check_session_id, new_session_id
from ...transcribe import StreamOptions

# Chunks a little shorter than the terminal's 12 s, so words show in the page sooner, but not
# much: Whisper encodes a whole 30 s window for any chunk, so each extra chunk costs a full
# window of CPU (5 s chunks fell behind the speaker on two busy cores). Sentence pauses of
# 0.3 s count as places to cut (espeak-ng's are 0.33 s; people's are mostly longer).
LIVE_STREAM = StreamOptions(min_chunk_s=8.0, max_chunk_s=28.0, pause_s=0.3)

DEVICE_NAME = "browser microphone"  # what a recording from the page names as its device


class RecordingsMixin:
    """The part of :class:`~mockmic.web.engine.Engine` for recordings (it needs ``home``,
    ``store``, ``analyzer``, ``transcriber`` and ``one_analysis``)."""

    def open_recording(self, question: str | None) -> Recording:
        """A new crash-safe WAV in ``incoming/`` for audio streamed from the page."""
        return Recording.create(self.home, question)

    def live_transcriber(self, on_words: Callable[[list[Word]], None]):
        """Transcribes while the person speaks; ``on_words`` gets each chunk's words (times from
        the start of the recording) as soon as that chunk is done, on a worker thread."""
        from ...delivery.live import LiveAcoustics
        from ...transcribe import LiveTranscriber

        return LiveTranscriber(_Announcing(self.transcriber, on_words), LIVE_STREAM,
                               acoustics=LiveAcoustics(options=self.analyzer.delivery_options))

    def unfinished_recordings(self) -> list[dict]:
        """Recordings a closed page, a lost connection or a killed server left in ``incoming/``
        (repaired, then unlocked again so ``mockmic record --recover`` may take them too)."""
        from ...record import recover_recordings

        ready, _notes = recover_recordings(self.home)
        out = []
        for p in ready:
            try:
                out.append({"id": p.session_id, "question": p.question, "duration_s": round(p.duration_s, 1),
                            "started_at": p.marker.data.get("started_at")})
            finally:
                p.release()
        return out

    def finish_recording(self, session_id: str) -> SessionReport:
        """Analyse and store one unfinished recording (as ``mockmic record --recover`` does)."""
        pending = self._claim(session_id)
        try:
            with self.one_analysis():
                report, _folder = analyze_and_store(self.analyzer, pending.take(), store=self.store)
            return report
        finally:
            pending.release()  # a failed one stays in incoming/ (a stored one has no marker left)

    def discard_recording(self, session_id: str) -> None:
        self._claim(session_id).discard()

    def _claim(self, session_id: str):
        from ...record import recover_recordings

        check_session_id(session_id)
        ready, _notes = recover_recordings(self.home)
        chosen = None
        for p in ready:
            if p.session_id == session_id:
                chosen = p
            else:
                p.release()
        if chosen is None:
            raise StoreError(f"No unfinished recording {session_id} (it was finished or is still being recorded).")
        return chosen


@dataclass(frozen=True)
class Finished:
    """What became of a stopped recording (:func:`mockmic.record.settle` decided).

    Attributes
    ----------
    take : Take or None
        The answer to analyse; None when there is nothing to analyse.
    message : str or None
        One sentence for the person: why there is nothing to analyse, or a problem the
        analysis goes on despite.
    failed : bool
        The recording failed (the disk refused it): the interview stops; else nothing was
        recorded and the interview goes on without this answer.
    reason : str
        The outcome's kind (``mockmic.record.outcome``), kept with a failed interview.
    duration_s : float
        Audio in the file (s).
    """

    take: Take | None
    message: str | None
    failed: bool = False
    reason: str = ""
    duration_s: float = 0.0


class Recording:
    """One answer streamed from the page into ``<home>/incoming/<id>.wav``, as the terminal
    recorder writes it: :class:`mockmic.audio.IncrementalWav` (valid on disk after every
    write) and a locked :class:`mockmic.record.Marker`. Not thread-safe: one writer thread."""

    BLOCK_S = 0.1  # the level tracker's block, about the terminal recorder's

    def __init__(self, marker, wav) -> None:
        from ...record import LevelTracker, PendingRecording

        self.pending = PendingRecording(marker)
        self.wav = wav
        self.error: OSError | None = None
        self.levels = LevelTracker()  # speech heard?, peaks, clipping: as the terminal recorder measures

    @classmethod
    def create(cls, home: Path, question: str | None) -> Recording:
        import errno

        from ...audio import IncrementalWav
        from ...record import Marker, incoming_dir

        folder = incoming_dir(home)
        try:
            marker = Marker.create(folder, new_session_id(), question=question, sample_rate_hz=SAMPLE_RATE,
                                   device=DEVICE_NAME)
            try:
                wav = IncrementalWav(marker.wav_path, SAMPLE_RATE)
            except BaseException:
                marker.remove()
                raise
        except OSError as e:
            if e.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StoreError(f"The disk is full, so nothing could be recorded in {folder}: free some space.") from e
            raise StoreError(f"Recordings cannot be written in {folder}: {e.strerror or e}.") from e
        return cls(marker, wav)

    @property
    def session_id(self) -> str:
        return self.pending.session_id

    @property
    def path(self) -> Path:
        return self.pending.path

    @property
    def seconds_written(self) -> float:
        return self.wav.frames_written / SAMPLE_RATE

    def write(self, pcm16: bytes) -> None:
        """Append 16-bit mono PCM at 16 kHz; raises OSError (disk full) and keeps what was written."""
        try:
            self.wav.write(pcm16)
        except OSError as e:
            self.error = e
            raise
        samples = np.frombuffer(pcm16, dtype="<i2").astype(np.float32) / 32768.0
        step = int(self.BLOCK_S * SAMPLE_RATE)
        for i in range(0, samples.size, step):
            block = samples[i:i + step]
            self.levels.update(block, block.size / SAMPLE_RATE)

    def _close(self, stop_reason: str):
        """Finish the file and say what it holds, as :func:`mockmic.record.record_answer` does."""
        from ...audio import repair_wav
        from ...record import RecordingResult, write_error_sentence

        error = None
        if self.error is not None:
            self.wav.abandon()
            duration = repair_wav(self.path) / SAMPLE_RATE
            stop_reason = "write_error"
            error = write_error_sentence(self.error, self.path, duration)
        else:
            self.wav.close()
            duration = self.seconds_written
        self.pending.marker.save(state="recorded", stop_reason=stop_reason, duration_s=duration)
        t = self.levels
        return RecordingResult(pending=self.pending, duration_s=duration, sample_rate_hz=SAMPLE_RATE,
                               device_name=DEVICE_NAME, stop_reason=stop_reason, overflow_count=0, lost_s=0.0,
                               speech_detected=t.speech_started, max_peak_dbfs=t.max_peak_dbfs,
                               clipped_blocks=t.clipped_blocks, notices=(error,) if error else (), error=error)

    def finish(self, stop_reason: str) -> Finished:
        """The person stopped: :func:`mockmic.record.settle` decides what becomes of the file
        (the one place that does, for ``mockmic record``, practice and this page alike).

        A take to analyse still wants the transcript streamed while they spoke, in its
        ``transcript``, before it goes to the interview.
        """
        from ...record.outcome import NOTHING, settle

        result = self._close(stop_reason)
        outcome = settle(result)
        if not outcome.analyze:
            failed = outcome.kind != NOTHING or result.stop_reason == "write_error"
            return Finished(None, outcome.message, failed=failed, reason=outcome.kind, duration_s=result.duration_s)
        take = self.pending.take()
        take.stop_reason, take.notices = result.stop_reason, result.notices
        return Finished(take, outcome.message, duration_s=result.duration_s)

    def keep_for_recovery(self, stop_reason: str) -> None:
        """The page went away: finish the file and leave it in ``incoming/``, unlocked, for the
        page's banner or ``mockmic record --recover`` (an empty one is cleared there)."""
        self._close(stop_reason)
        self.pending.release()


class _Announcing:
    """A transcriber for :class:`mockmic.transcribe.LiveTranscriber` that also tells each
    chunk's words as soon as they are ready. The stream transcribes its chunks in order on one
    thread, each starting where the one before ended, so their lengths give the times."""

    def __init__(self, get_transcriber: Callable[[], object], on_words: Callable[[list[Word]], None]) -> None:
        self._get = get_transcriber
        self._on_words = on_words
        self._offset_s = 0.0

    @property
    def model_name(self) -> str:
        return self._get().model_name

    def transcribe(self, samples: np.ndarray, **kw) -> Transcript:
        t = self._get().transcribe(samples, **kw)
        shift = self._offset_s
        self._offset_s += samples.size / SAMPLE_RATE
        with contextlib.suppress(Exception):  # showing words must never cost the transcript
            self._on_words([Word(w.text, w.start_s + shift, w.end_s + shift, w.probability) for w in t.words])
        return t
