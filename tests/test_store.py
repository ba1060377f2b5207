"""The session store: round trips, modes, migrations, concurrency, crashes and unsafe ids."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from mockmic.config import data_home
from mockmic.errors import StoreError
from mockmic.results import report_to_dict
from mockmic.store import MIGRATIONS, Store, parse_since, question_key
from mockmic.store.recovery import STALE_STAGING_S
from sample_sessions import make_report, write_audio

SID = "20261126-153812-a1b2c3"
TESTS_DIR = Path(__file__).resolve().parent


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "home")


@pytest.fixture
def audio(tmp_path) -> Path:
    return write_audio(tmp_path / "answer.wav")


def test_default_home_is_mockmic_home(_private_home):
    assert Store().home == data_home() == _private_home


def test_round_trip_full_report(store, audio):
    report = make_report(SID, audio_path=str(audio))
    folder = store.save(report, audio)
    assert folder == store.home / SID
    assert sorted(p.name for p in folder.iterdir()) == ["audio.wav", "report.json"]
    assert store.get(SID) == report
    assert store.audio_path(SID) == folder / "audio.wav"
    assert (folder / "audio.wav").read_bytes() == audio.read_bytes()
    # report.json is the JSON contract plus a storage key
    data = json.loads((folder / "report.json").read_text())
    assert data["schema_version"] == 1 and data["id"] == SID
    assert data["storage"] == {"audio_mode": "copy", "audio_file": "audio.wav", "source_path": str(audio.resolve())}
    [row] = store.list()
    assert (row.id, row.question, row.duration_s, row.overall, row.words_per_minute) == (
        SID, report.question, 10.0, 72, 140.0)
    assert (row.pause_count, row.long_pause_count, row.filler_count, row.star_score, row.ownership_ratio) == (
        2, 1, 2, 55, 0.75)


def test_round_trip_partial_report_without_audio(store):
    report = make_report(SID, full=False, question=None)
    store.save(report, None)
    assert store.get(SID) == report
    assert store.audio_path(SID) is None
    [row] = store.list()
    assert row.audio_mode is None and row.overall is None and row.words_per_minute is None and row.words == 21


def test_copy_and_link_leave_the_original_unchanged(store, audio, tmp_path):
    before = (audio.read_bytes(), audio.stat().st_mtime_ns, audio.stat().st_ino)
    store.save(make_report(SID), audio, mode="copy")
    linked = "20261126-153900-bbbbbb"
    folder = store.save(make_report(linked), audio, mode="link")
    assert (audio.read_bytes(), audio.stat().st_mtime_ns, audio.stat().st_ino) == before
    assert [p.name for p in folder.iterdir()] == ["report.json"]
    assert store.audio_path(linked) == audio.resolve()
    store.delete(linked)
    store.delete(SID)
    assert audio.read_bytes() == before[0]
    # a linked original that disappears is reported as no audio, not an error
    other = write_audio(tmp_path / "gone.wav")
    store.save(make_report(linked), other, mode="link")
    other.unlink()
    assert store.audio_path(linked) is None


def test_move_takes_the_recorders_file(store, tmp_path):
    store.home.mkdir(parents=True)
    recorded = write_audio(store.home / ".recording-1234.wav")  # the recorder writes in the home
    data = recorded.read_bytes()
    folder = store.save(make_report(SID), recorded, mode="move")
    assert not recorded.exists()
    assert (folder / "audio.wav").read_bytes() == data
    assert _home_entries(store.home) == [SID]


def test_saving_again_updates_the_report_and_keeps_audio(store, audio):
    store.save(make_report(SID, overall=50), audio)
    store.save(make_report(SID, overall=90), None)
    assert store.get(SID).scores.overall == 90
    assert store.list()[0].overall == 90
    assert store.audio_path(SID).read_bytes() == audio.read_bytes()
    with pytest.raises(StoreError, match="already stored"):
        store.save(make_report(SID), audio)


def test_bad_save_arguments(store, tmp_path):
    with pytest.raises(StoreError, match="Unknown save mode 'symlink'"):
        store.save(make_report(SID), None, mode="symlink")
    with pytest.raises(StoreError, match="does not exist"):
        store.save(make_report(SID), tmp_path / "missing.wav")
    assert store.list() == []


def test_list_filters_and_order(store):
    store.save(make_report("20261101-090000-000001", created_at="2026-11-01T09:00:00+00:00"), None)
    store.save(make_report("20261110-090000-000002", created_at="2026-11-10T09:00:00+00:00",
                           question="Describe a conflict with a colleague."), None)
    store.save(make_report("20261120-090000-000003", created_at="2026-11-20T09:00:00+00:00"), None)
    assert [r.id[-1] for r in store.list()] == ["3", "2", "1"]
    assert [r.id[-1] for r in store.list(oldest_first=True)] == ["1", "2", "3"]
    assert [r.id[-1] for r in store.list(question="MISTAKE")] == ["3", "1"]
    assert [r.id[-1] for r in store.list(question="100%")] == []  # % is text, not a wildcard
    store.save(make_report("20261121-090000-000004", created_at="2026-11-21T09:00:00+00:00",
                           question="Erzählen Sie von einem FEHLER, ÜBER den Sie sich ärgerten."), None)
    assert [r.id[-1] for r in store.list(question="fehler, über")] == ["4"]
    store.delete("20261121-090000-000004")
    assert [r.id[-1] for r in store.list(since="2026-11-10")] == ["3", "2"]
    assert [r.id[-1] for r in store.list(limit=2)] == ["3", "2"]
    assert [r.id[-1] for r in store.list(limit=2, oldest_first=True)] == ["2", "3"]
    same = store.list(same_question="tell me about a time you made a mistake")
    assert [r.id[-1] for r in same] == ["3", "1"]


def test_parse_since():
    import datetime as dt

    now = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.timezone.utc)
    assert parse_since("7d", now=now) == now - dt.timedelta(days=7)
    assert parse_since("2w", now=now) == now - dt.timedelta(weeks=2)
    assert parse_since("2026-11-01T10:00+00:00") == dt.datetime(2026, 11, 1, 10, tzinfo=dt.timezone.utc)
    with pytest.raises(StoreError, match="'yesterday' is not a date"):
        parse_since("yesterday")


def test_question_key():
    assert question_key("  Tell me about   a MISTAKE? ") == question_key("tell me about a mistake") == "tell me about a mistake"
    assert question_key(None) is None and question_key(" ?") is None


def test_unknown_id_is_one_clear_sentence(store):
    for call in (store.get, store.audio_path, store.delete, store.summary):
        with pytest.raises(StoreError) as e:
            call(SID)
        assert str(e.value) == f"No session {SID} in {store.home} (see `mockmic reports list`)."


@pytest.mark.parametrize(
    "bad",
    ["../x", "..", ".", "/etc/passwd", "", "20261126-153812-a1b2c3/../../x", "..\\x",
     "20261126-153812-a1b2c3\n", "20261126-153812-A1B2C3", "x" * 500, "mockmic.db", ".staging-x"],
)
def test_unsafe_ids_are_refused_everywhere(store, audio, bad, tmp_path):
    store.save(make_report(SID), audio)  # something real in the home
    outside = sorted(p.name for p in tmp_path.iterdir())
    for call in (store.get, store.audio_path, store.delete, store.session_dir, store.summary):
        with pytest.raises(StoreError, match="is not a session id"):
            call(bad)
    with pytest.raises(StoreError, match="is not a session id"):
        store.save(make_report(bad), audio)
    assert sorted(p.name for p in tmp_path.iterdir()) == outside
    assert [r.id for r in store.list()] == [SID]


def test_symlinked_session_folder_is_not_followed(store, tmp_path):
    secret = tmp_path / "elsewhere"
    secret.mkdir()
    (secret / "report.json").write_text(json.dumps(report_to_dict(make_report(SID))))
    store.home.mkdir(parents=True)
    (store.home / SID).symlink_to(secret, target_is_directory=True)
    with pytest.raises(StoreError, match="outside the data home"):
        store.get(SID)
    with pytest.raises(StoreError, match="outside the data home"):
        store.delete(SID)
    assert (secret / "report.json").exists()
    assert store.list() == []  # recovery does not index a symlinked folder


def test_audio_file_name_in_a_tampered_report_is_not_followed(store, audio, tmp_path):
    folder = store.save(make_report(SID), audio)
    data = json.loads((folder / "report.json").read_text())
    data["storage"]["audio_file"] = "../../answer.wav"
    (folder / "report.json").write_text(json.dumps(data))
    assert store.audio_path(SID) is None


def test_damaged_report_is_a_clear_error(store, audio):
    folder = store.save(make_report(SID), audio)
    (folder / "report.json").write_text("{not json")
    with pytest.raises(StoreError, match=f"The report of session {SID} .* is damaged"):
        store.get(SID)


# --- schema and migrations -----------------------------------------------------------------

V1_SCHEMA = """
CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL);
INSERT INTO migrations VALUES ('001_create_sessions', '2026-11-01T09:00:00+00:00');
CREATE TABLE sessions (
    id TEXT PRIMARY KEY, created_at TEXT NOT NULL, created_ts REAL NOT NULL, question TEXT,
    source_path TEXT, audio_file TEXT, duration_s REAL, overall INTEGER, delivery INTEGER,
    structure INTEGER, accountability INTEGER, words_per_minute REAL, filler_count INTEGER,
    long_pause_count INTEGER);
