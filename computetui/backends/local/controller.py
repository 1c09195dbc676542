"""The emulator's controller: one background thread running an asyncio loop.

The loop hosts the emulator's servers (the Lambda Runtime API, load balancer
listeners, API Gateway) and its reconcile ticks (service desired counts, Batch
scheduling, idle sandbox expiry, metrics sampling). Ticks do blocking work
(docker, SQLite), so each runs in a worker thread, never two of the same tick
at once, and the loop stays free to serve.

Only one controller runs per state dir: it holds an exclusive lock on
``controller.lock`` there. A second console on the same state dir runs without
one and relies on the first (or on ``computetui serve``).
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
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
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
    running: bool = False
    failures: int = 0


class Controller:
    """Runs the emulator's background work; see the module docstring."""

    def __init__(self, lock_path: Path | None = None) -> None:
        self._lock = StateDirLock(lock_path) if lock_path is not None else None
        self._ticks: list[Tick] = []
        self._on_start: list[Callable[[], None]] = []
        self._on_stop: list[Callable[[], None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self.busy: LockBusy | None = None
        """Set when another process holds the state dir's controller lock."""

    # -- registration ------------------------------------------------------
    def every(self, seconds: float, name: str, fn: Callable[[], None]) -> None:
        """Run ``fn`` every ``seconds`` in a worker thread while the controller runs."""
        self._ticks.append(Tick(name, fn, seconds))

    def on_start(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` once when the controller starts, before the first tick (the startup reconcile)."""
        self._on_start.append(fn)

    def on_stop(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` when the controller stops (tear down sandboxes, close servers)."""
        self._on_stop.append(fn)

    # -- life cycle ----------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, *, require_lock: bool = False) -> bool:
        """Start the thread. False when another process holds the lock (raises instead with ``require_lock``)."""
        if self.running:
            return True
        if self._lock is not None:
            try:
                self._lock.acquire()
            except LockBusy as busy:
                self.busy = busy
                if require_lock:
                    raise
                log.info("%s", busy)
                return False
        self.busy = None
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=8, thread_name_prefix="computetui-tick")
        self._ready.clear()
        self._thread = threading.Thread(target=self._run, name="computetui-controller", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        return True

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
        for fn in self._on_start:
            await loop.run_in_executor(self._pool, _quietly, fn, "start hook")
        for tick in self._ticks:
            loop.create_task(self._tick_loop(tick))

    async def _tick_loop(self, tick: Tick) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(tick.every)
            tick.running = True
            try:
                await loop.run_in_executor(self._pool, tick.fn)
                tick.failures = 0
            except Exception:  # a tick must never kill the controller
                tick.failures += 1
                log.exception("controller tick %s failed (%d in a row)", tick.name, tick.failures)
            finally:
                tick.running = False

    # -- for servers -------------------------------------------------------
    def submit(self, coro: Coroutine[Any, Any, Any]) -> concurrent.futures.Future[Any]:
        """Run a coroutine on the controller's loop from any thread."""
        if self._loop is None:
            raise RuntimeError("the controller is not running")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

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
