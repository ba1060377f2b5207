"""The web app's one door into the rest of mockmic.

Every call from ``mockmic.web`` into the library goes through this module, so when the
package's folders move only these imports change. It holds what a server process shares: one
:class:`~mockmic.pipeline.Analyzer` (the model loads once), a lock that lets one analysis run
at a time (two cores: a second one at once only slows both), and the data home.

Nothing here knows about HTTP; the routes call these methods on worker threads.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import shutil
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..config import SAMPLE_RATE, data_home
from ..errors import AudioError, ConfigError, MockmicError, StoreError
from ..pipeline import Analyzer, Take, analyze_and_store
from ..results import AudioInfo, SessionReport, Transcript, Word
from ..store import Store, check_session_id, new_session_id
from ..transcribe import StreamOptions

# Chunks a little shorter than the terminal's 12 s, so words show in the page sooner, but not
# much: Whisper encodes a whole 30 s window for any chunk, so each extra chunk costs a full
# window of CPU (5 s chunks fell behind the speaker on two busy cores). Sentence pauses of
# 0.3 s count as places to cut (espeak-ng's are 0.33 s; people's are mostly longer).
LIVE_STREAM = StreamOptions(min_chunk_s=8.0, max_chunk_s=28.0, pause_s=0.3)

UPLOADS_DIR = ".uploads"  # uploads being analysed; hidden, so the store's listing skips it
DEVICE_NAME = "browser microphone"  # what a recording from the page names as its device


@dataclass(frozen=True)
class Limits:
    """What the web app accepts.

    Attributes
    ----------
    upload_bytes : int
        Largest upload; a bigger one is refused before it is read.
    upload_seconds : float
        Longest recording analysed from an upload (s); longer files are for ``mockmic analyze``.
    answer_seconds : float
        Longest recorded answer (s): the page's time limit can be lower, never higher.
    """

    upload_bytes: int = 200_000_000
    upload_seconds: float = 20 * 60.0
    answer_seconds: float = 10 * 60.0


class UploadTooLong(AudioError):
    """An upload is longer than :attr:`Limits.upload_seconds`."""


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:g} minute{'s' if seconds != 60 else ''}"


class Engine:
    """The library as the web app uses it: one model, one data home."""

    def __init__(self, home: Path | None = None, *, model: str | None = None, language: str | None = "en",
                 delivery_options=None, content_options=None, limits: Limits | None = None) -> None:
        self.home = Path(home) if home is not None else data_home()
        self.store = Store(self.home)
        # The thresholds as `mockmic analyze` takes them (--config, --delivery, ...), checked here.
        self.analyzer = Analyzer(model=model, language=language, delivery_options=delivery_options,
                                 content_options=content_options)
        self.limits = limits or Limits()
        self.lock = threading.Lock()  # one analysis at a time
        self.model_error: str | None = None
        self._ready = threading.Event()

    # --- the model -------------------------------------------------------------------------

    def load_model(self) -> None:
        """Load the model now (the server does it at start, on a thread), so the first answer
        does not wait for it. A failure is kept to show in the page; analyses raise it again."""
        try:
            self.analyzer.transcriber  # noqa: B018 - the property loads it
        except MockmicError as e:
            self.model_error = str(e)
            return
        self.warm_up()
        self._ready.set()

    def warm_up(self) -> None:
        """Run the analysis stages once on a made-up answer: their first run in a process
        imports librosa and compiles its kernels (about 8 s on two busy cores), which would
        otherwise land on the first real answer's report."""
        t = np.arange(int(2.0 * SAMPLE_RATE)) / SAMPLE_RATE
        samples = (0.2 * np.sin(2 * np.pi * (120 + 20 * np.sin(2 * np.pi * t)) * t)).astype(np.float32)
        text = "I made a mistake and I fixed it"
        words = tuple(Word(w, 0.1 + 0.3 * i, 0.35 + 0.3 * i, 0.9) for i, w in enumerate(text.split()))
        transcript = Transcript(text, "en", "warm-up", words)  # given, so nothing is transcribed
        with contextlib.suppress(Exception), self.one_analysis():
            self.analyzer.analyze_samples(samples, AudioInfo("warm-up", 2.0, SAMPLE_RATE),
                                          question="Tell me about a mistake.", transcript=transcript)

    @contextlib.contextmanager
    def one_analysis(self):
        """Around an analysis: one at a time in this server (it yields no progress callback, as
        :meth:`mockmic.practice.Listener.analyzing` may)."""
        with self.lock:
            yield None

    @property
    def model_loaded(self) -> bool:
        """True once :meth:`load_model` has loaded the model and warmed the stages up."""
        return self._ready.is_set()

    def transcriber(self):
        return self.analyzer.transcriber

    # --- uploads -------------------------------------------------------------------------

    def upload_path(self, file_name: str) -> Path:
        """A fresh place in the data home to receive an upload called ``file_name``."""
        folder = self.home / UPLOADS_DIR / secrets.token_hex(8)
        folder.mkdir(parents=True, exist_ok=True)
        return folder / safe_file_name(file_name)

    def analyse_upload(self, path: Path, *, shown_name: str, question: str | None = None,
                       on_progress: Callable[[str, float, float | None], None] | None = None) -> SessionReport:
        """Analyse an uploaded file and store it as a session (the file moves into it).

        Errors are one sentence naming the file as the person knows it (``shown_name``).
        """
        limit = self.limits.upload_seconds

        def progress(stage: str, done: float, total: float | None) -> None:
            if stage == "decode" and max(done, total or 0.0) > limit:
                raise UploadTooLong(f"{shown_name} is longer than {_minutes(limit)}: the web app analyses answers up to "
                                    f"that length; use `mockmic analyze` for longer recordings.")
            if on_progress is not None:
                on_progress(stage, done, total)

        # The store moves the file into the session; the report names it as the person knows it.
        take = Take(path=path, mode="move", question=question or None, audio_name=shown_name)
        try:
            with self.one_analysis():
                self.analyzer.on_progress = progress
                try:
                    report, _folder = analyze_and_store(self.analyzer, take, store=self.store)
                finally:
                    self.analyzer.on_progress = _no_progress
            return report
        except MockmicError as e:
            raise type(e)(str(e).replace(str(path), shown_name)) from None
        finally:
            shutil.rmtree(path.parent, ignore_errors=True)

    # --- sessions ------------------------------------------------------------------------

    def list_sessions(self, *, question: str | None = None, since: str | None = None, limit: int | None = None):
        return self.store.list(question=question or None, since=since or None, limit=limit)

    def get_session(self, session_id: str) -> SessionReport:
        return self.store.get(check_session_id(session_id))

    def session_summary(self, session_id: str):
        return self.store.summary(session_id)

    def delete_session(self, session_id: str) -> None:
        self.store.delete(check_session_id(session_id))

    def report_html(self, session_id: str) -> str:
        """The report exactly as ``mockmic reports show ID --format html`` writes it."""
        from ..audio import load_audio
        from ..render import render

        report = self.get_session(session_id)
        samples = None
        audio = self.store.audio_path(report.id)
        if audio is not None:
            with contextlib.suppress(AudioError):
                samples, _info = load_audio(audio)
        history = self.store.list(same_question=report.question, oldest_first=True) if report.question else []
        return render(report, "html", samples=samples, history=history)

    def compare(self, first_id: str, second_id: str):
        """Rows comparing two stored sessions (``render.compare.CompareRow``), and both reports."""
        from ..render.compare import compare_reports

        a, b = self.get_session(first_id), self.get_session(second_id)
        if a.id == b.id:
            raise StoreError("Choose two different sessions to compare.")
        return a, b, compare_reports(a, b)

    def previous_attempt(self, session_id: str) -> str | None:
        """The id of the attempt at the same question just before ``session_id``."""
        previous = self.store.previous_attempt(self.get_session(session_id))
        return previous.id if previous is not None else None

    def trend_html(self, *, question: str | None = None, since: str | None = None) -> str | None:
        """The trend page of ``mockmic reports trend --html``; None when nothing matches."""
        from ..render.charts import DEFAULT_TREND
        from ..render.html import render_trend_html

        history = self.store.list(question=question or None, since=since or None, oldest_first=True)
        if not history:
            return None
        title = f"Progress: {question}" if question else "Progress over sessions"
        return render_trend_html(history, list(DEFAULT_TREND), title=title)

    # --- questions and interviews --------------------------------------------------------

    def question_bank(self):
        from ..practice import load_questions

        return load_questions()

    def choose_questions(self, *, category: str | None = None, count: int | None = None,
                         ids: Sequence[str] = (), own: str = ""):
        """The questions of an interview: the person's own (one a line) or from the bank."""
        from ..practice import Question, pick_questions

        mine = [line.strip() for line in own.splitlines() if line.strip()]
        if mine:
            questions = [Question(id=f"own-{i}-{_slug(text)}"[:60], category="own", text=text, source="the page")
                         for i, text in enumerate(mine, 1)]
            return questions[:count] if count else questions
        return pick_questions(self.question_bank(), count=count, category=category or None, ids=list(ids))

    def interview(self, questions, source, *, listener, choose, follow_ups: bool = True):
        """A :class:`mockmic.practice.Interview` over the shared model, storing in this home.

        ``listener.analyzing()`` should be :meth:`one_analysis`: one analysis at a time."""
        from ..practice import Interview

        return Interview(questions, source, analyzer=self.analyzer, home=self.home, choose=choose,
                         listener=listener, follow_ups=follow_ups)

    def interviews(self) -> list:
        """Past interviews, newest first."""
        from ..practice import list_interviews

        return list(reversed(list_interviews(self.home)))

    def get_interview(self, interview_id: str):
        from ..practice import interviews_dir, load_interview

        check_session_id(interview_id)  # interview ids are made like session ids
        return load_interview(interviews_dir(self.home) / f"{interview_id}.json")

    def interview_summary_text(self, record) -> str:
        from ..render.interview import summary_text

        return summary_text(record)

    @staticmethod
    def follow_up_statuses() -> dict[str, str]:
        from ..render.interview import FOLLOW_UP_STATUS_TEXT

        return dict(FOLLOW_UP_STATUS_TEXT)

    @staticmethod
    def score_rows(report: SessionReport):
        from ..render.summary import score_rows

        return score_rows(report)

    @staticmethod
    def when(created_at: str) -> str:
        from ..render.summary import when

        return when(created_at)

    @staticmethod
    def clock(seconds: float | None) -> str:
        from ..results import clock

        return clock(seconds)

    @staticmethod
    def ranked_feedback(report: SessionReport):
        from ..render.summary import ranked_feedback

        return ranked_feedback(report)

    # --- recordings from the page --------------------------------------------------------

    def open_recording(self, question: str | None) -> Recording:
        """A new crash-safe WAV in ``incoming/`` for audio streamed from the page."""
        return Recording.create(self.home, question)

    def live_transcriber(self, on_words: Callable[[list[Word]], None]):
        """Transcribes while the person speaks; ``on_words`` gets each chunk's words (times from
        the start of the recording) as soon as that chunk is done, on a worker thread."""
        from ..transcribe import LiveTranscriber

        return LiveTranscriber(_Announcing(self.transcriber, on_words), LIVE_STREAM)

    def unfinished_recordings(self) -> list[dict]:
        """Recordings a closed page, a lost connection or a killed server left in ``incoming/``
        (repaired, then unlocked again so ``mockmic record --recover`` may take them too)."""
        from ..record import recover_recordings

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
        from ..record import recover_recordings

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


