"""The microphone: devices, capture, stopping, crash-safe incoming files and their recovery.

Only :mod:`.devices` imports sounddevice, and lazily, so analysing files needs no PortAudio.
"""

from .capture import RecordingResult, new_recording_id, record_answer, write_error_sentence
from .devices import NO_MICROPHONE, PORTAUDIO_MISSING, InputDevice, find_input_device, list_input_devices
from .incoming import (
    INCOMING_DIR,
    RECORDED_DIR,
    Marker,
    PendingRecording,
    RecoveryNote,
    incoming_dir,
    leftover_markers,
    recorded_dir,
    recover_recordings,
)
from .levels import FLOOR_DBFS, LevelOptions, LevelTracker, meter_bar, rms_dbfs
from .options import STOP_REASONS, LiveStatus, RecordOptions
from .outcome import Outcome, settle
from .stopping import Stopper, enter_watcher, stop_on_signals

__all__ = [
    "FLOOR_DBFS", "INCOMING_DIR", "NO_MICROPHONE", "PORTAUDIO_MISSING", "RECORDED_DIR", "STOP_REASONS", "InputDevice",
    "LevelOptions", "LevelTracker", "LiveStatus", "Marker", "PendingRecording", "RecordOptions", "RecordingResult",
    "Outcome", "RecoveryNote", "Stopper", "enter_watcher", "find_input_device", "incoming_dir", "leftover_markers",
    "list_input_devices", "meter_bar", "new_recording_id", "record_answer", "recorded_dir", "recover_recordings",
    "rms_dbfs", "settle", "stop_on_signals", "write_error_sentence",
]
