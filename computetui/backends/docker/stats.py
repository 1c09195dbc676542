"""Live resource usage of containers, for ECS's CPUUtilization and MemoryUtilization.

A one-shot ``docker stats`` answer costs about a second: the engine samples
the container twice to compute a CPU rate. So :class:`StatsCollector` keeps
one long-lived stats stream (``GET /containers/{id}/stats?stream=1``) per
watched container instead, each read by a daemon thread, and always has the
latest sample ready: :meth:`StatsCollector.latest` never touches the engine.

How the engine's stream behaves (Docker 20.10, checked against a real engine):

* the HTTP headers and the first frame come at once, then one frame a second;
  the first frame has no ``precpu_stats`` (no CPU baseline), so the first
  :class:`StatsSample` is published about one second after :meth:`watch`;
* once the container stops, the engine keeps the stream open and sends an
  empty frame a second (``read`` is ``0001-01-01T00:00:00Z``, no memory
  stats); when the container is removed, it ends the stream.

The collector's rules:

* a stream whose container stops (an empty frame after a real one) or goes
  away (the engine ends the stream, or answers 404) ends its thread quietly;
  the container stays in :meth:`~StatsCollector.watched` with its last sample
  (``StatsSample.at`` says how old it is) until :meth:`~StatsCollector.unwatch`.
  :meth:`~StatsCollector.is_streaming` tells a live stream from an ended one,
  and calling :meth:`~StatsCollector.watch` again starts a new stream (after
  a container restart, or once the engine is back);
* a container watched before it runs (created, not started) is given
  ``start_grace`` seconds of empty frames to start;
* nothing raises out of a stream thread: an unreachable engine, a container
  that is gone or a stream cut half-way are logged (debug or info) and end
  the thread.

Each stream has its own docker ``APIClient`` (one connection, closed with the
stream) rather than sharing the engine's: a stream holds its connection for as
long as it runs, and twenty of them returned to the engine's ten-connection
pool would make urllib3 log "Connection pool is full" warnings. The engine is
still asked first (``engine.client``), which says why it cannot be reached.
Stopping a stream shuts its socket down (``shutdown(SHUT_RDWR)``), which wakes
the thread blocked reading it; the thread then closes the response itself
(closing a buffered socket file from another thread would wait for the read).
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

logger = logging.getLogger(__name__)

THREAD_NAME_PREFIX = "computetui-stats-"
"""Stream threads are named ``computetui-stats-<first 12 characters of the container id>``."""

CPU_UNITS_PER_CORE = 1024
"""ECS's unit: 1024 CPU units are one vCPU (one core here)."""

MIB = 1024 * 1024

_ZERO_TIME = "0001-01-01T00:00:00Z"  # Go's zero time.Time: the engine's "not running" frame


@dataclass(frozen=True)
class StatsSample:
    """One container's resource usage, as ``docker stats`` would show it."""

    container_id: str
    at: float
    """``time.monotonic()`` when the frame was read."""
    cpu_cores: float
    """CPU in use, in cores (1.0 is one core busy), over the engine's last sampling interval (about 1 s)."""
    memory_bytes: int
    """Memory in use without the page cache (``docker stats``' MEM USAGE)."""
    memory_limit_bytes: int
    """The container's memory limit; the host's memory when it has none."""
    rx_bytes: int = 0
    """Bytes the container's interfaces have received since it started (all interfaces)."""
    tx_bytes: int = 0
    """Bytes they have sent since it started."""


# -- arithmetic on the engine's stats payload -----------------------------


def is_running_frame(payload: dict[str, Any]) -> bool:
    """Whether a stats frame describes a running container (the engine sends empty frames otherwise)."""
    read = payload.get("read") or _ZERO_TIME
    return not read.startswith("0001-01-01") and bool(payload.get("memory_stats"))


