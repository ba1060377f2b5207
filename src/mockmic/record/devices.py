"""Input devices through PortAudio: listing, choosing, opening a stream with rate fallback.

The only module that imports sounddevice, and only inside functions: a machine without
PortAudio can still analyse files.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from ..errors import DeviceError
from .options import RecordOptions

NO_MICROPHONE = "No microphone was found: connect one (or start PulseAudio/PipeWire) and check `mockmic devices`."


PORTAUDIO_MISSING = "PortAudio is not installed: sudo apt-get install libportaudio2."


FALLBACK_RATES_HZ = (48000, 44100, 32000, 22050, 16000, 8000)


# PortAudio error codes (portaudio.h) that a person can cause.
_PA_INVALID_CHANNELS = -9998


_PA_INVALID_RATE = -9997


_PA_INVALID_DEVICE = -9996


_PA_DEVICE_UNAVAILABLE = -9985


@dataclass(frozen=True)
class InputDevice:
    index: int
    name: str
    channels: int  # most input channels it offers
    default_sample_rate_hz: int
    is_default: bool
    host_api: str = ""


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
