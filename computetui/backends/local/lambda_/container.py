"""Execution environments as containers (the ``container`` sandbox).

Zip functions run in an image per runtime (on a user's machine, AWS's public
Lambda base images, which speak the Runtime API once ``AWS_LAMBDA_RUNTIME_API``
is set); ``PackageType: Image`` functions run their own image. The code is
bind-mounted at /var/task; the memory limit is the function's memory size and
the CPU share grows with it (1,769 MB = one vCPU), applied once INIT is done,
as AWS lets INIT run at full speed.

The share is a CFS quota per 100 ms period: 7,235 us at 128 MB. A warm invoke
costs awslambdaric about 0.4 ms of CPU (a thread for each ``next``, a write for
each piece of a ``print``), so invokes sent back to back spend a 128 MB
function's quota after 15-20 of them and the runtime waits, runnable, for the
next period: one invoke in each period takes up to ~90 ms, and one connection
gets about 180 invokes a second (twice that at 256 MB). That is the share at
work, not the Runtime API: the cgroup's ``cpu.stat`` counts a throttled period
for each such invoke, and without the quota the same container answers over
1,000 a second with no stall, as the process sandbox, which sets no CPU limit,
does (``bench/lambda_container_stall.py``). A shorter period with the same
share shortens the longest wait but, measured on 2 cores, costs p50 and
throughput: each invoke is cut short more often and uses more CPU.

The runtime reaches the Runtime API at the bridge gateway. Its output goes to
a FIFO the emulator holds open, so, as with a process, draining it when the
answer arrives collects exactly that invocation's lines. Peak memory comes
from the container's cgroup; the kernel's OOM killer enforces the limit. The
cgroup goes with the container's last process, so the peak is also read as
the runtime reports an init error (it exits next) and just before the
emulator removes the container (a timeout); a runtime that exits by itself in
the middle of its work takes its figure with it.

No engine call waits on the event loop, and none holds a thread that others
need for long. Creating a container and changing its CPU share are short calls,
made on the runtime's bounded pool (``calls``). The exit is a wait as long as
the container lives: each container has a thread of its own, blocked on the
engine's answer, which resolves ``exited`` when it comes. Removal (which may
wait for the engine) also runs on a thread of its own. So however many
environments are alive, nothing waits behind them, and every wait on the loop
is bounded. A create the caller stopped waiting for (its deadline passed) is
removed once the engine has made it.

Containers are created with auto-remove: if the emulator dies without
cleaning up, the runtime's next poll fails, it exits, and the container goes.
A container that ends by itself (the OOM killer, a crash) is auto-removed
right away, which shapes two things. Its exit is watched from before it
starts: a wait that reaches the engine after the removal finds no container
and no exit code. And closing waits for the engine to say the container is
gone: a remove during the engine's own removal fails at once with "removal
already in progress" while the container is still listed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from computetui.backends.errors import ComputeError
from computetui.backends.local.containers import ContainerSpec, ImageUnavailable, Mount
from computetui.backends.local.lambda_.output import OutputPipe
from computetui.backends.local.lambda_.sandbox import TASK_ROOT, EnvironmentSpec, LaunchError

if TYPE_CHECKING:
    from computetui.backends.local.containers import ContainerRunner

log = logging.getLogger(__name__)

MB_PER_VCPU = 1769
REMOVE_TIMEOUT_S = 10.0
"""How long closing waits for the engine to delete an environment's container."""
REMOVE_ATTEMPTS = 3
EXIT_WAIT_S = 5.0
"""How long closing waits, once the container is removed, for its exit to be reported."""
OUTPUT_DIR = "/computetui"

T = TypeVar("T")

# AWS's public base image for each managed runtime.
BASE_IMAGES = {
    "python3.9": "public.ecr.aws/lambda/python:3.9",
    "python3.10": "public.ecr.aws/lambda/python:3.10",
    "python3.11": "public.ecr.aws/lambda/python:3.11",
    "python3.12": "public.ecr.aws/lambda/python:3.12",
    "python3.13": "public.ecr.aws/lambda/python:3.13",
    "nodejs18.x": "public.ecr.aws/lambda/nodejs:18",
    "nodejs20.x": "public.ecr.aws/lambda/nodejs:20",
    "nodejs22.x": "public.ecr.aws/lambda/nodejs:22",
    "java17": "public.ecr.aws/lambda/java:17",
    "java21": "public.ecr.aws/lambda/java:21",
    "dotnet8": "public.ecr.aws/lambda/dotnet:8",
    "ruby3.3": "public.ecr.aws/lambda/ruby:3.3",
    "provided.al2023": "public.ecr.aws/lambda/provided:al2023",
    "provided.al2": "public.ecr.aws/lambda/provided:al2",
}