def cpu_cores(payload: dict[str, Any]) -> float | None:
    """CPU in use, in cores, from a frame's ``cpu_stats`` and ``precpu_stats``, as ``docker stats`` computes it.

    ``(cpu_delta / system_delta) * online_cpus``: the container's CPU time over
    the host's CPU time (all CPUs) in the same interval, times the CPUs. None
    when the frame has no baseline (the first frame of a stream).
    """
    cpu = payload.get("cpu_stats") or {}
    pre = payload.get("precpu_stats") or {}
    system, pre_system = cpu.get("system_cpu_usage"), pre.get("system_cpu_usage")
    if not system or not pre_system:
        return None
    usage = cpu.get("cpu_usage") or {}
    pre_usage = pre.get("cpu_usage") or {}
    cpu_delta = float(usage.get("total_usage") or 0) - float(pre_usage.get("total_usage") or 0)
    system_delta = float(system) - float(pre_system)
    online = cpu.get("online_cpus") or len(usage.get("percpu_usage") or ()) or 1
    if cpu_delta <= 0 or system_delta <= 0:
        return 0.0
    return cpu_delta / system_delta * online


def memory_usage(memory_stats: dict[str, Any]) -> int:
    """Memory in use without the page cache, as ``docker stats`` computes it.

    cgroup v1: ``usage - total_inactive_file``; cgroup v2: ``usage -
    inactive_file``; Docker 19.03 and older subtracted ``cache``, used here
    only when neither is reported. Nothing is subtracted that is not below
    the usage.
    """
    usage = int(memory_stats.get("usage") or 0)
    stats = memory_stats.get("stats") or {}
    for key in ("total_inactive_file", "inactive_file", "cache"):  # v1 reports inactive_file too: v1 first
        if key in stats:
            value = int(stats[key] or 0)
            return usage - value if value < usage else usage
    return usage


def sample_from_stats(container_id: str, payload: dict[str, Any], at: float) -> StatsSample | None:
    """The sample a stats frame gives, or None for an empty (not running) frame or one without a CPU baseline."""
    if not is_running_frame(payload):
        return None
    cores = cpu_cores(payload)
    if cores is None:
        return None
    memory_stats = payload.get("memory_stats") or {}
    return StatsSample(
        container_id=container_id,
        at=at,
        cpu_cores=cores,
        memory_bytes=memory_usage(memory_stats),
        memory_limit_bytes=int(memory_stats.get("limit") or 0),
        rx_bytes=sum(int(n.get("rx_bytes") or 0) for n in (payload.get("networks") or {}).values()),
        tx_bytes=sum(int(n.get("tx_bytes") or 0) for n in (payload.get("networks") or {}).values()),
    )


def utilization(
    samples: Iterable[StatsSample | None], reserved_cpu_units: int, reserved_memory_mib: int
) -> tuple[float, float]:
    """ECS's ``(CPUUtilization, MemoryUtilization)``, in percent, of the containers sampled.

    ECS defines both relative to what is *reserved*, not to the host::

        CPUUtilization    = CPU units used x 100 / CPU units reserved
        MemoryUtilization = MiB used x 100 / MiB reserved

    summed over what the metric covers: a task's containers; a service's tasks
    (reserved = the task definition's ``cpu``/``memory`` x the number of
    tasks); a cluster's tasks (on EC2, AWS divides by what the container
    instances *register* instead). One core busy is 1024 CPU units. The result
    can exceed 100 %: a container without a hard limit (CPU shares are only
    weights; ``memoryReservation`` is a soft limit) may use more than its
    task reserves.

    ``samples`` are summed as given (pass one per container); None entries (a
    container without a sample yet) count for nothing. A reservation of zero
    or less raises ``ValueError``: the ratio is undefined, and the caller
    decides what to show (AWS reports no value for it).
    """
    if reserved_cpu_units <= 0:
        raise ValueError(f"reserved_cpu_units must be positive, not {reserved_cpu_units}")
    if reserved_memory_mib <= 0:
        raise ValueError(f"reserved_memory_mib must be positive, not {reserved_memory_mib}")
    cores = 0.0
    memory = 0
    for sample in samples:
        if sample is not None:
            cores += sample.cpu_cores
            memory += sample.memory_bytes
    cpu_percent = cores * CPU_UNITS_PER_CORE * 100.0 / reserved_cpu_units
    memory_percent = memory * 100.0 / (reserved_memory_mib * MIB)
    return cpu_percent, memory_percent


