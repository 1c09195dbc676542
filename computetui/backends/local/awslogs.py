"""The awslogs log driver, emulated: container output streamed into CloudWatch Logs.

Whoever runs the container says which group and stream its output goes to (ECS
names streams ``<awslogs-stream-prefix>/<container name>/<task id>``, Batch
``<job definition>/default/<task id>``). One thread per followed container
reads the engine's log stream and appends events in small batches; it ends
when the container does.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from computetui.backends.errors import ComputeError

if TYPE_CHECKING:
    from computetui.backends.docker.engine import Engine
    from computetui.clock import Clock

log = logging.getLogger(__name__)


class LogStreams(Protocol):
    """Where the events go: the emulator's CloudWatch Logs."""

    def ensure_log_stream(self, log_group_name: str, log_stream_name: str) -> None: ...

    def append_events(self, log_group_name: str, log_stream_name: str, log_events: list[dict[str, Any]]) -> None: ...

    def describe_log_streams(self, log_group_name: str) -> Sequence[Any]: ...


class ContainerLogs:
    """Follows containers' output into log streams."""

    def __init__(self, engine: Engine, logs: LogStreams, clock: Clock) -> None:
        self.engine = engine
        self.logs = logs
        self.clock = clock
        self._followers: dict[str, threading.Thread] = {}
        self._responses: dict[str, object] = {}
        self._lock = threading.Lock()

    def follow(self, container_id: str, group: str, stream: str) -> None:
        """Append the container's output to ``group``/``stream`` (made if missing) until it ends."""
        self.logs.ensure_log_stream(group, stream)
        with self._lock:
            if container_id in self._followers:
                return
            thread = threading.Thread(target=self._follow, args=(container_id, group, stream),
                                      name=f"computetui-awslogs-{container_id[:12]}", daemon=True)
            self._followers[container_id] = thread
        thread.start()

    def drain(self, container_id: str, timeout: float) -> bool:
        """Wait (at most ``timeout`` seconds) until the follower of a container that has exited has
        written its last lines; whether it has. A container not followed is drained already."""
        with self._lock:
            thread = self._followers.get(container_id)
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def unfollow(self, container_id: str) -> None:
        with self._lock:
            self._followers.pop(container_id, None)
            response = self._responses.pop(container_id, None)
        close = getattr(response, "close", None)
        if callable(close):
            try:
                close()
            except Exception:
                pass

    def _follow(self, container_id: str, group: str, stream: str) -> None:
        logs = self.logs
        batch: list[dict[str, object]] = []
        try:
            # A container followed before (the emulator restarted and adopted its task) resumes
            # after the last event the stream holds, so no line is stored twice.
            known = next((s.last_event_timestamp for s in logs.describe_log_streams(group)
                          if s.log_stream_name == stream), None) or 0
            client = self.engine.client
            since = {"since": known / 1000} if known else {}
            response = client.api.logs(container_id, stdout=True, stderr=True, stream=True, follow=True,
                                       timestamps=True, **since)
            with self._lock:
                self._responses[container_id] = response
            pending = b""
            for chunk in response:
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for raw in lines:
                    event = self._event(raw.decode("utf-8", "replace"))
                    if int(event["timestamp"]) > known:  # type: ignore[call-overload]
                        batch.append(event)
                # The read blocks until the container writes again, so whatever a chunk
                # brought is written now: one transaction per chunk, however many lines.
                if batch:
                    logs.append_events(group, stream, batch)
                    batch = []
            if pending:
                batch.append(self._event(pending.decode("utf-8", "replace")))
        except (ComputeError, Exception) as exc:  # the engine or the container went away
            log.debug("awslogs follower for %s ended: %s", container_id[:12], exc)
        finally:
            if batch:
                try:
                    logs.append_events(group, stream, batch)
                except Exception:
                    log.debug("could not write the last awslogs batch of %s", container_id[:12])
            with self._lock:
                self._followers.pop(container_id, None)
                self._responses.pop(container_id, None)

    def _event(self, line: str) -> dict[str, object]:
        return parse_line(line, int(self.clock.time() * 1000))

    def close(self) -> None:
        for container_id in list(self._followers):
            self.unfollow(container_id)


def parse_line(line: str, now_ms: int) -> dict[str, object]:
    """Docker's ``<RFC3339Nano timestamp> <text>`` -> a log event with epoch milliseconds."""
    stamp, _, text = line.partition(" ")
    try:
        moment = datetime.fromisoformat(stamp[:26].rstrip("Z") + "+00:00" if "." in stamp else stamp)
        millis = int(moment.timestamp() * 1000)
    except ValueError:
        millis, text = now_ms, line
    return {"timestamp": millis, "message": text.rstrip("\r")}
