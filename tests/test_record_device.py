"""The recorder through the real PortAudio path, in this process, from a virtual microphone."""

from __future__ import annotations

import threading
import time

import pytest
import soundfile as sf

from mockmic.errors import DeviceError
from mockmic.record import RecordOptions, Stopper, find_input_device, list_input_devices, record_answer
from record_helpers import compare_to_played, make_answer_wav, wav_is_complete
from virtual_mic import virtual_mic  # noqa: F401  (fixture)


@pytest.fixture(scope="module")
def answer(tmp_path_factory):
    return make_answer_wav(tmp_path_factory.mktemp("answer"))


def test_lists_the_virtual_inputs_with_a_default(virtual_mic):
    devices = list_input_devices()
    names = [d.name for d in devices]
    assert "pulse" in names and "default" in names
    assert sum(d.is_default for d in devices) == 1
    assert all(d.channels >= 1 and d.default_sample_rate_hz > 0 for d in devices)
    assert find_input_device("puls").name == "pulse"
    assert find_input_device(str(devices[0].index)).index == devices[0].index
    with pytest.raises(DeviceError, match="No input device matches 'no such mic'"):
        find_input_device("no such mic")
    with pytest.raises(DeviceError, match="no input device with index 999"):
        find_input_device(999)


def test_recording_matches_what_was_played(virtual_mic, answer, tmp_path, capsys):
    wav, length_s = answer
    stopper = Stopper()

    def play_then_stop():
        time.sleep(0.5)
        virtual_mic.play(wav)
        time.sleep(0.7)
        stopper.stop("stopped")

    player = threading.Thread(target=play_then_stop)
    result = record_answer("Q?", options=RecordOptions(), stopper=stopper, stop_on_enter=False,
                           handle_signals=False, on_recording=player.start)
    player.join()
    frames = wav_is_complete(result.path)
    assert result.stop_reason == "stopped"
    assert result.sample_rate_hz == sf.info(str(result.path)).samplerate
    assert frames == pytest.approx(result.duration_s * result.sample_rate_hz)
    assert length_s + 0.5 < result.duration_s < length_s + 5.0
    correlation, delay_s = compare_to_played(wav, result.path)
    with capsys.disabled():
        print(f"\n[measured] envelope correlation {correlation:.3f}, delay {delay_s:.2f} s "
              f"(0.5 s of it before paplay), {result.overflow_count} overflow(s), "
              f"{result.duration_s:.2f} s at {result.sample_rate_hz} Hz")
    assert correlation >= 0.9
    assert 0.3 <= delay_s <= 2.5
    assert result.speech_detected
    assert result.pending.question == "Q?"
    result.pending.discard()


def test_unsupported_rate_falls_back_to_one_the_device_accepts(virtual_mic):
    device = find_input_device(None)
    result = record_answer(options=RecordOptions(sample_rate_hz=1_000_000, max_seconds=0.5),
                           stop_on_enter=False, handle_signals=False)
    assert result.sample_rate_hz == device.default_sample_rate_hz
    assert sf.info(str(result.path)).samplerate == device.default_sample_rate_hz
    assert any("does not support 1000000 Hz" in n for n in result.notices)
    assert result.stop_reason == "max_seconds"
    assert wav_is_complete(result.path) == round(0.5 * result.sample_rate_hz)
    result.pending.discard()


def test_a_supported_rate_is_used_as_asked(virtual_mic):
    result = record_answer(options=RecordOptions(sample_rate_hz=16000, max_seconds=0.5),
                           stop_on_enter=False, handle_signals=False)
    assert result.sample_rate_hz == 16000 and not result.notices
    assert wav_is_complete(result.path) == 8000
    result.pending.discard()


