"""Recording an answer from the microphone, so that no interruption loses it.

The only module that imports sounddevice, and only inside functions: a machine without
PortAudio can still analyse files. The audio callback only copies each block into a queue; a
writer thread measures levels and appends to a WAV in ``<data home>/incoming/`` that is valid
on disk after every batch (about once a second), see :mod:`mockmic.incoming`.

>>> from mockmic.pipeline import Analyzer                               # doctest: +SKIP
>>> from mockmic.record import RecordOptions, record_answer
>>> result = record_answer("Tell me about a mistake.", options=RecordOptions(max_seconds=90))
>>> report, folder = result.pending.analyse_and_store(Analyzer())
"""

from __future__ import annotations

import contextlib
import errno
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import DeviceError, StoreError
from .incoming import (  # noqa: F401 - recovery is part of the recorder's API
    IncrementalWav,
    Marker,
    PendingRecording,
    RecoveryNote,
    incoming_dir,
    recover_recordings,
    repair_wav,
    to_pcm16,
)
from .levels import FLOOR_DBFS, LevelOptions, LevelTracker
from .stopping import Stopper, drop_typed_ahead, enter_watcher, stop_on_signals  # noqa: F401 - Stopper is API

NO_MICROPHONE = "No microphone was found: connect one (or start PulseAudio/PipeWire) and check `mockmic devices`."
PORTAUDIO_MISSING = "PortAudio is not installed: sudo apt-get install libportaudio2."
FALLBACK_RATES_HZ = (48000, 44100, 32000, 22050, 16000, 8000)

# PortAudio error codes (portaudio.h) that a person can cause.
_PA_INVALID_CHANNELS = -9998
_PA_INVALID_RATE = -9997
_PA_INVALID_DEVICE = -9996
_PA_DEVICE_UNAVAILABLE = -9985

STOP_REASONS = {
    "enter": "Enter pressed",
    "interrupt": "Ctrl-C",
    "terminate": "SIGTERM",
    "max_seconds": "time limit reached",
    "silence": "silence after the answer",
    "device_lost": "the microphone stopped",
    "no_audio": "the microphone delivered no audio",
    "write_error": "the recording could not be written",
    "stopped": "stopped",
}


@dataclass(frozen=True)
class RecordOptions:
    """How to record. Defaults suit a spoken interview answer.

    Attributes
    ----------
    device : int, str or None
        Input device index, or a (part of a) name as ``mockmic devices`` lists it; None is the
        system default input.
    sample_rate_hz : int or None
        Capture rate; None uses the device's own default rate (no resampling in the capture
        path). An unsupported rate falls back to the first the device accepts.
    max_seconds : float or None
        Stop after this much audio.
    silence_stop_s : float or None
        Stop after this long of silence, counted only once speech has started.
    levels : LevelOptions
        Speech, silence and clipping thresholds.
    flush_interval_s : float
        How often the WAV is brought up to date on disk: the most a kill can lose.
    stall_timeout_s : float
        No audio from the device for this long means it was unplugged or taken away.
    start_timeout_s : float
        How long the device may take to deliver its first block before it counts as silent.
    latency : str or float
        PortAudio input latency; "high" gives larger buffers, so fewer overflows on a busy machine.
    """

    device: int | str | None = None
    sample_rate_hz: int | None = None
    max_seconds: float | None = None
    silence_stop_s: float | None = None
    levels: LevelOptions = field(default_factory=LevelOptions)
    flush_interval_s: float = 1.0
    stall_timeout_s: float = 3.0
    start_timeout_s: float = 10.0
    latency: str | float = "high"


@dataclass(frozen=True)
class InputDevice:
    index: int
    name: str
    channels: int  # most input channels it offers
    default_sample_rate_hz: int
    is_default: bool
    host_api: str = ""


@dataclass(frozen=True)
class LiveStatus:
    """What the live line shows: replaced by the writer thread after every block."""

    elapsed_s: float
    level_dbfs: float = FLOOR_DBFS
    peak_dbfs: float = FLOOR_DBFS
    speech_started: bool = False
    silence_s: float = 0.0
    overflow_count: int = 0
    warnings: tuple[str, ...] = ()


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


def _sounddevice():
    """Import sounddevice, or say which package to install."""
    try:
        import sounddevice as sd
    except OSError as e:  # sounddevice raises OSError("PortAudio library not found")
        raise DeviceError(PORTAUDIO_MISSING) from e
    except ImportError as e:
        raise DeviceError(PORTAUDIO_MISSING) from e
    return sd


def _rescan(sd) -> None:
    # PortAudio lists devices once, at initialisation; re-initialise so a microphone plugged in
    # (or a sound server started) since then is seen. Only safe with no stream open.
    terminate = getattr(sd, "_terminate", None)
    initialize = getattr(sd, "_initialize", None)
    if terminate is None or initialize is None:
        return
    with contextlib.suppress(Exception):
        terminate()
    try:
        initialize()
    except Exception as e:  # PortAudioError: nothing to talk to
        raise DeviceError(NO_MICROPHONE) from e


def _error_code(e: BaseException) -> int | None:
    args = getattr(e, "args", ())
    return args[1] if len(args) > 1 and isinstance(args[1], int) else None


