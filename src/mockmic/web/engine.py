"""The web app's one door into the rest of mockmic.

Every call from ``mockmic.web`` into the library goes through this module, so when the
package's folders move only these imports change. It holds what a server process shares: one
:class:`~mockmic.pipeline.Analyzer` (the model loads once), a lock that lets one analysis run
at a time (two cores: a second one at once only slows both), and the data home.

Nothing here knows about HTTP; the routes call these methods on worker threads.
"""

from __future__ import annotations

import contextlib
import dataclasses
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
from ..pipeline import Analyzer, new_session_id
from ..results import SessionReport, Transcript, Word
from ..store import Store, check_session_id
from ..streaming import StreamOptions

# Chunks a little shorter than the terminal's 12 s, so words show in the page sooner, but not
# much: Whisper encodes a whole 30 s window for any chunk, so each extra chunk costs a full
# window of CPU (5 s chunks fell behind the speaker on two busy cores). Sentence pauses of
# 0.3 s count as places to cut (espeak-ng's are 0.33 s; people's are mostly longer).
LIVE_STREAM = StreamOptions(min_chunk_s=8.0, max_chunk_s=28.0, pause_s=0.3)

UPLOADS_DIR = ".uploads"
  # uploads being analysed; hidden, so the store's listing skips it


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
                 limits: Limits | None = None) -> None:
        self.home = Path(home) if home is not None else data_home()
        self.store = Store(self.home)
        self.analyzer = Analyzer(model=model, language=language)
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
        from ..pipeline import analyse_report
        from ..results import AudioInfo

        t = np.arange(int(2.0 * SAMPLE_RATE)) / SAMPLE_RATE
        samples = (0.2 * np.sin(2 * np.pi * (120 + 20 * np.sin(2 * np.pi * t)) * t)).astype(np.float32)
        words = tuple(Word(w, 0.1 + 0.3 * i, 0.35 + 0.3 * i, 0.9) for i, w in enumerate(
            "I made a mistake and I fixed it".split()))
        report = SessionReport(id=new_session_id(), created_at="2026-01-01T00:00:00+00:00",
                               question="Tell me about a mistake.", audio=AudioInfo("warm-up", 2.0, SAMPLE_RATE),
                               transcript=Transcript("I made a mistake and I fixed it", "en", "warm-up", words))
        with contextlib.suppress(Exception), self.lock:
            analyse_report(report, samples)

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

        try:
            with self.lock:
                self.analyzer.on_progress = progress
                try:
                    report, _samples = self.analyzer.analyze_file(path, question=question or None)
                finally:
                    self.analyzer.on_progress = _no_progress
                report = dataclasses.replace(report, audio=dataclasses.replace(report.audio, path=shown_name))
                self.store.save(report, path, mode="move")
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
        report = self.get_session(session_id)
        if not report.question:
            return None
        ids = [s.id for s in self.store.list(same_question=report.question, oldest_first=True)]
        i = ids.index(report.id) if report.id in ids else 0
        return ids[i - 1] if i > 0 else None

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
        from ..questions import load_questions

        return load_questions()

    def choose_questions(self, *, category: str | None = None, count: int | None = None,
                         ids: Sequence[str] = (), own: str = ""):
        """The questions of an interview: the person's own (one a line) or from the bank."""
        from ..practice import pick_questions
        from ..questions import Question

        mine = [line.strip() for line in own.splitlines() if line.strip()]
        if mine:
            questions = [Question(id=f"own-{i}-{_slug(text)}"[:60], category="own", text=text, source="the page")
                         for i, text in enumerate(mine, 1)]
            return questions[:count] if count else questions
        return pick_questions(self.question_bank(), count=count, category=category or None, ids=list(ids))

    def interview(self, questions, source, *, listener, choose, follow_ups: bool = True):
        """A :class:`mockmic.practice.Interview` over the shared model, storing in this home."""
        from ..practice import Interview

        return Interview(questions, source, analyzer=_TakeAnalyzer(self), home=self.home, choose=choose,
                         listener=listener, follow_ups=follow_ups)

    def interviews(self) -> list:
        """Past interviews, newest first."""
        from ..interview import list_interviews

        return list(reversed(list_interviews(self.home)))

    def get_interview(self, interview_id: str):
        from ..interview import interviews_dir, load_interview

        check_session_id(interview_id)  # interview ids are made like session ids
        return load_interview(interviews_dir(self.home) / f"{interview_id}.json")

    def interview_summary_text(self, record) -> str:
        from ..interview import summary_text

        return summary_text(record)

    @staticmethod
    def follow_up_statuses() -> dict[str, str]:
        from ..interview import FOLLOW_UP_STATUS_TEXT

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
        from ..render.summary import clock

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
        from ..streaming import LiveTranscriber

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
            with self.lock:
                report, _folder = pending.analyse_and_store(self.analyzer, self.store)
            return report
        finally:
            pending.release()

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


