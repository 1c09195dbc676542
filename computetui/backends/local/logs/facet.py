"""CloudWatch Logs in the local emulator, kept in the state store.

Each group keeps at most ``max_group_bytes`` of messages; the oldest events go
first when a group is over its cap, and the pages they held go back to the file
system (the store's incremental auto-vacuum), so the cap holds on disk too.
"""

from __future__ import annotations

from typing import Any

from computetui.backends.base import LogsFacet
from computetui.backends.errors import Conflict, InvalidParameter, NotFound
from computetui.backends.local.facet import LocalFacetMixin
from computetui.backends.rules import logs as rules
from computetui.backends.rules.validation import validated
from computetui.models import logs as m

DEFAULT_MAX_GROUP_BYTES = 8 * 1024 * 1024
EVENT_OVERHEAD = 48
"""Bytes a stored event costs beyond its text: ids, times, and the index entries."""


FREE_PAGES_KEPT = 512
"""Free pages (4 KB each) left for the next writes to reuse before any go back to the file system."""


def give_back_free_pages(db: Any) -> None:
    """Return the database's free pages beyond ``FREE_PAGES_KEPT`` to the file system
    (incremental auto-vacuum): the file stays within a few MB of what it holds, and a group
    at its cap, which frees pages with every write, does not vacuum with every write. Python's
    sqlite3 runs ``PRAGMA incremental_vacuum`` one page per call, so it is called once a page."""
    free = db.execute("PRAGMA freelist_count").fetchone()[0]
    if free <= FREE_PAGES_KEPT:
        return
    for _ in range(free):
        db.execute("PRAGMA incremental_vacuum(1)")


def event_cost(group: str, stream: str, message: str) -> int:
    """What one event really takes in the database (its row, and the indexes that repeat its names),
    so the cap bounds memory and disk, not just message text."""
    return len(message.encode()) + 2 * (len(group.encode()) + len(stream.encode())) + EVENT_OVERHEAD


