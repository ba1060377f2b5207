"""The one place the stages meet: audio -> transcript -> delivery + content -> scores -> report.

:class:`Analyzer` holds the loaded model and the options; :func:`analyze_and_store` is the one
way a take (a recording, a person's file, a follow-up answer) becomes a stored session, used
by ``mockmic analyze``, ``mockmic record``, practice and the web app alike.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .audio import check_speech, is_silent, load_audio, recording_notices
from .config import SAMPLE_RATE
from .results import AudioInfo, Feedback, SessionReport, Transcript
from .store.ids import new_session_id

if TYPE_CHECKING:
    from .content.options import ContentOptions
    from .delivery.options import DeliveryOptions
    from .store import Store

# on_progress(stage, done, total): stage is "decode", "load model", "transcribe" (done/total in
# seconds of audio, total None when unknown) or "analyze" (0 then 1 when the stages are done).
ProgressFn = Callable[[str, float, float | None], None]


def _no_progress(stage: str, done: float, total: float | None) -> None:
    pass


# The analysis stages' heavy imports (librosa, scipy: about 2.5 s on a 2-core machine).
_ANALYSIS_MODULES = (
    "scipy.signal", "scipy.ndimage", "librosa", "librosa.feature.spectral", "librosa.core.pitch",
    "librosa.sequence", "mockmic.delivery", "mockmic.delivery.prosody", "mockmic.delivery.fillers",
    "mockmic.delivery.pauses", "mockmic.delivery.pyin", "mockmic.content",
)
_warmed = False


def warm_imports() -> None:
    """Import the analysis stages on a background thread while the model loads and transcribes.

    Transcription runs in CTranslate2 without the GIL, so the imports cost the person no wait
    instead of adding seconds after the transcript is ready.
    """
    global _warmed
    if _warmed:
        return
    _warmed = True

    def run() -> None:
        import importlib

        for name in _ANALYSIS_MODULES:
            try:
                importlib.import_module(name)
            except Exception:  # a missing optional module is reported where it is used
                pass
        try:  # the one-time loads (lexicon regexes: 0.8 s on a busy machine; ONNX judge), off the critical path
            from .content.learned import load_judge
            from .content.lexicon import load_lexicon

            load_judge()
            load_lexicon()
        except Exception:  # reported where it is used
            pass

    import threading

    threading.Thread(target=run, name="mockmic-warm-imports", daemon=True).start()


def delivery_options_from(value: object) -> DeliveryOptions:
    """DeliveryOptions from None (defaults), an instance, or a mapping such as a ``[delivery]`` table."""
    from .delivery.options import DeliveryOptions

    if value is None:
        return DeliveryOptions()
    if isinstance(value, DeliveryOptions):
        return value
    return DeliveryOptions.from_mapping(value)


def content_options_from(value: object) -> ContentOptions:
    """ContentOptions from None (defaults), an instance, or a mapping such as a ``[content]`` table."""
    from .content.options import ContentOptions

    return ContentOptions.coerce(value)


@dataclass
class Analyzer:
    """Holds the loaded model and the stages' options, so many files share one load.

    ``delivery_options`` and ``content_options`` may be given as options objects or as tables
    (mappings); they are checked here, before any work, and every stage gets them from here.
    """

    model: str | None = None
    language: str | None = "en"
    on_progress: ProgressFn = _no_progress
    delivery_options: DeliveryOptions | None = None
    content_options: ContentOptions | None = None
    check_speech: bool = True  # False: every sound goes to the model (a stand-in one in tests)
    _transcriber: object | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.delivery_options = delivery_options_from(self.delivery_options)
        self.content_options = content_options_from(self.content_options)

    @property
    def transcriber(self):
        if self._transcriber is None:
            from .transcribe import TranscribeOptions, Transcriber

            self.on_progress("load model", 0.0, None)
            warm_imports()
            self._transcriber = Transcriber(self.model, TranscribeOptions(language=self.language))
            self.on_progress("load model", 1.0, 1.0)
        return self._transcriber

    def analyze_file(
        self,
        path: str | Path,
        *,
        question: str | None = None,
        session_id: str | None = None,
        stored_as: Path | None = None,
        transcript: Transcript | None = None,
        acoustics: object | None = None,
    ) -> tuple[SessionReport, np.ndarray]:
        """Decode ``path`` and analyse it; returns the report and the decoded signal.

        ``stored_as``: where the audio will live once stored, named in the report instead of
        ``path`` (the recorder's passing file). ``transcript``, ``acoustics``: made while recording.
        """
        samples, info = load_audio(path, on_progress=lambda d, t: self.on_progress("decode", d, t))
        if stored_as is not None:
            info = replace(info, path=str(stored_as))
        report = self.analyze_samples(samples, info, question=question, session_id=session_id, transcript=transcript,
                                      acoustics=acoustics)
        return report, samples

    def analyze_samples(
        self,
        samples: np.ndarray,
        info: AudioInfo,
        *,
        question: str | None = None,
        session_id: str | None = None,
        transcript: Transcript | None = None,
        acoustics: object | None = None,
    ) -> SessionReport:
        """Run every stage on a decoded signal. ``transcript`` skips transcription when given;
        ``acoustics`` (the delivery stage's signal measurements, made while recording) skips
        those when they cover this signal (within 50 ms)."""
        now = _dt.datetime.now().astimezone()
        notices: list[str] = recording_notices(samples, info)
        if acoustics is not None and abs(acoustics.duration_s - samples.size / SAMPLE_RATE) > 0.05:
            acoustics = None
        if transcript is None:
            silent, reason = self._no_speech(samples)
            if silent or reason:
                transcript = Transcript(text="", language=self.language or "en", model=self.model_label(), words=())
                if reason:
                    notices.append(f"No speech was found in {Path(info.path).name}: {reason}, so it was "
                                   "not transcribed or scored. Check the microphone or the file.")
            else:
                transcriber = self.transcriber
                # The transcript-free half of the delivery analysis (level, pitch) runs beside
                # the transcription: CTranslate2 releases the GIL, so it costs little wall time.
                with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mockmic-acoustics") as pool:
                    pending = pool.submit(self._acoustics, samples) if acoustics is None else None
                    transcript = transcriber.transcribe(
                        samples, on_progress=lambda d, t: self.on_progress("transcribe", d, t)
                    )
                    if pending is not None:
                        acoustics = pending.result()
        if not transcript.words and not any(n.startswith("No speech") for n in notices):
            notices.append(f"No speech was found in {Path(info.path).name}: check the microphone or the file.")
        report = SessionReport(
            id=session_id or new_session_id(now),
            created_at=now.isoformat(timespec="seconds"),
            question=question,
            audio=info,
            transcript=transcript,
            notices=tuple(notices),
        )
        self.on_progress("analyze", 0.0, 1.0)
        report = analyze_report(report, samples, self.delivery_options, self.content_options, acoustics=acoustics)
        self.on_progress("analyze", 1.0, 1.0)
        return report

    def _no_speech(self, samples: np.ndarray) -> tuple[bool, str]:
        """(digitally silent, why it holds no speech or ""), checked before the model:
        Whisper writes words into noise, tones and beeps."""
        if is_silent(samples):
            return True, ""
        if not self.check_speech:
            return False, ""
        return False, check_speech(samples).reason

    def _acoustics(self, samples: np.ndarray):
        from .delivery import signal_acoustics

        return signal_acoustics(samples, options=self.delivery_options)

    def model_label(self) -> str:
        if self._transcriber is not None:
            return self._transcriber.model_name
        from .config import DEFAULT_MODEL

        return self.model or DEFAULT_MODEL


def analyze_report(
    report: SessionReport,
    samples: np.ndarray,
    delivery_options: DeliveryOptions | None = None,
    content_options: ContentOptions | None = None,
    *,
    acoustics: object | None = None,
) -> SessionReport:
    """Add the delivery, content, scores and feedback sections to a transcribed report.

    ``acoustics``: the delivery stage's signal measurements, when already computed. The
    report keeps the options it was judged by (``report.options``), so its renderers use them.
    """
    from .scoring import combine_scores, rank_feedback

    dopts = delivery_options_from(delivery_options)
    copts = content_options_from(content_options)
    words = report.transcript.words
    delivery = content = None
    delivery_score = None
    feedback: list[Feedback] = []
    if words:
        from .delivery import analyze_delivery, delivery_feedback, delivery_score as score_delivery

        delivery = analyze_delivery(samples, words, options=dopts, acoustics=acoustics)
        delivery_score = score_delivery(delivery, dopts)
        feedback += delivery_feedback(delivery, words, dopts)

        from .content import analyze_content, content_feedback, star_pace_feedback, with_star_delivery

        content = analyze_content(words, question=report.question, options=copts)
        feedback += content_feedback(content)
        # Delivery per STAR part needs both stages' results: this is where they meet.
        content = with_star_delivery(content, delivery, long_pause_s=dopts.long_pause_s)
        feedback += star_pace_feedback(content, pace_change=dopts.star_pace_change,
                                       min_words=dopts.star_pace_min_words)
    scores = combine_scores(
        delivery=delivery_score,
        structure=content.star.score if content is not None else None,
        accountability=content.accountability.score if content is not None else None,
        pitfalls=[p.kind for p in content.pitfalls] if content is not None else (),
        quality=content.quality if content is not None else None,
    )
    return replace(
        report,
        delivery=delivery,
        content=content,
        scores=scores,
        feedback=tuple(rank_feedback(feedback)),
        options={"delivery": dataclasses.asdict(dopts), "content": dataclasses.asdict(copts)},
    )


# --- takes: how audio becomes a stored session -----------------------------------------------


@dataclass
class Take:
    """One answer's audio on its way into the store.

    Attributes
    ----------
    path : Path
        The audio file.
    mode : str
        How the store takes it: "copy" or "link" for a person's file (never changed), "move"
        for a recording mockmic made itself.
    session_id : str or None
        The session's id; a recording already has one (it names the file), None makes a new one.
    question : str or None
        The question it answers.
    pending : object or None
        The recorder's :class:`mockmic.record.PendingRecording` holding the file in ``incoming/``
        until it is stored (:meth:`stored`) or left for recovery (:meth:`release`).
    stop_reason : str or None
        Why the recording ended (a key of ``record.STOP_REASONS``); None for a file.
    notices : tuple of str
        What the recorder had to say about it (rate fallback, the microphone going away).
    transcript : Transcript or None
        One made while it was recorded (streamed), so only what is missing is transcribed;
        None transcribes the file.
    audio_name : str or None
        What the report calls the audio instead of its path: an upload's own file name, as
        the person knows it (their path is on another machine).
    acoustics : object or None
        The delivery stage's signal measurements made while it was recorded
        (:class:`mockmic.delivery.LiveAcoustics`); None computes them from the file.
    """

    path: Path
    mode: str = "copy"
    session_id: str | None = None
    question: str | None = None
    pending: object | None = None
    stop_reason: str | None = None
    notices: tuple[str, ...] = ()
    transcript: Transcript | None = None
    audio_name: str | None = None
    acoustics: object | None = None

    def stored(self) -> None:
        """The session is stored: the recording's marker in ``incoming/`` goes."""
        if self.pending is not None:
            self.pending.marker.remove()
            self.pending = None

    def release(self) -> None:
        """Leave a recording in ``incoming/`` for ``mockmic record --recover``."""
        if self.pending is not None:
            self.pending.release()
            self.pending = None


def analyze_take(
    analyzer: Analyzer,
    take: Take,
    *,
    store: Store | None = None,
    question: str | None = None,
    transcript: Transcript | None = None,
    notices: tuple[str, ...] = (),
    acoustics: object | None = None,
) -> SessionReport:
    """Analyse ``take`` as it will be stored: a moved recording's report names its stored audio.

    ``question``, ``transcript`` and ``acoustics`` override the take's own; ``notices`` are added to the
    report's. ``store`` (needed for a "move" take) says where its audio will live.
    """
    session_id = take.session_id
    stored_as = None
    if take.mode == "move":
        if store is None:
            raise ValueError("a take the store moves needs the store to name its audio")
        session_id = session_id or new_session_id()
        stored_as = store.stored_audio_path(session_id, take.path)
    if take.audio_name is not None:
        stored_as = Path(take.audio_name)
    report, _samples = analyzer.analyze_file(
        take.path, question=question if question is not None else take.question, session_id=session_id,
        stored_as=stored_as, transcript=transcript if transcript is not None else take.transcript,
        acoustics=acoustics if acoustics is not None else take.acoustics,
    )
    if notices:
        report = replace(report, notices=report.notices + tuple(notices))
    return report


def store_take(store: Store, report: SessionReport, take: Take) -> Path:
    """Store ``report`` with ``take``'s audio; returns the session folder."""
    folder = store.save(report, take.path, mode=take.mode)
    take.stored()
    return folder


def analyze_and_store(
    analyzer: Analyzer,
    take: Take,
    *,
    store: Store | None = None,
    question: str | None = None,
    transcript: Transcript | None = None,
    notices: tuple[str, ...] = (),
    acoustics: object | None = None,
) -> tuple[SessionReport, Path]:
    """Analyse ``take`` and store it as a session; returns ``(report, session_folder)``.

    On any error nothing is stored and the take is left as it was (a recording stays locked in
    ``incoming/``: call ``take.release()`` to leave it for ``mockmic record --recover``).
    """
    if store is None:
        from .store import Store

        store = Store()
    report = analyze_take(analyzer, take, store=store, question=question, transcript=transcript, notices=notices,
                          acoustics=acoustics)
    return report, store_take(store, report, take)
