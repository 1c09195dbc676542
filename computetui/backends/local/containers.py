"""A record's containers: what every service that runs something on the engine shares.

A task, a job attempt, an instance or a container-service node is a *record*
(named by its ARN) whose work runs in containers labelled with the record's kind
and ARN. What does not depend on the service lives here:

* :class:`ContainerSpec` — one container to run, in plain terms: image, command,
  environment, CPU and memory limits, ports, network, health check, bind mounts,
  name, labels;
* :class:`ContainerRunner` — pull, create and start a spec with the emulator's
  labels; stop (SIGTERM, SIGKILL after a grace) and remove; read what the engine
  says now (:class:`ContainerState`); sort out, at start, which records keep
  their containers (:meth:`ContainerRunner.reconcile`);
* :class:`Pool` — the threads that start and stop containers while the caller
  goes on.

What a record's lifecycle is (ECS's PROVISIONING ... STOPPED, Batch's attempts),
what its containers are called, which labels and environment a service adds and
what it says when something fails stay with the service. Ports are always
published on 127.0.0.1 on a port the engine picks, so records never collide on
the one real host and nothing listens beyond loopback.
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from computetui.backends.docker.engine import DEFAULT_HOST
from computetui.backends.errors import ComputeError, NotFound, Unavailable

if TYPE_CHECKING:
    from computetui.backends.docker.engine import Engine, ManagedContainer

log = logging.getLogger(__name__)

NANO = 1_000_000_000
CPU_UNITS_PER_VCPU = 1024
LOOPBACK = "127.0.0.1"
EXIT_WAIT_S = 5
"""How long a stop waits for the exit once the engine has sent SIGKILL (the engine can lag)."""
CLOSE_WAIT_S = 5
"""How long closing a pool waits for the work already running (a container being created)."""

BRIDGE = "bridge"
HOST = "host"
NONE = "none"
EXITED = ("exited", "dead")


def share_network(container_id: str) -> str:
    """The network mode that joins ``container_id``'s namespace (same interfaces, same ports)."""
    return f"container:{container_id}"


def vcpus_of_units(units: float) -> float:
    """CPU units (1,024 to a vCPU, as ECS counts) in vCPUs."""
    return units / CPU_UNITS_PER_VCPU


@dataclass(frozen=True)
class Port:
    """A container port to publish; the host side is always 127.0.0.1, on ``host_port`` when
    given (kept across a stop and start) or else on one the engine chooses at each start."""

    container_port: int
    protocol: str = "tcp"
    host_port: int | None = None

    @property
    def key(self) -> str:
        """The engine's name for it, ``8080/tcp``."""
        return f"{self.container_port}/{self.protocol}"


@dataclass(frozen=True)
class Mount:
    """A host directory bound into the container."""

    host_path: str
    container_path: str
    read_only: bool = False


@dataclass(frozen=True)
class Ulimit:
    """A resource limit for the container's processes (``nofile``, ``nproc`` ...)."""

    name: str
    soft: int
    hard: int


@dataclass(frozen=True)
class HealthCheck:
    """A command the engine runs in the container to judge its health; times in seconds."""

    command: list[str]
    """The engine's form: ``["CMD-SHELL", "..."]``, ``["CMD", ...]`` or ``["NONE"]``."""
    interval_s: int = 30
    timeout_s: int = 5
    retries: int = 3
    start_period_s: int = 0

    def for_engine(self) -> dict[str, Any]:
        """The docker SDK's ``healthcheck`` option: the same command, times in nanoseconds."""
        return {
            "test": self.command,
            "interval": self.interval_s * NANO,
            "timeout": self.timeout_s * NANO,
            "retries": self.retries,
            "start_period": self.start_period_s * NANO,
        }


