"""The local emulator: AWS compute on the user's own Docker engine.

State lives in one SQLite database in the state dir; containers carry labels
that tie them to their resources; a controller thread keeps the two in step.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from computetui.backends.base import Backend
from computetui.backends.docker.engine import Engine, ManagedContainer
from computetui.backends.errors import Unavailable
from computetui.backends.local.apigateway.facet import LocalApiGateway
from computetui.backends.local.autoscaling.facet import LocalAutoScaling
from computetui.backends.local.autoscaling.tracking import TargetTrackingScaler
from computetui.backends.local.awslogs import ContainerLogs
from computetui.backends.local.batch.facet import LocalBatch
from computetui.backends.local.controller import LOCK_FILENAME, Controller
from computetui.backends.local.ecr.facet import LocalEcr
from computetui.backends.local.ecs.balancers import ServiceBalancers
from computetui.backends.local.ecs.elb import HealthCheck
from computetui.backends.local.ecs.facet import LocalEcs
from computetui.backends.local.ecs.metrics import EcsMetrics
from computetui.backends.local.ecs.services import ServiceScheduler
from computetui.backends.local.ecs.tasks import PAUSE_IMAGE, TaskRunner
from computetui.backends.local.ids import ACCOUNT_ID, Ids
from computetui.backends.local.lambda_.facet import LocalLambda
from computetui.backends.local.lambda_.records import LambdaRecords
from computetui.backends.local.lambda_.runtime import LambdaRuntime
from computetui.backends.local.lightsail.facet import LocalLightsail
from computetui.backends.local.logs.facet import LocalLogs
from computetui.backends.local.metrics.facet import LocalMetrics
from computetui.backends.local.state import MEMORY, StateStore
from computetui.clock import Clock, SystemClock
from computetui.locations import default_state_dir
from computetui.models.common import BackendInfo

log = logging.getLogger(__name__)

Reconciler = Callable[[list[ManagedContainer]], None]
"""Brings one kind's records in line with its containers on the engine."""

ENGINE_RECHECK_SECONDS = 5.0
IDLE_CHECK_SECONDS = 5.0
ECR_LIFECYCLE_SECONDS = 60.0
"""How often the leader applies ECR lifecycle policies (AWS evaluates within about a day)."""


