"""The emulator's controller: one background thread running an asyncio loop.

The loop hosts the emulator's servers (the Lambda Runtime API, load balancer
listeners, API Gateway) and its periodic ticks (service desired counts, Batch
scheduling, idle sandbox expiry, metrics sampling). Ticks do blocking work
(docker, SQLite), so each runs in a worker thread, never two of the same tick
at once, and the loop stays free to serve.

Every process that uses the emulator runs the loop: its own servers and
execution environments live there. Work on the shared state (the startup
reconcile, schedulers) is the *leader's*: only the process holding an
exclusive lock on ``controller.lock`` in the state dir runs it. A second
console on the same state dir runs its own loop and leaves that work to the
first (or to ``computetui serve``), trying the lock every ``failover_poll``
seconds: when the leader's process ends, however it ends, the kernel drops its
lock and a follower takes it, runs the start hooks (the reconcile) and the
leader's ticks, and carries on.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import fcntl
import logging
import os
import threading
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

LOCK_FILENAME = "controller.lock"
FAILOVER_POLL_S = 0.25
"""How often a follower tries the lock: a leader that ended is replaced within about this long."""


class LockBusy(Exception):
    """Another process runs the controller for this state dir."""

    def __init__(self, path: Path, pid: int | None) -> None:
        self.path = path
        self.pid = pid
        who = f"process {pid}" if pid else "another process"
        super().__init__(f"{who} already runs the controller for {path.parent} (lock {path})")


class StateDirLock:
    """An exclusive, non-blocking ``flock`` on a file; holds the owner's pid.

    The kernel drops the lock when the process dies, however it dies, so a
    crashed console never leaves a state dir locked.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _read_pid(fd)
            os.close(fd)
            raise LockBusy(self.path, pid) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            try:
                os.ftruncate(self._fd, 0)
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            finally:
                os.close(self._fd)
                self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode().strip()
        return int(text) if text else None
    except (OSError, ValueError):
        return None


@dataclass
class Tick:
    name: str
    fn: Callable[[], None]
    every: float
    leader_only: bool = True
    running: bool = False
    failures: int = 0
    runs: int = 0
    """Passes finished, counting failed ones."""


