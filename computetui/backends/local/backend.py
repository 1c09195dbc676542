"""LocalBackend: the emulator's shared pieces, and every service installed on them.

The backend opens the state store, the ids, the Docker engine and the container
runner on it, the controller and the awslogs driver, then lets each service install itself (see
:mod:`computetui.backends.local.emulator`): adding a service is a package with
an ``install`` and a line in :data:`SERVICES`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from computetui.backends.base import Backend, Capabilities, SampleWorkload
from computetui.backends.docker.engine import Engine, ManagedContainer
from computetui.backends.errors import Unavailable
from computetui.backends.local import (
    apigateway,
    autoscaling,
    batch,
    ecr,
    ecs,
    lambda_,
    lightsail,
    logs,
    metrics,
)
from computetui.backends.local.containers import ContainerRunner
from computetui.backends.local.controller import LOCK_FILENAME, Controller
from computetui.backends.local.emulator import Options, Reconciler
from computetui.backends.local.ids import ACCOUNT_ID, Ids
from computetui.backends.local.sample_image import LOCAL_IMAGE, SampleImages
from computetui.backends.local.state import MEMORY, StateStore
from computetui.clock import Clock, SystemClock
from computetui.locations import default_state_dir
from computetui.models.common import BackendInfo

log = logging.getLogger(__name__)

T = TypeVar("T")

SERVICES = (logs, metrics, ecr, ecs, autoscaling, lambda_, apigateway, batch, lightsail)
"""Installed in this order: a service may build on those before it (CloudWatch Logs brings the
awslogs driver ECS uses, ECS adds a metrics source, auto scaling reads ECS's samples)."""

ENGINE_RECHECK_SECONDS = 5.0


class LocalBackend(Backend):
    """The emulator. ``state_dir=":memory:"`` keeps everything in memory (tests).

    Keyword options beyond the shared ones are the services' own, and each
    service's package says what it takes (``lambda_idle_timeout`` is Lambda's,
    ``ecs_pause_image`` ECS's...). An option no service takes is a ``TypeError``.
    ``sample_image`` names the image the sample workload runs (None: one the
    engine has or the emulator makes, see :mod:`~computetui.backends.local.sample_image`).
    """

    name = "local"
    capabilities = Capabilities(sample_workload=True, emulated=True)

    def __init__(
        self,
        state_dir: str | Path | None = None,
        *,
        region: str = "us-east-1",
        read_only: bool = False,
        clock: Clock | None = None,
        seed: int | None = None,
        docker_host: str | None = None,
        engine: Engine | None = None,
        controller: bool = True,
        tick_seconds: float = 1.0,
        sample_image: str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(read_only=read_only, region=region)
        self.clock = clock or SystemClock()
        self.seed = seed
        self.tick_seconds = tick_seconds
        self.state_dir = MEMORY if str(state_dir) == MEMORY else Path(state_dir or default_state_dir()).expanduser()
        self.store = StateStore.open_dir(self.state_dir, clock=self.clock)
        self.ids = Ids(region, ACCOUNT_ID, seed=seed)
        self.engine = engine or Engine(docker_host, owner=self.store.state_id)
        self.containers = ContainerRunner(self.engine)
        self.sample_images = SampleImages(self.engine, sample_image)
        self.containers.add_maker(LOCAL_IMAGE, self.sample_images.make)
        lock_path = None if self.state_dir == MEMORY else Path(self.state_dir) / LOCK_FILENAME
        self.controller = Controller(lock_path)
        self.controller.on_start(self.reconcile)
        # Every process: each console's header shows the engine as it is, leader or not.
        self.controller.every(ENGINE_RECHECK_SECONDS, "engine-recheck", self._recheck_engine, leader_only=False)
        self._reconcilers: dict[str, Reconciler] = {}
        self._engine_was_reachable: bool | None = None
        self._parts: dict[type, Any] = {}
        self._closers: list[Callable[[], None]] = []
        self._after_controller: list[Callable[[], None]] = []
        # First registered, so last of the closers: every service has let go of its pools by then.
        self.on_close(self.containers.close)
        # The emulator runs no Kubernetes, so EKS is not offered locally.
        self.eks = None

        install_options: Options = dict(options)
        for service in SERVICES:
            service.install(self, install_options)
        if install_options:
            self.close()
            raise TypeError(f"LocalBackend got options no service takes: {', '.join(sorted(install_options))}")
        if controller:
            self.controller.start()

    # -- what services are given (emulator.Emulator) ----------------------------
    def part(self, kind: type[T]) -> T:
        return self._parts[kind]

    def add_part(self, part: T) -> T:
        self._parts[type(part)] = part
        return part

    def on_close(self, fn: Callable[[], None], *, after_controller: bool = False) -> None:
        (self._after_controller if after_controller else self._closers).append(fn)

    def register_reconciler(self, kind: str, fn: Reconciler) -> None:
        self._reconcilers[kind] = fn

    # -- the contract ------------------------------------------------------
    def unavailable_reason(self, facet: str) -> str | None:
        if facet == "eks":
            return (
                "The local emulator runs no Kubernetes, so it has no EKS clusters. EKS is listed "
                "read-only from AWS: start with --backend aws to see your clusters and node groups."
            )
        return None

    def info(self) -> BackendInfo:
        problem = None
        if self.controller.busy is not None:
            problem = f"controller: {self.controller.busy}"
        return BackendInfo(
            name=self.name,
            account=ACCOUNT_ID,
            region=self.region,
            endpoint=None if self.state_dir == MEMORY else str(self.state_dir),
            read_only=self.read_only,
            engine=self.engine.status(),
            problem=problem,
        )

    def close(self) -> None:
        # Last installed, first closed: a service goes before what it builds on.
        for fn in reversed(self._closers):
            fn()
        self.controller.stop()
        for fn in reversed(self._after_controller):
            fn()
        self.engine.close()
        self.store.close()

    # -- reconcile ---------------------------------------------------------
    def reconcile(self) -> dict[str, int]:
        """Match records with labelled containers, kind by kind. Returns containers seen per kind.

        Runs when the controller starts and again whenever the engine comes
        back after being unreachable. Without an engine it does nothing: the
        records stay as they were until the engine can be asked.
        """
        try:
            containers = self.engine.containers()
        except Unavailable as exc:
            log.info("reconcile deferred: %s", exc.reason)
            self._engine_was_reachable = False
            return {}
        self._engine_was_reachable = True
        by_kind: dict[str, list[ManagedContainer]] = defaultdict(list)
        for container in containers:
            by_kind[container.kind].append(container)
        for kind, fn in self._reconcilers.items():
            try:
                fn(by_kind.get(kind, []))
            except Exception:  # one kind's failure must not stop the others
                log.exception("reconcile of %s failed", kind)
        return {kind: len(found) for kind, found in by_kind.items()}

    def _recheck_engine(self) -> None:
        """Probe the engine again; say when it is lost and when it is back (``serve`` logs it),
        and reconcile in the leader when it comes back."""
        status = self.engine.status(refresh=True)
        reachable = status.reachable
        if not reachable and self._engine_was_reachable is not False:
            log.warning("Docker engine lost: %s", status.reason)
        if reachable and self._engine_was_reachable is False:
            log.warning("Docker engine back (%s)", status.version or status.host)
            if self.controller.leader:
                self.reconcile()
        self._engine_was_reachable = reachable

    # -- conveniences for the UI and the demo --------------------------------
    def seed_demo(self) -> SampleWorkload:
        from computetui.backends.local.demo import seed

        return seed(self, self.sample_images)

    @property
    def freshly_created(self) -> bool:
        """True when this open created the state database (a first run)."""
        return self.store.created