_CGROUP_PEAK = (
    "/sys/fs/cgroup/memory/docker/{id}/memory.max_usage_in_bytes",  # v1, cgroupfs driver
    "/sys/fs/cgroup/memory/system.slice/docker-{id}.scope/memory.max_usage_in_bytes",  # v1, systemd driver
    "/sys/fs/cgroup/system.slice/docker-{id}.scope/memory.peak",  # v2, systemd driver
    "/sys/fs/cgroup/docker/{id}/memory.peak",  # v2, cgroupfs driver
)


CPU_PERIOD_US = 100_000


def cpu_quota(memory_mb: int) -> int:
    """Microseconds of CPU per 100 ms period: 1,769 MB buys one whole vCPU."""
    return max(1_000, int(memory_mb / MB_PER_VCPU * CPU_PERIOD_US))


def in_thread(name: str, fn: Callable[..., T], *args: Any) -> concurrent.futures.Future[T]:
    """Run ``fn(*args)`` on a daemon thread of its own; its future. For the waits that last
    (an exit, a removal): a pool would be held by them, and a daemon thread never keeps the
    interpreter from exiting."""
    future: concurrent.futures.Future[T] = concurrent.futures.Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            result = fn(*args)
        except BaseException as exc:
            future.set_exception(exc)
        else:
            future.set_result(result)

    threading.Thread(target=run, name=name, daemon=True).start()
    return future


