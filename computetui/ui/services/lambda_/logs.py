"""The Logs tab: the function's log streams and a live tail of their events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Log, Static

TAIL = 500


class LogsPanel(Vertical):
    DEFAULT_CSS = """
    LogsPanel { height: 1fr; }
    LogsPanel #logs-status { height: auto; padding: 0 1; color: $muted; }
    LogsPanel Log { height: 1fr; border: round $panel-lighten-2; }
    """

    def __init__(self, function_name: str) -> None:
        super().__init__(id="logs")
        self.function_name = function_name
        self.seen: set[str] = set()

    @property
    def group(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    def compose(self) -> ComposeResult:
        yield Static(Content(f"Log group {self.group}"), id="logs-status")
        yield Log(id="log", highlight=False, max_lines=5000)

    def show(self, streams: list[Any], events: list[Any]) -> None:
        """Append the events not shown yet; the tail follows new ones."""
        log = self.query_one(Log)
        fresh = [e for e in events if e.event_id not in self.seen]
        lines = []
        for event in fresh:
            self.seen.add(event.event_id)
            when = datetime.fromtimestamp(event.timestamp / 1000, tz=UTC).strftime("%H:%M:%S.%f")[:-3]
            lines.append(f"{when}  {event.message.expandtabs(2)}")
        if lines:
            log.write_lines(lines)
        newest = streams[0].log_stream_name if streams else "none yet"
        # Plain text: a stream's name holds its version in brackets (``2026/01/15/[$LATEST]…``).
        self.query_one("#logs-status", Static).update(
            Content(f"Log group {self.group} · {len(streams)} stream(s), one per execution environment · newest {newest}")
        )
