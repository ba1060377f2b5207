"""Where a practice interview's answers come from: the microphone, or a folder of recordings.

An answer source has ``answer(prompt, *, position, follow_up) -> Take | None``, ``can_retry``
and ``label``. :class:`MicrophoneAnswers` records with :func:`mockmic.record.record_answer`;
:class:`FolderAnswers` hands out a person's files, one per question, in order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from ..errors import AudioError
from ..pipeline import Take

AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".m4a", ".ogg", ".oga", ".opus", ".webm", ".aac", ".mp4", ".aif", ".aiff", ".wma", ".mka")
FOLLOW_UP_FILE = re.compile(r"[-_. ]?follow[-_ ]?up\Z", re.I)  # "02-followup", "2 follow-up"


class InterviewStopped(Exception):
    """The interview must end now (SIGTERM while recording); ``reason`` says why."""

    def __init__(self, reason: str, message: str = "") -> None:
        super().__init__(message or reason)
        self.reason = reason


class FolderAnswers:
    """Answers from a folder: its audio files in natural name order, one per question.

    A file whose name ends in ``followup`` answers the follow-up of the answer named by the
    rest of its name: ``02-followup.wav`` goes with ``02.wav`` or ``02-missed-deadline.wav``.
    Files are never changed; sessions hold a copy.

    Raises
    ------
    AudioError
        The folder does not exist, holds no audio file, or a follow-up file matches no answer.
    """

    can_retry = False

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise AudioError(f"The answers folder {self.folder} does not exist.")
        files = [p for p in self.folder.iterdir() if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES]
        mains = sorted((p for p in files if not FOLLOW_UP_FILE.search(p.stem)), key=_natural)
        follow = {}
        for p in sorted((p for p in files if FOLLOW_UP_FILE.search(p.stem)), key=_natural):
            prefix = FOLLOW_UP_FILE.sub("", p.stem)
            owners = [m for m in mains if m.stem == prefix
                      or (prefix and m.stem.startswith(prefix) and not m.stem[len(prefix)].isalnum())]
            if len(owners) != 1:
                what = "no answer" if not owners else f"{len(owners)} answers"
                raise AudioError(f"The follow-up answer {p.name} in {self.folder} matches {what}: "
                                 f"name it after its answer, e.g. {prefix or '02'}-followup{p.suffix}.")
            if owners[0] in follow:
                raise AudioError(f"{owners[0].name} in {self.folder} has two follow-up answers: keep one.")
            follow[owners[0]] = p
        self.entries: list[tuple[Path, Path | None]] = [(m, follow.get(m)) for m in mains]
        if not self.entries:
            raise AudioError(f"The answers folder {self.folder} holds no audio files ({', '.join(AUDIO_SUFFIXES[:5])}, ...).")

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def label(self) -> str:
        return f"answers: {self.folder}"

    def follow_up_hint(self, position: int) -> str:
        main = self.entries[position][0]
        return f" in {self.folder} (a file named {main.stem}-followup{main.suffix} would answer it)"

    def answer(self, prompt: str, *, position: int, follow_up: bool) -> Take | None:
        from ..pipeline import new_session_id

        if position >= len(self.entries):
            return None
        path = self.entries[position][1 if follow_up else 0]
        if path is None:
            return None
        return Take(path=path, mode="copy", session_id=new_session_id())


def _natural(path: Path) -> list:
    return [int(t) if t.isdigit() else t.casefold() for t in re.split(r"(\d+)", path.name)]


class MicrophoneAnswers:
    """Answers recorded from the microphone with :func:`mockmic.record.record_answer`.

    Parameters
    ----------
    options : RecordOptions, optional
    home : Path, optional
        The data home (recordings go to its ``incoming/`` until stored).
    enter : object, optional
        Stops a recording when the person presses Enter: ``enter.watch(stopper)`` is called once
        the countdown is over and ``enter.unwatch(stopper)`` when the recording ends. The CLI
        gives one that shares standard input with the prompts. None: only the recorder's own
        limits (and Ctrl-C) stop an answer.
    on_status, before_start, on_recording : callable, optional
        Passed to :func:`record_answer` (live line, countdown, "speak now").
    """

    can_retry = True
    label = "microphone"

    def __init__(self, options=None, *, home: Path | None = None, enter=None,
                 on_status: Callable | None = None, before_start: Callable | None = None,
                 on_recording: Callable | None = None, on_recorded: Callable | None = None) -> None:
        self.options = options
        self.home = home
        self.enter = enter
        self.on_status = on_status
        self.before_start = before_start
        self.on_recording = on_recording
        self.on_recorded = on_recorded  # called with the RecordingResult

    def check(self) -> str:
        """The name of the input device that will record; DeviceError (one sentence) if none."""
        from ..record import find_input_device

        return find_input_device(getattr(self.options, "device", None)).name

    def answer(self, prompt: str, *, position: int, follow_up: bool) -> Take | None:
        from ..record import Stopper, record_answer

        stopper = Stopper()

        def before_start(device, rate):
            if self.before_start is not None:
                self.before_start(device, rate)
            if self.enter is not None:
                self.enter.watch(stopper)

        try:
            result = record_answer(prompt, options=self.options, home=self.home, on_status=self.on_status,
                                   before_start=before_start, on_recording=self.on_recording,
                                   stopper=stopper, stop_on_enter=False)
        finally:
            if self.enter is not None:
                self.enter.unwatch(stopper)
        if self.on_recorded is not None:
            self.on_recorded(result)
        from ..record.outcome import CANCELLED, settle

        outcome = settle(result, cancel_unspoken_interrupt=True)
        if outcome.kind == CANCELLED:
            raise KeyboardInterrupt
        if not outcome.analyze:  # SIGTERM ("terminate"), no audio or a full disk: the reason says which
            raise InterviewStopped(outcome.kind, outcome.message)
        take = result.pending.take()
        take.stop_reason, take.notices = result.stop_reason, tuple(result.notices)
        return take
