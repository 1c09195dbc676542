"""Runs Lambda invocations in execution environments, the way AWS does.

* An invocation goes to an idle environment of the same function version and
  code (warm), or to a new one, which first runs INIT (a cold start whose
  Init Duration is measured from spawn to the runtime's first ``next``).
* One environment serves one invocation at a time; concurrent invocations get
  environments of their own. Idle ones expire after ``idle_timeout`` seconds.
* Reserved concurrency and the account limit throttle with AWS's reasons.
* Timeouts, out-of-memory kills, crashes and init errors end the way
  FIDELITY.md describes, and a dead environment is replaced on the next call.
* Every invocation writes START / output / END / REPORT to the function's log
  group (one stream per environment) and a row for metrics and cost. Those
  writes go through one background thread, so they never slow an invoke.

Everything here runs on the controller's event loop; ``invoke`` is the one
entry point for other threads. Nothing on the loop waits without a bound:

* every invocation has a deadline, the function's timeout plus the INIT
  allowance (``init_timeout``) for a new environment; the engine calls of a
  start (its status, the bridge, the create) count against that allowance, and
  an environment that misses it ends as a timeout and is discarded;
* the engine's blocking calls run off the loop: short ones on a bounded pool
  of the runtime's own, the waits that last as long as a container (its exit,
  its removal) each on a thread of its own (``container.py``), so no number
  of live environments can starve a start;
* closing discards every environment at once, side by side, within
  ``CLOSE_TIMEOUT_S``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import errno
import json
import logging
import math
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from computetui.backends.errors import ComputeError, Throttled, Unavailable
from computetui.backends.local.lambda_.container import (
    EXIT_WAIT_S,
    REMOVE_TIMEOUT_S,
    ContainerSandbox,
    environment_kind,
)
from computetui.backends.local.lambda_.output import LineBudget
from computetui.backends.local.lambda_.reaper import Ledger
from computetui.backends.local.lambda_.records import InvocationRecord, LambdaRecords
from computetui.backends.local.lambda_.runtime_api import Invocation, Outcome, RuntimeApi
from computetui.backends.local.lambda_.sandbox import EnvironmentSpec, LaunchError, ProcessSandbox
from computetui.backends.local.state import MEMORY
from computetui.models.lambda_ import InvokeResult

if TYPE_CHECKING:
    from computetui.backends.local.emulator import Emulator

log = logging.getLogger(__name__)
T = TypeVar("T")

INIT_TIMEOUT_S = 10.0
"""AWS's INIT allowance: a new environment has this long to reach its first ``next``."""
ENGINE_CALL_WORKERS = 8
"""Threads for the short engine calls of starting environments (status, bridge, create, CPU share)."""
CLOSE_TIMEOUT_S = 15.0
"""How long closing the runtime waits for its environments to be discarded."""
CALL_SLACK_S = 5.0
"""What a caller waits beyond an invocation's deadline and the discard of its environment."""
DISCARD_S = REMOVE_TIMEOUT_S + 1 + EXIT_WAIT_S
"""The longest a container environment takes to close: its removal, then its exit."""
MEMORY_WATCH_INTERVAL_S = 0.05
FLUSH_DELAY_S = 0.05
RECORD_WAIT_S = 10.0
WRITE_CHUNK_LINES = 100
"""An invocation's log lines are written this many at a time (see ``_flush``)."""
"""The longest an answer waits for its invocation's record to be committed."""
LOG_TAIL_BYTES = 4096
OUTPUT_BYTES_PER_INVOCATION = 2 * 1024 * 1024
"""What the emulator keeps of one invocation's output (its INIT output included): a handler that
prints more has the rest dropped, counted, and said in one line, so a flood neither evicts the
whole log group in one go (8 MB) nor holds memory for what it will not keep."""
DEFAULT_ACCOUNT_LIMIT = 1000
DEFAULT_IDLE_TIMEOUT_S = 600.0
MINIMUM_UNRESERVED = 100
SANDBOXES = ("auto", "process", "container")


