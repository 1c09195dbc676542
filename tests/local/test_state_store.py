"""The local emulator's state store: durable, migratable, safe under threads and crashes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from computetui.backends.local.state import MIGRATIONS, SCHEMA_VERSION, StateError, StateStore


def test_data_survives_close_and_reopen(tmp_path: Path) -> None:
    store = StateStore.open_dir(tmp_path)
    assert store.created
    store.put("ecs:cluster", "arn:c/1", {"clusterName": "one"}, name="one", state="ACTIVE")
    store.put_blob("code", b"\x00zip")
    revision = store.next_sequence("family")
    state_id = store.state_id
    store.close()

    again = StateStore.open_dir(tmp_path)
    assert not again.created
    assert again.get("ecs:cluster", "arn:c/1") == {"clusterName": "one"}
    assert again.get_blob("code") == b"\x00zip"
    assert again.next_sequence("family") == revision + 1
    assert again.state_id == state_id
    again.close()


def test_the_database_is_in_wal_mode(tmp_path: Path) -> None:
    StateStore.open_dir(tmp_path).close()
    db = sqlite3.connect(tmp_path / "state.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def schema(db: sqlite3.Connection) -> list[tuple[str, str]]:
    rows = db.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
    return [tuple(row) for row in rows]


@pytest.mark.parametrize("old_version", range(1, SCHEMA_VERSION))
def test_migration_from_an_older_version_keeps_the_data(tmp_path: Path, old_version: int) -> None:
    path = tmp_path / "state.db"
    # Build a database exactly as that version left it, with data in it.
    db = sqlite3.connect(path)
    for statements in MIGRATIONS[:old_version]:
        for statement in statements:
            db.execute(statement)
    db.execute(f"PRAGMA user_version = {old_version}")
    db.execute("INSERT INTO meta (key, value) VALUES ('state_id', 'old')")
    db.execute(
        "INSERT INTO resources (arn, kind, name, parent, state, created_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)",
        ("arn:f", "lambda:function", "f", None, "Active", 100.0, json.dumps({"FunctionName": "f"})),
    )
    db.commit()
    db.close()

    store = StateStore(path)
    assert store.version == SCHEMA_VERSION
    assert not store.created
    assert store.get("lambda:function", "arn:f") == {"FunctionName": "f"}
    assert store.state_id == "old"
    store.put_blob("k", b"v")
    assert store.get_blob("k") == b"v"
    store.close()
    fresh = StateStore(tmp_path / "fresh.db")
    fresh.close()
    migrated, made = sqlite3.connect(path), sqlite3.connect(tmp_path / "fresh.db")
    assert schema(migrated) == schema(made)  # the same tables and indexes as a new database
    migrated.close()
    made.close()


def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(StateError, match="newer computetui"):
        StateStore(path)


def test_a_failed_transaction_leaves_nothing_behind() -> None:
    store = StateStore()
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.put("k", "arn:1", {}, name="one")
            raise RuntimeError("boom")
    assert store.get("k", "arn:1") is None


def test_threads_writing_at_once_corrupt_nothing(tmp_path: Path) -> None:
    store = StateStore.open_dir(tmp_path)
    threads, per_thread = 8, 200

    def writer(n: int) -> None:
        for i in range(per_thread):
            with store.transaction():
                store.put("thing", f"arn:{n}:{i}", {"n": n, "i": i}, name=f"{n}-{i}")
                store.next_sequence("counter")

    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert store.count("thing") == threads * per_thread
    assert store.next_sequence("counter") == threads * per_thread + 1
    assert store.integrity_ok()
    store.close()


WRITER = """
import sys
from computetui.backends.local.state import StateStore
store = StateStore.open_dir(sys.argv[1])
i = 0
while True:
    with store.transaction():
        store.put("thing", f"arn:{i}", {"i": i, "pad": "x" * 500}, name=str(i))
        store.put_blob(f"blob:{i}", b"y" * 2000)
    print(i, flush=True)
    i += 1
