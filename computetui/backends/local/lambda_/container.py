"""Execution environments as containers (the ``container`` sandbox).

Zip functions run in an image per runtime (on a user's machine, AWS's public
Lambda base images, which speak the Runtime API once ``AWS_LAMBDA_RUNTIME_API``
is set); ``PackageType: Image`` functions run their own image. The code is
bind-mounted at /var/task; the memory limit is the function's memory size and
the CPU share grows with it (1,769 MB = one vCPU), applied once INIT is done,
as AWS lets INIT run at full speed.

The runtime reaches the Runtime API at the bridge gateway. Its output goes to
a FIFO the emulator holds open, so, as with a process, draining it when the
answer arrives collects exactly that invocation's lines. Peak memory comes
from the container's cgroup; the kernel's OOM killer enforces the limit. The
cgroup goes with the container's last process, so the peak is also read as
the runtime reports an init error (it exits next) and just before the
emulator removes the container (a timeout); a runtime that exits by itself in
the middle of its work takes its figure with it.

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
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
OUTPUT_DIR = "/computetui"

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


class ContainerSandbox:
    """One execution environment as a container on the engine."""

    kind = "container"

    def __init__(
        self,
        spec: EnvironmentSpec,
        on_line: Callable[[str, float], None],
        runner: ContainerRunner,
        images: dict[str, str],
    ) -> None:
        self.spec = spec
        self._on_line = on_line
        self._runner = runner
        self._engine = runner.engine
        self._images = images
        self._dir: Path | None = None
        self._output: OutputPipe | None = None
        self.container_id: str | None = None
        self.exited: asyncio.Future[int] | None = None
        self._exit_watch: Callable[[], int] | None = None
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

    async def start(self, runtime_api: str) -> None:
        loop = asyncio.get_running_loop()
        image = self.image()
        self._dir = Path(tempfile.mkdtemp(prefix="computetui-env-"))
        os.chmod(self._dir, 0o755)
        fifo = self._dir / "out"
        os.mkfifo(fifo, 0o666)
        # Held open read-write: the FIFO never reports end-of-file, reads just run dry.
        self._output = OutputPipe(os.open(fifo, os.O_RDWR | os.O_NONBLOCK), self._on_line)
        try:
            self.container_id = await loop.run_in_executor(None, self._create, image, runtime_api)
        except ImageUnavailable as exc:
            raise LaunchError(
                "Runtime.InvalidEntrypoint", f"cannot start {image}: {exc.message}", f"{image} cannot be pulled"
            ) from None
        except ComputeError as exc:
            raise LaunchError(
                "Runtime.InvalidEntrypoint", f"cannot start {image}: {exc.message}", f"{image} did not start"
            ) from None
        self.exited = loop.create_task(self._wait())  # type: ignore[assignment]

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
        self._exit_watch = self._engine.watch_exit(container_id)
        self._created_id = container_id  # the runtime may call before run() returns the id

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

    async def _wait(self) -> int:
        loop = asyncio.get_running_loop()
        assert self.container_id is not None
        wait = self._exit_watch or (lambda: self._engine.wait(self.container_id or ""))
        try:
            code = await loop.run_in_executor(None, wait)
        except ComputeError:
            code = -1
        self.exit_code = code
        if code == 137 and not self._killed:
            # A SIGKILL the emulator did not send. The runtime is the container's init
            # (the entrypoints exec it), which nothing inside the container can SIGKILL,
            # so under the memory limit it is the OOM killer. The engine's OOMKilled flag
            # cannot say otherwise: it is set when the engine handles the OOM event, which
            # may come after the exit is reported, or never, once auto-remove has taken
            # the container.
            self.killed_for_memory = True
        return code

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
        # An exited container (out of memory, a crash) is removed too: nothing outlives the backend.
        if self.container_id is not None:
            if not self._killed:
                self.sample_peak()
            self._killed = True
            self._runner.remove(self.container_id)

    def _remove(self) -> None:
        """Remove the container and return once the engine no longer has it, or
        after ``REMOVE_TIMEOUT_S``. A forced remove answers "already in progress"
        for a container the engine is auto-removing; the wait covers that removal,
        and a removal the engine gave up on (the container left ``dead``) is asked
        for again."""
        if self.container_id is None:
            return
        deadline = time.monotonic() + REMOVE_TIMEOUT_S
        for _ in range(REMOVE_ATTEMPTS):
            self.kill()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                if self._engine.wait_removed(self.container_id, remaining):
                    return
            except ComputeError:
                break  # the engine is unreachable: nothing more can be done from here
        log.warning("container %s of %s may outlive its environment", self.pid, self.spec.function_name)

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self._remove)
        if self.exited is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self.exited), 10)
            except (TimeoutError, asyncio.CancelledError):
                pass
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