def interview_stopped(reason: str, message: str) -> Exception:
    """The exception that ends an interview now, keeping its answers (``mockmic.practice``)."""
    from ..practice import InterviewStopped

    return InterviewStopped(reason, message)


def _no_progress(stage: str, done: float, total: float | None) -> None:
    pass


def safe_file_name(name: str) -> str:
    """A name to keep an upload under: its last path part, letters, digits, ``.-_`` only."""
    base = re.split(r"[\\/]", name or "")[-1]
    clean = re.sub(r"[^\w.\-]+", "_", base, flags=re.ASCII).lstrip(".")[:100]
    return clean or "upload"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:40] or "question"


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
        from ..record import LevelTracker, PendingRecording

        self.pending = PendingRecording(marker)
        self.wav = wav
        self.error: OSError | None = None
        self.levels = LevelTracker()  # speech heard?, peaks, clipping: as the terminal recorder measures

    @classmethod
    def create(cls, home: Path, question: str | None) -> Recording:
        import errno

        from ..audio import IncrementalWav
        from ..record import Marker, incoming_dir

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
        from ..audio import repair_wav
        from ..record import RecordingResult, write_error_sentence

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
        from ..record.outcome import NOTHING, settle

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


__all__ = ["SAMPLE_RATE", "ConfigError", "Engine", "Finished", "Limits", "MockmicError", "Recording", "StoreError",
           "UploadTooLong", "interview_stopped", "safe_file_name"]