"""


def test_a_writer_killed_mid_transaction_loses_nothing_committed(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert process.stdout is not None
    committed = -1
    deadline = time.monotonic() + 30
    # Let it commit a good number of transactions, then kill it with no warning.
    while committed < 300 and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        committed = int(line)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert committed >= 300, "the writer did not get going"

    store = StateStore.open_dir(tmp_path)
    assert store.integrity_ok()
    for i in range(committed + 1):  # every transaction it reported is there, whole
        assert store.get("thing", f"arn:{i}") == {"i": i, "pad": "x" * 500}
        assert store.get_blob(f"blob:{i}") == b"y" * 2000
    store.close()


def test_many_resources_are_read_by_arn_and_listed_by_field() -> None:
    store = StateStore()
    for n in range(1200):  # more than one chunk of bound parameters
        store.put("ecs:task", f"arn:t/{n}", {"n": n, "group": f"g{n % 2}", "desiredStatus": "RUNNING"},
                  name=str(n), parent="arn:c", state="RUNNING" if n % 3 else "STOPPED")
    store.put("ecs:service", "arn:s/1", {"serviceName": "s"}, name="s", parent="arn:c")
    wanted = ["arn:t/1199", "arn:t/0", "arn:t/missing", "arn:s/1", *(f"arn:t/{n}" for n in range(1, 600))]
    found = store.get_many("ecs:task", wanted)
    assert set(found) == {"arn:t/1199", "arn:t/0", *(f"arn:t/{n}" for n in range(1, 600))}  # not the service
    assert found["arn:t/1199"]["n"] == 1199
    assert json.loads(store.get_many_text("ecs:task", ["arn:t/7"])["arn:t/7"]) == found["arn:t/7"]

    rows = store.list_fields("ecs:task", ("n", "group", "absent"), parent="arn:c", states=["STOPPED"])
    assert rows == [(f"arn:t/{n}", n, f"g{n % 2}", None) for n in range(0, 1200, 3)]  # oldest first
    assert [r[0] for r in rows] == [f"arn:t/{b['n']}" for b in store.list("ecs:task", state="STOPPED")]


def summary_of(body: dict) -> list:
    return [body["n"], body.get("group")]


def test_a_kinds_summaries_are_kept_with_every_put_and_listed_in_order(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state.db")
    store.put("ecs:task", "arn:t/early", {"n": 0, "group": "g"}, name="0", parent="arn:c")  # before summarize
    store.summarize("ecs:task", summary_of, version=1)
    for n in range(1, 5):
        store.put("ecs:task", f"arn:t/{n}", {"n": n, "group": f"g{n}"}, name=str(n), parent="arn:c",
                  state="STOPPED" if n == 4 else "RUNNING")
    store.put("ecs:task", "arn:t/2", {"n": 22, "group": "changed"}, name="2", parent="arn:c", state="RUNNING")
    assert store.list_summaries("ecs:task", parent="arn:c") == [[0, "g"], [1, "g1"], [22, "changed"], [3, "g3"],
                                                                 [4, "g4"]]
    assert store.list_summaries("ecs:task", parent="arn:c", states=["STOPPED"]) == [[4, "g4"]]
    with pytest.raises(StateError):
        store.list_summaries("ecs:service")  # no summary is kept for it
    store.close()


def test_summaries_missing_or_of_another_shape_are_made_again(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = StateStore(path)
    store.summarize("ecs:task", summary_of, version=1)
    store.put("ecs:task", "arn:t/1", {"n": 1, "group": "g"}, name="1")
    store.close()
    # Another process wrote a task without keeping summaries (one written before version 5, say).
    plain = StateStore(path)
    plain.put("ecs:task", "arn:t/2", {"n": 2, "group": "h"}, name="2")
    plain.close()
    store = StateStore(path)
    store.summarize("ecs:task", summary_of, version=1)
    assert store.list_summaries("ecs:task") == [[1, "g"], [2, "h"]]
    store.summarize("ecs:task", lambda body: {"n": body["n"]}, version=2)  # a new shape: all made again
    assert store.list_summaries("ecs:task") == [{"n": 1}, {"n": 2}]
    with store.reading() as db:
        assert db.execute("SELECT summary FROM resources WHERE arn = 'arn:t/1'").fetchone()[0] == '{"n":1}'
    store.close()


def test_list_fields_reads_nested_paths() -> None:
    store = StateStore()
    store.put("ecs:task", "arn:t/1", {"containers": [{"ports": [80]}, {"ports": [443]}], "x": "[not json"},
              name="1")
    assert store.list_fields("ecs:task", ("containers[1].ports", "containers[5].ports", "x")) == [
        ("arn:t/1", [443], None, "[not json")]
    assert store.list_fields("ecs:task", ("containers[0].ports",)) == [("arn:t/1", [80])]
    assert store.list_fields("ecs:task", ("x",)) == [("arn:t/1", "[not json")]


INCREMENTER = """
import sys
from computetui.backends.local.state import StateStore
store = StateStore.open_dir(sys.argv[1])
for _ in range(int(sys.argv[2])):
    store.update("counter", "arn:c", lambda body: {**body, "n": body["n"] + 1})