class Recording:
    """One answer streamed from the page into ``<home>/incoming/<id>.wav``, as the terminal
    recorder writes it: :class:`mockmic.record.IncrementalWav` (valid on disk after every
    write) and a locked :class:`mockmic.record.Marker`. Not thread-safe: one writer thread."""

    def __init__(self, marker, wav) -> None:
        self.marker = marker
        self.wav = wav
        self.error: OSError | None = None

    @classmethod
    def create(cls, home: Path, question: str | None) -> Recording:
        import errno

        from ..record import IncrementalWav, Marker, incoming_dir

        folder = incoming_dir(home)
        try:
            marker = Marker.create(folder, new_session_id(), question=question, sample_rate_hz=SAMPLE_RATE,
                                   device="browser microphone")
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
        return self.marker.session_id

    @property
    def path(self) -> Path:
        return self.marker.wav_path

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

    def close(self, stop_reason: str) -> float:
        """Finish the file; returns its length in seconds."""
        from ..record import repair_wav

        if self.error is not None:
            self.wav.abandon()
            duration = repair_wav(self.path) / SAMPLE_RATE
        else:
            self.wav.close()
            duration = self.seconds_written
        self.marker.save(state="recorded", stop_reason=stop_reason, duration_s=duration)
        return duration

    def keep_for_recovery(self) -> None:
        """Leave it in ``incoming/``, unlocked: the page's banner or ``mockmic record --recover``
        finishes it."""
        self.marker.release()

    def discard(self) -> None:
        from ..record import PendingRecording

        PendingRecording(self.marker).discard()

    def take(self, transcript: Transcript | None, analyzer: _TakeAnalyzer | None, stop_reason: str):
        """The finished recording as an interview's answer (``mockmic.practice.Take``)."""
        from ..practice import Take
        from ..record import PendingRecording

        if transcript is not None and analyzer is not None:
            analyzer.streamed[self.session_id] = transcript
        return Take(path=self.path, mode="move", session_id=self.session_id,
                    pending=PendingRecording(self.marker), stop_reason=stop_reason)


class _TakeAnalyzer:
    """What an interview in the page analyses with: the server's one Analyzer, one analysis at
    a time, and the transcript streamed while the person spoke (so only the last seconds are
    left to transcribe when they stop).

    :class:`mockmic.practice.Interview` analyses a take without a transcript; a take recorded
    here leaves its streamed one in :attr:`streamed` under its session id.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.streamed: dict[str, Transcript] = {}
        self.on_progress = _no_progress  # the interview may set it; progress is not shown

    @property
    def content_options(self):
        return self._engine.analyzer.content_options

    def analyze_samples(self, samples: np.ndarray, info, *, question=None, session_id=None, transcript=None):
        if transcript is None and session_id is not None:
            transcript = self.streamed.pop(session_id, None)
        with self._engine.lock:
            return self._engine.analyzer.analyze_samples(samples, info, question=question, session_id=session_id,
                                                         transcript=transcript)


class _Announcing:
    """A transcriber for :class:`mockmic.streaming.LiveTranscriber` that also tells each
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


__all__ = ["ConfigError", "Engine", "Limits", "MockmicError", "Recording", "StoreError", "UploadTooLong",
           "safe_file_name"]