@dataclass(frozen=True)
class ContainerSpec:
    """One container to run, in the engine's terms but without the SDK's spelling.

    Zero or None means "no limit" / "the image's own". ``network`` is ``bridge``,
    ``host``, ``none``, or :func:`share_network` of a running container; ports can
    only be published on the bridge (the other modes have no ports of their own).
    """

    image: str
    name: str | None = None
    command: list[str] | None = None
    entrypoint: list[str] | None = None
    environment: dict[str, str] = field(default_factory=dict)
    working_dir: str | None = None
    vcpus: float = 0
    """The CPU limit in vCPUs (:func:`vcpus_of_units` for CPU units)."""
    memory_mib: int | None = None
    """The hard memory limit; swap is not allowed beyond it."""
    memory_reservation_mib: int | None = None
    """The soft limit the engine reclaims down to under memory pressure."""
    ports: tuple[Port, ...] = ()
    network: str = BRIDGE
    health_check: HealthCheck | None = None
    mounts: tuple[Mount, ...] = ()
    remove_on_exit: bool = False
    """The engine removes the container when it exits (nothing is left to read afterwards)."""
    user: str | None = None
    """Who the command runs as (``uid``, ``uid:gid`` or a name the image knows)."""
    ulimits: tuple[Ulimit, ...] = ()
    read_only: bool = False
    """The root filesystem is mounted read-only."""
    privileged: bool = False
    labels: dict[str, str] = field(default_factory=dict)
    """Labels beside the emulator's own (managed, kind, arn, owner)."""

    def __post_init__(self) -> None:
        if self.ports and self.network != BRIDGE:
            raise ValueError(f"ports can only be published on the bridge network, not {self.network!r}")

    def create_options(self) -> dict[str, Any]:
        """The docker SDK's ``containers.create`` options besides image, command, name and labels."""
        options: dict[str, Any] = {}
        if self.environment:
            options["environment"] = dict(self.environment)
        if self.entrypoint:
            options["entrypoint"] = self.entrypoint
        if self.working_dir:
            options["working_dir"] = self.working_dir
        if self.vcpus:
            options["nano_cpus"] = int(self.vcpus * NANO)
        if self.memory_mib:
            options["mem_limit"] = f"{self.memory_mib}m"
            options["memswap_limit"] = f"{self.memory_mib}m"
        if self.memory_reservation_mib:
            options["mem_reservation"] = f"{self.memory_reservation_mib}m"
        if self.health_check:
            options["healthcheck"] = self.health_check.for_engine()
        if self.mounts:
            options["volumes"] = {mount.host_path: {"bind": mount.container_path,
                                                    "mode": "ro" if mount.read_only else "rw"}
                                  for mount in self.mounts}
        if self.remove_on_exit:
            options["auto_remove"] = True
        if self.user:
            options["user"] = self.user
        if self.ulimits:
            options["ulimits"] = [{"Name": u.name, "Soft": u.soft, "Hard": u.hard} for u in self.ulimits]
        if self.read_only:
            options["read_only"] = True
        if self.privileged:
            options["privileged"] = True
        if self.network != BRIDGE:
            options["network_mode"] = self.network
        if self.ports:
            options["ports"] = {port.key: (LOOPBACK, port.host_port) for port in self.ports}
        return options


def _tagged(image: str) -> str:
    """``name`` is ``name:latest``, as the engine reads it."""
    return image if ":" in image.rsplit("/", 1)[-1] or "@" in image else f"{image}:latest"


class ImageUnavailable(NotFound):
    """The image is not on the engine and cannot be pulled (or even looked up); the message names it.

    Distinct from :class:`Unavailable`, which says the engine itself cannot be reached.
    """

    default_code = "ImageNotFound"

    def __init__(self, image: str, message: str, code: str | None = None) -> None:
        super().__init__(message if image in message else f"{image}: {message}", code=code)
        self.image = image


@dataclass(frozen=True)
class PublishedPort:
    """Where the host reaches one of a container's ports."""

    container_port: int
    protocol: str
    host_ip: str
    host_port: int


@dataclass(frozen=True)
class ContainerState:
    """One container as the engine describes it now (``docker inspect``)."""

    id: str
    status: str
    """Docker's word: ``created``, ``running``, ``exited``, ``dead`` ..."""
    exit_code: int | None = None
    """Only once it has exited."""
    health: str | None = None
    """``starting``, ``healthy`` or ``unhealthy``; None without a health check."""
    published: tuple[PublishedPort, ...] = ()
    address: str = ""
    """Its address on the bridge; empty for host, none, or a shared namespace."""
    oom_killed: bool = False
    """The kernel ended it for using more memory than its limit."""

    @property
    def running(self) -> bool:
        return self.status == "running"

    @property
    def exited(self) -> bool:
        return self.status in EXITED

    def host_ports(self, container_port: int, protocol: str = "tcp") -> list[PublishedPort]:
        return [p for p in self.published if p.container_port == container_port and p.protocol == protocol]

    @classmethod
    def of(cls, info: dict[str, Any]) -> ContainerState:
        """Read the engine's inspect data."""
        state = info.get("State") or {}
        network = info.get("NetworkSettings") or {}
        status = state.get("Status") or ""
        published = []
        for key, hosts in (network.get("Ports") or {}).items():
            port, _, protocol = key.partition("/")
            for host in hosts or []:  # an exposed port that is not published has None
                if host.get("HostPort"):
                    published.append(PublishedPort(int(port), protocol or "tcp", host.get("HostIp") or LOOPBACK,
                                                   int(host["HostPort"])))
        return cls(
            id=info.get("Id") or "",
            status=status,
            exit_code=state.get("ExitCode") if status in EXITED else None,
            health=(state.get("Health") or {}).get("Status"),
            published=tuple(published),
            address=network.get("IPAddress") or "",
            oom_killed=bool(state.get("OOMKilled")),
        )


