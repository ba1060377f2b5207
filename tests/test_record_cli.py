"""`mockmic record` and `mockmic devices` as a person runs them: a subprocess recording from the
virtual microphone, stopped by Enter, a time limit, silence, Ctrl-C, SIGTERM or SIGKILL."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import soundfile as sf

from record_helpers import MOCKMIC, RecordProcess, compare_to_played, make_answer_wav, wav_is_complete
from virtual_mic import virtual_mic  # noqa: F401  (fixture)

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


@pytest.fixture(scope="module")
def answer(tmp_path_factory):
    return make_answer_wav(tmp_path_factory.mktemp("answer"))


@pytest.fixture
def home(_private_home) -> Path:
    return _private_home


def env_for(mic, home: Path) -> dict[str, str]:
    env = mic.env
    env["MOCKMIC_HOME"] = str(home)
    return env


def only(paths) -> Path:
    paths = sorted(paths)
    assert len(paths) == 1, paths
    return paths[0]


def assert_clean_error(rc: int, err: str, sentence_start: str) -> None:
    assert rc == 1, err
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and errors[0].startswith(f"Error: {sentence_start}"), err
    assert errors[0].endswith("."), err


def test_devices_lists_the_virtual_inputs(virtual_mic, home):
    out = subprocess.run(MOCKMIC + ["devices"], env=env_for(virtual_mic, home), capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["index", "name", "channels", "rate", "(Hz)"]
    rows = {line[2:].split()[1]: line for line in lines[1:]}
    assert set(rows) >= {"pulse", "default"}
    assert sum(line.startswith("*") for line in lines[1:]) == 1
    assert rows["pulse"].split()[-2:] == ["32", "44100"]


def test_enter_stops_and_the_recording_is_what_was_played(virtual_mic, home, answer):
    wav, length_s = answer
    rec = RecordProcess(["--no-analyze", "--countdown", "0", "--question", "Why?"], env_for(virtual_mic, home))
    rec.wait_recording()
    virtual_mic.play(wav)
    time.sleep(0.5)
    assert rec.running()
    rec.proc.stdin.write("\n")
    rec.proc.stdin.flush()
    rc, out, err = rec.finish()
    assert rc == 0, err
    kept = Path(out.strip())
    assert kept.parent == home / "recorded" and kept.is_file()
    assert "stopped: Enter pressed" in err
    frames = wav_is_complete(kept)
    assert length_s < frames / 44100 < length_s + 4
    correlation, delay_s = compare_to_played(wav, kept)
    assert correlation >= 0.9, correlation
    details = json.loads(kept.with_suffix(".json").read_text())
    assert details["question"] == "Why?" and details["stop_reason"] == "enter"
    assert not list((home / "incoming").iterdir())


def test_max_seconds_stops_at_exactly_that_much_audio(virtual_mic, home):
    rec = RecordProcess(["--no-analyze", "--countdown", "0", "--max-seconds", "2"], env_for(virtual_mic, home))
    rc, out, err = rec.finish(timeout=30)
    assert rc == 0, err
    assert "stopped: time limit reached" in err
    assert wav_is_complete(Path(out.strip())) == 2 * 44100


def test_countdown_comes_before_recording(virtual_mic, home):
    rec = RecordProcess(["--no-analyze", "--countdown", "2", "--max-seconds", "0.5"], env_for(virtual_mic, home))
    rc, _out, err = rec.finish(timeout=30)
    assert rc == 0, err
    lines = err.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("Starting in")]
    assert [lines[i] for i in starts] == ["Starting in 2...", "Starting in 1..."]
    assert starts[-1] < next(i for i, line in enumerate(lines) if line.startswith("Recording:"))


def test_silence_stop_waits_for_speech_then_stops_after_the_silence(virtual_mic, home, answer):
    wav, length_s = answer
    rec = RecordProcess(["--no-analyze", "--countdown", "0", "--silence-stop", "1.5", "--max-seconds", "40"],
                        env_for(virtual_mic, home))
    rec.wait_recording()
    time.sleep(2.5)  # silence before speaking must not stop it
    assert rec.running(), "".join(rec.err_lines)
    virtual_mic.play(wav)
    played_end = time.monotonic()
    rc, out, err = rec.finish(timeout=30)
    stopped_after_s = time.monotonic() - played_end
    assert rc == 0, err
    assert "stopped: silence after the answer" in err
    assert stopped_after_s < 5.0
    duration_s = wav_is_complete(Path(out.strip())) / 44100
    # 2.5 s before + the answer up to its last voiced block + 1.5 s of silence; later by the
    # player's start-up latency, never earlier.
    expected_s = 2.5 + last_voiced_s(wav) + 1.5
    assert expected_s - 0.2 < duration_s < expected_s + 3.0, (duration_s, expected_s)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signals_finish_a_valid_file(virtual_mic, home, answer, sig):
    wav, _ = answer
    rec = RecordProcess(["--no-analyze", "--countdown", "0", "--question", "Q?"], env_for(virtual_mic, home))
    rec.wait_recording()
    virtual_mic.play(wav)
    rec.proc.send_signal(sig)
    rc, out, err = rec.finish()
    assert "Traceback" not in err
    if sig == signal.SIGINT:
        assert rc == 0, err
        assert "stopped: Ctrl-C" in err
        path = Path(out.strip())
        assert path.parent == home / "recorded"
    else:
        assert rc == 143, err
        assert "Stopped by SIGTERM: the recording is kept in" in err
        path = only((home / "incoming").glob("*.wav"))
        marker = json.loads(path.with_suffix(".json").read_text())
        assert marker["state"] == "recorded" and marker["stop_reason"] == "terminate"
    wav_is_complete(path)
    correlation, _ = compare_to_played(wav, path)
    assert correlation >= 0.9
    if sig == signal.SIGTERM:
        # The kept recording is taken up by --recover, unchanged.
        out = subprocess.run(MOCKMIC + ["record", "--recover", "--no-analyze"], env=env_for(virtual_mic, home),
                             capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        kept = Path(out.stdout.strip())
        assert kept == home / "recorded" / path.name
        assert compare_to_played(wav, kept)[0] >= 0.9


def last_voiced_s(wav: Path) -> float:
    """End of the last 50 ms block the recorder's default options count as voice."""
    from mockmic.record.levels import LevelOptions, rms_dbfs

    data, rate = sf.read(str(wav), dtype="float32")
    hop = int(0.05 * rate)
    voiced = [i for i in range(data.size // hop) if rms_dbfs(data[i * hop : (i + 1) * hop]) >= LevelOptions().speech_dbfs]
    return (voiced[-1] + 1) * hop / rate


def _record_then_kill(mic, home, wav) -> tuple[Path, float]:
    rec = RecordProcess(["--no-analyze", "--countdown", "0", "--question", "Killed?"], env_for(mic, home))
    rec.wait_recording()
    mic.play(wav)
    time.sleep(1.5)  # past the next flush
    elapsed = time.monotonic() - rec.started_at
    rec.proc.send_signal(signal.SIGKILL)
    rc, _out, _err = rec.finish()
    assert rc == -signal.SIGKILL
    return only((home / "incoming").glob("*.wav")), elapsed


def test_a_killed_recording_is_recovered_with_record_recover(virtual_mic, home, answer):
    wav, _ = answer
    partial, elapsed = _record_then_kill(virtual_mic, home, wav)
    assert json.loads(partial.with_suffix(".json").read_text())["state"] == "recording"
    out = subprocess.run(MOCKMIC + ["record", "--recover", "--no-analyze"], env=env_for(virtual_mic, home),
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "Recovered 1 interrupted recording(s)" in out.stderr
    kept = Path(out.stdout.strip())
    seconds = wav_is_complete(kept) / 44100
    assert elapsed - 1.5 <= seconds <= elapsed + 0.5, (seconds, elapsed)  # at most ~1 s lost
    correlation, _ = compare_to_played(wav, kept)
    assert correlation >= 0.9
    assert json.loads(kept.with_suffix(".json").read_text())["question"] == "Killed?"
    assert not list((home / "incoming").iterdir())


def test_the_next_recording_recovers_a_killed_one(virtual_mic, home, answer):
    wav, _ = answer
    partial, _ = _record_then_kill(virtual_mic, home, wav)
    rec = RecordProcess(["--no-analyze", "--countdown", "0", "--max-seconds", "1"], env_for(virtual_mic, home))
    rc, out, err = rec.finish(timeout=30)
    assert rc == 0, err
    assert "Recovered 1 interrupted recording(s)" in err
    kept = sorted(Path(line) for line in out.split())
    assert len(kept) == 2
    assert (home / "recorded" / partial.name) in kept
    assert compare_to_played(wav, home / "recorded" / partial.name)[0] >= 0.9


def test_no_microphone_is_one_clear_sentence(tmp_path, home):
    env = dict(os.environ, PULSE_SERVER=f"unix:{tmp_path}/no-such-server", MOCKMIC_HOME=str(home))
    client_conf = tmp_path / "client.conf"
    client_conf.write_text("autospawn = no\n")
    env["PULSE_CLIENTCONFIG"] = str(client_conf)
    for args in (["record", "--countdown", "0"], ["devices"]):
        out = subprocess.run(MOCKMIC + args, env=env, capture_output=True, text=True, timeout=60)
        assert_clean_error(out.returncode, out.stderr, "No microphone was found")
    assert not (home / "incoming").exists() or not list((home / "incoming").iterdir())


def test_a_server_that_went_down_is_no_microphone(virtual_mic, home):
    env = env_for(virtual_mic, home)
    virtual_mic.stop()
    out = subprocess.run(MOCKMIC + ["record", "--countdown", "0"], env=env, capture_output=True, text=True, timeout=60)
    assert_clean_error(out.returncode, out.stderr, "No microphone was found")


def test_unknown_device_names_the_problem(virtual_mic, home):
    out = subprocess.run(MOCKMIC + ["record", "--device", "usb headset", "--countdown", "0"],
                         env=env_for(virtual_mic, home), capture_output=True, text=True, timeout=60)
    assert_clean_error(out.returncode, out.stderr, "No input device matches 'usb headset'")


def test_missing_portaudio_says_what_to_install(home):
    # find_library answering None is exactly what sounddevice sees on a machine without it.
    code = ("import ctypes.util, sys; ctypes.util.find_library = lambda name: None; "
            "sys.argv[0] = 'mockmic'; from mockmic.cli import main; main()")
    for args in (["record", "--countdown", "0"], ["devices"]):
        out = subprocess.run([sys.executable, "-c", code, *args], env=dict(os.environ, MOCKMIC_HOME=str(home)),
                             capture_output=True, text=True, timeout=60)
        assert_clean_error(out.returncode, out.stderr, "PortAudio is not installed: sudo apt-get install libportaudio2.")


def test_analyze_never_imports_sounddevice():
    code = ("import sys, mockmic.cli, mockmic.pipeline, mockmic.audio, mockmic.store, mockmic.record.incoming, "
            "mockmic.record.levels, mockmic.record.stopping, mockmic.cli.record; print('sounddevice' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_full_disk_keeps_what_was_written(virtual_mic, home, answer):
    """The file size limit (RLIMIT_FSIZE) refuses writes as a full disk does."""
    wav, _ = answer
    limit = 300_000  # bytes: about 3.4 s of 16-bit mono at 44.1 kHz

    def limit_file_size():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    rec = RecordProcess(["--no-analyze", "--countdown", "0", "--max-seconds", "30"], env_for(virtual_mic, home),
                        preexec_fn=limit_file_size)
    rec.wait_recording()
    virtual_mic.play(wav, wait=False)
    rc, _out, err = rec.finish(timeout=30)
    assert_clean_error(rc, err, "Recording stopped because the file grew past the size limit: the ")
    assert "are kept in" in err and "mockmic record --recover" in err
    path = only((home / "incoming").glob("*.wav"))
    frames = wav_is_complete(path)
    assert (limit - 44) // 2 - 44100 <= frames <= (limit - 44) // 2  # lost at most the last second
    # Once there is space again, nothing is lost on the way out.
    out = subprocess.run(MOCKMIC + ["record", "--recover", "--no-analyze"], env=env_for(virtual_mic, home),
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert sf.info(out.stdout.strip()).frames == frames


def test_question_and_question_id_exclude_each_other(home):
    out = subprocess.run(MOCKMIC + ["record", "--question", "a", "--question-id", "b"],
                         env=dict(os.environ, MOCKMIC_HOME=str(home)), capture_output=True, text=True)
    assert out.returncode == 2 and "either --question or --question-id" in out.stderr


def test_every_option_has_help(home):
    out = subprocess.run(MOCKMIC + ["record", "--help"], capture_output=True, text=True, check=True).stdout
    for option in ("--question", "--question-id", "--device", "--max-seconds", "--countdown",
                   "--silence-stop", "--no-analyze", "--recover"):
        line = next(line for line in out.splitlines() if line.strip().startswith(option))
        assert len(line.split()) > 2, line
    assert "incoming/" in out


def test_question_id_takes_the_question_from_the_bank(virtual_mic, home):
    from mockmic.practice.questions import load_questions

    question = load_questions()[0]
    rec = RecordProcess(["--no-analyze", "--countdown", "0", "--max-seconds", "0.5", "--question-id", question.id],
                        env_for(virtual_mic, home))
    rc, out, err = rec.finish(timeout=30)
    assert rc == 0, err
    assert f"Question: {question.text}" in err
    assert json.loads(Path(out.strip()).with_suffix(".json").read_text())["question"] == question.text
    bad = subprocess.run(MOCKMIC + ["record", "--question-id", "no-such-id"], env=env_for(virtual_mic, home),
                         capture_output=True, text=True)
    assert_clean_error(bad.returncode, bad.stderr, "No question with id 'no-such-id'")


def _stored(home: Path, report: dict) -> Path:
    folder = home / report["id"]
    assert (folder / "report.json").is_file()
    assert report["audio"]["path"] == str(folder / "audio.wav")
    assert (folder / "audio.wav").is_file()
    assert not list((home / "incoming").iterdir())
    return folder


@pytest.mark.slow
def test_record_analyses_and_stores_the_answer(virtual_mic, home, answer):
    wav, _ = answer
    rec = RecordProcess(["--countdown", "0", "--silence-stop", "1.5", "--format", "json",
                         "--question", "Tell me about a mistake."], env_for(virtual_mic, home))
    rec.wait_recording()
    virtual_mic.play(wav)
    rc, out, err = rec.finish(timeout=300)
    assert rc == 0, err
    report = json.loads(out)
    assert report["question"] == "Tell me about a mistake."
    text = report["transcript"]["text"].lower()
    assert "mistake" in text and "release" in text, text
    assert report["audio"]["original_sample_rate"] == 44100
    folder = _stored(home, report)
    assert f"Stored session {report['id']} in {folder}" in err
    assert compare_to_played(wav, folder / "audio.wav")[0] >= 0.9


@pytest.mark.slow
def test_a_killed_recording_is_recovered_analysed_and_stored(virtual_mic, home, answer):
    wav, _ = answer
    _record_then_kill(virtual_mic, home, wav)
    out = subprocess.run(MOCKMIC + ["record", "--recover", "--format", "json"], env=env_for(virtual_mic, home),
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["question"] == "Killed?"
    assert "mistake" in report["transcript"]["text"].lower()
    _stored(home, report)


def test_silent_input_is_warned_about(virtual_mic, home):
    rec = RecordProcess(["--no-analyze", "--countdown", "0", "--max-seconds", "4"], env_for(virtual_mic, home))
    rc, _out, err = rec.finish(timeout=30)
    assert rc == 0, err
    warning = next(line for line in err.splitlines() if "no sound" in line)
    # after 3 s of near-zero input (shown when the next status is drawn, every 0.1 s)
    assert 2.9 <= float(warning.split("]")[0].strip("[ s")) <= 3.6


def test_clipping_is_warned_about(virtual_mic, home, tmp_path):
    import numpy as np

    rate = 44100
    t = np.arange(rate) / rate
    square = np.sign(np.sin(2 * np.pi * 200 * t)).astype(np.float32)  # full scale
    loud = tmp_path / "loud.wav"
    sf.write(str(loud), np.concatenate([np.zeros(rate // 2, np.float32), square]), rate, subtype="PCM_16")
    rec = RecordProcess(["--no-analyze", "--countdown", "0", "--max-seconds", "3"], env_for(virtual_mic, home))
    rec.wait_recording()
    virtual_mic.play(loud)
    rc, _out, err = rec.finish(timeout=30)
    assert rc == 0, err
    assert "clipping: lower the input gain or move back" in err


def test_a_frozen_process_is_not_taken_for_an_unplugged_mic(virtual_mic, home, answer):
    """SIGSTOP for 4 s (longer than the 3 s stall limit): the sound server buffers the audio,
    and the recorder resumes instead of declaring the microphone gone."""
    wav, _ = answer
    rec = RecordProcess(["--no-analyze", "--countdown", "0"], env_for(virtual_mic, home))
    rec.wait_recording()
    player = virtual_mic.play(wav, wait=False)
    time.sleep(1.0)
    rec.proc.send_signal(signal.SIGSTOP)
    time.sleep(4.0)
    rec.proc.send_signal(signal.SIGCONT)
    player.wait(timeout=60)
    time.sleep(1.0)
    rec.proc.stdin.write("\n")
    rec.proc.stdin.flush()
    rc, out, err = rec.finish()
    assert rc == 0, err
    assert "stopped: Enter pressed" in err
    assert compare_to_played(wav, Path(out.strip()))[0] >= 0.9


def test_on_a_terminal_the_live_line_shows_time_and_level_and_enter_stops(virtual_mic, home, answer):
    import pty
    import threading

    wav, _ = answer
    master, slave = pty.openpty()
    proc = subprocess.Popen(MOCKMIC + ["record", "--no-analyze", "--countdown", "0"], env=env_for(virtual_mic, home),
                            stdin=slave, stderr=slave, stdout=subprocess.PIPE, text=True)
    os.close(slave)
    screen = bytearray()

    def read():
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                return
            if not data:
                return
            screen.extend(data)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + 30
    while b"Recording:" not in screen and time.monotonic() < deadline:
        time.sleep(0.05)
    virtual_mic.play(wav)
    os.write(master, b"\r")  # Enter on a terminal
    out, _ = proc.communicate(timeout=60)
    reader.join(timeout=5)
    os.close(master)
    text = screen.decode("utf-8", errors="replace")
    assert proc.returncode == 0, text
    assert "\r\x1b[2K● REC 0:0" in text
    levels = [float(part.split("dBFS")[0].split()[-1]) for part in text.split("● REC")[1:] if "dBFS" in part
              and part.split("dBFS")[0].split()[-1] != "-inf"]
    assert max(levels) > -30  # the speech moved the meter
    assert "stopped: Enter pressed" in text
    assert compare_to_played(wav, Path(out.strip()))[0] >= 0.9


def test_unplugging_mid_recording_keeps_the_answer(virtual_mic, home, answer):
    wav, _ = answer
    rec = RecordProcess(["--no-analyze", "--countdown", "0"], env_for(virtual_mic, home))
    rec.wait_recording()
    virtual_mic.play(wav, wait=False)
    time.sleep(2.0)
    virtual_mic.stop()
    rc, out, err = rec.finish(timeout=30)
    assert rc == 0, err
    assert "stopped delivering audio (unplugged or taken by another program)" in err
    assert "Traceback" not in err
    assert 1.0 <= wav_is_complete(Path(out.strip())) / 44100 <= 3.0


def test_a_failed_analysis_keeps_the_recording_for_recover(virtual_mic, home, answer, tmp_path):
    wav, _ = answer
    # A model folder that passes the up-front check but fails to load: the analysis fails after recording.
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "model.bin").write_bytes(b"not a model")
    (broken / "config.json").write_text("{}")
    rec = RecordProcess(["--countdown", "0", "--max-seconds", "3", "--model", str(broken)],
                        env_for(virtual_mic, home))
    rec.wait_recording()
    virtual_mic.play(wav, wait=False)
    rc, _out, err = rec.finish(timeout=120)
    assert rc == 1, err
    assert "Traceback" not in err
    assert "mockmic record --recover` retries." in err
    path = only((home / "incoming").glob("*.wav"))
    assert f"kept in {path}" in err
    assert wav_is_complete(path) == 3 * 44100
    assert json.loads(path.with_suffix(".json").read_text())["state"] == "recorded"


def test_between_two_recordings_stdin_belongs_to_the_program(virtual_mic, home):
    """The practice-mode pattern: record, read a line with input(), record again, stop with Enter."""
    script = (
        "from mockmic.record import RecordOptions, record_answer\n"
        "first = record_answer(options=RecordOptions(max_seconds=1))\n"
        "print('ready', flush=True)\n"
        "print('got', input(), flush=True)\n"
        "second = record_answer(on_recording=lambda: print('recording', flush=True))\n"
        "print(first.stop_reason, second.stop_reason, flush=True)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], env=env_for(virtual_mic, home), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    proc.stdin.write("next question\n")
    proc.stdin.flush()
    assert proc.stdout.readline().strip() == "got next question"
    assert proc.stdout.readline().strip() == "recording"
    proc.stdin.write("\n")
    proc.stdin.flush()
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert out.split() == ["max_seconds", "enter"]


def test_a_data_home_that_cannot_be_written_is_one_sentence(virtual_mic, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    env = env_for(virtual_mic, blocker / "home")
    out = subprocess.run(MOCKMIC + ["record", "--countdown", "0", "--max-seconds", "1"], env=env,
                         capture_output=True, text=True, timeout=60)
    assert_clean_error(out.returncode, out.stderr, f"Recordings cannot be written in {blocker / 'home' / 'incoming'}")


def test_ctrl_c_during_the_countdown_cancels_and_writes_nothing(virtual_mic, home):
    rec = RecordProcess(["--countdown", "5"], env_for(virtual_mic, home))
    deadline = time.monotonic() + 30
    while not any(line.startswith("Starting in") for line in rec.err_lines) and time.monotonic() < deadline:
        time.sleep(0.05)
    rec.proc.send_signal(signal.SIGINT)
    rc, out, err = rec.finish(timeout=30)
    assert rc == 130, err
    assert "Traceback" not in err and "Interrupted." in err
    assert "Recording:" not in err
    assert not (home / "incoming").exists() or not list((home / "incoming").iterdir())
