"""The exceptions a person can cause. Each carries one clear sentence for the CLI to show."""


class MockmicError(Exception):
    """Base class: the message is shown to the person as is, without a traceback."""


class AudioError(MockmicError):
    """An audio file is missing, unreadable, not audio, or empty."""


class ModelError(MockmicError):
    """A Whisper model is unknown, missing or fails to load."""


class DeviceError(MockmicError):
    """A microphone is missing, busy, or PortAudio is not installed."""


class StoreError(MockmicError):
    """The session store cannot be read or written, or an id is unknown or unsafe."""


class ConfigError(MockmicError):
    """A configuration value or file is invalid."""


class OutputError(MockmicError):
    """A file the person asked for (``-o``) cannot be written there, or would destroy an input."""
