"""ECS in the local emulator: clusters, task definitions, tasks as containers, services
kept at their count behind local load balancers, container instances, and metrics.

``install`` puts it in an emulator. Its options: ``ecs_pause_image`` and
``ecs_pause_command`` (what holds an awsvpc task's network namespace),
``elb_health_check`` (the load balancers' health check), ``metrics_period``
(seconds between CPU and memory samples).
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from computetui.backends.local.ecs.balancers import ServiceBalancers
from computetui.backends.local.ecs.facet import LocalEcs
from computetui.backends.local.ecs.metrics import NAMESPACES, EcsMetrics
from computetui.backends.local.ecs.services import ServiceScheduler
from computetui.backends.local.ecs.tasks import PAUSE_IMAGE, TaskRunner
from computetui.backends.local.metrics.facet import LocalMetrics

if TYPE_CHECKING:
    from computetui.backends.local.emulator import Emulator, Options


def install(emulator: Emulator, options: Options) -> None:
    tick = emulator.tick_seconds
    metrics_period = options.pop("metrics_period", 10.0)
    # Random placement draws from here, so a seeded backend places the same way each time.
    emulator.ecs = emulator.add_part(LocalEcs(emulator, random.Random(emulator.seed)))
    tasks = emulator.add_part(TaskRunner(
        emulator, pause_image=options.pop("ecs_pause_image", PAUSE_IMAGE),
        pause_command=options.pop("ecs_pause_command", None),
    ))
    emulator.register_reconciler("task", tasks.reconcile)
    emulator.controller.every(tick, "ecs-tasks", tasks.monitor)
    scheduler = emulator.add_part(ServiceScheduler(emulator, period=tick))
    tasks.on_stopped.append(scheduler.task_stopped)
    balancers = emulator.add_part(ServiceBalancers(emulator, health_check=options.pop("elb_health_check", None)))
    scheduler.balancers = balancers
    emulator.controller.every(min(0.2, tick), "ecs-services", scheduler.tick)
    # A stats stream per running task container, a sample per task every metrics_period.
    metrics = emulator.add_part(EcsMetrics(emulator, period=metrics_period))
    emulator.controller.every(min(metrics_period, tick), "ecs-metrics", metrics.tick)
    emulator.part(LocalMetrics).add_source(NAMESPACES, metrics.query)
    emulator.on_close(balancers.close)
    emulator.on_close(tasks.close)
    emulator.on_close(metrics.close, after_controller=True)