class LocalLogs(LocalFacetMixin, LogsFacet):
    max_group_bytes = DEFAULT_MAX_GROUP_BYTES

    def _require_group(self, db: Any, name: str) -> None:
        if db.execute("SELECT 1 FROM log_groups WHERE name = ?", (name,)).fetchone() is None:
            raise NotFound("The specified log group does not exist.")

    @validated(rules.CREATE_LOG_GROUP)
    def create_log_group(self, log_group_name: str) -> m.LogGroup:
        if not 1 <= len(log_group_name) <= 512:
            raise InvalidParameter(
                "logGroupName must be 1-512 characters", code="InvalidParameterException", field="logGroupName"
            )
        with self.store.transaction() as db:
            if db.execute("SELECT 1 FROM log_groups WHERE name = ?", (log_group_name,)).fetchone():
                raise Conflict("The specified log group already exists", code="ResourceAlreadyExistsException")
            db.execute("INSERT INTO log_groups (name, created_ms) VALUES (?, ?)", (log_group_name, self.now_ms))
        return self._group(log_group_name)

    def ensure_log_stream(self, log_group_name: str, log_stream_name: str) -> None:
        """Create the group and stream when missing, as the Lambda service does for a function's log."""
        with self.store.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO log_groups (name, created_ms) VALUES (?, ?)", (log_group_name, self.now_ms)
            )
            db.execute(
                "INSERT OR IGNORE INTO log_streams (group_name, name, created_ms) VALUES (?, ?, ?)",
                (log_group_name, log_stream_name, self.now_ms),
            )

    @validated(rules.CREATE_LOG_STREAM)
    def create_log_stream(self, log_group_name: str, log_stream_name: str) -> None:
        with self.store.transaction() as db:
            self._require_group(db, log_group_name)
            if db.execute(
                "SELECT 1 FROM log_streams WHERE group_name = ? AND name = ?", (log_group_name, log_stream_name)
            ).fetchone():
                raise Conflict("The specified log stream already exists", code="ResourceAlreadyExistsException")
            db.execute(
                "INSERT INTO log_streams (group_name, name, created_ms) VALUES (?, ?, ?)",
                (log_group_name, log_stream_name, self.now_ms),
            )

    @validated(rules.PUT_LOG_EVENTS)
    def put_log_events(self, log_group_name: str, log_stream_name: str, log_events: list[dict[str, Any]]) -> None:
        self.append_events(log_group_name, log_stream_name, log_events)

    def append_events(self, log_group_name: str, log_stream_name: str, log_events: list[dict[str, Any]]) -> None:
        """Append ``[{"timestamp": ms, "message": str}, ...]`` to a stream.

        The emulator's own writer (function and container output): not guarded
        by read-only mode, since the user did not ask for it.
        """
        if not log_events:
            return
        ingested = self.now_ms
        size = sum(event_cost(log_group_name, log_stream_name, e["message"]) for e in log_events)
        with self.store.transaction() as db:
            if (
                db.execute(
                    "SELECT 1 FROM log_streams WHERE group_name = ? AND name = ?", (log_group_name, log_stream_name)
                ).fetchone()
                is None
            ):
                raise NotFound("The specified log stream does not exist.")
            db.executemany(
                "INSERT INTO log_events (group_name, stream_name, ts_ms, ingested_ms, message) VALUES (?, ?, ?, ?, ?)",
                [(log_group_name, log_stream_name, e["timestamp"], ingested, e["message"]) for e in log_events],
            )
            first = min(e["timestamp"] for e in log_events)
            last = max(e["timestamp"] for e in log_events)
            db.execute(
                """UPDATE log_streams SET first_ms = COALESCE(MIN(first_ms, ?), ?), last_ms = MAX(COALESCE(last_ms, 0), ?),
                   ingested_ms = ?, stored_bytes = stored_bytes + ? WHERE group_name = ? AND name = ?""",
                (first, first, last, ingested, size, log_group_name, log_stream_name),
            )
            db.execute("UPDATE log_groups SET stored_bytes = stored_bytes + ? WHERE name = ?", (size, log_group_name))
            self._enforce_cap(db, log_group_name)

    def _enforce_cap(self, db: Any, group: str) -> None:
        stored = db.execute("SELECT stored_bytes FROM log_groups WHERE name = ?", (group,)).fetchone()[0]
        if stored <= self.max_group_bytes:
            return
        excess = stored - self.max_group_bytes
        freed = 0
        last_id = None
        for row in db.execute(
            "SELECT id, LENGTH(CAST(message AS BLOB)) + 2 * (LENGTH(CAST(group_name AS BLOB)) + "
            "LENGTH(CAST(stream_name AS BLOB))) + ? AS size FROM log_events WHERE group_name = ? ORDER BY id",
            (EVENT_OVERHEAD, group),
        ):
            freed += row["size"]
            last_id = row["id"]
            if freed >= excess:
                break
        if last_id is not None:
            db.execute("DELETE FROM log_events WHERE group_name = ? AND id <= ?", (group, last_id))
            db.execute("UPDATE log_groups SET stored_bytes = stored_bytes - ? WHERE name = ?", (freed, group))
            give_back_free_pages(db)

    @validated(rules.LOG_GROUP)
    def delete_log_group(self, log_group_name: str) -> None:
        with self.store.transaction() as db:
            self._require_group(db, log_group_name)
            db.execute("DELETE FROM log_groups WHERE name = ?", (log_group_name,))

    def _group(self, name: str) -> m.LogGroup:
        with self.store.reading() as db:
            row = db.execute("SELECT * FROM log_groups WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise NotFound("The specified log group does not exist.")
        return m.LogGroup(
            log_group_name=row["name"],
            arn=self.ids.log_group(row["name"]),
            creation_time=row["created_ms"],
            retention_in_days=row["retention_days"],
            stored_bytes=row["stored_bytes"],
        )

    @validated(rules.DESCRIBE_LOG_GROUPS)
    def describe_log_groups(self, log_group_name_prefix: str | None = None) -> list[m.LogGroup]:
        with self.store.reading() as db:
            rows = db.execute(
                "SELECT name FROM log_groups WHERE name LIKE ? ESCAPE '\\' ORDER BY name",
                (_like_prefix(log_group_name_prefix or ""),),
            ).fetchall()
        return [self._group(row["name"]) for row in rows]

    @validated(rules.DESCRIBE_LOG_STREAMS)
    def describe_log_streams(
        self, log_group_name: str, order_by: str = "LastEventTime", descending: bool = True, limit: int | None = None
    ) -> list[m.LogStream]:
        column = "COALESCE(last_ms, created_ms)" if order_by == "LastEventTime" else "name"
        direction = "DESC" if descending else "ASC"
        with self.store.reading() as db:
            self._require_group(db, log_group_name)
            rows = db.execute(
                f"SELECT * FROM log_streams WHERE group_name = ? ORDER BY {column} {direction} LIMIT ?",
                (log_group_name, limit or -1),
            ).fetchall()
        return [
            m.LogStream(
                log_stream_name=r["name"],
                arn=self.ids.log_stream(log_group_name, r["name"]),
                creation_time=r["created_ms"],
                first_event_timestamp=r["first_ms"],
                last_event_timestamp=r["last_ms"],
                last_ingestion_time=r["ingested_ms"],
                stored_bytes=r["stored_bytes"],
            )
            for r in rows
        ]

    @validated(rules.GET_LOG_EVENTS)
    def get_log_events(
        self,
        log_group_name: str,
        log_stream_name: str,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int | None = None,
        start_from_head: bool = False,
    ) -> list[m.OutputLogEvent]:
        limit = limit or 10_000
        with self.store.reading() as db:
            self._require_group(db, log_group_name)
            rows = db.execute(
                f"""SELECT ts_ms, message, ingested_ms FROM log_events
                    WHERE group_name = ? AND stream_name = ? AND ts_ms >= ? AND ts_ms < ?
                    ORDER BY id {"ASC" if start_from_head else "DESC"} LIMIT ?""",
                (log_group_name, log_stream_name, start_time or 0, end_time or 2**62, limit),
            ).fetchall()
        if not start_from_head:
            rows = rows[::-1]
        return [
            m.OutputLogEvent(timestamp=r["ts_ms"], message=r["message"], ingestion_time=r["ingested_ms"]) for r in rows
        ]

    @validated(rules.FILTER_LOG_EVENTS)
    def filter_log_events(
        self,
        log_group_name: str,
        filter_pattern: str | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        log_stream_names: list[str] | None = None,
        limit: int | None = None,
    ) -> list[m.FilteredLogEvent]:
        """Events whose message contains ``filter_pattern`` (a plain substring), oldest first."""
        sql = (
            "SELECT id, stream_name, ts_ms, message, ingested_ms FROM log_events "
            "WHERE group_name = ? AND ts_ms >= ? AND ts_ms < ?"
        )
        args: list[Any] = [log_group_name, start_time or 0, end_time or 2**62]
        if filter_pattern:
            sql += " AND instr(message, ?) > 0"
            args.append(filter_pattern.strip('"'))
        if log_stream_names:
            sql += f" AND stream_name IN ({','.join('?' * len(log_stream_names))})"
            args.extend(log_stream_names)
        sql += " ORDER BY ts_ms, id LIMIT ?"
        args.append(limit or 10_000)
        with self.store.reading() as db:
            self._require_group(db, log_group_name)
            rows = db.execute(sql, args).fetchall()
        return [
            m.FilteredLogEvent(
                log_stream_name=r["stream_name"],
                timestamp=r["ts_ms"],
                message=r["message"],
                ingestion_time=r["ingested_ms"],
                event_id=str(r["id"]),
            )
            for r in rows
        ]


def _like_prefix(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
