"""The ECS pages driven by keys: cluster tabs, forms, a service's tabs, a task, the shell.

Tasks run on ``FakeEngine`` (containers "run" the moment they are made), so
the pages have real task records to show without Docker; the service
scheduler's pass is run by hand, as the controller is off in UI tests.
"""

from __future__ import annotations

import asyncio
import subprocess
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from computetui.app import ComputeApp
from computetui.backends.local import LocalBackend
from computetui.backends.local.ecs.services import ServiceScheduler
from computetui.clock import FixedClock
from computetui.settings import Settings
from computetui.ui.services.ecs.forms import CreateServiceForm, RunTaskForm
from computetui.ui.services.ecs.screens import ClusterScreen, ServiceScreen, TaskScreen
from tests.support.fakes import FakeEngine
from tests.ui.helpers import SIZE, settle, type_text

NOW = "2026-01-15T09:30:00+00:00"
pytestmark = pytest.mark.asyncio


def make_ecs_app(*, read_only: bool = False) -> ComputeApp:
    backend = LocalBackend(":memory:", clock=FixedClock(NOW), seed=11, engine=FakeEngine(), controller=False,
                           lambda_sandbox="process")
    backend.seed_demo()
    backend.read_only = read_only
    return ComputeApp(Settings(refresh=0, read_only=read_only), backend, polling=False, blink=False,
                      clock=FixedClock(NOW))


async def until(pilot: Pilot, condition: Any, tries: int = 200) -> Any:
    for _ in range(tries):
        value = condition()
        if value:
            return value
        await asyncio.sleep(0.02)
        await pilot.pause()
    raise AssertionError("condition not met")


def running(backend: LocalBackend, cluster: str = "demo", service: str | None = None) -> list[Any]:
    ecs = backend.ecs
    arns = ecs.list_tasks(cluster, service_name=service)
    return [t for t in ecs.describe_tasks(cluster, arns) if t.last_status.value == "RUNNING"]


def schedule(backend: LocalBackend) -> None:
    """One pass of the service scheduler (the controller's job when it runs)."""
    backend.part(ServiceScheduler).poke()
    backend.part(ServiceScheduler).tick()


async def open_cluster(pilot: Pilot) -> ClusterScreen:
    await settle(pilot)
    await type_text(pilot, ":ecs")
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("enter")  # the demo cluster
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ClusterScreen)
    return screen


async def test_a_cluster_opens_on_its_services_and_tabs_through_tasks_instances_and_metrics() -> None:
    app = make_ecs_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cluster(pilot)
        assert screen.view.id == "services"
        assert "Cluster demo" in str(screen.query_one("#facts").render())
        for expected in ("tasks", "instances", "metrics", "services"):
            await pilot.press("right_square_bracket")
            await settle(pilot)
            assert screen.view.id == expected
        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(pilot)
        assert screen.view.id == "instances"
        [row] = screen.table.rows
        assert row.cells["type"] == "t3.medium" and row.cells["cpu"] == "2048 / 2048"


async def test_the_footer_is_rebuilt_only_when_its_keys_change(monkeypatch: pytest.MonkeyPatch) -> None:
    rebuilt: list[str] = []
    rebuild = Footer.recompose

    async def counted(footer: Footer) -> None:
        view = getattr(footer.screen, "view", None)
        rebuilt.append(view.id if view else "")
        await rebuild(footer)

    monkeypatch.setattr(Footer, "recompose", counted)
    app = make_ecs_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cluster(pilot)
        assert "Create" in [k.description for k in screen.query(FooterKey)]
        rebuilt.clear()
        await pilot.press("right_square_bracket")  # to Tasks: focus, actions and rows each say so
        await settle(pilot)
        assert screen.view.id == "tasks" and len(rebuilt) <= 1  # Textual's own footer rebuilds three times
        for _ in range(2):  # to Metrics: a panel, where nothing is created or deleted
            await pilot.press("right_square_bracket")
            await settle(pilot)
        assert screen.view.id == "metrics" and rebuilt[-1] == "metrics"
        shown = [k.description for k in screen.query(FooterKey)]
        assert "Create" not in shown and "Delete" not in shown


async def test_run_task_from_the_console_reaches_running() -> None:
    app = make_ecs_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cluster(pilot)
        await pilot.press("right_square_bracket")  # Tasks
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RunTaskForm)
        assert form.value("definition") == "web:1" and form.value("launch") == "FARGATE"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, RunTaskForm))
        await until(pilot, lambda: running(app.backend))
        await pilot.press("r")
        await settle(pilot)
        [row] = screen.table.rows
        assert row.cells["last"] == "RUNNING" and row.cells["definition"] == "web:1"
        assert row.cells["launch"] == "FARGATE"


