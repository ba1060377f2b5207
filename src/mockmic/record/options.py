"""How to record, and what the live meter shows: plain data, no audio library."""

from __future__ import annotations

from dataclasses import dataclass, field

from .levels import FLOOR_DBFS, LevelOptions

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
class LiveStatus:
    """What the live line shows: replaced by the writer thread after every block."""

    elapsed_s: float
    level_dbfs: float = FLOOR_DBFS
    peak_dbfs: float = FLOOR_DBFS
    speech_started: bool = False
    silence_s: float = 0.0
    overflow_count: int = 0
    warnings: tuple[str, ...] = ()
