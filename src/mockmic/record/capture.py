"""Recording an answer from the microphone, so that no interruption loses it.

PortAudio is reached through :mod:`.devices` only. The audio callback only copies each block
into a queue; a writer thread measures levels and appends to a WAV in ``<data home>/incoming/``
that is valid on disk after every batch (about once a second), see :mod:`.incoming`.

>>> from mockmic.pipeline import Analyzer, analyze_and_store
>>> from mockmic.record import RecordOptions, record_answer
>>> result = record_answer("Tell me about a mistake.", options=RecordOptions(max_seconds=90))  # doctest: +SKIP
>>> report, folder = analyze_and_store(Analyzer(), result.pending.take())  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import errno
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..audio.wav import IncrementalWav, repair_wav, to_pcm16
from ..errors import StoreError
from ..store.ids import new_session_id
from .devices import InputDevice, _open_error, _open_stream, _sounddevice, find_input_device
from .incoming import Marker, PendingRecording, incoming_dir
from .levels import LevelTracker
from .options import LiveStatus, RecordOptions
from .stopping import Stopper, drop_typed_ahead, enter_watcher, stop_on_signals


@dataclass
class RecordingResult:
    """What :func:`record_answer` captured; ``pending`` holds the file until it is stored."""

    pending: PendingRecording
    duration_s: float  # audio in the file
    sample_rate_hz: int
    device_name: str
    stop_reason: str  # a key of STOP_REASONS
    overflow_count: int  # input buffers PortAudio dropped because we were too slow
    lost_s: float  # audio captured but not written (the disk refused it)
    speech_detected: bool
    max_peak_dbfs: float
    clipped_blocks: int
    notices: tuple[str, ...] = ()  # rate fallback, device lost, write error: one sentence each
    error: str | None = None  # set when the recording ended because something failed

    @property
    def path(self) -> Path:
        return self.pending.path

    @property
    def session_id(self) -> str:
        return self.pending.session_id


# --- PortAudio -----------------------------------------------------------------------------


# --- the recorder --------------------------------------------------------------------------


class _Writer(threading.Thread):
    """Takes blocks from the queue, measures them, and appends them to the WAV in batches."""

    def __init__(self, blocks: queue.Queue, wav: IncrementalWav, rate: int, options: RecordOptions,
                 stopper: Stopper, overflow_count: Callable[[], int],
                 on_block: Callable[[np.ndarray, int], None] | None = None) -> None:
        super().__init__(name="mockmic-writer", daemon=True)
        self.blocks = blocks
        self.wav = wav
        self.rate = rate
        self.options = options
        self.stopper = stopper
        self.overflow_count = overflow_count
        self.on_block = on_block
        self.on_block_error: BaseException | None = None
        self.tracker = LevelTracker(options.levels)
        self.max_frames = int(round(options.max_seconds * rate)) if options.max_seconds else None
        self.frames_captured = 0
        self.frames_lost = 0
        self.error: OSError | None = None
        self.status = LiveStatus(0.0)

    def run(self) -> None:
        try:
            self._run()
        except Exception as e:  # a bug here must end the recording, not silently stop writing
            self.error = OSError(f"internal error: {e!r}")
            self.stopper.stop("write_error")
            while self.blocks.get() is not None:
                pass  # let the audio callback's queue drain until the recorder stops

    def _run(self) -> None:
        batch: list[bytes] = []
        last_flush = time.monotonic()
        while True:
            try:
                block = self.blocks.get(timeout=0.1)
            except queue.Empty:
                block = False
            if block is None:
                break
            if block is not False:
                batch.append(self._take(block))
            if batch and time.monotonic() - last_flush >= self.options.flush_interval_s:
                self._flush(batch)
                last_flush = time.monotonic()
        self._flush(batch)

    def _take(self, block: np.ndarray) -> bytes:
        mono = block.mean(axis=1) if block.ndim == 2 and block.shape[1] > 1 else block.reshape(-1)
        if self.max_frames is not None:
            mono = mono[: max(0, self.max_frames - self.frames_captured)]
        if mono.size == 0:
            return b""
        self.frames_captured += mono.size
        t = self.tracker
        t.update(mono, mono.size / self.rate)
        self.status = LiveStatus(
            elapsed_s=self.frames_captured / self.rate,
            level_dbfs=t.level_dbfs,
            peak_dbfs=t.peak_dbfs,
            speech_started=t.speech_started,
            silence_s=t.silence_s,
            overflow_count=self.overflow_count(),
            warnings=tuple(t.warnings()),
        )
        if self.max_frames is not None and self.frames_captured >= self.max_frames:
            self.stopper.stop("max_seconds")
        if t.silence_exceeds(self.options.silence_stop_s):
            self.stopper.stop("silence")
        if self.on_block is not None and self.on_block_error is None:
            try:
                self.on_block(mono, self.rate)
            except Exception as e:  # a failing consumer must not cost the recording
                self.on_block_error = e
        return to_pcm16(mono)

    def _flush(self, batch: list[bytes]) -> None:
        if not batch:
            return
        pcm = b"".join(batch)
        batch.clear()
        if self.error is not None:
            self.frames_lost += len(pcm) // 2
            return
        try:
            self.wav.write(pcm)
        except OSError as e:
            self.error = e
            self.frames_lost += len(pcm) // 2
            self.stopper.stop("write_error")


DRIVER_TIMEOUT_S = 3.0  # s a lost device's abort and close may take before the recording goes on without them


def _bounded(call: Callable[[], object], timeout_s: float) -> None:
    """Run ``call`` (exceptions ignored) on a daemon thread, waiting for it at most ``timeout_s``."""
    def run() -> None:
        with contextlib.suppress(Exception):
            call()

    t = threading.Thread(target=run, name="mockmic-driver", daemon=True)
    t.start()
    t.join(timeout_s)


def write_error_sentence(e: OSError, path: Path, kept_s: float) -> str:
    """One sentence for a recording the disk refused: why, and how much of it is kept where.

    Shared by the terminal recorder and the web app's, which write ``incoming/`` alike.
    """
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        cause = "the disk is full"
    elif e.errno == errno.EFBIG:
        cause = "the file grew past the size limit"
    else:
        cause = f"writing failed ({e.strerror or e})"
    return f"Recording stopped because {cause}: the {kept_s:.1f} s written are kept in {path}."


def new_recording_id() -> str:
    return new_session_id()


def record_answer(
    question: str | None = None,
    *,
    options: RecordOptions | None = None,
    home: Path | None = None,
    on_status: Callable[[LiveStatus], None] | None = None,
    before_start: Callable[[InputDevice, int], None] | None = None,
    on_recording: Callable[[], None] | None = None,
    on_block: Callable[[np.ndarray, int], None] | None = None,
    stopper: Stopper | None = None,
    stop_on_enter: bool = True,
    handle_signals: bool = True,
    status_interval_s: float = 0.1,
) -> RecordingResult:
    """Record one answer into ``<home>/incoming/`` until a stop condition; return what was kept.

    Parameters
    ----------
    question : str, optional
        Stored with the recording, so a recovered one is analysed against it.
    options : RecordOptions
    home : Path, optional
        The data home; default :func:`mockmic.config.data_home`.
    on_status : callable, optional
        Called about every ``status_interval_s`` with a :class:`LiveStatus`, from this thread.
    before_start : callable, optional
        Called once the device is open and before capture starts (a countdown goes here), with
        the device and the chosen rate in Hz. A KeyboardInterrupt from it cancels cleanly.
    on_recording : callable, optional
        Called once the first audio has arrived (the moment to say "speak now"); Enter,
        Ctrl-C and SIGTERM are handled from before then.
    on_block : callable, optional
        ``on_block(samples, rate_hz)`` with every mono float32 block as it is written, from
        the writer thread (e.g. to transcribe while the person speaks). If it raises, it is
        not called again and the recording goes on.
    stopper : Stopper, optional
        Lets another thread end the recording.
    stop_on_enter : bool
        A newline on stdin stops (a terminal or a pipe).
    handle_signals : bool
        Ctrl-C (reason "interrupt") and SIGTERM ("terminate") stop and finish the file; only
        possible from the main thread.

    Raises
    ------
    DeviceError
        PortAudio missing, no microphone, device unknown, busy or refusing every rate.
        Nothing is written in these cases.
    StoreError
        The recording cannot be created in the data home (permissions, full disk).
    """
    options = options or RecordOptions()
    stopper = stopper or Stopper()
    sd = _sounddevice()
    device = find_input_device(options.device, rescan=True)

    blocks: queue.Queue = queue.Queue()
    overflows = [0]
    last_block_at: list[float | None] = [None]  # None until the first block: capture not running yet
    finished = threading.Event()

    def callback(indata, frames, time_info, status):  # PortAudio's thread: copy and go
        if status.input_overflow:
            overflows[0] += 1
        last_block_at[0] = time.monotonic()
        blocks.put(indata.copy())

    stream, rate, _channels, notices = _open_stream(sd, device, options, callback, finished.set)
    try:
        if before_start is not None:
            before_start(device, rate)
        folder = incoming_dir(home)
        try:
            marker = Marker.create(folder, new_recording_id(), question=question, sample_rate_hz=rate,
                                   device=device.name)
            try:
                wav = IncrementalWav(marker.wav_path, rate)
            except BaseException:
                marker.remove()
                raise
        except OSError as e:
            if e.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StoreError(f"The disk is full, so nothing could be recorded in {folder}: free some space.") from e
            raise StoreError(f"Recordings cannot be written in {folder}: {e.strerror or e}.") from e
    except BaseException:
        with contextlib.suppress(Exception):
            stream.close()
        raise

    writer = _Writer(blocks, wav, rate, options, stopper, lambda: overflows[0], on_block)
    writer.start()
    pending = PendingRecording(marker)
    try:
        with stop_on_signals(stopper) if handle_signals else contextlib.nullcontext():
            if stop_on_enter:
                drop_typed_ahead()
                enter_watcher.watch(stopper)
            try:
                try:
                    stream.start()
                except sd.PortAudioError as e:
                    raise _open_error(e, device) from e
                started_at = tick = time.monotonic()
                announced = False
                while not stopper.wait(status_interval_s):
                    now, last = time.monotonic(), last_block_at[0]
                    if now - tick > 1.0:
                        # This process itself was frozen (SIGSTOP, suspend, a swap storm): the
                        # device had no chance to deliver, so the silence proves nothing.
                        started_at = now
                        if last is not None:
                            last_block_at[0] = last = now
                    tick = now
                    if finished.is_set() or not stream.active:
                        stopper.stop("device_lost")
                    elif last is None:
                        # A sound server can take a second or two to deliver the first block;
                        # "speak now" waits for it, so no first words fall into that gap.
                        if now - started_at > options.start_timeout_s:
                            stopper.stop("no_audio")
                    elif now - last > options.stall_timeout_s:
                        stopper.stop("device_lost")
                    else:
                        if not announced:
                            announced = True
                            if on_recording is not None:
                                on_recording()
                        if on_status is not None:
                            on_status(writer.status)
            finally:
                enter_watcher.unwatch(stopper)
                last = last_block_at[0]
                flowing = last is not None and time.monotonic() - last < 0.5
                if flowing and stopper.reason not in ("device_lost", "no_audio"):
                    with contextlib.suppress(Exception):
                        stream.stop()  # delivers the buffers already captured
                    with contextlib.suppress(Exception):
                        stream.close()
                else:
                    # stop() waits for a stuck device to drain and can hang for ever; abort()
                    # usually returns at once, but with the sound server gone a driver call can
                    # hang too: the recording is not held hostage to it.
                    _bounded(lambda: (stream.abort(), stream.close()), DRIVER_TIMEOUT_S)
                blocks.put(None)
                writer.join()
                if writer.error is not None:
                    wav.abandon()
                else:
                    try:
                        wav.close()
                    except OSError as e:
                        writer.error = e
    except BaseException:
        # Whatever went wrong, the audio on disk stays for the next run to recover.
        if wav.frames_written == 0 and writer.error is None:
            pending.discard()  # nothing was captured: no leftover to report next time
        else:
            pending.release()
        raise

    duration_s = repair_wav(pending.path) / rate if writer.error is not None else writer.wav.frames_written / rate
    reason = stopper.reason or "stopped"
    notices = list(notices)
    error = None
    if reason == "no_audio":
        error = (
            f"The microphone {device.name!r} delivered no audio within {options.start_timeout_s:g} s: "
            "check it is connected and not used by another program (`mockmic devices`)."
        )
        notices.append(error)
    if reason == "device_lost":
        error = (
            f"The microphone {device.name!r} stopped delivering audio (unplugged or taken by another "
            f"program): the {duration_s:.1f} s recorded are kept."
        )
        notices.append(error)
    if writer.error is not None:
        error = write_error_sentence(writer.error, pending.path, duration_s)
        notices.append(error)
        reason = "write_error"
    overflow_count = overflows[0]
    if overflow_count:
        notices.append(
            f"{overflow_count} input buffer(s) were dropped because the computer was busy; "
            "the recording has short gaps there."
        )
    pending.marker.save(state="recorded", stop_reason=reason, duration_s=duration_s, overflow_count=overflow_count)
    t = writer.tracker
    return RecordingResult(
        pending=pending,
        duration_s=duration_s,
        sample_rate_hz=rate,
        device_name=device.name,
        stop_reason=reason,
        overflow_count=overflow_count,
        lost_s=writer.frames_lost / rate,
        speech_detected=t.speech_started,
        max_peak_dbfs=t.max_peak_dbfs,
        clipped_blocks=t.clipped_blocks,
        notices=tuple(notices),
        error=error,
    )