class Controller:
    """Runs the emulator's background work; see the module docstring."""

    def __init__(self, lock_path: Path | None = None, *, failover_poll: float = FAILOVER_POLL_S) -> None:
        self._lock = StateDirLock(lock_path) if lock_path is not None else None
        self.failover_poll = failover_poll
        self._ticks: list[Tick] = []
        self._on_start: list[Callable[[], None]] = []
        self._on_stop: list[Callable[[], None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._starting = threading.RLock()
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self.busy: LockBusy | None = None
        """Set when another process holds the state dir's controller lock."""
        self.leader = False
        """Whether this process holds the lock and so does the shared work."""
        self.took_over = 0
        """How many times this process became the leader after starting as a follower."""

    # -- registration ------------------------------------------------------
    def every(self, seconds: float, name: str, fn: Callable[[], None], *, leader_only: bool = True) -> None:
        """Run ``fn`` every ``seconds`` in a worker thread; by default only in the leader."""
        self._ticks.append(Tick(name, fn, seconds, leader_only))

    def on_start(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` once in the leader when it starts, before the first tick (the startup reconcile)."""
        self._on_start.append(fn)

    def on_stop(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` when the controller stops (tear down sandboxes, close servers)."""
        self._on_stop.append(fn)

    def runs(self, name: str) -> int:
        """How many passes the tick called ``name`` has finished (tests count ticks with it)."""
        return sum(t.runs for t in self._ticks if t.name == name)

    # -- life cycle ----------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, *, require_lock: bool = False) -> bool:
        """Start the loop thread. Returns whether this process leads (holds the lock);
        with ``require_lock`` a lock held elsewhere raises ``LockBusy`` instead."""
        with self._starting:
            return self._start(require_lock)

    def _start(self, require_lock: bool) -> bool:
        if self.running:
            return self.leader
        self.leader = True
        if self._lock is not None:
            try:
                self._lock.acquire()
            except LockBusy as busy:
                self.busy = busy
                if require_lock:
                    raise
                log.info("%s", busy)
                self.leader = False
        if self.leader:
            self.busy = None
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=8, thread_name_prefix="computetui-tick")
        self._ready.clear()
        self._thread = threading.Thread(target=self._run, name="computetui-controller", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        return self.leader

    def ensure_running(self) -> asyncio.AbstractEventLoop:
        """The loop, starting the thread first if nobody has (services that need it call this)."""
        loop = self._loop
        if loop is not None and self.running:
            return loop
        with self._starting:
            if not self.running:
                self._start(require_lock=False)
        assert self._loop is not None
        return self._loop

    def stop(self, timeout: float = 15) -> None:
        """Stop ticks and servers, run the stop hooks, release the lock. Safe to call twice."""
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and thread.is_alive():
            loop.call_soon_threadsafe(self._begin_shutdown)
            thread.join(timeout)
        self._thread = None
        self._loop = None
        for fn in reversed(self._on_stop):
            _quietly(fn, "stop hook")
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._lock is not None:
            self._lock.release()
        self.leader = False

    def _begin_shutdown(self) -> None:
        assert self._loop is not None
        for task in asyncio.all_tasks(self._loop):
            task.cancel()
        self._loop.call_soon(self._loop.stop)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        loop.call_soon(self._ready.set)
        try:
            loop.create_task(self._main())
            loop.run_forever()
        finally:
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _main(self) -> None:
        loop = asyncio.get_running_loop()
        if self.leader:
            await self._lead()
        for tick in self._ticks:
            if not tick.leader_only:
                loop.create_task(self._tick_loop(tick))
        if not self.leader and self._lock is not None:
            loop.create_task(self._follow())

    async def _lead(self) -> None:
        """The leader's share: the start hooks, then its ticks."""
        loop = asyncio.get_running_loop()
        for fn in self._on_start:
            await loop.run_in_executor(self._pool, _quietly, fn, "start hook")
        for tick in self._ticks:
            if tick.leader_only:
                loop.create_task(self._tick_loop(tick))

    async def _follow(self) -> None:
        """Try the lock until the leader lets go of it (its process ended), then lead."""
        assert self._lock is not None
        while True:
            await asyncio.sleep(self.failover_poll)
            try:
                self._lock.acquire()  # non-blocking: a flock that fails at once, or holds
            except LockBusy as busy:
                self.busy = busy
                continue
            except OSError:
                log.exception("could not try the controller lock %s", self._lock.path)
                continue
            previous = self.busy
            self.leader, self.busy = True, None
            self.took_over += 1
            log.warning("took over the controller for %s (%s had it)", self._lock.path.parent,
                        f"process {previous.pid}" if previous and previous.pid else "another process")
            await self._lead()
            return

    async def _tick_loop(self, tick: Tick) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(tick.every)
            pool = self._pool
            if pool is None:  # stopping: the pool is gone, so is this tick
                return
            tick.running = True
            try:
                await loop.run_in_executor(pool, tick.fn)
                tick.failures = 0
            except RuntimeError as exc:
                if "shutdown" in str(exc) or self._pool is None:
                    # stop() timed out waiting for the loop and shut the pool down, or the
                    # interpreter is exiting with a backend left open: either way, this tick is over.
                    return
                tick.failures += 1
                log.exception("controller tick %s failed (%d in a row)", tick.name, tick.failures)
            except Exception:  # a tick must never kill the controller
                tick.failures += 1
                log.exception("controller tick %s failed (%d in a row)", tick.name, tick.failures)
            finally:
                tick.running = False
                tick.runs += 1

    # -- for servers -------------------------------------------------------
    def submit(self, coro: Coroutine[Any, Any, Any]) -> concurrent.futures.Future[Any]:
        """Run a coroutine on the controller's loop from any thread. When the loop is gone (or
        going) the coroutine is closed unrun, so nothing is left never awaited."""
        loop = self._loop
        try:
            if loop is None or loop.is_closed():
                raise RuntimeError("the controller is not running")
            return asyncio.run_coroutine_threadsafe(coro, loop)
        except BaseException:
            coro.close()
            raise

    def call(self, fn: Callable[[], Awaitable[Any]], timeout: float = 30) -> Any:
        """Run ``await fn()`` on the loop and wait for its result."""

        async def runner() -> Any:
            return await fn()

        return self.submit(runner()).result(timeout)


def _quietly(fn: Callable[[], None], what: str) -> None:
    try:
        fn()
    except Exception:
        log.exception("controller %s %r failed", what, fn)
