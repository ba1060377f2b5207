"""Decoding: formats, bit depths, rates and channel layouts give the same 16 kHz mono signal."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
import soundfile as sf

from mockmic.audio import is_silent, load_audio
from mockmic.errors import AudioError

SR = 16000


def tone(seconds=1.0, rate=SR, freq=440.0, amp=0.5):
    t = np.arange(int(seconds * rate)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


@pytest.mark.parametrize("subtype", ["PCM_U8", "PCM_16", "PCM_24", "PCM_32", "FLOAT"])
@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000])
def test_wav_bit_depths_and_rates_decode_to_16k(tmp_path, subtype, rate):
    path = tmp_path / f"t_{subtype}_{rate}.wav"
    sf.write(path, tone(1.0, rate), rate, subtype=subtype)
    samples, info = load_audio(path)
    assert samples.dtype == np.float32
    assert info.sample_rate == SR and info.original_sample_rate == rate
    assert abs(info.duration_s - 1.0) < 0.02
    # The tone's level survives resampling (RMS of a 0.5 sine is 0.354).
    rms = float(np.sqrt(np.mean(samples[1000:-1000] ** 2)))
    assert rms == pytest.approx(0.354, abs=0.03)
    # and its pitch: the spectrum peaks at 440 Hz
    spectrum = np.abs(np.fft.rfft(samples[:SR]))
    assert abs(np.argmax(spectrum) * SR / SR - 440) <= 2


def test_stereo_is_downmixed(tmp_path):
    left = tone(1.0, 44100, amp=0.4)
    stereo = np.stack([left, np.zeros_like(left)], axis=1)
    path = tmp_path / "stereo.wav"
    sf.write(path, stereo, 44100)
    samples, info = load_audio(path)
    assert info.channels == 2
    rms = float(np.sqrt(np.mean(samples[1000:-1000] ** 2)))
    # mono = mean of the channels: half the left channel's RMS (0.283 / 2), no clipping gain
    assert rms == pytest.approx(0.4 / np.sqrt(2) / 2, rel=0.1)


@pytest.mark.parametrize("ext,args", [
    ("flac", []), ("mp3", ["-b:a", "64k"]), ("ogg", ["-c:a", "libopus"]), ("m4a", ["-c:a", "aac"]),
    ("webm", ["-c:a", "libopus"]),
])
def test_compressed_formats_decode(tmp_path, ext, args):
    ffmpeg = shutil.which("ffmpeg")
    assert ffmpeg, "ffmpeg is needed to build format fixtures: run ./scripts/setup --test"
    src = tmp_path / "src.wav"
    sf.write(src, tone(2.0, 44100), 44100)
    out = tmp_path / f"t.{ext}"
    subprocess.run([ffmpeg, "-loglevel", "error", "-y", "-i", str(src), *args, str(out)], check=True)
    samples, info = load_audio(out)
    assert abs(info.duration_s - 2.0) < 0.1
    assert float(np.sqrt(np.mean(samples[4000:-4000] ** 2))) == pytest.approx(0.354, abs=0.05)


def test_missing_file(tmp_path):
    with pytest.raises(AudioError, match=r"No such file: .*nope\.wav\."):
        load_audio(tmp_path / "nope.wav")


def test_directory(tmp_path):
    with pytest.raises(AudioError, match="is a directory"):
        load_audio(tmp_path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    with pytest.raises(AudioError, match=r"empty \(0 bytes\)"):
        load_audio(path)


def test_zero_length_wav(tmp_path):
    path = tmp_path / "zero.wav"
    sf.write(path, np.zeros(0, np.float32), SR)
    with pytest.raises(AudioError, match="no audio"):
        load_audio(path)


def test_not_audio(tmp_path):
    path = tmp_path / "notes.mp3"
    path.write_text("these are my interview notes, not a recording\n" * 50)
    with pytest.raises(AudioError, match="not an audio file"):
        load_audio(path)


def test_corrupt_wav_header(tmp_path):
    path = tmp_path / "corrupt.wav"
    sf.write(path, tone(1.0), SR)
    data = bytearray(path.read_bytes())
    data[8:16] = b"GARBAGE!"  # breaks the RIFF/WAVE signature
    path.write_bytes(bytes(data))
    with pytest.raises(AudioError):
        load_audio(path)


def test_truncated_file_keeps_what_decodes(tmp_path):
    path = tmp_path / "cut.flac"
    sf.write(path, tone(3.0), SR)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    samples, info = load_audio(path)
    assert 0.8 < info.duration_s < 2.5


def test_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "locked.wav"
    sf.write(path, tone(0.5), SR)
    real_open = open

    def deny(p, *a, **k):
        if str(p) == str(path):
            raise PermissionError(13, "Permission denied")
        return real_open(p, *a, **k)

    monkeypatch.setattr("builtins.open", deny)
    with pytest.raises(AudioError, match="cannot be read: permission denied"):
        load_audio(path)


def test_video_without_audio_track(tmp_path):
    ffmpeg = shutil.which("ffmpeg")
    assert ffmpeg
    out = tmp_path / "video.mp4"
    subprocess.run([ffmpeg, "-loglevel", "error", "-y", "-f", "lavfi", "-i", "color=c=black:s=32x32:d=1",
                    "-pix_fmt", "yuv420p", str(out)], check=True)
    with pytest.raises(AudioError, match="has no audio track"):
        load_audio(out)


def test_is_silent():
    assert is_silent(np.zeros(SR, np.float32))
    assert is_silent(np.full(SR, 1e-5, np.float32))
    assert not is_silent(tone(0.1, amp=0.01))