def aws_timestamp(epoch: float) -> str:
    """``2026-01-15T09:30:03.745Z``, as Lambda writes times in log lines."""
    moment = datetime.fromtimestamp(epoch, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def report_line(
    request_id: str, duration_ms: float, billed_ms: int, memory_mb: int, max_used_mb: int | None, init_ms: float | None
) -> str:
    """AWS's REPORT line. Without a measured peak (``max_used_mb`` None) Max Memory Used is left
    out rather than made up; the other fields keep their names and order."""
    line = (
        f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed_ms} ms\t"
        f"Memory Size: {memory_mb} MB"
    )
    if max_used_mb is not None:
        line += f"\tMax Memory Used: {max_used_mb} MB"
    if init_ms is not None:
        line += f"\tInit Duration: {init_ms:.2f} ms"
    return line


def _settle(written: asyncio.Future[None]) -> None:
    if not written.done():
        written.set_result(None)


def dropped_line(dropped: int) -> str:
    """The log line that stands for the output the emulator did not keep."""
    return (f"[computetui] {dropped:,} more bytes of output were dropped: the emulator keeps "
            f"{OUTPUT_BYTES_PER_INVOCATION // 2**20} MB of an invocation's output")


@dataclass
class Environment:
    """One execution environment: its Runtime API endpoint and its sandbox."""

    id: str
    key: tuple[Any, ...]
    spec: EnvironmentSpec
    api: RuntimeApi
    sandbox: ProcessSandbox | ContainerSandbox
    state: str = "init"
    """``init``, ``idle``, ``busy`` or ``dead``."""
    started_at: float = 0.0
    last_used: float = 0.0
    lines: list[tuple[float, str]] = field(default_factory=list)
    output: LineBudget | None = None
    """What the sandbox's output pipe hands its lines to: ``lines``, up to ``OUTPUT_BYTES_PER_INVOCATION``
    an invocation."""
    stale: bool = False
    """The function changed since this environment started; retire it when idle."""
    watchdog: asyncio.TimerHandle | None = None
    note: str | None = None
    """Why it is a process when a container was asked for (``auto``): no engine, no image, ..."""
    closing: asyncio.Task[None] | None = None
    """Its sandbox and Runtime API being closed (once, however many ask)."""