CREATE INDEX sessions_created ON sessions (created_ts);
"""


def test_migrates_a_version_1_database(tmp_path):
    """A home written by the first schema (hand-made here) gains the trend columns, filled
    in from each session's report.json, and keeps its rows."""
    home = tmp_path / "home"
    (home / SID).mkdir(parents=True)
    report = make_report(SID)
    data = report_to_dict(report)
    data["storage"] = {"audio_mode": None, "audio_file": None, "source_path": "/x/answer.wav"}
    (home / SID / "report.json").write_text(json.dumps(data))
    conn = sqlite3.connect(home / "mockmic.db")
    conn.executescript(V1_SCHEMA)
    conn.execute(
        "INSERT INTO sessions (id, created_at, created_ts, question, source_path, duration_s, overall,"
        " words_per_minute, filler_count, long_pause_count) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (SID, report.created_at, 1795707492.0, report.question, "/x/answer.wav", 10.0, 72, 140.0, 2, 1),
    )
    conn.commit()
    conn.close()

    store = Store(home)
    assert store.schema_migrations() == [name for name, _ in MIGRATIONS]
    [row] = store.list()
    assert (row.id, row.overall, row.words_per_minute) == (SID, 72, 140.0)  # old columns kept
    assert (row.articulation_wpm, row.star_score, row.ownership_ratio, row.pause_count) == (172.6, 55, 0.75, 2)
    assert [r.id for r in store.list(same_question=report.question)] == [SID]
    conn = sqlite3.connect(home / "mockmic.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_a_database_from_a_newer_mockmic_is_refused(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    conn = sqlite3.connect(home / "mockmic.db")
    conn.executescript(V1_SCHEMA)
    conn.execute("INSERT INTO migrations VALUES ('999_from_the_future', 'x')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="written by a newer mockmic .*999_from_the_future"):
        Store(home).list()


def test_migrations_run_once(store):
    store.list()
    again = Store(store.home)
    assert again.schema_migrations() == [name for name, _ in MIGRATIONS]


# --- concurrency ---------------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    from sample_sessions import make_report
    from mockmic.store import Store
    home, tag, n, audio = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    sys.stdin.readline()  # start together
    for i in range(n):
        sid = "20261126-1500{{:02d}}-{{}}{{:05x}}".format(i % 60, tag, i)
        Store(home).save(make_report(sid, overall=i), audio)
    print("done")
    """
)


def test_two_processes_writing_at_once_both_land(tmp_path, audio):
    """Two writers start together on a fresh home (so they also race the migrations)."""
    home = tmp_path / "home"
    script = tmp_path / "writer.py"
    script.write_text(WRITER.format(tests=str(TESTS_DIR)))
    n = 25
    procs = [
        subprocess.Popen([sys.executable, str(script), str(home), tag, str(n), str(audio)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for tag in ("a", "b")
    ]
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert out.strip() == "done"
    store = Store(home)
    ids = [r.id for r in store.list()]
    assert len(ids) == 2 * n == len(set(ids))
    assert {i[-6] for i in ids} == {"a", "b"}
    assert all(store.get(i).id == i for i in ids)
    assert store.schema_migrations() == [name for name, _ in MIGRATIONS]


# --- crashes -------------------------------------------------------------------------------


def _home_entries(home: Path) -> list[str]:
    return sorted(p.name for p in home.iterdir() if not p.name.startswith("mockmic.db"))


def test_failure_between_audio_and_report_leaves_the_previous_state(store, audio, monkeypatch):
    import mockmic.store.sessions as store_module

    store.save(make_report("20261126-150000-000000"), audio)
    real = store_module.write_atomic

    def fail_on_report(path, data):
        assert (path.parent / "audio.wav").exists()  # the audio is already in place
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_module, "write_atomic", fail_on_report)
    with pytest.raises(StoreError, match=f"^Session {SID} could not be stored in .*: No space left on device.$"):
        store.save(make_report(SID), audio)
    monkeypatch.setattr(store_module, "write_atomic", real)
    assert _home_entries(store.home) == ["20261126-150000-000000"]
    assert [r.id for r in store.list()] == ["20261126-150000-000000"]
    with pytest.raises(StoreError, match="No session"):
        store.get(SID)
    store.save(make_report(SID), audio)  # the same save works afterwards
    assert store.get(SID).id == SID


CRASHER = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    from sample_sessions import make_report
    import mockmic.store as m
    import mockmic.store.sessions as sessions
    where = sys.argv[3]
    if where == "before-report":
        sessions.write_atomic = lambda path, data: os._exit(9)
    elif where == "before-index":
        m.Store._index = lambda self, *a, **k: os._exit(9)
    m.Store(Path(sys.argv[1])).save(make_report({sid!r}), Path(sys.argv[2]))
    """
)


def _crash(tmp_path, home, audio, where):
    script = tmp_path / "crash.py"
    script.write_text(CRASHER.format(tests=str(TESTS_DIR), sid=SID))
    done = subprocess.run([sys.executable, str(script), str(home), str(audio), where], capture_output=True)
    assert done.returncode == 9, done.stderr  # the process died in the middle of the save


def test_crash_between_audio_and_report(tmp_path, audio):
    """A process killed after copying the audio, before writing report.json: the session does
    not exist, the half-built folder is ignored and, once stale, cleared."""
    home = tmp_path / "home"
    Store(home).list()
    _crash(tmp_path, home, audio, "before-report")
    [staging] = [p for p in home.iterdir() if p.name.startswith(".staging-")]
    assert [p.name for p in staging.iterdir()] == ["audio.wav"]
    store = Store(home)
    assert store.list() == []
    with pytest.raises(StoreError, match="No session"):
        store.get(SID)
    assert staging.exists()  # fresh: might belong to a save still running elsewhere
    old = time.time() - STALE_STAGING_S - 60
    os.utime(staging, (old, old))
    assert Store(home).list() == []
    assert not staging.exists()
    assert audio.exists()
    Store(home).save(make_report(SID), audio)
    assert Store(home).get(SID).id == SID


def test_crash_after_the_folder_before_the_index(tmp_path, audio):
    """The folder is complete but the process died before indexing: the next store indexes it."""
    home = tmp_path / "home"
    _crash(tmp_path, home, audio, "before-index")
    assert (home / SID / "report.json").is_file()
    conn = sqlite3.connect(home / "mockmic.db")
    assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0
    conn.close()
    store = Store(home)
    assert [r.id for r in store.list()] == [SID]
    assert store.get(SID) == make_report(SID)


def test_interrupted_delete_is_finished(store, audio):
    store.save(make_report(SID), audio)
    # a delete that renamed the folder and died before touching the index
    os.rename(store.home / SID, store.home / f".deleting-{SID}-0000abcd")
    fresh = Store(store.home)
    assert fresh.list() == []
    assert _home_entries(store.home) == []


def test_row_without_folder_is_dropped(store, audio):
    import shutil

    store.save(make_report(SID), audio)
    shutil.rmtree(store.home / SID)  # removed by hand
    assert Store(store.home).list() == []


def test_delete(store, audio):
    store.save(make_report(SID), audio)
    store.delete(SID)
    assert store.list() == [] and _home_entries(store.home) == []
    with pytest.raises(StoreError, match="No session"):
        store.delete(SID)


def test_index_is_rebuilt_from_the_folders(store, audio):
    store.save(make_report(SID), audio)
    store.save(make_report("20261126-160000-00000b", question="Another question?"), None)
    for name in ("mockmic.db", "mockmic.db-wal", "mockmic.db-shm"):
        (store.home / name).unlink(missing_ok=True)
    fresh = Store(store.home)
    assert [r.id for r in fresh.list()] == ["20261126-160000-00000b", SID]
    assert fresh.list()[1].words_per_minute == 140.0 and fresh.audio_path(SID) is not None


def test_damaged_index_is_a_clear_error(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "mockmic.db").write_bytes(b"this is not a database, just bytes " * 200)
    with pytest.raises(StoreError, match=r"The session index .*mockmic.db cannot be used \(file is not a database\): move it aside"):
        Store(home).list()


def test_a_writer_waits_for_another_then_lands(store, audio, monkeypatch):
    import threading

    import mockmic.store.index as store_module

    store.schema_migrations()  # creates the home and its database
    holder = sqlite3.connect(store.home / "mockmic.db", isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
    threading.Timer(0.5, lambda: holder.execute("COMMIT")).start()
    started = time.monotonic()
    Store(store.home).save(make_report(SID), audio)
    assert time.monotonic() - started >= 0.4
    assert [r.id for r in store.list()] == [SID]
    # a lock held for longer than the busy timeout is one clear sentence, and nothing half-done
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 300)
    holder.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    try:
        with pytest.raises(StoreError, match="^The session index is busy in another mockmic process; try again in a moment.$"):
            Store(store.home).save(make_report("20261126-160000-00000b"), audio)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert time.monotonic() - started < 5
    # the same with a store that is already open: the folder it built is taken back out
    ready = Store(store.home)
    ready.list()
    holder = sqlite3.connect(store.home / "mockmic.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError, match="busy"):
            ready.save(make_report("20261126-160000-00000b"), audio, mode="move")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert audio.exists()  # a failed move leaves the recorder's file where it was
    assert _home_entries(store.home) == [SID]
    assert [r.id for r in store.list()] == [SID]
    assert not (store.home / "20261126-160000-00000b").exists()


def test_a_stray_folder_with_the_id_is_not_overwritten(store, audio):
    (store.home / SID).mkdir(parents=True)
    (store.home / SID / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="already exists but holds no report; move it aside"):
        store.save(make_report(SID), audio)
    assert (store.home / SID / "notes.txt").read_text() == "mine"
    assert store.list() == [] and _home_entries(store.home) == [SID]


def test_looking_does_not_create_a_home(tmp_path):
    store = Store(tmp_path / "nowhere")
    assert store.list() == []
    for call in (store.get, store.audio_path, store.summary, store.delete):
        with pytest.raises(StoreError, match="No session"):
            call(SID)
    assert not (tmp_path / "nowhere").exists()
