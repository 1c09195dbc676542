"""What a service of the local emulator is given: the pieces every service shares.

Each service is a package (``ecs/``, ``lambda_/``, ...) whose ``install(emulator,
options)`` makes its facet, registers its controller ticks, reconcilers and
closers, and adds the objects it runs on (a task runner, a scheduler) as
*parts*. A service reaches another service through the contract (``emulator.ecs``
is an ``EcsFacet``) or, for what the contract does not say, through a part:
``emulator.part(EcsMetrics)``. Nothing here knows any service, so no service
import leads back to it: :class:`~computetui.backends.local.backend.LocalBackend`
is the one class that implements this and installs them all.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from computetui.backends.local.facet import Basics

if TYPE_CHECKING:
    from computetui.backends.base import (
        ApiGatewayFacet,
        AutoScalingFacet,
        BatchFacet,
        EcrFacet,
        EcsFacet,
        LambdaFacet,
        LightsailFacet,
        LogsFacet,
        MetricsFacet,
    )
    from computetui.backends.docker.engine import Engine, ManagedContainer
    from computetui.backends.local.awslogs import ContainerLogs
    from computetui.backends.local.containers import ContainerRunner
    from computetui.backends.local.controller import Controller

T = TypeVar("T")

Reconciler = Callable[[list["ManagedContainer"]], None]
"""Brings one kind's records in line with its containers on the engine."""

Options = dict[str, Any]
"""The backend's service options (``lambda_idle_timeout=...``); each install takes its own."""


class Emulator(Basics, Protocol):
    """The local emulator as its services see it."""

    state_dir: Path | str
    """The state dir, or ``":memory:"``."""
    seed: int | None
    """What seeded randomness (ids, placement) draws from; None for the system's."""
    tick_seconds: float
    """How often the controller's reconcile ticks run."""
    engine: Engine
    containers: ContainerRunner
    """Runs, stops, reads and adopts the containers of every kind of record."""
    controller: Controller
    awslogs: ContainerLogs
    """The awslogs log driver: container output into CloudWatch Logs."""

    # The facets, as the contract knows them; each service sets its own when it installs.
    ecs: EcsFacet | None
    ecr: EcrFacet | None
    lambda_: LambdaFacet | None
    apigateway: ApiGatewayFacet | None
    batch: BatchFacet | None
    lightsail: LightsailFacet | None
    logs: LogsFacet | None
    metrics: MetricsFacet | None
    autoscaling: AutoScalingFacet | None

    def part(self, kind: type[T]) -> T:
        """The installed object of class ``kind`` (a service's runner, scheduler...)."""
        ...

    def add_part(self, part: T) -> T:
        """Make ``part`` findable by its class; returns it."""
        ...

    def register_reconciler(self, kind: str, fn: Reconciler) -> None:
        """Have ``fn`` adopt or settle ``kind``'s containers whenever the emulator reconciles."""
        ...

    def on_close(self, fn: Callable[[], None], *, after_controller: bool = False) -> None:
        """Run ``fn`` when the backend closes: before the controller stops, or after it. Closers
        run in the reverse order of their registration."""
        ...