class LocalBackend(Backend):
    """The emulator. ``state_dir=":memory:"`` keeps everything in memory (tests)."""

    name = "local"

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
        lambda_idle_timeout: float = 600.0,
        lambda_account_limit: int = 1000,
        lambda_event_retry_delays: tuple[float, ...] = (60.0, 120.0),
        lambda_sandbox: str = "auto",
        lambda_images: dict[str, str] | None = None,
        ecs_pause_image: str = PAUSE_IMAGE,
        ecs_pause_command: list[str] | None = None,
        elb_health_check: HealthCheck | None = None,
        metrics_period: float = 10.0,
        autoscaling_period: float = 60.0,
    ) -> None:
        super().__init__(read_only=read_only, region=region)
        self.clock = clock or SystemClock()
        self.state_dir = MEMORY if str(state_dir) == MEMORY else Path(state_dir or default_state_dir()).expanduser()
        self.store = StateStore.open_dir(self.state_dir, clock=self.clock)
        self.ids = Ids(region, ACCOUNT_ID, seed=seed)
        self.engine = engine or Engine(docker_host, owner=self.store.state_id)
        self.tick_seconds = tick_seconds
        self._reconcilers: dict[str, Reconciler] = {}
        self._engine_was_reachable: bool | None = None

        self.ecs = LocalEcs(self)
        self.ecr = LocalEcr(self)
        self.lambda_ = LocalLambda(self)
        self.apigateway = LocalApiGateway(self)
        self.batch = LocalBatch(self)
        self.lightsail = LocalLightsail(self)
        self.logs = LocalLogs(self)
        self.metrics = LocalMetrics(self)
        # The emulator runs no Kubernetes, so EKS is not offered locally.
        self.eks = None

        lock_path = None if self.state_dir == MEMORY else Path(self.state_dir) / LOCK_FILENAME
        self.controller = Controller(lock_path)
        self.controller.on_start(self.reconcile)
        self.controller.every(ENGINE_RECHECK_SECONDS, "engine-recheck", self._recheck_engine)

        self._code_root: Path | None = None
        self.lambda_records = LambdaRecords(self)
        self.lambda_runtime = LambdaRuntime(
            self,
            idle_timeout=lambda_idle_timeout,
            account_limit=lambda_account_limit,
            event_retry_delays=lambda_event_retry_delays,
            sandbox=lambda_sandbox,
            images=lambda_images,
        )
        self.register_reconciler("lambda", self._remove_orphan_environments)

        self.ecs_random = random.Random(seed)
        """Random placement draws from here, so a seeded backend places the same way each time."""
        self.ecs_logs = ContainerLogs(self)
        self.ecs_tasks = TaskRunner(self, pause_image=ecs_pause_image, pause_command=ecs_pause_command)
        self.register_reconciler("task", self.ecs_tasks.reconcile)
        self.controller.every(tick_seconds, "ecs-tasks", self.ecs_tasks.monitor)
        self.ecs_scheduler = ServiceScheduler(self, period=tick_seconds)
        self.ecs_tasks.on_stopped.append(self.ecs_scheduler.task_stopped)
        self.ecs_balancers = ServiceBalancers(self, health_check=elb_health_check)
        self.ecs_scheduler.balancers = self.ecs_balancers
        self.controller.every(ECR_LIFECYCLE_SECONDS, "ecr-lifecycle", self.ecr.apply_lifecycle_policies)
        self.controller.every(min(0.2, tick_seconds), "ecs-services", self.ecs_scheduler.tick)
        # ECS metrics: a stats stream per running task container, a sample per task every metrics_period;
        # Application Auto Scaling evaluates its target tracking policies once per autoscaling_period.
        self.ecs_metrics = EcsMetrics(self, period=metrics_period)
        self.controller.every(min(metrics_period, tick_seconds), "ecs-metrics", self.ecs_metrics.tick)
        self.autoscaling = LocalAutoScaling(self)
        self.autoscaling_scaler = TargetTrackingScaler(self, period=autoscaling_period)
        self.controller.every(min(autoscaling_period, tick_seconds), "autoscaling", self.autoscaling_scaler.tick)
        self.controller.every(
            min(IDLE_CHECK_SECONDS, lambda_idle_timeout),
            "lambda-idle-expiry",
            self._expire_idle_environments,
            leader_only=False,
        )
        if controller:
            self.controller.start()

    # -- the contract ------------------------------------------------------
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
        self.ecs_balancers.close()
        self.ecs_tasks.close()
        self.ecs_logs.close()
        self.lambda_runtime.shutdown()
        self.controller.stop()
        self.ecs_metrics.close()
        self.engine.close()
        self.store.close()
        if self._code_root is not None and self.state_dir == MEMORY:
            shutil.rmtree(self._code_root, ignore_errors=True)

    @property
    def code_root(self) -> Path:
        """Where function code is unpacked: the state dir, or a temporary folder for ``:memory:``."""
        if self._code_root is None:
            if self.state_dir == MEMORY:
                self._code_root = Path(tempfile.mkdtemp(prefix="computetui-code-"))
            else:
                self._code_root = Path(self.state_dir) / "lambda" / "code"
                self._code_root.mkdir(parents=True, exist_ok=True)
        return self._code_root

    def _remove_orphan_environments(self, containers: list[ManagedContainer]) -> None:
        """Execution environments are never adopted: one whose emulator is gone is removed."""
        for container in containers:
            owner_pid = container.labels.get("computetui.pid")
            if owner_pid and owner_pid.isdigit() and _pid_alive(int(owner_pid)):
                continue
            self.engine.remove(container.id, force=True)

    def _expire_idle_environments(self) -> None:
        loop = self.controller.ensure_running()
        asyncio.run_coroutine_threadsafe(self.lambda_runtime.expire_idle(), loop).result()

    # -- reconcile ---------------------------------------------------------
    def register_reconciler(self, kind: str, fn: Reconciler) -> None:
        """Have ``fn`` adopt or settle ``kind``'s containers whenever the emulator reconciles."""
        self._reconcilers[kind] = fn

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
        reachable = self.engine.status(refresh=True).reachable
        if reachable and self._engine_was_reachable is False:
            self.reconcile()
        self._engine_was_reachable = reachable

    # -- conveniences for the UI and the demo --------------------------------
    def seed_demo(self) -> list[str]:
        from computetui.backends.local.demo import seed

        return seed(self)

    @property
    def freshly_created(self) -> bool:
        """True when this open created the state database (a first run)."""
        return self.store.created


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