async def test_run_task_launch_type_follows_the_picked_definitions_compatibilities() -> None:
    app = make_ecs_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_cluster(pilot)
        await pilot.press("right_square_bracket", "c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RunTaskForm)
        assert form.value("definition") == "web:1" and form.value("launch") == "FARGATE"
        form.query_one("#f-definition").value = "worker:1"  # type: ignore[attr-defined]  # EC2 only
        await settle(pilot)
        assert form.value("launch") == "EC2"
        assert "worker:1" in str(form.query_one(".form-message").render())
        form.query_one("#f-definition").value = "web:1"  # type: ignore[attr-defined]  # Fargate only
        await settle(pilot)
        assert form.value("launch") == "FARGATE"


async def test_create_service_launch_type_follows_the_picked_definition_too() -> None:
    app = make_ecs_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_cluster(pilot)
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CreateServiceForm)
        form.query_one("#f-definition").value = "worker:1"  # type: ignore[attr-defined]
        await settle(pilot)
        assert form.value("launch") == "EC2"


async def test_placement_failure_on_ec2_is_said_in_the_form() -> None:
    app = make_ecs_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_cluster(pilot)
        await pilot.press("right_square_bracket", "c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RunTaskForm)
        form.query_one("#f-definition").value = "worker:1"  # type: ignore[attr-defined]
        form.query_one("#f-launch").value = "EC2"  # type: ignore[attr-defined]
        count = form.query_one("#f-count")
        count.value = "10"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        # 10 x 128 CPU units fit the t3.medium's 2048; memory (10 x 128 of 3968 MiB) too: all placed.
        await until(pilot, lambda: not isinstance(app.screen, RunTaskForm))
        await until(pilot, lambda: len(running(app.backend)) == 10)
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        form.query_one("#f-definition").value = "worker:1"  # type: ignore[attr-defined]
        form.query_one("#f-launch").value = "EC2"  # type: ignore[attr-defined]
        form.query_one("#f-count").value = "10"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        # 20 x 128 = 2560 CPU units > 2048: six more fit, four do not.
        await until(pilot, lambda: not isinstance(app.screen, RunTaskForm))
        assert len(app.backend.ecs.list_tasks("demo")) == 16


async def test_a_full_instance_refuses_every_task_and_the_form_keeps_what_was_typed() -> None:
    app = make_ecs_app()
    app.backend.ecs.register_task_definition({
        "family": "big", "requiresCompatibilities": ["EC2"], "networkMode": "bridge",
        "containerDefinitions": [{"name": "b", "image": "busybox", "cpu": 256, "memory": 3000}]})
    async with app.run_test(size=SIZE) as pilot:
        await open_cluster(pilot)
        await pilot.press("right_square_bracket", "c")
        await settle(pilot)
        form = app.screen
        form.query_one("#f-definition").value = "big:1"  # type: ignore[attr-defined]
        form.query_one("#f-launch").value = "EC2"  # type: ignore[attr-defined]
        form.query_one("#f-count").value = "2"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        # One fits (3000 of 3968 MiB), the second is not placed: RESOURCE:MEMORY, said in a notification.
        await until(pilot, lambda: not isinstance(app.screen, RunTaskForm))
        assert len(app.backend.ecs.list_tasks("demo")) == 1
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        form.query_one("#f-definition").value = "big:1"  # type: ignore[attr-defined]
        form.query_one("#f-launch").value = "EC2"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RunTaskForm)  # nothing placed: the form stays, with the reason
        message = str(app.screen.query_one(".form-message").render())
        assert "RESOURCE:MEMORY" in message and app.screen.query_one(".form-message").has_class("-error")
        assert app.screen.value("definition") == "big:1"