def test_microphone_unplugged_mid_recording_keeps_what_was_recorded(virtual_mic, answer):
    wav, _ = answer
    started = threading.Event()

    def unplug():
        started.wait(30)
        virtual_mic.play(wav, wait=False)
        time.sleep(1.5)
        virtual_mic.stop()  # the server goes away, as a USB mic pulled out

    t = threading.Thread(target=unplug)
    t.start()
    began = time.monotonic()
    result = record_answer(options=RecordOptions(max_seconds=30), stop_on_enter=False, handle_signals=False,
                           on_recording=started.set)
    took = time.monotonic() - began
    t.join()
    assert result.stop_reason == "device_lost"
    assert "stopped delivering audio" in (result.error or "")
    assert 1.0 <= result.duration_s <= 2.5
    assert took < 10
    assert wav_is_complete(result.path) == round(result.duration_s * result.sample_rate_hz)
    data, _ = sf.read(str(result.path), dtype="float32")
    assert abs(data).max() > 0.05  # the speech played before the unplug is in the file
    result.pending.discard()


def test_no_server_means_no_microphone(virtual_mic):
    virtual_mic.stop()
    from virtual_mic import reinit_portaudio

    reinit_portaudio()
    with pytest.raises(DeviceError) as e:
        record_answer(options=RecordOptions(max_seconds=1), stop_on_enter=False, handle_signals=False)
    assert str(e.value).startswith("No microphone was found")


def test_on_block_sees_every_sample_written(virtual_mic):
    seen = []
    result = record_answer(options=RecordOptions(max_seconds=1.0), stop_on_enter=False, handle_signals=False,
                           on_block=lambda samples, rate: seen.append((samples.copy(), rate)))
    assert {rate for _, rate in seen} == {result.sample_rate_hz}
    assert sum(s.size for s, _ in seen) == wav_is_complete(result.path) == result.sample_rate_hz
    assert all(s.ndim == 1 and s.dtype.name == "float32" for s, _ in seen)
    result.pending.discard()


def test_a_failing_block_consumer_does_not_stop_the_recording(virtual_mic):
    calls = []

    def broken(samples, rate):
        calls.append(1)
        raise RuntimeError("consumer bug")

    result = record_answer(options=RecordOptions(max_seconds=1.0), stop_on_enter=False, handle_signals=False,
                           on_block=broken)
    assert len(calls) == 1
    assert result.stop_reason == "max_seconds" and result.duration_s == 1.0
    result.pending.discard()


def _suspend(mic, on: bool) -> None:
    import subprocess

    subprocess.run(["pactl", "suspend-sink", "mic_feed", "1" if on else "0"], env=mic.env, check=True)


def test_a_device_that_never_delivers_audio_is_reported_not_waited_for(virtual_mic):
    _suspend(virtual_mic, True)  # the stream opens, but no block ever arrives
    began = time.monotonic()
    result = record_answer(options=RecordOptions(start_timeout_s=2.0, max_seconds=10), stop_on_enter=False,
                           handle_signals=False)
    assert time.monotonic() - began < 6.0
    assert result.stop_reason == "no_audio" and result.duration_s == 0
    assert result.error.startswith("The microphone 'default' delivered no audio within 2 s")
    result.pending.discard()


def test_a_device_that_stalls_mid_recording_keeps_what_was_recorded(virtual_mic, answer):
    wav, _ = answer
    started = threading.Event()

    def stall():
        started.wait(30)
        virtual_mic.play(wav, wait=False)
        time.sleep(2.0)
        _suspend(virtual_mic, True)  # blocks stop arriving, as from a wedged USB device

    t = threading.Thread(target=stall)
    t.start()
    began = time.monotonic()
    result = record_answer(options=RecordOptions(stall_timeout_s=2.0), stop_on_enter=False, handle_signals=False,
                           on_recording=started.set)
    t.join()
    assert time.monotonic() - began < 12.0
    assert result.stop_reason == "device_lost"
    assert 1.5 <= result.duration_s <= 3.0
    assert wav_is_complete(result.path) == round(result.duration_s * result.sample_rate_hz)
    data, _ = sf.read(str(result.path), dtype="float32")
    assert abs(data).max() > 0.05
    result.pending.discard()
