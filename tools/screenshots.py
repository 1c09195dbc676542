"""Regenerate screenshots/*.svg: the console on the sample workload, at 120x36.

Run with ``make screenshots``. Uses the same fixed clock, ids and engine as the
snapshot tests, so the pictures only change when the UI does.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual.pilot import Pilot  # noqa: E402

from tests.ui.helpers import SIZE, make_app, settle, type_text  # noqa: E402

OUT = ROOT / "screenshots"


async def go(pilot: Pilot, *steps: str) -> None:
    await settle(pilot)
    for step in steps:
        if step == "_wait":  # a real invocation runs in a worker
            await pilot.pause(1.0)
        elif step.startswith((":", "/")):
            await type_text(pilot, step)
            if step.startswith(":"):
                await pilot.press("enter")
        else:
            await pilot.press(step)
        await settle(pilot)


SHOTS: dict[str, tuple[dict, Callable[[Pilot], Awaitable[None]]]] = {
    "home": ({}, lambda p: go(p)),
    "lambda": ({}, lambda p: go(p, ":lambda")),
    "ecs-task-definitions": ({}, lambda p: go(p, ":ecs", "right_square_bracket")),
    "batch": ({}, lambda p: go(p, ":batch")),
    "lightsail-bundles": ({}, lambda p: go(p, ":lightsail", "right_square_bracket")),
    "detail": ({}, lambda p: go(p, ":ecs", "enter")),
    "function-code": ({}, lambda p: go(p, ":lambda", "down", "enter")),
    "function-test": ({}, lambda p: go(p, ":lambda", "down", "enter", "t", "_wait")),
    "filter": ({}, lambda p: go(p, ":ecr", "/worker")),
    "help": ({}, lambda p: go(p, "question_mark")),
    "aws-light": ({"theme": "aws-light"}, lambda p: go(p, ":ecs")),
    "read-only": ({"read_only": True}, lambda p: go(p, ":apigw")),
    "http-api-stages": ({}, lambda p: _http_api_tab(p, "stages")),
    "api-test": ({}, lambda p: _api_test(p)),
    "rest-api-resources": ({}, lambda p: _rest_api_tab(p, "resources")),
}


async def _http_api_tab(pilot: Pilot, tab: str) -> None:
    from tests.ui.apigateway.test_http_api_snapshots import on_api

    await on_api(tab)(pilot)  # type: ignore[operator]


async def _api_test(pilot: Pilot) -> None:
    from tests.ui.apigateway.test_api_test_snapshots import http_answer

    await http_answer()(pilot)  # type: ignore[operator]


async def _rest_api_tab(pilot: Pilot, tab: str) -> None:
    from tests.ui.apigateway.test_http_api_snapshots import on_rest_api

    await on_rest_api(tab)(pilot)  # type: ignore[operator]


# The ECS pages over the snapshot tests' scene: a load-balanced service, a worker on an EC2
# instance, a crashed task, logs and metrics (on an in-memory engine, at a fixed time).
ECS_SHOTS: dict[str, tuple[int, int | None]] = {
    "ecs-cluster-tasks": (1, None),
    "ecs-service-details": (0, 0),
    "ecs-service-events": (0, 2),
    "ecs-service-targets": (0, 4),
    "ecs-service-metrics": (0, 6),
}
"""Name -> (cluster tab, service tab or None for the cluster page)."""


def _ecs_steps(cluster_tab: int, service_tab: int | None) -> Callable[[Pilot], Awaitable[None]]:
    from tests.ui.ecs.test_ecs_snapshots import open_cluster, open_service, quiet

    async def steps(pilot: Pilot) -> None:
        if service_tab is None:
            await open_cluster(pilot, cluster_tab)
        else:
            await open_service(pilot, service_tab)
        await quiet(pilot)

    return steps


# The Batch job pages over the snapshot tests' scene of stored jobs (tests/ui/batch/jobs.py).
BATCH_SHOTS: dict[str, Callable[[Pilot], Awaitable[None]]] = {}


def _batch_shots() -> None:
    from tests.ui.batch.test_batch_snapshots import on_job, queue_jobs

    BATCH_SHOTS.update({
        "batch-queue-jobs": queue_jobs,
        "batch-job-attempts": on_job("nightly-report", "right_square_bracket"),
        "batch-array-children": on_job("render-frames", "right_square_bracket", "right_square_bracket"),
    })


# The Lightsail pages over the snapshot tests' scenes: two instances, and a container service
# RUNNING its first deployment (tests/ui/lightsail/scene.py).
LIGHTSAIL_SHOTS: dict[str, tuple[Callable[[], Any], Callable[[Pilot], Awaitable[None]]]] = {}


def _lightsail_shots() -> None:
    from tests.ui.lightsail.scene import lightsail_app
    from tests.ui.lightsail.test_lightsail_snapshots import instances, on_instance, service_app

    async def service_page(pilot: Pilot) -> None:
        await instances(pilot)
        for key in ("right_square_bracket", "right_square_bracket", "enter"):
            await pilot.press(key)
            await settle(pilot)

    LIGHTSAIL_SHOTS.update({
        "lightsail": (lambda: lightsail_app("web-1", "web-2"), instances),
        "lightsail-instance-networking": (lambda: lightsail_app("web-1"),
                                          on_instance("right_square_bracket", "right_square_bracket")),
        "lightsail-container-service": (service_app, service_page),
    })


async def shoot(name: str, options: dict, steps: Callable[[Pilot], Awaitable[None]]) -> Path:
    if name in LIGHTSAIL_SHOTS:
        app = LIGHTSAIL_SHOTS[name][0]()
    elif name in ECS_SHOTS:
        from tests.ui.ecs.test_ecs_snapshots import scene_app

        app = scene_app()
    elif name in BATCH_SHOTS:
        from tests.ui.batch.test_batch_snapshots import scene

        app = scene()
    else:
        app = make_app(**options)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot)
        path = OUT / f"{name}.svg"
        app.save_screenshot(filename=path.name, path=str(OUT))
    app.backend.close()
    return path


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.svg"):
        old.unlink()
    for name, (options, steps) in SHOTS.items():
        print(await shoot(name, options, steps))
    _batch_shots()
    for name, steps in BATCH_SHOTS.items():
        print(await shoot(name, {}, steps))
    _lightsail_shots()
    for name, (_scene, steps) in LIGHTSAIL_SHOTS.items():
        print(await shoot(name, {}, steps))
    for name, (cluster_tab, service_tab) in ECS_SHOTS.items():
        print(await shoot(name, {}, _ecs_steps(cluster_tab, service_tab)))


if __name__ == "__main__":
    asyncio.run(main())