class LambdaRuntime:
    """The execution environments of one emulator process."""

    MINIMUM_UNRESERVED = MINIMUM_UNRESERVED

    def __init__(
        self,
        backend: Emulator,
        records: LambdaRecords,
        *,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT_S,
        account_limit: int = DEFAULT_ACCOUNT_LIMIT,
        event_retry_delays: tuple[float, ...] = (60.0, 120.0),
        sandbox: str = "auto",
        images: dict[str, str] | None = None,
        ledger: Ledger | None = None,
    ) -> None:
        if sandbox not in SANDBOXES:
            raise ValueError(f"lambda sandbox must be one of {', '.join(SANDBOXES)}, not {sandbox!r}")
        self.backend = backend
        self.records = records
        self.sandbox = sandbox
        self.images = dict(images or {})
        self.ledger = ledger or Ledger(None)
        self.durable = records.store.path != MEMORY
        """The store is on disk: an invocation is answered once its record is committed."""
        """The process environments' record, for the next emulator to end them if this one is killed."""
        self.idle_timeout = idle_timeout
        self.account_limit = account_limit
        self.event_retry_delays = event_retry_delays
        self._environments: dict[str, Environment] = {}
        self._in_flight: dict[str, int] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self.reservations: dict[str, int] = {}
        """Reserved concurrency by function name; the facet keeps it current."""
        self.reservations_loaded = False
        self._no_image: dict[str, str] = {}
        """Runtimes whose container image could not be had, and why: ``auto`` runs them as processes."""
        self.init_timeout = INIT_TIMEOUT_S
        self._engine_calls = concurrent.futures.ThreadPoolExecutor(
            max_workers=ENGINE_CALL_WORKERS, thread_name_prefix="computetui-lambda-engine"
        )
        self._closing: set[asyncio.Task[None]] = set()
        self._writer = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="computetui-lambda-log")
        self._pending: list[tuple[InvocationRecord, EnvironmentSpec | None, list[tuple[int, str]] | None]] = []
        self._pending_lock = threading.Lock()
        self._flush_scheduled = False
        self._closed = False

    # -- from other threads ------------------------------------------------
    def invoke(self, **request: Any) -> InvokeResult:
        """Run ``_invoke(**request)`` on the controller's loop and wait for it, at most its
        deadline and the removal of its environment (the loop keeps to that; this is a backstop)."""
        loop = self.backend.controller.ensure_running()
        spec: EnvironmentSpec = request["spec"]
        bound = self.init_timeout + spec.timeout_s + DISCARD_S + CALL_SLACK_S
        future = asyncio.run_coroutine_threadsafe(self._invoke(**request), loop)
        try:
            return future.result(timeout=bound)
        except concurrent.futures.CancelledError:
            raise Unavailable(
                f"{spec.function_name}: the emulator closed during the invocation", code="ServiceException"
            ) from None
        except TimeoutError:
            future.cancel()
            raise ComputeError(
                f"{spec.function_name}: the invocation did not end within {bound:g} seconds", code="ServiceException"
            ) from None

    async def invoke_on_loop(self, **request: Any) -> InvokeResult:
        """``_invoke`` for a caller already on the controller's loop (API Gateway's Lambda proxy):
        awaited there, no thread in between."""
        return await self._invoke(**request)

    def submit_event(self, **request: Any) -> None:
        """An ``Event`` invocation: queued on the loop, retried on error, nobody waits."""
        loop = self.backend.controller.ensure_running()
        asyncio.run_coroutine_threadsafe(self._start_event(request), loop).result(timeout=CALL_SLACK_S)

    def environments(self) -> list[dict[str, Any]]:
        """A snapshot of the environments, for the UI and tests."""
        return [
            {
                "id": e.id,
                "function": e.spec.function_name,
                "version": e.spec.version,
                "state": e.state,
                "pid": e.sandbox.pid,
                "sandbox": e.sandbox.kind,
                "note": e.note,
                "log_stream": e.spec.log_stream,
            }
            for e in list(self._environments.values())
        ]

    def retire(self, function_name: str) -> None:
        """The function's code or configuration changed: its environments go once idle."""
        loop = self.backend.controller.ensure_running()
        future = asyncio.run_coroutine_threadsafe(self._retire(function_name), loop)
        try:
            future.result(timeout=DISCARD_S + CALL_SLACK_S)
        except TimeoutError:
            log.warning("the environments of %s are still being discarded", function_name)

    def shutdown(self) -> None:
        """Stop every environment now (the emulator is closing). Quick, bounded, and it raises
        nothing: what cannot be removed in time is left to the next start's reconcile."""
        if self._closed:
            return
        self._closed = True
        controller = self.backend.controller
        if controller.running:
            try:
                controller.call(self._close_all, timeout=CLOSE_TIMEOUT_S + CALL_SLACK_S)
            except Exception as exc:
                log.warning("closing execution environments: %s", exc or type(exc).__name__)
        leftovers = list(self._environments.values())  # whatever the loop could not reach
        for env in leftovers:
            env.sandbox.kill()
        removals = [
            env.sandbox.removal
            for env in leftovers
            if isinstance(env.sandbox, ContainerSandbox) and env.sandbox.removal is not None
        ]
        if removals:
            concurrent.futures.wait(removals, timeout=REMOVE_TIMEOUT_S)
        self._engine_calls.shutdown(wait=False, cancel_futures=True)
        self._flush()
        self._writer.shutdown(wait=True)

    # -- on the loop ---------------------------------------------------------
    async def _start_event(self, request: dict[str, Any]) -> None:
        task = asyncio.get_running_loop().create_task(self._run_event(request))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_event(self, request: dict[str, Any]) -> None:
        delays = list(self.event_retry_delays)
        while True:
            try:
                result = await self._invoke(**request)
                failed = result.function_error is not None
            except Throttled:
                failed = True
            if not failed or not delays:
                return
            await asyncio.sleep(delays.pop(0))
            request = {**request, "request_id": self.backend.ids.uuid()}

    async def _retire(self, function_name: str) -> None:
        idle = []
        for env in list(self._environments.values()):
            if env.spec.function_name == function_name:
                env.stale = True
                if env.state == "idle":
                    idle.append(env)
        await self._discard_all(idle)

    async def _close_all(self) -> None:
        """Discard every environment, side by side, and wait for them, at most ``CLOSE_TIMEOUT_S``."""
        for task in list(self._tasks):
            task.cancel()
        for env in list(self._environments.values()):
            self._discard_soon(env)
        if self._closing:
            await asyncio.wait(set(self._closing), timeout=CLOSE_TIMEOUT_S)

    async def expire_idle(self) -> None:
        now = asyncio.get_running_loop().time()
        await self._discard_all([
            env
            for env in list(self._environments.values())
            if env.state == "idle" and (env.stale or now - env.last_used >= self.idle_timeout)
        ])

    def _check_concurrency(self, function_name: str) -> None:
        """Throttle as AWS does: a function with reserved concurrency gets exactly that many
        environments at once; the rest share what the account limit leaves over."""
        in_flight = self._in_flight.get(function_name, 0)
        reserved = self.reservations.get(function_name)
        if reserved is not None:
            if in_flight >= reserved:
                raise Throttled("Rate Exceeded.", reason="ReservedFunctionConcurrentInvocationLimitExceeded")
            return
        unreserved_pool = self.account_limit - sum(self.reservations.values())
        unreserved_in_flight = sum(n for name, n in self._in_flight.items() if name not in self.reservations)
        if unreserved_in_flight >= unreserved_pool:
            raise Throttled("Rate Exceeded.", reason="ConcurrentInvocationLimitExceeded")

    async def _invoke(
        self,
        *,
        spec: EnvironmentSpec,
        key: tuple[Any, ...],
        payload: bytes,
        request_id: str,
        log_type: str = "None",
        client_context: str | None = None,
    ) -> InvokeResult:
        loop = asyncio.get_running_loop()
        name = spec.function_name
        if self._closed:
            raise Unavailable(f"{name}: the emulator is closing", code="ServiceException")
        try:
            self._check_concurrency(name)
        except Throttled:
            await self._written(self._record(
                InvocationRecord(
                    name,
                    spec.version,
                    request_id,
                    self._now_ms(),
                    0,
                    0,
                    None,
                    spec.memory_mb,
                    0,
                    spec.architecture,
                    None,
                    throttled=True,
                )
            ))
            raise
        self._in_flight[name] = self._in_flight.get(name, 0) + 1
        concurrency = self._in_flight[name]
        env: Environment | None = None
        try:
            env = self._idle_environment(key)
            cold = env is None
            init_ms: float | None = None
            init_failure: Outcome | None = None
            if env is None:
                env, init_ms, init_failure = await self._start_environment(spec, key)
            spec = env.spec  # the environment's own: its log stream, the code it started with
            env.state = "busy"
            started = self.backend.clock.time()
            invocation = Invocation(
                request_id=request_id,
                payload=payload,
                function_arn=spec.function_arn,
                deadline_ms=int((started + spec.timeout_s) * 1000),
                trace_id=self._trace_id(started),
                client_context=client_context,
            )
            if init_failure is None:
                env.api.deliver(invocation)
                outcome = await self._await_outcome(env, invocation)
            else:
                outcome = init_failure
            if outcome.kind == "error" and isinstance(env.sandbox, ProcessSandbox):
                # The stack trace names the code where AWS keeps it, not in the host folder.
                outcome = dataclasses.replace(outcome, body=env.sandbox.paths.body(outcome.body))
            env.sandbox.drain()
            if outcome.kind in ("exit", "timeout"):
                env.sandbox.flush_partial()
            delivered = invocation.delivered_at if invocation.delivered_at is not None else outcome.at
            duration_ms = max(0.0, (outcome.at - delivered) * 1000)
            max_used = spec.memory_mb if env.sandbox.killed_for_memory else env.sandbox.peak_mb()
            billed_ms = max(1, math.ceil(duration_ms + (init_ms or 0.0)))
            lines = self._log_lines(
                env, spec, request_id, outcome, started, delivered, duration_ms, billed_ms, max_used, init_ms
            )
            healthy = outcome.kind in ("response", "error", "too-large") and init_failure is None
            if healthy and env.sandbox.alive():
                env.state = "idle"
                env.last_used = loop.time()
                if env.stale:
                    await self._discard(env)
            else:
                await self._discard(env)
            error_type = None if outcome.kind == "response" else (outcome.error_type or "Unhandled")
            written = self._record(
                InvocationRecord(
                    name,
                    spec.version,
                    request_id,
                    int(started * 1000),
                    duration_ms,
                    billed_ms,
                    init_ms,
                    spec.memory_mb,
                    max_used,
                    spec.architecture,
                    error_type,
                    concurrency=concurrency,
                ),
                spec,
                lines,
            )
            await self._written(written)
            tail = None
            if log_type == "Tail":
                text = "\n".join(message for _, message in lines) + "\n"
                tail = text.encode()[-LOG_TAIL_BYTES:].decode("utf-8", "ignore")
            return InvokeResult(
                status_code=200,
                function_error=None if outcome.kind == "response" else "Unhandled",
                payload=outcome.body,
                log_result=tail,
                executed_version=spec.version,
                request_id=request_id,
                duration_ms=round(duration_ms, 2),
                billed_duration_ms=billed_ms,
                init_duration_ms=round(init_ms, 2) if cold and init_ms is not None else None,
                memory_size_mb=spec.memory_mb,
                max_memory_used_mb=max_used,
                sandbox=env.sandbox.kind,
                sandbox_note=env.note,
            )
        except asyncio.CancelledError:
            if env is not None:  # cut short (the emulator is closing): the environment goes too
                self._discard_soon(env)
            raise
        finally:
            self._in_flight[name] -= 1

    def _idle_environment(self, key: tuple[Any, ...]) -> Environment | None:
        for env in self._environments.values():
            if env.key == key and env.state == "idle" and not env.stale and env.sandbox.alive():
                return env
        return None

    async def _start_environment(
        self, spec: EnvironmentSpec, key: tuple[Any, ...], kind: str | None = None, note: str | None = None
    ) -> tuple[Environment, float | None, Outcome | None]:
        """A new environment through INIT. Returns it, its Init Duration and an init failure, if any.
        ``note`` says why it is a process when a container was asked for. Everything here, the
        engine's calls included, keeps within ``init_timeout``; an environment that does not
        reach its first ``next`` by then ends as an INIT timeout."""
        loop = asyncio.get_running_loop()
        until = loop.time() + self.init_timeout
        env_id = self.backend.ids.hex(32)
        when = self.backend.clock.now()
        # The environment's own copy: its log stream is its alone.
        spec = dataclasses.replace(spec, log_stream=f"{when:%Y/%m/%d}/[{spec.version}]{env_id}")
        if kind is None:
            kind, note = await self._sandbox_kind(spec, until)
        kind, note, api = await self._open_runtime_api(spec, kind, note, until)
        env = Environment(env_id, key, spec, api, None, note=note)  # type: ignore[arg-type]

        on_line = env.output = LineBudget(lambda line, at: env.lines.append((at, line)), OUTPUT_BYTES_PER_INVOCATION)

        if kind == "container":
            env.sandbox = ContainerSandbox(spec, on_line, self.backend.containers, self.images, self._engine_calls)
        else:
            env.sandbox = ProcessSandbox(spec, on_line, self.ledger)
        api.before_init_error_reply = env.sandbox.sample_peak
        api.admit = env.sandbox.admits
        self._environments[env_id] = env
        began = loop.time()
        env.started_at = began
        try:
            return await self._init(env, api, began, until)
        except LaunchError as exc:
            if self.sandbox == "auto" and kind == "container" and spec.package_type == "Zip":
                # "auto" means the best sandbox there is: without the runtime's image, a process.
                log.warning("%s; running %s functions as host processes", exc.message, spec.runtime)
                self._no_image[spec.runtime or ""] = exc.reason
                await self._discard(env)
                return await self._start_environment(spec, key, "process", exc.reason)
            env.state = "dead"
            failure = Outcome("error", _error_body(exc.error_type, exc.message), exc.error_type, loop.time())
            return env, None, failure
        except asyncio.CancelledError:
            self._discard_soon(env)
            raise

    async def _init(
        self, env: Environment, api: RuntimeApi, began: float, until: float
    ) -> tuple[Environment, float | None, Outcome | None]:
        """Launch the sandbox and wait for the end of INIT, until ``until`` at the latest."""
        loop = asyncio.get_running_loop()
        try:
            await asyncio.wait_for(env.sandbox.start(api.address), max(0.0, until - loop.time()))
        except TimeoutError:
            # The engine has not made the container in time: the environment is discarded (and
            # the container removed once the engine has made it).
            return env, (loop.time() - began) * 1000, self._init_timed_out(loop.time())
        exited = env.sandbox.exited
        assert exited is not None
        done, _ = await asyncio.wait(
            {api.initialized, api.init_error, exited},
            timeout=max(0.0, until - loop.time()),
            return_when=asyncio.FIRST_COMPLETED,
        )
        now = loop.time()
        if api.initialized in done:
            if isinstance(env.sandbox, ContainerSandbox):
                # AWS runs INIT at full speed; from here on the CPU share follows memory.
                try:
                    self._engine_calls.submit(env.sandbox.throttle_cpu)
                except RuntimeError:
                    pass  # closing
            return env, (api.initialized.result() - began) * 1000, None
        init_ms = (now - began) * 1000
        if api.init_error in done:
            failure = api.init_error.result()
            # The runtime exits after reporting; give its last words a moment to reach the log.
            await asyncio.wait({exited}, timeout=1)
            return env, init_ms, failure
        if exited in done:
            message = f"Runtime exited with error: {env.sandbox.exit_description()}"
            return env, init_ms, Outcome("exit", _error_body("Runtime.ExitError", message), "Runtime.ExitError", now)
        return env, init_ms, self._init_timed_out(now)

    def _init_timed_out(self, now: float) -> Outcome:
        message = f"INIT timed out after {self.init_timeout:g} seconds"
        return Outcome("timeout", _error_body("Sandbox.Timedout", message), "Sandbox.Timedout", now)

    async def _sandbox_kind(self, spec: EnvironmentSpec, until: float) -> tuple[str, str | None]:
        """The sandbox a new environment gets and, for a process where ``auto`` wanted a
        container, why: containers when the engine answers, processes otherwise."""
        if self.sandbox == "process":
            return "process", None
        if self.sandbox == "auto" and spec.runtime in self._no_image:
            return "process", self._no_image[spec.runtime or ""]
        try:
            status = await self._engine(self.backend.engine.status, until, "ask the Docker engine")
        except Unavailable as exc:
            reachable, why = False, exc.reason
        else:
            reachable, why = status.reachable, status.summary
        kind = environment_kind(self.sandbox, reachable)
        return kind, (f"no Docker engine ({why})" if kind == "process" else None)

    async def _open_runtime_api(
        self, spec: EnvironmentSpec, kind: str, note: str | None, until: float
    ) -> tuple[str, str | None, RuntimeApi]:
        """The new environment's Runtime API, listening where its sandbox can reach it: the
        bridge gateway for a container, loopback for a process. Without a bridge to listen on
        (none on the engine, or its gateway is no address of this host's), ``auto`` runs a
        process and says why; ``container`` raises ``Unavailable``."""
        if kind == "container":
            try:
                host = await self._engine(self.backend.engine.bridge_gateway, until, "inspect the bridge network")
                return kind, note, await self._listen(host)
            except ComputeError as exc:
                why = f"no Docker bridge ({exc.reason if isinstance(exc, Unavailable) else exc.message})"
                if self.sandbox != "auto":
                    raise Unavailable(
                        f"cannot run {spec.function_name} in a container: {why}", code="ServiceException", reason=why
                    ) from None
                log.warning("%s: running %s as a process", why, spec.function_name)
                kind, note = "process", why
        return kind, note, await self._listen("127.0.0.1")

    @staticmethod
    async def _listen(host: str) -> RuntimeApi:
        api = RuntimeApi(host)
        try:
            await api.start()
        except OSError as exc:
            if exc.errno == errno.EADDRNOTAVAIL:
                reason = f"{host} is not an address of this host"
            else:
                reason = f"cannot listen on {host}: {exc.strerror or exc}"
            raise Unavailable(f"the Runtime API cannot listen on {host}: {exc.strerror or exc}",
                              code="ServiceException", reason=reason) from None
        return api

    async def _engine(self, fn: Callable[[], T], until: float, what: str) -> T:
        """``fn()``, a short engine call, on the runtime's pool; ``Unavailable`` when the engine
        has not answered by ``until`` (loop time)."""
        loop = asyncio.get_running_loop()
        call = asyncio.wrap_future(self._engine_calls.submit(fn), loop=loop)
        try:
            return await asyncio.wait_for(call, max(0.0, until - loop.time()))
        except TimeoutError:
            raise Unavailable(
                f"{what}: the Docker engine did not answer within {self.init_timeout:g} seconds",
                reason="the Docker engine did not answer in time",
            ) from None

    async def _await_outcome(self, env: Environment, invocation: Invocation) -> Outcome:
        loop = asyncio.get_running_loop()
        exited = env.sandbox.exited
        assert exited is not None
        deadline = loop.time() + env.spec.timeout_s
        # A container's cgroup enforces its memory; a process needs a watchdog, which
        # wakes every 50 ms (so a quick invocation never pays for it).
        watchdog = (
            loop.call_later(MEMORY_WATCH_INTERVAL_S, self._watch_memory, env)
            if isinstance(env.sandbox, ProcessSandbox)
            else None
        )
        env.watchdog = watchdog
        try:
            done, _ = await asyncio.wait(
                {invocation.outcome, exited},
                timeout=max(0.0, deadline - loop.time()),
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            if env.watchdog is not None:
                env.watchdog.cancel()
                env.watchdog = None
        if invocation.outcome.done():
            return invocation.outcome.result()
        now = loop.time()
        request_id = invocation.request_id
        if exited in done:
            message = f"RequestId: {request_id} Error: Runtime exited with error: {env.sandbox.exit_description()}"
            env.sandbox.drain()
            env.lines.append((now, message))
            env.lines.append((now, "Runtime.ExitError"))
            return Outcome("exit", _error_body("Runtime.ExitError", message), "Runtime.ExitError", now)
        # Out of time: the environment is killed and thrown away.
        env.sandbox.drain()
        env.sandbox.kill()
        message = f"{aws_timestamp(self.backend.clock.time())} {request_id} Task timed out after {env.spec.timeout_s:.2f} seconds"
        env.lines.append((now, message))
        return Outcome("timeout", _error_body("Sandbox.Timedout", message), "Sandbox.Timedout", now)

    def _watch_memory(self, env: Environment) -> None:
        if env.sandbox.rss_mb() > env.spec.memory_mb:
            env.sandbox.killed_for_memory = True
            env.sandbox.kill()
            env.watchdog = None
            return
        env.watchdog = asyncio.get_running_loop().call_later(MEMORY_WATCH_INTERVAL_S, self._watch_memory, env)

    async def _discard(self, env: Environment) -> None:
        """Retire the environment and wait until its sandbox and Runtime API are closed."""
        await asyncio.shield(self._discard_soon(env))

    def _discard_soon(self, env: Environment) -> asyncio.Task[None]:
        """Retire the environment now and start closing it (once, however often asked)."""
        env.state = "dead"
        self._environments.pop(env.id, None)
        if env.closing is None:
            env.closing = asyncio.get_running_loop().create_task(self._close_environment(env))
            self._closing.add(env.closing)
            env.closing.add_done_callback(self._closing.discard)
        return env.closing

    async def _discard_all(self, envs: list[Environment]) -> None:
        """Discard environments side by side: each close waits for the engine."""
        if envs:
            await asyncio.gather(*(self._discard(env) for env in envs))

    @staticmethod
    async def _close_environment(env: Environment) -> None:
        try:
            await env.sandbox.close()
        except Exception:  # an invocation must not fail for its cleanup; the next reconcile finishes it
            log.exception("closing execution environment %s of %s failed", env.id, env.spec.function_name)
        finally:
            await env.api.close()

    # -- logs and records ------------------------------------------------------
    def _log_lines(
        self,
        env: Environment,
        spec: EnvironmentSpec,
        request_id: str,
        outcome: Outcome,
        started: float,
        delivered: float,
        duration_ms: float,
        billed_ms: int,
        max_used: int | None,
        init_ms: float | None,
    ) -> list[tuple[int, str]]:
        """The invocation's log lines with epoch-ms timestamps: what the runtime printed
        during INIT, then START, the invocation's output, END and REPORT."""
        clock_now = self.backend.clock.time()
        loop_now = asyncio.get_running_loop().time()

        def epoch_ms(loop_time: float) -> int:
            return int((clock_now - (loop_now - loop_time)) * 1000)

        start_ms = int(started * 1000)
        output, env.lines = env.lines, []
        dropped = env.output.reset() if env.output is not None else 0
        if dropped:
            output.append((output[-1][0] if output else delivered, dropped_line(dropped)))
        lines = [(epoch_ms(at), text) for at, text in output if at < delivered]
        lines.append((start_ms, f"START RequestId: {request_id} Version: {spec.version}"))
        lines.extend((max(start_ms, epoch_ms(at)), text) for at, text in output if at >= delivered)
        end_ms = max(start_ms, epoch_ms(outcome.at))
        lines.append((end_ms, f"END RequestId: {request_id}"))
        lines.append((end_ms, report_line(request_id, duration_ms, billed_ms, spec.memory_mb, max_used, init_ms)))
        return lines

    def _record(
        self, record: InvocationRecord, spec: EnvironmentSpec | None = None, lines: list[tuple[int, str]] | None = None
    ) -> asyncio.Future[None]:
        """Queue the invocation's log lines and row for the writer; returns a future done once
        the transaction holding them has committed. The invocation is answered only then, so the
        log and the metrics of an answered invocation survive the emulator being killed the next
        moment. While the writer commits one batch the next one gathers, so a burst of
        invocations shares its commits (group commit)."""
        written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        with self._pending_lock:
            self._pending.append((record, spec, lines, written))
            if self._flush_scheduled:
                return written
            self._flush_scheduled = True
        if not self.durable:
            # Nothing waits for a store in memory: wake the writer a little later, since a
            # waking writer competes with the invocation's answer for the CPU (and the GIL).
            asyncio.get_running_loop().call_later(FLUSH_DELAY_S, self._submit_flush)
        else:
            self._submit_flush()
        return written

    async def _written(self, written: asyncio.Future[None]) -> None:
        """Wait, bounded, for a record's commit (a store locked by another process can hold it).
        A store in memory dies with the process whatever is committed: nothing to wait for."""
        if not self.durable:
            return
        try:
            await asyncio.wait_for(asyncio.shield(written), RECORD_WAIT_S)
        except TimeoutError:
            log.warning("an invocation's record was not written within %.0f s; answering anyway", RECORD_WAIT_S)

    def _submit_flush(self) -> None:
        try:
            self._writer.submit(self._flush)
        except RuntimeError:  # shutting down: write it here
            self._flush()

    def _flush(self) -> None:
        """Write what has queued. An invocation with a long output is written in parts of
        ``WRITE_CHUNK_LINES`` lines, its row with the last, and what queues meanwhile goes in
        between: a flood of one function's output does not hold up the others' answers."""
        with self._pending_lock:
            batch, self._pending = self._pending, []
            self._flush_scheduled = False
        if not batch:
            return
        self._write([item for item in batch if len(item[2] or ()) <= WRITE_CHUNK_LINES])
        for record, spec, lines, written in (item for item in batch if len(item[2] or ()) > WRITE_CHUNK_LINES):
            assert spec is not None and lines is not None
            last = (len(lines) - 1) // WRITE_CHUNK_LINES * WRITE_CHUNK_LINES
            for start in range(0, last, WRITE_CHUNK_LINES):
                try:
                    self.records.write_lines(spec, lines[start:start + WRITE_CHUNK_LINES])
                except Exception:
                    log.exception("writing an invocation's log lines failed")
                with self._pending_lock:  # the short ones that came meanwhile go first
                    short = [item for item in self._pending if len(item[2] or ()) <= WRITE_CHUNK_LINES]
                    self._pending = [item for item in self._pending if len(item[2] or ()) > WRITE_CHUNK_LINES]
                self._write(short)
            self._write([(record, spec, lines[last:], written)])

    def _write(self, batch: list[tuple[Any, ...]]) -> None:
        """Commit records and their lines in one transaction, then tell who waits for them."""
        if not batch:
            return
        try:
            self.records.write_many([(record, spec, lines) for record, spec, lines, _ in batch])
        except Exception:  # the invocations ran: they are answered, their records are lost
            log.exception("writing %d invocation records failed", len(batch))
        for *_, written in batch:
            try:
                written.get_loop().call_soon_threadsafe(_settle, written)
            except RuntimeError:  # its loop is closed: nobody waits for it
                pass

    def flush(self) -> None:
        """Wait until every queued record is written (tests and shutdown)."""
        try:
            self._writer.submit(self._flush).result()
        except RuntimeError:
            self._flush()

    def _now_ms(self) -> int:
        return int(self.backend.clock.time() * 1000)

    @staticmethod
    def _trace_id(started: float) -> str:
        random = os.urandom(20).hex()
        return f"Root=1-{int(started):08x}-{random[:24]};Parent={random[24:]};Sampled=0"


def _error_body(error_type: str, message: str) -> bytes:
    return json.dumps({"errorMessage": message, "errorType": error_type}).encode()
