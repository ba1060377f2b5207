"""The one place the stages meet: audio -> transcript -> delivery + content -> scores -> report."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .audio import is_silent, load_audio
from .results import AudioInfo, Feedback, SessionReport, Transcript
from .store.ids import new_session_id

# on_progress(stage, done, total): stage is "decode", "load model", "transcribe", "analyse";
# done/total are seconds of audio (total None when unknown).
ProgressFn = Callable[[str, float, float | None], None]


def _no_progress(stage: str, done: float, total: float | None) -> None:
    pass


# The analysis stages' heavy imports (librosa, scipy: about 2.5 s on a 2-core machine).
_ANALYSIS_MODULES = (
    "scipy.signal", "scipy.ndimage", "librosa", "librosa.feature.spectral", "librosa.core.pitch",
    "librosa.sequence", "mockmic.delivery", "mockmic.delivery.prosody", "mockmic.delivery.fillers",
    "mockmic.delivery.pauses", "mockmic.content",
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

    import threading

    threading.Thread(target=run, name="mockmic-warm-imports", daemon=True).start()


@dataclass
class Analyzer:
    """Holds the loaded model so many files share one load. Stages are pure functions."""

    model: str | None = None
    language: str | None = "en"
    on_progress: ProgressFn = _no_progress
    delivery_options: object | None = None
    content_options: object | None = None
    _transcriber: object | None = field(default=None, init=False, repr=False)

    @property
    def transcriber(self):
        if self._transcriber is None:
            from .transcribe import TranscribeOptions, Transcriber

            self.on_progress("load model", 0.0, None)
            warm_imports()
            self._transcriber = Transcriber(self.model, TranscribeOptions(language=self.language))
            self.on_progress("load model", 1.0, 1.0)
        return self._transcriber

    def analyze_file(self, path: str | Path, *, question: str | None = None) -> tuple[SessionReport, np.ndarray]:
        samples, info = load_audio(path, on_progress=lambda d, t: self.on_progress("decode", d, t))
        return self.analyze_samples(samples, info, question=question), samples

    def analyze_samples(
        self,
        samples: np.ndarray,
        info: AudioInfo,
        *,
        question: str | None = None,
        session_id: str | None = None,
        transcript: Transcript | None = None,
    ) -> SessionReport:
        """Run every stage on a decoded signal. ``transcript`` skips transcription when given."""
        now = _dt.datetime.now().astimezone()
        notices: list[str] = []
        acoustics = None
        if transcript is None:
            if is_silent(samples):
                transcript = Transcript(text="", language=self.language or "en", model=self.model_label(), words=())
            else:
                transcriber = self.transcriber
                # The transcript-free half of the delivery analysis (level, pitch) runs beside
                # the transcription: CTranslate2 releases the GIL, so it costs little wall time.
                with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mockmic-acoustics") as pool:
                    pending = pool.submit(self._acoustics, samples)
                    transcript = transcriber.transcribe(
                        samples, on_progress=lambda d, t: self.on_progress("transcribe", d, t)
                    )
                    acoustics = pending.result()
        if not transcript.words:
            notices.append(f"No speech was found in {Path(info.path).name}: check the microphone or the file.")
        report = SessionReport(
            id=session_id or new_session_id(now),
            created_at=now.isoformat(timespec="seconds"),
            question=question,
            audio=info,
            transcript=transcript,
            notices=tuple(notices),
        )
        return analyse_report(report, samples, self.delivery_options, self.content_options, acoustics=acoustics)

    def _acoustics(self, samples: np.ndarray):
        from . import delivery

        return delivery.signal_acoustics(samples, options=_delivery_options(self.delivery_options))

    def model_label(self) -> str:
        if self._transcriber is not None:
            return self._transcriber.model_name
        from .config import DEFAULT_MODEL

        return self.model or DEFAULT_MODEL


def _delivery_options(options):
    """DeliveryOptions from None, an instance, or a mapping such as a TOML [delivery] table."""
    from . import delivery

    if options is None or isinstance(options, delivery.DeliveryOptions):
        return options
    return delivery.DeliveryOptions.from_mapping(options)


def analyse_report(
    report: SessionReport,
    samples: np.ndarray,
    delivery_options: object | None = None,
    content_options: object | None = None,
    *,
    acoustics: object | None = None,
) -> SessionReport:
    """Add the delivery, content, scores and feedback sections to a transcribed report.

    ``acoustics``: the delivery stage's signal measurements, when already computed.
    """
    from .scoring import combine_scores, rank_feedback

    words = report.transcript.words
    delivery = content = None
    delivery_score = None
    feedback: list[Feedback] = []
    if words:
        # --- delivery stage (delivery.py) ---
        from . import delivery as _delivery

        _dopts = _delivery_options(delivery_options)
        delivery = _delivery.analyze_delivery(samples, words, options=_dopts, acoustics=acoustics)
        delivery_score = _delivery.delivery_score(delivery, _dopts)
        feedback += _delivery.delivery_feedback(delivery, words, _dopts)
        # --- end delivery stage ---
        # --- content stage (content.py) ---
        from .content import analyze_content, content_feedback

        content = analyze_content(words, question=report.question, options=content_options)
        feedback += content_feedback(content)
        # --- end content stage ---
        pass
    scores = combine_scores(
        delivery=delivery_score,
        structure=content.star.score if content is not None else None,
        accountability=content.accountability.score if content is not None else None,
    )
    return replace(
        report,
        delivery=delivery,
        content=content,
        scores=scores,
        feedback=tuple(rank_feedback(feedback)),
    )