async def test_create_a_load_balanced_service_then_open_its_tabs() -> None:
    app = make_ecs_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cluster(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CreateServiceForm)
        await type_text(pilot, "web")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, CreateServiceForm))
        [service] = app.backend.ecs.describe_services("demo", ["web"])
        assert service.desired_count == 3 and service.load_balancers[0].container_port == 8080
        breaker = service.deployment_configuration.deployment_circuit_breaker
        assert breaker.enable and breaker.rollback
        schedule(app.backend)
        await until(pilot, lambda: len(running(app.backend, service="web")) == 3)
        schedule(app.backend)
        await pilot.press("r")
        await settle(pilot)
        [row] = screen.table.rows
        assert row.name == "web" and row.cells["running"] == 3
        await pilot.press("enter")
        await settle(pilot)
        service_screen = app.screen
        assert isinstance(service_screen, ServiceScreen)
        assert [v.id for v in service_screen.views] == [
            "details", "deployments", "events", "tasks", "targets", "logs", "metrics", "scaling"]
        details = str(service_screen.query_one("#details-body").render())
        assert "rolling update" in details and "minimum healthy 100%" in details
        await pilot.press("right_square_bracket")
        await settle(pilot)
        [deployment] = service_screen.table.rows
        assert deployment.cells["status"] == "PRIMARY" and deployment.cells["running"] == 3
        await pilot.press("right_square_bracket")
        await settle(pilot)
        messages = [r.cells["message"] for r in service_screen.table.rows]
        assert any("has started 3 tasks" in m for m in messages)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert len(service_screen.table.rows) == 3
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TaskScreen)


async def test_update_service_rolls_to_a_new_revision() -> None:
    app = make_ecs_app()
    ecs = app.backend.ecs
    ecs.create_service("demo", "web", "web:1", desired_count=2)
    schedule(app.backend)
    definition = ecs.describe_task_definition("web:1").to_aws()
    ecs.register_task_definition(definition | {"memory": "1024"})
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(running(app.backend, service="web")) == 2)
        screen = await open_cluster(pilot)
        await pilot.press("u")
        await settle(pilot)
        form = app.screen
        assert form.value("definition") == "web:1"  # type: ignore[attr-defined]
        form.query_one("#f-definition").value = "web:2"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen)
        [service] = ecs.describe_services("demo", ["web"])
        assert service.task_definition.endswith("web:2")
        assert [d.status for d in service.deployments] == ["PRIMARY", "ACTIVE"]


async def test_x_shows_stopped_tasks_and_ctrl_d_stops_one() -> None:
    app = make_ecs_app()
    app.backend.ecs.run_task("demo", "web:1", count=2)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(running(app.backend)) == 2)
        screen = await open_cluster(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert len(screen.table.rows) == 2
        await pilot.press("ctrl+d")
        await settle(pilot)
        await pilot.press("y")
        await until(pilot, lambda: len(running(app.backend)) == 1)
        await pilot.press("x")
        await settle(pilot)
        assert screen.view.title == "Tasks (stopped)"
        await until(pilot, lambda: screen.table.rows)
        [stopped] = screen.table.rows
        assert stopped.cells["last"] == "STOPPED" and stopped.cells["stopped"].startswith("UserInitiated")
        await pilot.press("x")
        await settle(pilot)
        assert screen.view.title == "Tasks" and len(screen.table.rows) == 1


async def test_draining_an_instance_from_the_console() -> None:
    app = make_ecs_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cluster(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot)
        await pilot.press("n")
        await until(pilot, lambda: app.backend.ecs.describe_container_instances(
            "demo", app.backend.ecs.list_container_instances("demo"))[0].status.value == "DRAINING")
        await pilot.press("r")
        await settle(pilot)
        assert screen.table.rows[0].cells["status"] == "DRAINING"


async def test_s_opens_a_shell_in_the_container(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []

    def fake_call(argv: list[str], **_: Any) -> int:
        calls.append(argv)
        return 0

    monkeypatch.setattr(subprocess, "call", fake_call)
    monkeypatch.setattr("shutil.which", lambda name: f"/usr/bin/{name}")
    app = make_ecs_app()
    [task] = app.backend.ecs.run_task("demo", "web:1").tasks
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: running(app.backend))
        await open_cluster(pilot)
        await pilot.press("right_square_bracket", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TaskScreen)
        await pilot.press("s")
        await until(pilot, lambda: calls)
        await until(pilot, lambda: getattr(screen, "last_shell", None))
        argv, code = screen.last_shell
        container = running(app.backend)[0].containers[0].runtime_id
        assert argv[:4] == ["/usr/bin/docker", "exec", "-it", container]
        assert argv[4:6] == ["sh", "-c"] and "exec bash || exec sh" in argv[6]
        assert code == 0
        # A headless run has no terminal to hand over: the same command runs without -it.
        assert calls == [[a for a in argv if a != "-it"]]


async def test_read_only_refuses_forms_and_stops() -> None:
    app = make_ecs_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cluster(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert app.screen is screen  # no form
        assert any("Read-only" in str(n.message) or "read-only" in str(n.message).lower()
                   for n in app._notifications)