@dataclass(frozen=True)
class Reconciled:
    """What :meth:`ContainerRunner.reconcile` found."""

    adopted: dict[str, list[ManagedContainer]]
    """Each record that still has containers, with them."""
    lost: list[str]
    """Records that have no container left."""
    removed: list[ManagedContainer]
    """Containers of no record, now removed."""


class Pool:
    """Threads that do a service's container work (starting, stopping) without blocking its caller.

    Work handed in after :meth:`close` is dropped, and a failure of work cut short by
    closing is not logged: the next start's reconcile finishes what was left. Work
    checks :attr:`closed` before it creates a container, and closing waits a little
    for what is running, so nothing is created after the emulator has closed.
    """

    def __init__(self, name: str, *, workers: int = 16, what: str = "container work") -> None:
        self.name = name
        self.what = what
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._running: set[concurrent.futures.Future[None]] = set()
        self.closed = False

    def submit(self, fn: Callable[..., None], *args: Any) -> None:
        if self.closed:
            return
        try:
            future = self._executor.submit(self._guarded, fn, *args)
        except RuntimeError:
            return  # shutting down
        self._running.add(future)
        future.add_done_callback(self._running.discard)

    def _guarded(self, fn: Callable[..., None], *args: Any) -> None:
        try:
            fn(*args)
        except Exception:
            if self.closed:
                return
            log.exception("%s %s failed", self.what, getattr(fn, "__name__", fn))

    def close(self, wait_s: float = CLOSE_WAIT_S) -> None:
        """Stop taking work; what has not started is dropped, what runs is waited for (at most
        ``wait_s``: a stop the engine is carrying out goes on without us)."""
        self.closed = True
        self._executor.shutdown(wait=False, cancel_futures=True)
        concurrent.futures.wait(list(self._running), timeout=wait_s)