# -- the streams -----------------------------------------------------------


def _response_socket(response: Any) -> socket.socket | None:
    """The socket under a streamed requests response (unix or tcp), or None."""
    raw = getattr(response, "raw", None)
    connection = getattr(raw, "_connection", None)
    sock = getattr(connection, "sock", None)
    if isinstance(sock, socket.socket):
        return sock
    try:  # urllib3 HTTPResponse -> http.client.HTTPResponse -> BufferedReader -> SocketIO
        sock = raw._fp.fp.raw._sock  # type: ignore[union-attr]
    except AttributeError:
        return None
    return sock if isinstance(sock, socket.socket) else None


def _frames(response: Any) -> Iterator[dict[str, Any]]:
    """The JSON frames of a stats stream (the engine ends each with a newline)."""
    pending = b""
    for chunk in response.iter_content(chunk_size=None):
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            if not line.strip():
                continue
            try:
                frame = json.loads(line)
            except ValueError:
                logger.debug("stats: skipping a frame that is not JSON: %r", line[:200])
                continue
            if isinstance(frame, dict):
                yield frame


class _Stream:
    """One container's stream: its thread, and the response to cut to stop it."""

    def __init__(self, container_id: str) -> None:
        self.container_id = container_id
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.response: Any = None
        self.thread: threading.Thread | None = None

    def alive(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def cancel(self) -> None:
        """Ask the thread to end and wake it if it is blocked reading. Does not wait."""
        self.stopping.set()
        with self.lock:
            response = self.response
            if response is None:
                return
            sock = _response_socket(response)
            if sock is None:
                return
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # closed already: the thread is on its way out


class StatsCollector:
    """Keeps one stats stream per watched container and the latest sample of each.

    Thread-safe. Nothing here blocks on the engine: :meth:`watch` starts a
    thread, :meth:`unwatch` cuts the stream and returns, :meth:`latest` reads
    a dict. :meth:`close` is the only call that waits (for the threads).
    """

    def __init__(self, engine: Any, *, start_grace: float = 10.0) -> None:
        self.engine = engine
        self.start_grace = start_grace
        self._lock = threading.Lock()
        self._streams: dict[str, _Stream] = {}
        self._samples: dict[str, StatsSample] = {}

    # -- public --------------------------------------------------------------
    def watch(self, container_id: str) -> None:
        """Stream ``container_id``'s stats. Idempotent while its stream runs; starts a new one if it ended."""
        with self._lock:
            current = self._streams.get(container_id)
            if current is not None and (current.alive() and not current.stopping.is_set()):
                return
            stream = _Stream(container_id)
            stream.thread = threading.Thread(
                target=self._run,
                args=(stream,),
                name=f"{THREAD_NAME_PREFIX}{container_id[:12]}",
                daemon=True,
            )
            self._streams[container_id] = stream
        if current is not None:
            current.cancel()
        stream.thread.start()

    def unwatch(self, container_id: str) -> None:
        """Stop streaming ``container_id`` and forget its sample. The thread ends promptly; this does not wait."""
        with self._lock:
            stream = self._streams.pop(container_id, None)
            self._samples.pop(container_id, None)
        if stream is not None:
            stream.cancel()

    def latest(self, container_id: str) -> StatsSample | None:
        """The newest sample of a watched container; None before the first (about 1 s after ``watch``)."""
        with self._lock:
            return self._samples.get(container_id)

    def watched(self) -> set[str]:
        """The containers being watched, streaming or not (see :meth:`is_streaming`)."""
        with self._lock:
            return set(self._streams)

    def is_streaming(self, container_id: str) -> bool:
        """Whether ``container_id``'s stream is running (False once its container stopped or went away)."""
        with self._lock:
            stream = self._streams.get(container_id)
        return stream is not None and stream.alive() and not stream.stopping.is_set()

    def close(self, timeout: float = 2.0) -> None:
        """Stop every stream and wait up to ``timeout`` seconds in all for the threads to end.

        The collector is empty afterwards and can be used again.
        """
        with self._lock:
            streams = list(self._streams.values())
            self._streams.clear()
            self._samples.clear()
        for stream in streams:
            stream.cancel()
        deadline = time.monotonic() + timeout
        for stream in streams:
            if stream.thread is not None and stream.thread.is_alive():
                stream.thread.join(max(0.0, deadline - time.monotonic()))
        left = [s.container_id[:12] for s in streams if s.alive()]
        if left:
            logger.info("stats: %d stream thread(s) still running after close: %s", len(left), ", ".join(left))

    def __enter__(self) -> StatsCollector:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the stream thread ---------------------------------------------------
    def _open(self, stream: _Stream) -> tuple[Any, Any]:
        """A dedicated API client for the stream, and the stream's response."""
        import docker

        engine_api = self.engine.client.api  # raises Unavailable, with the reason, when unreachable
        timeout = float(getattr(self.engine, "timeout", 60) or 60)
        api = docker.APIClient(
            base_url=self.engine.host, version=engine_api.api_version, timeout=int(timeout), max_pool_size=1
        )
        try:
            url = f"{api.base_url}/v{api.api_version}/containers/{quote(stream.container_id, safe='')}/stats"
            response = api.get(url, params={"stream": "1"}, stream=True, timeout=(min(timeout, 10.0), timeout))
        except BaseException:
            api.close()
            raise
        return api, response

    def _run(self, stream: _Stream) -> None:
        short = stream.container_id[:12]
        api = None
        try:
            api, response = self._open(stream)
            with stream.lock:
                stream.response = response
            if stream.stopping.is_set():  # unwatched while connecting: cancel() found no response to cut
                return
            if response.status_code == 404:
                logger.debug("stats %s: no such container", short)
                return
            if response.status_code >= 400:
                logger.info("stats %s: the engine answered %s: %s", short, response.status_code, response.text[:200])
                return
            self._read(stream, response)
        except Exception as exc:  # an unreachable engine, a cut stream...: never out of the thread
            if stream.stopping.is_set():
                logger.debug("stats %s: stream stopped (%s)", short, type(exc).__name__)
            else:
                logger.info("stats %s: stream ended: %s", short, _describe(exc))
        finally:
            with stream.lock:
                response, stream.response = stream.response, None
            for closeable in (response, api):
                if closeable is not None:
                    try:
                        closeable.close()
                    except Exception:  # pragma: no cover - closing a dead socket
                        pass

    def _read(self, stream: _Stream, response: Any) -> None:
        short = stream.container_id[:12]
        started = time.monotonic()
        had_sample = False
        for frame in _frames(response):
            if stream.stopping.is_set():
                return
            at = time.monotonic()
            if not is_running_frame(frame):
                if had_sample:
                    logger.debug("stats %s: the container stopped", short)
                    return
                if at - started >= self.start_grace:
                    logger.debug("stats %s: the container did not start within %.0fs", short, self.start_grace)
                    return
                continue
            sample = sample_from_stats(stream.container_id, frame, at)
            if sample is None:  # the first frame: no CPU baseline yet
                continue
            had_sample = True
            with self._lock:
                if self._streams.get(stream.container_id) is stream:
                    self._samples[stream.container_id] = sample
        if not stream.stopping.is_set():
            logger.debug("stats %s: the engine ended the stream (container removed)", short)


def _describe(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


__all__ = [
    "CPU_UNITS_PER_CORE",
    "MIB",
    "THREAD_NAME_PREFIX",
    "StatsCollector",
    "StatsSample",
    "cpu_cores",
    "is_running_frame",
    "memory_usage",
    "sample_from_stats",
    "utilization",
]
