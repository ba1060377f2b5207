"""Recordings on disk: the incremental WAV stays valid, and interrupted ones are recovered."""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import soundfile as sf

from mockmic.audio import IncrementalWav, repair_wav, to_pcm16
from mockmic.record.incoming import Marker, incoming_dir, leftover_markers

RATE = 44100  # Hz


def ramp(n: int) -> np.ndarray:
    return (np.arange(n) % 2000 / 2000.0 - 0.5).astype(np.float32)


def test_pcm16_conversion_clips_and_averages_channels():
    x = np.array([0.0, 0.5, -0.5, 1.5, -1.5], np.float32)
    assert np.frombuffer(to_pcm16(x), "<i2").tolist() == [0, 16384, -16384, 32767, -32767]
    stereo = np.array([[0.5, -0.5], [1.0, 0.0]], np.float32)
    assert np.frombuffer(to_pcm16(stereo), "<i2").tolist() == [0, 16384]


def test_file_is_a_valid_wav_after_every_write_without_close(tmp_path):
    path = tmp_path / "a.wav"
    wav = IncrementalWav(path, RATE, fsync=False)
    assert sf.info(str(path)).frames == 0
    x = ramp(RATE)
    wav.write(to_pcm16(x[:1000]))
    # Read a copy while the writer still has the file open, as a killed process leaves it.
    shutil.copy(path, tmp_path / "snap.wav")
    data, rate = sf.read(str(tmp_path / "snap.wav"), dtype="float32")
    assert rate == RATE and data.size == 1000
    wav.write(to_pcm16(x[1000:]))
    wav.close()
    data, _ = sf.read(str(path), dtype="float32")
    assert data.size == RATE
    np.testing.assert_allclose(data, x, atol=1 / 32767)


def test_repair_rebuilds_lengths_from_the_file_size(tmp_path):
    path = tmp_path / "a.wav"
    wav = IncrementalWav(path, RATE, fsync=False)
    wav.write(to_pcm16(ramp(5000)))
    wav.close()
    # A kill between writing samples and rewriting the header: 3000 frames plus half a frame
    # on disk that the header does not count.
    with open(path, "ab") as fh:
        fh.write(to_pcm16(ramp(3000)) + b"\x01")
    assert sf.info(str(path)).frames == 5000
    assert repair_wav(path) == 8000
    info = sf.info(str(path))
    assert info.frames == 8000 and info.samplerate == RATE
    assert path.stat().st_size == 44 + 8000 * 2


def test_repair_of_a_header_with_zero_lengths(tmp_path):
    path = tmp_path / "a.wav"
    pcm = to_pcm16(ramp(1234))
    header = b"RIFF" + struct.pack("<I", 0) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, RATE, RATE * 2, 2, 16)
    path.write_bytes(header + b"data" + struct.pack("<I", 0) + pcm)
    assert repair_wav(path) == 1234
    data, _ = sf.read(str(path), dtype="int16")
    assert data.tobytes() == pcm


@pytest.mark.parametrize("content", [b"", b"RIFF", b"not a wav file at all, just text"])
def test_repair_refuses_what_is_not_a_wav(tmp_path, content):
    path = tmp_path / "x.wav"
    path.write_bytes(content)
    with pytest.raises(ValueError):
        repair_wav(path)


def test_a_locked_marker_is_not_claimed_by_another_process(tmp_path):
    folder = incoming_dir(tmp_path)
    marker = Marker.create(folder, "20261126-120000-abcdef", question="Q?")
    probe = textwrap.dedent(
        f"""
        from pathlib import Path
        from mockmic.record.incoming import leftover_markers
        print(len(leftover_markers(Path({str(tmp_path)!r}))))
        """
    )
    held = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert held.stdout.strip() == "0"
    marker.release()
    free = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert free.stdout.strip() == "1"
    claimed = leftover_markers(tmp_path)
    assert [m.data["question"] for m in claimed] == ["Q?"]


def test_a_wav_without_marker_gets_one(tmp_path):
    folder = incoming_dir(tmp_path)
    folder.mkdir(parents=True)
    wav = IncrementalWav(folder / "20261126-120000-abcdef.wav", RATE, fsync=False)
    wav.write(to_pcm16(ramp(100)))
    wav.close()
    markers = leftover_markers(tmp_path)
    assert [m.session_id for m in markers] == ["20261126-120000-abcdef"]
    assert markers[0].wav_path.exists()


def test_recover_repairs_cleans_and_skips(tmp_path):
    from mockmic.record import recover_recordings

    folder = incoming_dir(tmp_path)
    # 1: killed mid-recording, header stale
    m1 = Marker.create(folder, "20261126-120000-aaaaaa", question="Q1")
    w1 = IncrementalWav(m1.wav_path, RATE, fsync=False)
    w1.write(to_pcm16(ramp(4410)))
    with open(m1.wav_path, "ab") as fh:
        fh.write(to_pcm16(ramp(4410)))
    m1.release()
    # 2: killed before any audio: only a header
    m2 = Marker.create(folder, "20261126-120000-bbbbbb")
    IncrementalWav(m2.wav_path, RATE, fsync=False)
    m2.release()
    # 3: still recording in this process (locked)
    m3 = Marker.create(folder, "20261126-120000-cccccc")
    IncrementalWav(m3.wav_path, RATE, fsync=False)

    ready, notes = recover_recordings(tmp_path)
    assert [p.session_id for p in ready] == ["20261126-120000-aaaaaa"]
    assert ready[0].question == "Q1"
    assert sf.info(str(ready[0].path)).frames == 8820
    assert ready[0].duration_s == pytest.approx(0.2)
    assert [n.session_id for n in notes] == ["20261126-120000-bbbbbb"]
    assert not m2.wav_path.exists() and not m2.path.exists()
    assert m3.wav_path.exists() and m3.path.exists()

    kept = ready[0].keep()
    assert kept == tmp_path / "recorded" / "20261126-120000-aaaaaa.wav"
    assert sf.info(str(kept)).frames == 8820
    assert not m1.path.exists()
    m3.release()


def test_write_errors_keep_what_reached_the_disk(tmp_path):
    """A file size limit (EFBIG, like a full disk) mid-recording: the WAV keeps every frame written."""
    script = textwrap.dedent(
        f"""
        import resource, numpy as np
        from pathlib import Path
        from mockmic.audio import IncrementalWav, to_pcm16
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
        w = IncrementalWav(Path({str(tmp_path / 'full.wav')!r}), 44100)
        written = 0
        try:
            for i in range(100):
                w.write(to_pcm16(np.full(4410, 0.25, np.float32)))
                written = w.frames_written
        except OSError as e:
            print("error", e.errno, written)
            w.abandon()
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "error"
    written = int(out[2])
    info = sf.info(str(tmp_path / "full.wav"))
    assert written > 0
    assert info.frames >= written  # every frame acknowledged is still there
    assert (tmp_path / "full.wav").stat().st_size <= 100_000
    data, _ = sf.read(str(tmp_path / "full.wav"), dtype="float32")
    assert np.allclose(data, 0.25, atol=1e-4)