class ContainerRunner:
    """Runs, stops, reads and sorts out the containers of the emulator's records."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._pools: list[Pool] = []
        self._makers: dict[str, Callable[[], None]] = {}

    def add_maker(self, image: str, make: Callable[[], None]) -> None:
        """``image`` is one the emulator makes itself (``make`` puts it on the engine or raises
        :class:`ComputeError` saying why not): when it is missing it is made, not pulled."""
        self._makers[_tagged(image)] = make

    # -- running -------------------------------------------------------------
    def pull(self, image: str) -> None:
        """Have ``image`` on the engine. :class:`Unavailable` when the engine cannot be reached,
        :class:`ImageUnavailable` when the image cannot be had."""
        try:
            if not self._make_if_missing(image):
                self.engine.ensure_image(image)
        except Unavailable:
            raise
        except ComputeError as exc:
            raise ImageUnavailable(image, exc.message, exc.code) from None

    def _make_if_missing(self, image: str) -> bool:
        """For an image the emulator makes: make it unless the engine has it; True. False for others."""
        make = self._makers.get(_tagged(image))
        if make is None:
            return False
        if not self.engine.image_exists(image):
            make()
        return True

    def run(self, kind: str, arn: str, spec: ContainerSpec,
            before_start: Callable[[str], None] | None = None, *, start: bool = True) -> ManagedContainer:
        """Create and start ``spec`` as one of record ``arn``'s containers (pulling its image if
        needed); ``before_start`` gets the new container's id before it starts (to watch for an
        exit that auto-remove could otherwise hide). Raises :class:`Unavailable`,
        :class:`ImageUnavailable`, or another :class:`ComputeError` when the engine refuses it."""
        try:
            self._make_if_missing(spec.image)
            return self.engine.run(spec.image, kind=kind, arn=arn, name=spec.name, command=spec.command,
                                   extra_labels=spec.labels, before_start=before_start, start=start,
                                   **spec.create_options())
        except Unavailable:
            raise
        except NotFound as exc:
            if exc.code != "ImageNotFound":
                raise
            raise ImageUnavailable(spec.image, exc.message, exc.code) from None

    def stop(self, container: ManagedContainer, grace_s: int, *, wait_s: float = EXIT_WAIT_S) -> int | None:
        """SIGTERM, then SIGKILL once ``grace_s`` seconds pass (``docker stop``), then wait for the
        exit. Its exit code; None when the engine could not say."""
        try:
            if container.running:
                self.engine.stop(container.id, timeout=grace_s)
            return self.engine.wait(container.id, timeout=wait_s)
        except ComputeError:
            return None

    def remove(self, container_id: str) -> None:
        """Remove a container, running or not. One the engine cannot remove now is left for the
        next reconcile, so this never raises."""
        try:
            self.engine.remove(container_id)
        except ComputeError:
            pass

    # -- reading ---------------------------------------------------------------
    def of_kind(self, kind: str) -> dict[str, list[ManagedContainer]]:
        """This state dir's containers of ``kind``, by record ARN. Raises :class:`Unavailable`."""
        return group_by_record(self.engine.containers(kind=kind))

    def of_record(self, kind: str, arn: str) -> list[ManagedContainer]:
        """Record ``arn``'s containers, running or not. Raises :class:`Unavailable`."""
        return self.engine.containers(kind=kind, arn=arn)

    def state(self, container_id: str) -> ContainerState | None:
        """What the engine says of the container now; None when it is gone."""
        info = self.engine.inspect(container_id)
        return ContainerState.of(info) if info is not None else None

    # -- at start ----------------------------------------------------------------
    def reconcile(self, records: Iterable[str], containers: Iterable[ManagedContainer]) -> Reconciled:
        """Match the records that should have containers (``records``, their ARNs) with the
        labelled containers found; remove the containers no such record owns."""
        by_record = group_by_record(containers)
        expected = list(dict.fromkeys(records))
        adopted = {arn: by_record.pop(arn) for arn in expected if arn in by_record}
        lost = [arn for arn in expected if arn not in adopted]
        removed = [c for leftovers in by_record.values() for c in leftovers]
        for container in removed:
            self.remove(container.id)
        return Reconciled(adopted=adopted, lost=lost, removed=removed)

    # -- background --------------------------------------------------------------
    def pool(self, name: str, *, workers: int = 16, what: str = "container work") -> Pool:
        """A pool of threads for a service's container work, closed with the runner at the latest."""
        made = Pool(name, workers=workers, what=what)
        self._pools.append(made)
        return made

    def close(self) -> None:
        for made in self._pools:
            made.close()


def group_by_record(containers: Iterable[ManagedContainer]) -> dict[str, list[ManagedContainer]]:
    """Containers by the record ARN on their label, in the order given."""
    grouped: dict[str, list[ManagedContainer]] = {}
    for container in containers:
        grouped.setdefault(container.arn, []).append(container)
    return grouped


def exec_argv(engine: Engine, container_id: str, command: str, code: str) -> list[str]:
    """The ``docker exec -it`` command line that opens ``command`` in a running container, for the
    console to run in the terminal (ECS Exec, a Lightsail instance's shell). A shell is the way
    AWS documents it: bash when the image has one, else sh. ``Unavailable`` (with ``code``) when
    the Docker CLI is not installed."""
    docker = shutil.which("docker")
    if docker is None:
        raise Unavailable("A shell in a container runs `docker exec`, and the Docker CLI is not installed "
                          "(PATH has no docker)", code=code)
    argv = [docker]
    host = getattr(engine, "host", None)
    if host and not os.environ.get("DOCKER_HOST") and host != DEFAULT_HOST:
        argv += ["-H", host]
    shell = ["sh", "-c", "command -v bash >/dev/null 2>&1 && exec bash || exec sh"] \
        if command in ("/bin/sh", "sh", "bash", "/bin/bash") else ["sh", "-c", command]
    return [*argv, "exec", "-it", container_id, *shell]