store.close()
"""


def test_updates_from_two_processes_at_once_lose_no_increment(tmp_path: Path) -> None:
    store = StateStore.open_dir(tmp_path)
    store.put("counter", "arn:c", {"n": 0}, name="c")
    per_process = 300
    processes = [subprocess.Popen([sys.executable, "-c", INCREMENTER, str(tmp_path), str(per_process)],
                                  cwd=Path(__file__).resolve().parents[2]) for _ in range(2)]
    for process in processes:
        assert process.wait(timeout=60) == 0
    assert store.get("counter", "arn:c") == {"n": 2 * per_process}
    store.close()


def test_update_keeps_name_and_parent_and_sets_the_state_it_is_told() -> None:
    store = StateStore()
    store.put("thing", "arn:t", {"v": 1, "s": "OLD"}, name="t", parent="arn:p", state="OLD")

    assert store.update("thing", "arn:t", lambda b: {**b, "v": 2}) == {"v": 2, "s": "OLD"}
    assert store.list("thing", parent="arn:p", state="OLD", name="t") == [{"v": 2, "s": "OLD"}]
    store.update("thing", "arn:t", lambda b: {**b, "s": "NEW"}, state=lambda b: b["s"])
    assert store.list("thing", parent="arn:p", state="NEW", name="t") == [{"v": 2, "s": "NEW"}]


def test_update_of_a_missing_resource_or_with_nothing_to_change_writes_nothing() -> None:
    store = StateStore()
    calls = []
    assert store.update("thing", "arn:none", lambda b: calls.append(b) or b) is None
    assert calls == []
    assert store.get("thing", "arn:none") is None

    store.put("thing", "arn:t", {"v": 1}, name="t")
    assert store.update("thing", "arn:t", lambda b: None) == {"v": 1}
    with pytest.raises(ValueError):
        store.update("thing", "arn:t", lambda b: store.put_blob("half-done", b"x") or _refuse())
    assert store.get("thing", "arn:t") == {"v": 1}
    assert store.get_blob("half-done") is None  # what the change wrote went with it


def _refuse() -> dict:
    raise ValueError("refused")


# -- who may read the state ----------------------------------------------------------


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The usual umask, under which SQLite alone makes a database anyone may read."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_state_dir_and_its_database_are_private_to_the_user(tmp_path: Path, umask_022: None) -> None:
    folder = tmp_path / "state"
    store = StateStore.open_dir(folder)
    store.put("lambda:function", "arn:f", {"Environment": {"Variables": {"TOKEN": "t"}}}, name="f")
    files = {p.name: mode(p) for p in folder.iterdir()}
    store.close()
    assert mode(folder) == 0o700
    # The WAL and shared memory exist while the store is open, and SQLite gives them the database's mode.
    assert files == {"state.db": 0o600, "state.db-wal": 0o600, "state.db-shm": 0o600}


def test_an_older_state_dir_open_to_others_is_made_private_as_it_is_opened(tmp_path: Path, umask_022: None) -> None:
    folder = tmp_path / "state"
    folder.mkdir(mode=0o755)
    older = sqlite3.connect(folder / "state.db")  # as an older computetui left it: 0644 in 0755
    older.execute("PRAGMA journal_mode = WAL")
    older.execute("CREATE TABLE kept (value TEXT)")
    older.execute("INSERT INTO kept VALUES ('secret')")
    older.commit()
    try:
        assert {p.name: mode(p) for p in folder.iterdir()} == dict.fromkeys(
            ("state.db", "state.db-wal", "state.db-shm"), 0o644
        )
        store = StateStore.open_dir(folder)
        with store.reading() as db:
            assert db.execute("SELECT value FROM kept").fetchone()[0] == "secret"
        store.close()
    finally:
        older.close()
    assert mode(folder) == 0o700 and mode(folder / "state.db") == 0o600
    assert all(mode(p) == 0o600 for p in folder.iterdir())


def test_a_shared_sticky_folder_as_state_dir_keeps_its_mode_and_the_database_is_private(
    tmp_path: Path, umask_022: None
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)  # as /tmp: taking others' access away would break them
    StateStore.open_dir(shared).close()
    assert mode(shared) == 0o1777
    assert mode(shared / "state.db") == 0o600