class ContainerSandbox:
    """One execution environment as a container on the engine."""

    kind = "container"

    def __init__(
        self,
        spec: EnvironmentSpec,
        on_line: Callable[[str, float], None],
        runner: ContainerRunner,
        images: dict[str, str],
        calls: concurrent.futures.Executor | None = None,
    ) -> None:
        self.spec = spec
        self._on_line = on_line
        self._runner = runner
        self._engine = runner.engine
        self._images = images
        self._calls = calls
        """Where short engine calls run (the runtime's bounded pool); a thread each without one."""
        self._dir: Path | None = None
        self._output: OutputPipe | None = None
        self.container_id: str | None = None
        self.exited: asyncio.Future[int] | None = None
        self._exit: concurrent.futures.Future[int] = concurrent.futures.Future()
        """Resolved by the container's exit-watching thread."""
        self._creating: concurrent.futures.Future[str] | None = None
        self.removal: concurrent.futures.Future[None] | None = None
        """The removal under way, once ``kill`` has asked for it."""
        self._abandoned = False
        """Closed before the container was made: when it comes, it is removed at once."""
        self.exit_code: int | None = None
        self.killed_for_memory = False
        self._killed = False
        """The emulator itself has killed or removed the container (a timeout, closing)."""
        self._peak_bytes_seen = 0
        """The highest peak read so far."""
        self._peak_is_last = False
        """The peak was read as the runtime came to its end (an init error, a kill)."""
        self._created_id: str | None = None
        self._addresses: frozenset[str] = frozenset()
        """The container's own addresses, which alone the Runtime API serves."""

    @property
    def pid(self) -> str | None:
        return self.container_id[:12] if self.container_id else None

    def image(self) -> str:
        if self.spec.package_type == "Image":
            if not self.spec.image_uri:
                raise LaunchError("Runtime.InvalidEntrypoint", "the function has no ImageUri")
            return self.spec.image_uri
        runtime = self.spec.runtime or ""
        image = self._images.get(runtime) or BASE_IMAGES.get(runtime)
        if image is None:
            raise LaunchError(
                "Runtime.InvalidEntrypoint",
                f"no container image is configured for {runtime}",
                f"no container image for {runtime}",
            )
        return image

    def _call(self, fn: Callable[..., T], *args: Any) -> concurrent.futures.Future[T]:
        if self._calls is None:
            return in_thread(f"computetui-lambda-{getattr(fn, '__name__', 'call')}", fn, *args)
        return self._calls.submit(fn, *args)

    async def start(self, runtime_api: str) -> None:
        loop = asyncio.get_running_loop()
        image = self.image()
        self._dir = Path(tempfile.mkdtemp(prefix="computetui-env-"))
        os.chmod(self._dir, 0o755)
        fifo = self._dir / "out"
        os.mkfifo(fifo, 0o666)
        # Held open read-write: the FIFO never reports end-of-file, reads just run dry.
        self._output = OutputPipe(os.open(fifo, os.O_RDWR | os.O_NONBLOCK), self._on_line)
        self.exited = asyncio.wrap_future(self._exit, loop=loop)
        self._creating = self._call(self._create, image, runtime_api)
        try:
            # A caller that stops waiting (its deadline passed) cancels a create not begun yet;
            # one under way finishes, and close() has what it made removed.
            self.container_id = await asyncio.wrap_future(self._creating, loop=loop)
        except ImageUnavailable as exc:
            raise LaunchError(
                "Runtime.InvalidEntrypoint", f"cannot start {image}: {exc.message}", f"{image} cannot be pulled"
            ) from None
        except ComputeError as exc:
            raise LaunchError(
                "Runtime.InvalidEntrypoint", f"cannot start {image}: {exc.message}", f"{image} did not start"
            ) from None

    def _create(self, image: str, runtime_api: str) -> str:
        engine = self._engine
        command: list[str] = []
        entrypoint: list[str] | None = None
        if self.spec.package_type == "Zip":
            entrypoint, command = ["/lambda-entrypoint.sh"], [self.spec.handler or ""]
        else:
            config = engine.image_config(image)
            entrypoint, command = list(config.get("Entrypoint") or []), list(config.get("Cmd") or [])
        environment = self.spec.aws_environment(runtime_api)
        for host_only in ("PATH", "HOME", "LAMBDA_RUNTIME_DIR"):
            environment.pop(host_only, None)
        environment["LAMBDA_TASK_ROOT"] = TASK_ROOT
        mounts = [Mount(str(self._dir), OUTPUT_DIR)]
        if self.spec.package_type == "Zip":
            mounts.append(Mount(str(self.spec.task_root), TASK_ROOT, read_only=True))
        container = self._runner.run("lambda", self.spec.function_arn, ContainerSpec(
            image=image,
            # Send the runtime's output into our FIFO, then become the image's own entrypoint.
            entrypoint=["/bin/sh", "-c", f'exec "$@" > {OUTPUT_DIR}/out 2>&1', "sh", *(entrypoint or [])],
            command=command,
            environment=environment,
            mounts=tuple(mounts),
            memory_mib=self.spec.memory_mb,  # its CPU share comes after INIT (throttle_cpu)
            remove_on_exit=True,
            working_dir=TASK_ROOT,
            labels={"computetui.function": self.spec.function_name, "computetui.pid": str(os.getpid())},
        ), before_start=self._watch_exit)
        return container.id

    def _watch_exit(self, container_id: str) -> None:
        # Before the start: auto-remove may take a container that ends quickly
        # (a crash, the OOM killer) before a later wait reaches the engine.
        watch = self._engine.watch_exit(container_id)
        self._created_id = container_id  # the runtime may call before run() returns the id
        name = f"computetui-lambda-exit-{container_id[:12]}"
        threading.Thread(target=self._await_exit, args=(watch,), name=name, daemon=True).start()

    def _await_exit(self, watch: Callable[[], int]) -> None:
        """The container's own thread: blocks until the engine reports the exit (the container
        is removed at the latest when the environment closes), then resolves ``exited``."""
        try:
            code = watch()
        except Exception:  # the engine is gone, or its answer broke: the exit cannot be known
            code = -1
        if code == 137 and not self._killed:
            # A SIGKILL the emulator did not send. The runtime is the container's init
            # (the entrypoints exec it), which nothing inside the container can SIGKILL,
            # so under the memory limit it is the OOM killer. The engine's OOMKilled flag
            # cannot say otherwise: it is set when the engine handles the OOM event, which
            # may come after the exit is reported, or never, once auto-remove has taken
            # the container.
            self.killed_for_memory = True
        self.exit_code = code
        if not self._exit.done():
            self._exit.set_result(code)

    async def admits(self, client: tuple[str, int], server: tuple[str, int]) -> bool:
        """Whether a Runtime API connection comes from this environment's container: its
        source is the container's own address on the bridge (read once, at its first call)."""
        if not self._addresses:
            container_id = self.container_id or self._created_id
            if container_id is None:
                return False
            loop = asyncio.get_running_loop()
            try:
                info = await loop.run_in_executor(None, self._engine.inspect, container_id)
            except ComputeError:
                return False
            self._addresses = _container_addresses(info or {})
        return client[0] in self._addresses

    def throttle_cpu(self) -> None:
        """Give the container its memory-proportional CPU share (after INIT)."""
        if self.container_id is not None:
            try:
                self._engine.update(
                    self.container_id, cpu_period=CPU_PERIOD_US, cpu_quota=cpu_quota(self.spec.memory_mb)
                )
            except ComputeError:
                pass  # it may already be gone; the invocation will say so

    # -- output ------------------------------------------------------------
    def drain(self) -> None:
        if self._output is not None:
            self._output.drain()

    def flush_partial(self) -> None:
        if self._output is not None:
            self._output.flush_partial()

    # -- memory --------------------------------------------------------------
    def _peak_bytes(self) -> int:
        for pattern in _CGROUP_PEAK:
            try:
                with open(pattern.format(id=self.container_id)) as peak:
                    return int(peak.read().strip())
            except (OSError, ValueError):
                continue
        return 0

    def rss_mb(self) -> float:
        return self._peak_bytes() / 1024 / 1024

    def sample_peak(self) -> None:
        """The runtime is about to end (it reported an init error, or is removed): read the
        cgroup's peak while the cgroup is there."""
        if self.alive():
            self._peak_bytes_seen = max(self._peak_bytes_seen, self._peak_bytes())
            self._peak_is_last = True

    def peak_mb(self) -> int | None:
        """The container's peak memory in whole MB; None when the container is gone and its
        peak was not read before it went."""
        if self.alive():
            self._peak_bytes_seen = max(self._peak_bytes_seen, self._peak_bytes())
        elif not self._peak_is_last:
            return None
        return -(-self._peak_bytes_seen // (1024 * 1024)) if self._peak_bytes_seen else None

    # -- ending ------------------------------------------------------------
    def alive(self) -> bool:
        return self.container_id is not None and self.exit_code is None

    def kill(self) -> None:
        """Have the container removed (on a thread of its own: the engine may take a while).
        An exited container (out of memory, a crash) is removed too: nothing outlives the backend."""
        if self.container_id is None:
            return
        if not self._killed:
            self.sample_peak()
        self._killed = True
        if self.removal is None:
            self.removal = in_thread(f"computetui-lambda-remove-{self.pid}", self._remove, self.container_id)

    def _remove(self, container_id: str) -> None:
        """Remove the container and return once the engine no longer has it, or
        after ``REMOVE_TIMEOUT_S``. A forced remove answers "already in progress"
        for a container the engine is auto-removing; the wait covers that removal,
        and a removal the engine gave up on (the container left ``dead``) is asked
        for again."""
        deadline = time.monotonic() + REMOVE_TIMEOUT_S
        try:
            for _ in range(REMOVE_ATTEMPTS):
                self._runner.remove(container_id)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                if self._engine.wait_removed(container_id, remaining):
                    return
        except ComputeError:
            pass  # the engine is unreachable: nothing more can be done from here
        except Exception:
            log.exception("removing container %s of %s failed", container_id[:12], self.spec.function_name)
        log.warning("container %s of %s may outlive its environment", container_id[:12], self.spec.function_name)

    def _remove_abandoned(self, creating: concurrent.futures.Future[str]) -> None:
        """The create finished after the environment was closed: remove what it made."""
        if creating.cancelled() or creating.exception() is not None:
            return
        container_id = creating.result()
        in_thread(f"computetui-lambda-remove-{container_id[:12]}", self._remove, container_id)

    async def close(self) -> None:
        """Remove the container and wait, bounded, until the engine has it no more and its exit
        is known; then let go of the output and the folder."""
        creating = self._creating
        if self.container_id is None and creating is not None and not self._abandoned:
            self._abandoned = True
            creating.add_done_callback(self._remove_abandoned)
        self.kill()
        if self.removal is not None:
            await asyncio.wait({asyncio.wrap_future(self.removal)}, timeout=REMOVE_TIMEOUT_S + 1)
        if self.exited is not None and self.container_id is not None:
            await asyncio.wait({self.exited}, timeout=EXIT_WAIT_S)
        self.drain()
        if self._output is not None:
            self._output.close()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def exit_description(self) -> str:
        code = self.exit_code
        if code is None:
            return "unknown"
        if code == 137:
            return "signal: killed"
        if code > 128:
            return f"signal: {code - 128}"
        return f"exit status {code}"


def _container_addresses(info: dict[str, Any]) -> frozenset[str]:
    settings = info.get("NetworkSettings") or {}
    found = {settings.get("IPAddress")}
    found.update((network or {}).get("IPAddress") for network in (settings.get("Networks") or {}).values())
    return frozenset(address for address in found if address)


def environment_kind(setting: str, engine_ready: bool) -> str:
    """``auto`` means containers when the engine can be reached, host processes otherwise."""
    if setting == "auto":
        return "container" if engine_ready else "process"
    return setting