def list_input_devices(*, rescan: bool = True) -> list[InputDevice]:
    """The devices that can record, with the system default marked. Raises DeviceError."""
    sd = _sounddevice()
    if rescan:
        _rescan(sd)
    try:
        devices = sd.query_devices()
        host_apis = sd.query_hostapis()
    except sd.PortAudioError as e:
        raise DeviceError(NO_MICROPHONE) from e
    default_in = _default_input_index(sd)
    out = []
    for d in devices:
        if d["max_input_channels"] <= 0:
            continue
        out.append(
            InputDevice(
                index=int(d["index"]),
                name=str(d["name"]),
                channels=int(d["max_input_channels"]),
                default_sample_rate_hz=int(round(d["default_samplerate"])),
                is_default=int(d["index"]) == default_in,
                host_api=str(host_apis[d["hostapi"]]["name"]) if d["hostapi"] < len(host_apis) else "",
            )
        )
    return out


def _default_input_index(sd) -> int | None:
    try:
        index = sd.default.device[0]
    except Exception:
        return None
    if index is None or index < 0:
        with contextlib.suppress(Exception):
            return int(sd.query_devices(kind="input")["index"])
        return None
    return int(index)


def find_input_device(device: int | str | None, *, rescan: bool = True) -> InputDevice:
    """Resolve ``device`` (index, name or part of one, None for the default) to an input device."""
    devices = list_input_devices(rescan=rescan)
    if not devices:
        raise DeviceError(NO_MICROPHONE)
    if device is None:
        for d in devices:
            if d.is_default:
                return d
        return devices[0]
    if isinstance(device, int) or (isinstance(device, str) and device.strip().isdigit()):
        index = int(device)
        for d in devices:
            if d.index == index:
                return d
        raise DeviceError(f"There is no input device with index {index}: see `mockmic devices`.")
    wanted = device.strip().casefold()
    exact = [d for d in devices if d.name.casefold() == wanted]
    if exact:
        return exact[0]
    matches = [d for d in devices if wanted in d.name.casefold()]
    if not matches:
        raise DeviceError(f"No input device matches {device!r}: see `mockmic devices`.")
    if len(matches) > 1:
        names = ", ".join(f"{d.index}: {d.name}" for d in matches[:5])
        raise DeviceError(f"{device!r} matches several input devices ({names}): give its index instead.")
    return matches[0]


def _open_error(e: BaseException, device: InputDevice) -> DeviceError:
    code = _error_code(e)
    if code == _PA_DEVICE_UNAVAILABLE or "unavailable" in str(e).lower() or "busy" in str(e).lower():
        return DeviceError(
            f"The microphone {device.name!r} is busy: close the program using it or choose another with --device."
        )
    if code == _PA_INVALID_DEVICE:
        return DeviceError(f"The microphone {device.name!r} has gone: check `mockmic devices`.")
    msg = str(e.args[0] if getattr(e, "args", None) else e).rstrip(".")
    return DeviceError(f"The microphone {device.name!r} could not be opened ({msg}): try another with --device.")


def _candidate_rates(requested: int | None, device: InputDevice) -> list[int]:
    rates = [requested] if requested else []
    rates += [device.default_sample_rate_hz, *FALLBACK_RATES_HZ]
    seen: list[int] = []
    for r in rates:
        if r and r > 0 and r not in seen:
            seen.append(int(r))
    return seen


def _open_stream(sd, device: InputDevice, options: RecordOptions, callback, finished):
    """Open an input stream at the requested (or device's) rate, falling back through common
    rates when the device refuses one. Returns ``(stream, rate, channels, notices)``."""
    notices: list[str] = []
    last_error: BaseException | None = None
    channel_choices = [1] + ([min(2, device.channels)] if device.channels >= 2 else [])
    for rate in _candidate_rates(options.sample_rate_hz, device):
        for channels in channel_choices:
            try:
                stream = sd.InputStream(
                    device=device.index,
                    samplerate=rate,
                    channels=channels,
                    dtype="float32",
                    latency=options.latency,
                    callback=callback,
                    finished_callback=finished,
                )
            except sd.PortAudioError as e:
                last_error = e
                code = _error_code(e)
                if code == _PA_INVALID_CHANNELS:
                    continue
                if code == _PA_INVALID_RATE or "sample rate" in str(e).lower():
                    break
                raise _open_error(e, device) from e
            if options.sample_rate_hz and rate != options.sample_rate_hz:
                notices.append(
                    f"The microphone does not support {options.sample_rate_hz} Hz, so it records at {rate} Hz."
                )
            return stream, rate, channels, notices
    raise _open_error(last_error or RuntimeError("no sample rate accepted"), device)


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


def _write_error_sentence(e: OSError, path: Path, kept_s: float) -> str:
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        cause = "the disk is full"
    elif e.errno == errno.EFBIG:
        cause = "the file grew past the size limit"
    else:
        cause = f"writing failed ({e.strerror or e})"
    return f"Recording stopped because {cause}: the {kept_s:.1f} s written are kept in {path}."


def new_recording_id() -> str:
    from .pipeline import new_session_id

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
                with contextlib.suppress(Exception):
                    if flowing and stopper.reason not in ("device_lost", "no_audio"):
                        stream.stop()  # delivers the buffers already captured
                    else:
                        # stop() waits for a stuck device to drain and can hang for ever;
                        # abort() returns at once, and there is nothing left to deliver.
                        stream.abort()
                with contextlib.suppress(Exception):
                    stream.close()
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
        error = _write_error_sentence(writer.error, pending.path, duration_s)
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
