"""The local emulator's state: one SQLite database per state dir.

* WAL journal, foreign keys on, ``synchronous=NORMAL``: a committed
  transaction survives the process being killed.
* A schema version in ``PRAGMA user_version`` and a list of migrations; an
  older database is brought forward when opened, its data kept.
* One transaction per mutation (``with store.transaction():``), begun ``IMMEDIATE`` so it
  holds the write lock from its first read: a read-modify-write (``store.update``, or reads
  and writes in one ``transaction()``) sees the latest committed state and nobody writes in
  between, whichever process they are in.
* ``":memory:"`` for tests.
* Private to the user: the state dir is 0700 and the database, its WAL and
  its shared-memory file 0600, an older state dir made so as it is opened.
  It holds every function's code and environment variables.

A resource is stored as its model's AWS JSON plus the columns the emulator
looks it up by: kind, name, parent ARN and state.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import stat
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from computetui.backends.errors import ComputeError
from computetui.clock import Clock, SystemClock

log = logging.getLogger(__name__)

MEMORY = ":memory:"
DB_FILENAME = "state.db"
DB_COMPANIONS = ("-wal", "-shm", "-journal")
"""The files SQLite keeps beside the database; it makes them with the database's own mode."""


_V1 = (
    """CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    """CREATE TABLE resources (
        arn        TEXT PRIMARY KEY,
        kind       TEXT NOT NULL,
        name       TEXT NOT NULL,
        parent     TEXT,
        state      TEXT,
        created_at REAL NOT NULL,
        body       TEXT NOT NULL
    )""",
    "CREATE INDEX resources_kind_parent ON resources (kind, parent)",
    "CREATE INDEX resources_kind_name ON resources (kind, name)",
)

# Version 2: when a resource last changed, numbered sequences (task definition
# and job definition revisions), stored blobs (function code), CloudWatch Logs.
_V2 = (
    "ALTER TABLE resources ADD COLUMN updated_at REAL",
    "UPDATE resources SET updated_at = created_at",
    """CREATE TABLE sequences (
        name  TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    )""",
    """CREATE TABLE blobs (
        key  TEXT PRIMARY KEY,
        data BLOB NOT NULL
    )""",
    """CREATE TABLE log_groups (
        name           TEXT PRIMARY KEY,
        created_ms     INTEGER NOT NULL,
        retention_days INTEGER,
        stored_bytes   INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE log_streams (
        group_name   TEXT NOT NULL REFERENCES log_groups (name) ON DELETE CASCADE,
        name         TEXT NOT NULL,
        created_ms   INTEGER NOT NULL,
        first_ms     INTEGER,
        last_ms      INTEGER,
        ingested_ms  INTEGER,
        stored_bytes INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (group_name, name)
    )""",
    """CREATE TABLE log_events (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        group_name  TEXT NOT NULL,
        stream_name TEXT NOT NULL,
        ts_ms       INTEGER NOT NULL,
        ingested_ms INTEGER NOT NULL,
        message     TEXT NOT NULL,
        FOREIGN KEY (group_name, stream_name)
            REFERENCES log_streams (group_name, name) ON DELETE CASCADE
    )""",
    "CREATE INDEX log_events_group_ts ON log_events (group_name, ts_ms)",
    "CREATE INDEX log_events_stream ON log_events (group_name, stream_name, id)",
)


# Version 3: one row per Lambda invocation (throttled ones too), from which the
# metrics, the per-invocation cost and the month's bill are computed.
_V3 = (
    """CREATE TABLE lambda_invocations (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        function_name TEXT NOT NULL,
        version       TEXT NOT NULL,
        request_id    TEXT NOT NULL,
        started_ms    INTEGER NOT NULL,
        duration_ms   REAL NOT NULL,
        billed_ms     INTEGER NOT NULL,
        init_ms       REAL,
        memory_mb     INTEGER NOT NULL,
        max_memory_mb INTEGER NOT NULL,
        architecture  TEXT NOT NULL,
        error_type    TEXT,
        throttled     INTEGER NOT NULL DEFAULT 0,
        concurrency   INTEGER NOT NULL DEFAULT 1
    )""",
    "CREATE INDEX lambda_invocations_function ON lambda_invocations (function_name, started_ms)",
    "CREATE INDEX lambda_invocations_started ON lambda_invocations (started_ms)",
)

# Version 4: one row per running ECS task per sampling pass (its containers'
# CPU and memory use against what the task reserves), from which AWS/ECS and
# Container Insights metrics and service auto scaling are computed. Kept 24 h.
_V4 = (
    """CREATE TABLE ecs_task_samples (
        ts_ms           INTEGER NOT NULL,
        cluster_arn     TEXT NOT NULL,
        service_name    TEXT,
        task_arn        TEXT NOT NULL,
        on_instance     INTEGER NOT NULL DEFAULT 0,
        cpu_used        REAL NOT NULL,
        cpu_reserved    INTEGER NOT NULL,
        memory_used     REAL NOT NULL,
        memory_reserved INTEGER NOT NULL
    )""",
    "CREATE INDEX ecs_task_samples_service ON ecs_task_samples (cluster_arn, service_name, ts_ms)",
    "CREATE INDEX ecs_task_samples_ts ON ecs_task_samples (ts_ms)",
)

# Version 5: a resource's summary beside its body: the few fields a table row shows, made
# by the facet that registered the kind (``StateStore.summarize``), so a page of 10,000
# tasks reads small texts instead of parsing every task's JSON.
_V5 = ("ALTER TABLE resources ADD COLUMN summary TEXT",)

# Version 6: a log group's events in the order they came, so the cap finds the oldest ones
# without sorting the whole group on every write.
_V6 = ("CREATE INDEX log_events_group_id ON log_events (group_name, id)",)

# Version 7: resources by kind, parent and state in one index, so listing one state of a parent
# (a Batch queue's RUNNABLE jobs of 10,000) reads only those rows.
_V7 = ("CREATE INDEX resources_kind_parent_state ON resources (kind, parent, state)",)

# Version 8: one row per running Lightsail instance per sampling pass: CPU as a percent of its
# bundle's vCPUs, the bytes its interfaces received and sent since the last pass, and whether
# its status check failed (the container not running). GetInstanceMetricData reads these. Kept 24 h.
_V8 = (
    """CREATE TABLE lightsail_instance_samples (
        ts_ms               INTEGER NOT NULL,
        instance_arn        TEXT NOT NULL,
        cpu_percent         REAL NOT NULL,
        network_in          REAL NOT NULL,
        network_out         REAL NOT NULL,
        status_check_failed INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX lightsail_instance_samples_arn ON lightsail_instance_samples (instance_arn, ts_ms)",
    "CREATE INDEX lightsail_instance_samples_ts ON lightsail_instance_samples (ts_ms)",
)

MIGRATIONS: list[tuple[str, ...]] = [_V1, _V2, _V3, _V4, _V5, _V6, _V7, _V8]
"""``MIGRATIONS[n]`` brings a database from version ``n`` to ``n + 1``: its
statements run in one transaction with the version bump, so a failed migration
leaves the database as it was."""

SCHEMA_VERSION = len(MIGRATIONS)


WAL_SIZE_LIMIT = 8 * 1024 * 1024
"""The write-ahead log is cut back to this after a checkpoint (it grows with the largest transaction)."""


class StateError(ComputeError):
    default_code = "StateStoreError"


def _owner_only(path: Path) -> None:
    """Take the group's and others' permissions off ``path`` (one of ours), if it has any."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return
    mode = stat.S_IMODE(status.st_mode)
    if not mode & 0o077:
        return
    try:
        os.chmod(path, mode & ~0o077)
    except OSError as exc:
        log.warning("cannot make %s private to its user (%s): others may read it", path, exc.strerror)


def _private_dir(directory: Path) -> None:
    """The state dir: 0700, unless it is a folder others share on purpose (sticky, as /tmp),
    which is left as it is (the database in it is private still)."""
    try:
        status = directory.stat()
    except OSError:
        return
    if status.st_mode & stat.S_ISVTX:
        log.warning("the state dir %s is a shared folder (sticky): only its database is private", directory)
        return
    _owner_only(directory)


def _private_database(path: Path) -> None:
    """The database made 0600 before SQLite opens it (its WAL and shared memory follow its
    mode), and an older one, with the files beside it, made so."""
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    except OSError:
        return  # SQLite says why it cannot open it
    for name in ("", *DB_COMPANIONS):
        _owner_only(path.with_name(path.name + name))


class StateStore:
    """The emulator's database. Thread-safe; each mutation is one transaction."""

    def __init__(self, path: str | Path = MEMORY, *, clock: Clock | None = None) -> None:
        self.clock = clock or SystemClock()
        self.path = str(path)
        self._lock = threading.RLock()
        self._depth = 0
        if self.path != MEMORY:
            _private_database(Path(self.path))
        try:
            self._db = sqlite3.connect(
                self.path,
                timeout=30,
                isolation_level=None,  # we issue BEGIN and COMMIT ourselves
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise StateError(f"cannot open the state database {self.path}: {exc}") from exc
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.execute("PRAGMA busy_timeout = 30000")
        if self.path != MEMORY:
            # Space freed by deletions (a log group over its cap) goes back to the file system:
            # set before the first table, so it holds for a new state dir.
            self._db.execute("PRAGMA auto_vacuum = INCREMENTAL")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}")
        self.created = False
        self._summarizers: dict[str, Callable[[dict[str, Any]], Any]] = {}
        self._migrate()

    # -- opening ---------------------------------------------------------
    @classmethod
    def open_dir(cls, state_dir: str | Path, *, clock: Clock | None = None) -> StateStore:
        """The store for a state dir (created if missing), or in memory for ``":memory:"``."""
        if str(state_dir) == MEMORY:
            return cls(MEMORY, clock=clock)
        directory = Path(state_dir).expanduser()
        try:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(f"cannot create the state dir {directory}: {exc.strerror}") from exc
        _private_dir(directory)
        return cls(directory / DB_FILENAME, clock=clock)

    @property
    def version(self) -> int:
        with self._lock:
            return self._db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                current = self._db.execute("PRAGMA user_version").fetchone()[0]
                if current > SCHEMA_VERSION:
                    raise StateError(
                        f"{self.path} was written by a newer computetui (schema {current}, "
                        f"this one knows {SCHEMA_VERSION}); upgrade computetui or use another --state-dir"
                    )
                for n in range(current, SCHEMA_VERSION):
                    for statement in MIGRATIONS[n]:
                        self._db.execute(statement)
                    self._db.execute(f"PRAGMA user_version = {n + 1}")
                if current == 0:
                    self.created = True
                    self._db.execute("INSERT INTO meta (key, value) VALUES ('state_id', ?)", (uuid.uuid4().hex,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- transactions ----------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic mutation. Nested uses join the outer transaction."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self._db
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._depth = 0

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._db

    # -- meta ------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        with self.reading() as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else None

    @property
    def state_id(self) -> str:
        """A random id for this state dir; labels containers so two state dirs never adopt each other's."""
        value = self.get_meta("state_id")
        assert value is not None
        return value

    # -- resources -------------------------------------------------------
    def put(
        self,
        kind: str,
        arn: str,
        body: dict[str, Any],
        *,
        name: str,
        parent: str | None = None,
        state: str | None = None,
    ) -> None:
        """Insert or replace a resource (and its summary, when its kind has one)."""
        now = self.clock.time()
        make = self._summarizers.get(kind)
        summary = None if make is None else _dumps(make(body))
        with self.transaction() as db:
            db.execute(
                """
                INSERT INTO resources (arn, kind, name, parent, state, created_at, updated_at, body, summary)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (arn) DO UPDATE SET
                    name = excluded.name, parent = excluded.parent, state = excluded.state,
                    updated_at = excluded.updated_at, body = excluded.body, summary = excluded.summary
                """,
                (arn, kind, name, parent, state, now, now, _dumps(body), summary),
            )

    def update(
        self,
        kind: str,
        arn: str,
        change: Callable[[dict[str, Any]], dict[str, Any] | None],
        *,
        state: Callable[[dict[str, Any]], str | None] | None = None,
    ) -> dict[str, Any] | None:
        """Read a resource, change it and write it back in one write transaction, so that no
        other writer, in this process or another on the same state dir, comes between the read
        and the write: an update made meanwhile is never overwritten with an older copy.

        ``change(body)`` gets the stored body (its own copy) and returns the body to write, or
        None to write nothing; what it raises rolls the transaction back, and it may read and
        write the store itself (that joins the transaction). The resource keeps its name and
        parent; its state becomes ``state(new_body)`` when ``state`` is given. Returns the body
        as stored afterwards, or None, without calling ``change``, when there is no such resource.
        """
        with self.transaction() as db:
            row = db.execute("SELECT name, parent, state, body FROM resources WHERE kind = ? AND arn = ?",
                             (kind, arn)).fetchone()
            if row is None:
                return None
            changed = change(json.loads(row["body"]))
            if changed is None:
                return json.loads(row["body"])
            self.put(kind, arn, changed, name=row["name"], parent=row["parent"],
                     state=row["state"] if state is None else state(changed))
            return changed

    def summarize(self, kind: str, make: Callable[[dict[str, Any]], Any], *, version: int) -> None:
        """Keep a summary beside each resource of ``kind``: ``make(body)``, a JSON value, written
        with every ``put``. ``version`` names the summary's shape: when it differs from the one
        the stored summaries were made with, they are all made again, in one transaction."""
        self._summarizers[kind] = make
        key = f"summary-version:{kind}"
        with self.transaction() as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            if row is not None and row["value"] == str(version):
                return
            stale = db.execute("SELECT arn, body FROM resources WHERE kind = ?", (kind,)).fetchall()
            db.executemany("UPDATE resources SET summary = ? WHERE arn = ?",
                           [(_dumps(make(json.loads(r["body"]))), r["arn"]) for r in stale])
            db.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                       "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, str(version)))

    def list_summaries(
        self, kind: str, *, parent: str | None = None, states: Iterable[str] | None = None
    ) -> list[Any]:
        """The summaries (see ``summarize``) of a kind's resources, oldest first, as ``list``
        selects them: small texts read and parsed in one go."""
        make = self._summarizers.get(kind)
        if make is None:
            raise StateError(f"no summary is kept for {kind}")
        where, args = _where(kind, parent=parent, states=states)
        with self.reading() as db:
            rows = db.execute(f"SELECT summary, CASE WHEN summary IS NULL THEN body END FROM resources "
                              f"WHERE {where} ORDER BY created_at, rowid", args).fetchall()
        # A resource written before its kind was summarized (by another process) has none yet.
        texts = [text if text is not None else _dumps(make(json.loads(body))) for text, body in rows]
        return json.loads(f"[{','.join(texts)}]")

    def get(self, kind: str, arn: str) -> dict[str, Any] | None:
        with self.reading() as db:
            row = db.execute("SELECT body FROM resources WHERE kind = ? AND arn = ?", (kind, arn)).fetchone()
        return json.loads(row["body"]) if row else None

    def get_many(self, kind: str, arns: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Several resources by ARN in one read (missing ones are absent from the result)."""
        return {arn: json.loads(text) for arn, text in self.get_many_text(kind, arns).items()}

    def get_many_text(self, kind: str, arns: Iterable[str]) -> dict[str, str]:
        """Several resources' stored JSON text by ARN in one read (missing ones are absent).

        The text suits a model's ``model_validate_json``, which parses and
        validates in one pass, about twice as fast as ``json.loads`` then
        ``model_validate``: it matters for thousands of tasks.
        """
        wanted = list(dict.fromkeys(arns))
        found: dict[str, str] = {}
        with self.reading() as db:
            for start in range(0, len(wanted), 500):  # SQLite caps bound parameters
                chunk = wanted[start:start + 500]
                # By primary key: the unary + keeps SQLite off the kind indexes, with which it
                # would read every resource of the kind once per chunk.
                rows = db.execute(f"SELECT arn, body FROM resources WHERE arn IN ({', '.join('?' * len(chunk))}) "
                                  "AND +kind = ?", [*chunk, kind]).fetchall()
                found.update((row["arn"], row["body"]) for row in rows)
        return found

    def find(self, kind: str, name: str, parent: str | None = None) -> dict[str, Any] | None:
        """A resource by name (within a parent when given)."""
        sql = "SELECT body FROM resources WHERE kind = ? AND name = ?"
        args: list[Any] = [kind, name]
        if parent is not None:
            sql += " AND parent = ?"
            args.append(parent)
        with self.reading() as db:
            row = db.execute(sql + " ORDER BY created_at LIMIT 1", args).fetchone()
        return json.loads(row["body"]) if row else None

    def list(
        self,
        kind: str,
        *,
        parent: str | None = None,
        state: str | None = None,
        name: str | None = None,
        states: Iterable[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Resources of a kind, oldest first. ``states`` matches any of several states in one read,
        so a resource that changes state meanwhile is listed exactly once."""
        where, args = _where(kind, parent=parent, state=state, name=name, states=states)
        with self.reading() as db:
            rows = db.execute(f"SELECT body FROM resources WHERE {where} ORDER BY created_at, rowid", args).fetchall()
        return [json.loads(row["body"]) for row in rows]

    def list_fields(
        self,
        kind: str,
        fields: Sequence[str],
        *,
        parent: str | None = None,
        states: Iterable[str] | None = None,
    ) -> list[tuple[Any, ...]]:
        """``(arn, body[field], ...)`` per resource of a kind, oldest first, as ``list`` selects them.

        A field is a key or a path into the body (``containers[0].networkBindings``); a missing
        one is None. SQLite reads them all in one pass over each body (``json_extract`` with
        several paths); only those values reach Python, so listing thousands of tasks by a few
        fields stays cheap.
        """
        where, args = _where(kind, parent=parent, states=states)
        paths = ["$." + f for f in fields]
        # Several paths give an array of their values; one path gives the value, which json_array wraps.
        values = f"json_extract(body, {', '.join('?' for _ in fields)})"
        if len(fields) == 1:
            values = f"json_array({values})"
        with self.reading() as db:
            try:
                rows = db.execute(f"SELECT arn, {values} FROM resources WHERE {where} "
                                  "ORDER BY created_at, rowid", [*paths, *args]).fetchall()
            except sqlite3.OperationalError:  # an SQLite built without JSON functions
                rows = None
            if rows is None:
                bodies = db.execute(f"SELECT arn, body FROM resources WHERE {where} ORDER BY created_at, rowid",
                                    args).fetchall()
        if rows is None:
            return [(row["arn"], *(_at(json.loads(row["body"]), f) for f in fields)) for row in bodies]
        loads = json.loads
        return [(arn, *loads(values)) for arn, values in rows]

    def arns(self, kind: str, *, state: str | None = None) -> list[str]:
        """The ARNs of a kind's resources (in a state), bodies left unread: cheap to poll."""
        sql = "SELECT arn FROM resources WHERE kind = ?"
        args: list[Any] = [kind]
        if state is not None:
            sql += " AND state = ?"
            args.append(state)
        with self.reading() as db:
            return [row[0] for row in db.execute(sql, args)]

    def states(self, kind: str, arns: Iterable[str]) -> dict[str, str | None]:
        """The state column of several resources by ARN, bodies left unread (missing ones absent)."""
        wanted = list(dict.fromkeys(arns))
        found: dict[str, str | None] = {}
        with self.reading() as db:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                rows = db.execute(f"SELECT arn, state FROM resources WHERE arn IN ({', '.join('?' * len(chunk))}) "
                                  "AND +kind = ?", [*chunk, kind]).fetchall()
                found.update((row["arn"], row["state"]) for row in rows)
        return found

    def delete(self, kind: str, arn: str) -> bool:
        with self.transaction() as db:
            cursor = db.execute("DELETE FROM resources WHERE kind = ? AND arn = ?", (kind, arn))
        return cursor.rowcount > 0

    def count(self, kind: str, *, parent: str | None = None, state: str | None = None) -> int:
        sql = "SELECT COUNT(*) FROM resources WHERE kind = ?"
        args: list[Any] = [kind]
        for column, value in (("parent", parent), ("state", state)):
            if value is not None:
                sql += f" AND {column} = ?"
                args.append(value)
        with self.reading() as db:
            return db.execute(sql, args).fetchone()[0]

    def counts(self) -> dict[str, dict[str | None, int]]:
        """``{kind: {state: n}}`` over every resource, in one query."""
        result: dict[str, dict[str | None, int]] = {}
        with self.reading() as db:
            for row in db.execute("SELECT kind, state, COUNT(*) AS n FROM resources GROUP BY kind, state"):
                result.setdefault(row["kind"], {})[row["state"]] = row["n"]
        return result

    def is_empty(self) -> bool:
        with self.reading() as db:
            return db.execute("SELECT 1 FROM resources LIMIT 1").fetchone() is None

    # -- sequences and blobs ---------------------------------------------
    def next_sequence(self, name: str) -> int:
        """1, 2, 3 ... per name; never reused, even after deletes."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO sequences (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1",
                (name,),
            )
            return db.execute("SELECT value FROM sequences WHERE name = ?", (name,)).fetchone()[0]

    def put_blob(self, key: str, data: bytes) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO blobs (key, data) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET data = excluded.data",
                (key, sqlite3.Binary(data)),
            )

    def get_blob(self, key: str) -> bytes | None:
        with self.reading() as db:
            row = db.execute("SELECT data FROM blobs WHERE key = ?", (key,)).fetchone()
        return bytes(row["data"]) if row else None

    def delete_blob(self, key: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM blobs WHERE key = ?", (key,))

    def integrity_ok(self) -> bool:
        with self.reading() as db:
            return db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _at(body: Any, field: str) -> Any:
    """The value at ``field`` (``a.b[0].c``) in a parsed body, or None: ``json_extract``'s answer."""
    for key, index in _STEP.findall(field):
        if key:
            body = body.get(key) if isinstance(body, dict) else None
        else:
            body = body[int(index)] if isinstance(body, list) and int(index) < len(body) else None
        if body is None:
            return None
    return body


def _where(
    kind: str,
    *,
    parent: str | None = None,
    state: str | None = None,
    name: str | None = None,
    states: Iterable[str] | None = None,
) -> tuple[str, list[Any]]:
    """The WHERE clause (and its arguments) that picks resources of a kind by their columns."""
    sql = "kind = ?"
    args: list[Any] = [kind]
    for column, value in (("parent", parent), ("state", state), ("name", name)):
        if value is not None:
            sql += f" AND {column} = ?"
            args.append(value)
    if states is not None:
        wanted = list(states)
        sql += f" AND state IN ({', '.join('?' * len(wanted))})"
        args.extend(wanted)
    return sql, args
