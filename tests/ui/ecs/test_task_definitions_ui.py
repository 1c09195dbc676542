"""ECS task definitions as the console has them: families, a family's revisions,
registering from JSON (a template, the latest revision, or a file), deregistering."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from computetui.ui.pages.service import ServiceScreen
from computetui.ui.screens.confirm import ConfirmScreen
from computetui.ui.screens.detail import DetailScreen
from computetui.ui.services.ecs.register_task_definition import RegisterTaskDefinitionScreen
from computetui.ui.services.ecs.task_family import TaskFamilyScreen
from tests.ui.helpers import SIZE, make_app, settle

WEB_ARN = "arn:aws:ecs:us-east-1:000000000000:task-definition/web"


def web_revision(**changes: object) -> dict:
    """The sample web task, changed: what registering its next revision takes."""
    definition = {
        "family": "web",
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [{"name": "web", "image": "busybox:stable", "essential": True}],
    }
    definition.update(changes)
    return definition


def app_with_web_revisions():  # noqa: ANN201
    """web:1 (deregistered), web:2 and web:3 (ACTIVE); worker:1 as seeded."""
    app = make_app()
    ecs = app.backend.ecs
    ecs.register_task_definition(web_revision(memory="1024"))
    ecs.register_task_definition(
        web_revision(containerDefinitions=[{"name": "web", "image": "nginx:stable-alpine", "essential": True}])
    )
    ecs.deregister_task_definition("web:1")
    return app


async def open_families(pilot: Pilot) -> ServiceScreen:
    await settle(pilot)
    pilot.app.open_page("ecs", view="task-definitions")  # type: ignore[attr-defined]
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ServiceScreen) and screen.view.id == "task-definitions"
    return screen


async def open_family(pilot: Pilot, family: str = "web") -> TaskFamilyScreen:
    screen = await open_families(pilot)
    assert screen.table.move_to(f"arn:aws:ecs:us-east-1:000000000000:task-definition/{family}")
    await pilot.press("enter")
    await settle(pilot)
    page = pilot.app.screen
    assert isinstance(page, TaskFamilyScreen) and page.family == family
    return page


async def open_register(pilot: Pilot) -> RegisterTaskDefinitionScreen:
    await pilot.press("c")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, RegisterTaskDefinitionScreen)
    return screen


def notifications(app) -> list[str]:  # noqa: ANN001
    return [n.message for n in app._notifications]


# -- families and revisions ------------------------------------------------------------------
@pytest.mark.asyncio
async def test_the_list_has_one_row_per_family_with_its_latest_active_revision() -> None:
    app = app_with_web_revisions()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_families(pilot)
        rows = {r.name: r.cells for r in screen.table.rows}
        assert sorted(rows) == ["web", "worker"]
        assert rows["web"]["latest"] == 3
        assert rows["web"]["active"] == 2
        assert rows["web"]["launch"] == "FARGATE"
        assert rows["web"]["network"] == "awsvpc"
        assert (rows["web"]["cpu"], rows["web"]["memory"]) == ("256", "512")
        assert rows["worker"]["launch"] == "EC2"
        assert rows["worker"]["status"] == "ACTIVE"


@pytest.mark.asyncio
async def test_enter_opens_the_family_with_its_active_revisions_newest_first() -> None:
    app = app_with_web_revisions()
    async with app.run_test(size=SIZE) as pilot:
        page = await open_family(pilot)
        assert page.table.visible_keys == [f"{WEB_ARN}:3", f"{WEB_ARN}:2"]
        cells = page.table.rows[0].cells
        assert "web (" in str(cells["containers"])
        assert page.crumbs == ["Console", "ECS", "Task definitions", "web"]


@pytest.mark.asyncio
async def test_x_shows_the_inactive_revisions_too_and_back() -> None:
    app = app_with_web_revisions()
    async with app.run_test(size=SIZE) as pilot:
        page = await open_family(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert [(r.name, r.state) for r in page.table.rows if r.name == "web:1"] == [("web:1", "INACTIVE")]
        assert len(page.table.rows) == 3
        assert page.view.title == "All revisions"
        await pilot.press("x")
        await settle(pilot)
        assert sorted(r.name for r in page.table.rows) == ["web:2", "web:3"]
        assert page.view.title == "Active revisions"


@pytest.mark.asyncio
async def test_enter_on_a_revision_shows_its_json_as_describe_prints_it() -> None:
    app = app_with_web_revisions()
    async with app.run_test(size=SIZE) as pilot:
        await open_family(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        shown = json.loads(app.screen.query_one("#json").text)  # type: ignore[attr-defined]
        assert shown["taskDefinitionArn"] == f"{WEB_ARN}:3"
        assert shown["revision"] == 3 and shown["status"] == "ACTIVE"
        assert shown["containerDefinitions"][0]["image"] == "nginx:stable-alpine"


@pytest.mark.asyncio
async def test_a_family_with_no_active_revision_is_listed_inactive_and_opens_on_all_revisions() -> None:
    app = make_app()
    app.backend.ecs.deregister_task_definition("worker:1")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_families(pilot)
        worker = next(r for r in screen.table.rows if r.name == "worker")
        assert (worker.state, worker.cells["active"], worker.cells["latest"]) == ("INACTIVE", 0, None)
        page = await open_family(pilot, "worker")
        assert [(r.name, r.state) for r in page.table.rows] == [("worker:1", "INACTIVE")]


# -- registering -------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_registering_the_template_makes_the_family_and_opens_it() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_families(pilot)
        screen = await open_register(pilot)
        template = json.loads(screen.editor.text)
        assert template["requiresCompatibilities"] == ["FARGATE"] and template["networkMode"] == "awsvpc"
        assert (template["cpu"], template["memory"]) == ("256", "512")
        container = template["containerDefinitions"][0]
        assert container["essential"] is True and container["portMappings"]
        assert container["logConfiguration"]["options"]["awslogs-create-group"] == "true"
        await pilot.press("ctrl+s")
        await settle(pilot)
        page = app.screen
        assert isinstance(page, TaskFamilyScreen) and page.family == "my-task"
        assert [r.name for r in page.table.rows] == ["my-task:1"]
        assert "Registered task definition my-task:1" in notifications(app)
        assert app.backend.ecs.describe_task_definition("my-task:1").cpu == "256"


@pytest.mark.asyncio
async def test_a_new_revision_starts_from_the_latest_and_lands_on_the_same_family_page() -> None:
    app = app_with_web_revisions()
    async with app.run_test(size=SIZE) as pilot:
        page = await open_family(pilot)
        depth = len(app.screen_stack)
        screen = await open_register(pilot)
        assert screen.crumbs[-1] == "Create new revision"
        started = json.loads(screen.editor.text)
        assert started["containerDefinitions"][0]["image"] == "nginx:stable-alpine"  # web:3, the latest
        for read_only in ("taskDefinitionArn", "revision", "status", "registeredAt", "compatibilities"):
            assert read_only not in started
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is page and len(app.screen_stack) == depth
        assert page.table.cursor_key == f"{WEB_ARN}:4"
        assert "Registered task definition web:4" in notifications(app)


@pytest.mark.asyncio
async def test_fargate_rejects_256_cpu_with_4096_memory_inline_and_keeps_the_text() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_families(pilot)
        screen = await open_register(pilot)
        text = screen.editor.text.replace('"memory": "512"', '"memory": "4096"')
        screen.editor.load_text(text)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen  # still here, nothing lost
        assert screen.editor.text == text
        assert "ClientException" in screen.message
        assert "No Fargate configuration exists for given values: 256 CPU, 4096 memory" in screen.message
        assert "Field: cpu" in screen.message
        assert screen.editor.cursor_location[0] == next(
            n for n, line in enumerate(text.splitlines()) if '"cpu"' in line
        )
        assert app.backend.ecs.list_task_definition_families(family_prefix="my-task") == []


@pytest.mark.asyncio
async def test_broken_json_says_line_and_column_and_puts_the_cursor_there() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_families(pilot)
        screen = await open_register(pilot)
        text = screen.editor.text.replace('"networkMode": "awsvpc",', '"networkMode": "awsvpc"', 1)
        screen.editor.load_text(text)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen and screen.editor.text == text
        line = next(n for n, row in enumerate(text.splitlines(), 1) if '"cpu"' in row)
        assert f"line {line}, column 3" in screen.message
        assert screen.editor.cursor_location == (line - 1, 2)


@pytest.mark.asyncio
async def test_a_missing_family_is_named() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_families(pilot)
        screen = await open_register(pilot)
        text = json.dumps({"containerDefinitions": [{"name": "a", "image": "busybox"}]}, indent=2)
        screen.editor.load_text(text)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Missing required field 'family'" in screen.message
        assert screen.editor.text == text


@pytest.mark.asyncio
async def test_loading_describe_output_from_a_file_unwraps_it_and_registers(tmp_path: Path) -> None:
    app = make_app()
    described = {
        "taskDefinition": {
            **web_revision(family="api"),
            "taskDefinitionArn": "arn:aws:ecs:us-east-1:000000000000:task-definition/api:7",
            "revision": 7,
            "status": "ACTIVE",
            "registeredAt": "2026-01-01T00:00:00+00:00",
        },
        "tags": [],
    }
    path = tmp_path / "api.json"
    path.write_text(json.dumps(described))
    async with app.run_test(size=SIZE) as pilot:
        await open_families(pilot)
        screen = await open_register(pilot)
        await pilot.press("ctrl+o")
        path_input = screen.query_one("#register-path", Input)
        assert screen.focused is path_input
        path_input.value = str(path)
        await pilot.press("enter")
        await settle(pilot)
        loaded = json.loads(screen.editor.text)
        assert loaded["family"] == "api" and "taskDefinitionArn" not in loaded and "revision" not in loaded
        assert "Loaded" in screen.message
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TaskFamilyScreen) and app.screen.family == "api"
        assert app.backend.ecs.describe_task_definition("api").revision == 1


@pytest.mark.asyncio
async def test_a_bad_path_says_so_and_leaves_the_editor_alone(tmp_path: Path) -> None:
    app = make_app()
    (tmp_path / "notes.json").write_text("{ not json")
    async with app.run_test(size=SIZE) as pilot:
        await open_families(pilot)
        screen = await open_register(pilot)
        before = screen.editor.text
        path_input = screen.query_one("#register-path", Input)
        await pilot.press("ctrl+o")
        path_input.value = str(tmp_path / "missing.json")
        await pilot.press("enter")
        await settle(pilot)
        assert "No such file" in screen.message
        path_input.value = str(tmp_path / "notes.json")
        await pilot.press("enter")
        await settle(pilot)
        assert "is not valid JSON" in screen.message and "line 1, column 3" in screen.message
        assert screen.editor.text == before


# -- deregistering --------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_deregistering_a_revision_asks_then_does_it() -> None:
    app = app_with_web_revisions()
    async with app.run_test(size=SIZE) as pilot:
        page = await open_family(pilot)
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen) and app.screen.verb == "Deregister"
        assert "INACTIVE" in app.screen.detail and "keep running" in app.screen.detail
        await pilot.press("n")
        await settle(pilot)
        assert app.backend.ecs.describe_task_definition("web:3").status.value == "ACTIVE"
        await pilot.press("ctrl+d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.backend.ecs.describe_task_definition("web:3").status.value == "INACTIVE"
        assert [r.name for r in page.table.rows] == ["web:2"]


@pytest.mark.asyncio
async def test_deregistering_a_family_deregisters_every_active_revision() -> None:
    app = app_with_web_revisions()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_families(pilot)
        assert screen.table.move_to(WEB_ARN)
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Every ACTIVE revision" in app.screen.detail
        await pilot.press("y")
        await settle(pilot)
        assert app.backend.ecs.list_task_definitions(family_prefix="web", status="ACTIVE") == []
        web = next(r for r in screen.table.rows if r.name == "web")
        assert web.state == "INACTIVE"


@pytest.mark.asyncio
async def test_read_only_refuses_registering_and_deregistering() -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_families(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert app.screen is screen
        page = await open_family(pilot)
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert app.screen is page
        refused = [m for m in notifications(app) if m.startswith("Read-only mode")]
        assert len(refused) == 3
        # Even a register page opened some other way refuses to send.
        app.push_screen(RegisterTaskDefinitionScreen("web"))
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert len([m for m in notifications(app) if m.startswith("Read-only mode")]) == 4
    assert app.backend.ecs.describe_task_definition("web").revision == 1


# -- pictures ---------------------------------------------------------------------------------------
def test_families_snapshot(snap_compare) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await open_families(pilot)

    assert snap_compare(app_with_web_revisions(), terminal_size=SIZE, run_before=go)


def test_family_page_snapshot(snap_compare) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await open_family(pilot)
        await pilot.press("x")
        await settle(pilot)

    assert snap_compare(app_with_web_revisions(), terminal_size=SIZE, run_before=go)


@pytest.mark.asyncio
async def test_only_the_focused_one_of_the_file_box_and_the_editor_looks_focused() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_families(pilot)
        screen = await open_register(pilot)
        path, editor = screen.query_one("#register-path", Input), screen.editor

        def border(widget) -> tuple:  # noqa: ANN001
            kind, colour = widget.styles.border_top
            return kind, tuple(channel // 4 for channel in colour.rgb)  # a tint's rounding aside

        assert app.focused is editor
        focused_look, blurred_look = border(editor), border(path)
        assert focused_look != blurred_look
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert app.focused is path
        assert border(path) == focused_look and border(editor) == blurred_look


def test_register_snapshot(snap_compare) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await open_families(pilot)
        await open_register(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=go)
