"""The engine itself: what a server process shares (one Analyzer, one lock, the data home)."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...config import SAMPLE_RATE, data_home
from ...errors import MockmicError
from ...pipeline import Analyzer
from ...results import AudioInfo, Transcript, Word
from ...store import Store
from .practice import PracticeMixin
from .recordings import RecordingsMixin
from .sessions import SessionsMixin
from .uploads import UploadsMixin


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


class Engine(UploadsMixin, SessionsMixin, PracticeMixin, RecordingsMixin):
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
