"""The ECR console: repositories, a repository's Images and Lifecycle policy tabs, pushing a local image."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select, Static, TextArea

from computetui.app import ComputeApp
from computetui.backends.local import LocalBackend
from computetui.clock import FixedClock
from computetui.settings import Settings
from computetui.ui.pages.service import ServiceScreen
from computetui.ui.screens.confirm import ConfirmScreen
from computetui.ui.services.ecr.forms import CreateRepositoryScreen, PushImageScreen
from computetui.ui.services.ecr.lifecycle import LifecyclePanel
from computetui.ui.services.ecr.repository import RepositoryScreen
from computetui.ui.widgets.resource_table import ResourceTable
from tests.support.fakes import FakeEngine
from tests.ui.helpers import SIZE, settle, type_text

NOW = "2026-01-15T09:30:00+00:00"
URI = "000000000000.dkr.ecr.us-east-1.amazonaws.com"
LOCAL_IMAGES = {"demo/web:v1": 48_600_000, "demo/web:v2": 49_100_000, "python:3.12-slim": 131_500_000}


class LocalEngine(FakeEngine):
    """FakeEngine with image ids that look like a real engine's, so short digests differ.

    Each id starts with its image's number, which keeps FakeEngine's order (the first image is the newest).
    """

    def __init__(self, images: dict[str, int]) -> None:
        super().__init__(images)
        self._images = {
            name: replace(info, id=f"sha256:{n:02x}{hashlib.sha256(name.encode()).hexdigest()[2:]}")
            for n, (name, info) in enumerate(self._images.items(), start=1)
        }


def make_ecr_app(*, read_only: bool = False, images: dict[str, int] | None = None) -> ComputeApp:
    backend = LocalBackend(
        ":memory:",
        clock=FixedClock(NOW),
        seed=11,
        engine=LocalEngine(LOCAL_IMAGES if images is None else images),
        controller=False,
        lambda_sandbox="process",
    )
    settings = Settings(refresh=0, theme="aws-dark", read_only=read_only)
    return ComputeApp(settings, backend, polling=False, blink=False, clock=FixedClock(NOW))


def with_repositories(app: ComputeApp, *, pushed: bool = True) -> ComputeApp:
    """demo/web (mutable, two images pushed) and demo/worker (immutable, scan on push, empty)."""
    ecr = app.backend.ecr
    ecr.create_repository(repository_name="demo/web")
    ecr.create_repository(
        repository_name="demo/worker", image_tag_mutability="IMMUTABLE", image_scanning_configuration={"scanOnPush": True}
    )
    if pushed:
        ecr.put_image(repository_name="demo/web", source_image="demo/web:v1", image_tag="v1")
        app.backend.clock.advance(3600)
        ecr.put_image(repository_name="demo/web", source_image="demo/web:v2", image_tag="v2")
        ecr.put_image(repository_name="demo/web", source_image="demo/web:v2", image_tag="latest")
    return app


async def open_ecr(pilot: Pilot) -> ServiceScreen:
    await settle(pilot)
    await type_text(pilot, ":ecr")
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ServiceScreen)
    return pilot.app.screen


async def open_repository(pilot: Pilot, name: str = "demo/web", tab: str | None = None) -> RepositoryScreen:
    screen = await open_ecr(pilot)
    assert screen.table.move_to(f"arn:aws:ecr:us-east-1:000000000000:repository/{name}")
    await pilot.press("enter")
    await settle(pilot)
    page = pilot.app.screen
    assert isinstance(page, RepositoryScreen) and page.repository_name == name
    if tab:
        page.switch_view(tab)
        await settle(pilot)
    return page


def images_table(page: RepositoryScreen) -> ResourceTable:
    return page.table_of("images")


def message_of(screen: object) -> str:
    return str(screen.query_one(".form-message", Static).render())  # type: ignore[attr-defined]


def notified(app: ComputeApp, text: str) -> bool:
    return any(text in n.message for n in app._notifications)


# -- the repositories list ------------------------------------------------------------
@pytest.mark.asyncio
async def test_repositories_list_shows_uri_settings_and_image_count() -> None:
    app = with_repositories(make_ecr_app())
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_ecr(pilot)
        rows = {row.name: row for row in screen.table.rows}
        assert rows["demo/web"].cells["uri"] == f"{URI}/demo/web"
        assert rows["demo/web"].cells["images"] == 2
        assert rows["demo/web"].cells["immutability"] == "Disabled"
        assert rows["demo/worker"].cells["immutability"] == "Enabled"
        assert rows["demo/worker"].cells["scan"] == "Enabled"
        assert rows["demo/worker"].cells["images"] == 0
    app.backend.close()


@pytest.mark.asyncio
async def test_create_a_repository_shows_the_naming_rule_error_inline_then_creates_it() -> None:
    app = make_ecr_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_ecr(pilot)
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CreateRepositoryScreen)
        await type_text(pilot, "Team/Web")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is form
        error = message_of(form)
        assert "InvalidParameterException" in error and "repositoryName" in error
        form.query_one("#name", Input).value = "team/web"
        form.query_one("#mutability", Select).value = "IMMUTABLE"
        form.query_one("#scan").value = True
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ServiceScreen)
        assert notified(app, "Created repository team/web.")
        [repository] = app.backend.ecr.describe_repositories(["team/web"])
        assert repository.image_tag_mutability.value == "IMMUTABLE"
        assert repository.image_scanning_configuration.scan_on_push
        assert [row.name for row in app.screen.table.rows] == ["team/web"]
    app.backend.close()


@pytest.mark.asyncio
async def test_deleting_a_repository_with_images_asks_then_forces() -> None:
    app = with_repositories(make_ecr_app())
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_ecr(pilot)
        screen.table.move_to("arn:aws:ecr:us-east-1:000000000000:repository/demo/web")
        await pilot.press("ctrl+d")
        await settle(pilot)
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert "deleted with them (force)" in confirm.detail
        await pilot.press("y")
        await settle(pilot)
        assert [r.repository_name for r in app.backend.ecr.describe_repositories()] == ["demo/worker"]
        assert notified(app, "Deleted repository demo/web.")
        # Its names under the repository's URI left the engine; the source images stayed.
        names = {name for image in app.backend.engine.list_images() for name in image.tags}
        assert names == set(LOCAL_IMAGES)
    app.backend.close()


# -- a repository's page ---------------------------------------------------------------
@pytest.mark.asyncio
async def test_enter_opens_the_repository_page_with_its_uri_and_images() -> None:
    app = with_repositories(make_ecr_app())
    async with app.run_test(size=SIZE) as pilot:
        page = await open_repository(pilot)
        facts = str(page.query_one("#facts", Static).render())
        assert f"{URI}/demo/web" in facts and "p picks an image" in facts
        table = images_table(page)
        rows = {row.key: row for row in table.rows}
        assert [rows[key].cells["tags"] for key in table.visible_keys] == ["v2, latest", "v1"]  # newest first
        assert all(row.cells["digest"] == row.key[:19] + "…" for row in rows.values())
        assert {row.cells["size"] for row in rows.values()} == {"46.35", "46.83"}
    app.backend.close()


@pytest.mark.asyncio
async def test_push_a_local_image_and_see_it_in_images_with_its_tag() -> None:
    app = with_repositories(make_ecr_app(), pushed=False)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_repository(pilot)
        assert images_table(page).rows == []
        await pilot.press("p")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, PushImageScreen)
        assert [c.reference for c in form.choices] == ["demo/web:v1", "demo/web:v2", "python:3.12-slim"]
        assert form.query_one("#tag", Input).value == "v1"  # the source's own tag
        await pilot.press("down")  # demo/web:v2
        await settle(pilot)
        assert form.query_one("#tag", Input).value == "v2"
        await pilot.press("enter")  # picks it; on to the tag
        await pilot.press("enter")  # pushes
        await settle(pilot)
        assert app.screen is page
        digest = app.backend.engine.image_info("demo/web:v2").id
        assert notified(app, f"Pushed demo/web:v2 ({digest[:19]}…)")
        [row] = images_table(page).rows
        assert row.cells["tags"] == "v2" and row.key == digest
        assert app.backend.engine.image_info(f"{URI}/demo/web:v2").id == digest
    app.backend.close()


@pytest.mark.asyncio
async def test_c_on_images_opens_the_push_form_and_a_tag_of_your_own_stays() -> None:
    app = with_repositories(make_ecr_app(), pushed=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_repository(pilot)
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, PushImageScreen)
        form.query_one("#tag", Input).value = "release-1"
        await pilot.press("down")
        await settle(pilot)
        assert form.query_one("#tag", Input).value == "release-1"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, RepositoryScreen)
    app.backend.close()


@pytest.mark.asyncio
async def test_pushing_a_taken_tag_to_an_immutable_repository_shows_the_error_inline() -> None:
    app = with_repositories(make_ecr_app(), pushed=False)
    app.backend.ecr.put_image(repository_name="demo/worker", source_image="demo/web:v1", image_tag="v1")
    async with app.run_test(size=SIZE) as pilot:
        page = await open_repository(pilot, "demo/worker")
        await pilot.press("p")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, PushImageScreen)
        references = [c.reference for c in form.choices]
        assert f"{URI}/demo/worker:v1" in references  # a pushed image is still a local image
        form.query_one(OptionList).highlighted = references.index("demo/web:v2")
        await settle(pilot)
        form.query_one("#tag", Input).value = "v1"
        await pilot.click("#push")
        await settle(pilot)
        assert app.screen is form
        error = message_of(form)
        assert "ImageTagAlreadyExistsException" in error and "immutable" in error
        await pilot.press("escape")
        await settle(pilot)
        assert [row.cells["tags"] for row in images_table(page).rows] == ["v1"]
    app.backend.close()


@pytest.mark.asyncio
async def test_delete_an_image_asks_then_deletes_it_by_digest() -> None:
    app = with_repositories(make_ecr_app())
    async with app.run_test(size=SIZE) as pilot:
        page = await open_repository(pilot)
        table = images_table(page)
        assert table.cursor_row is not None and table.cursor_row.cells["tags"] == "v2, latest"
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert [row.cells["tags"] for row in table.rows] == ["v1"]
        assert [i.image_tags for i in app.backend.ecr.describe_images("demo/web")] == [["v1"]]
        assert app.backend.engine.image_info(f"{URI}/demo/web:latest") is None
        assert notified(app, "Deleted image v2, latest.")
    app.backend.close()


@pytest.mark.asyncio
async def test_a_failed_image_delete_is_reported() -> None:
    app = with_repositories(make_ecr_app())
    async with app.run_test(size=SIZE) as pilot:
        page = await open_repository(pilot)
        app.backend.ecr.batch_delete_image("demo/web", [{"imageTag": "v2"}, {"imageTag": "latest"}])  # behind its back
        await pilot.press("ctrl+d", "y")
        await settle(pilot)
        assert any(n.title == "Delete failed" and "ImageNotFound" in n.message for n in app._notifications)
        assert [row.cells["tags"] for row in images_table(page).rows] == ["v1"]
    app.backend.close()


# -- lifecycle policy ------------------------------------------------------------------
@pytest.mark.asyncio
async def test_save_a_lifecycle_policy_from_the_template() -> None:
    app = with_repositories(make_ecr_app())
    async with app.run_test(size=SIZE) as pilot:
        page = await open_repository(pilot, tab="lifecycle")
        panel = page.query_one(LifecyclePanel)
        assert panel.policy is None and panel.editor.text == ""
        assert "No lifecycle policy" in str(panel.query_one("#policy-status", Static).render())
        await pilot.press("t")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Saved" in str(panel.query_one("#policy-message", Static).render())
        text = app.backend.ecr.get_lifecycle_policy("demo/web").lifecycle_policy_text
        assert '"tagStatus": "untagged"' in text and '"countNumber": 14' in text
        assert panel.policy is not None and not panel.dirty
        assert "Lifecycle policy active" in str(panel.query_one("#policy-status", Static).render())
    app.backend.close()


@pytest.mark.asyncio
async def test_a_bad_lifecycle_policy_shows_ecrs_validation_error_inline() -> None:
    app = with_repositories(make_ecr_app())
    async with app.run_test(size=SIZE) as pilot:
        page = await open_repository(pilot, tab="lifecycle")
        panel = page.query_one(LifecyclePanel)
        await pilot.press("t")
        editor = panel.query_one("#policy", TextArea)
        editor.load_text(editor.text.replace('"sinceImagePushed"', '"sincePushed"'))
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = str(panel.query_one("#policy-message", Static).render())
        assert message.startswith("InvalidParameterException: Invalid parameter at 'LifecyclePolicyText'")
        assert "rules[0].selection.countType" in message
        with pytest.raises(Exception, match="LifecyclePolicyNotFoundException"):
            app.backend.ecr.get_lifecycle_policy("demo/web")
        assert panel.dirty  # the editor keeps what was typed
    app.backend.close()


@pytest.mark.asyncio
async def test_x_deletes_the_lifecycle_policy_after_asking() -> None:
    app = with_repositories(make_ecr_app())
    from computetui.ui.services.ecr.views import lifecycle_template

    app.backend.ecr.put_lifecycle_policy("demo/web", lifecycle_template())
    async with app.run_test(size=SIZE) as pilot:
        page = await open_repository(pilot, tab="lifecycle")
        panel = page.query_one(LifecyclePanel)
        assert '"countNumber": 10' in panel.editor.text
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert panel.policy is None and panel.editor.text == ""
        with pytest.raises(Exception, match="LifecyclePolicyNotFoundException"):
            app.backend.ecr.get_lifecycle_policy("demo/web")
    app.backend.close()


# -- read-only -----------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_read_only_refuses_create_delete_push_and_policy_changes() -> None:
    app = with_repositories(make_ecr_app(read_only=True))
    app.backend.read_only = True
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_ecr(pilot)
        await pilot.press("c")
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("enter")
        await settle(pilot)
        page = app.screen
        assert isinstance(page, RepositoryScreen)
        await pilot.press("p")
        await pilot.press("c")
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert app.screen is page
        page.switch_view("lifecycle")
        await settle(pilot)
        await pilot.press("t", "ctrl+s")
        await settle(pilot)
        refusals = [n.message for n in app._notifications if n.title == "Read-only"]
        assert len(refusals) == 6, refusals
        assert any("pushing an image to demo/web" in m for m in refusals)
        assert any("changing the lifecycle policy of demo/web" in m for m in refusals)
        assert len(app.backend.ecr.describe_images("demo/web")) == 2
        assert len(app.backend.ecr.describe_repositories()) == 2
    app.backend.close()


# -- pictures --------------------------------------------------------------------------------
def test_repositories_snapshot(snap_compare) -> None:  # noqa: ANN001
    app = with_repositories(make_ecr_app())

    async def go(pilot: Pilot) -> None:
        await open_ecr(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=go)


def test_repository_images_snapshot(snap_compare) -> None:  # noqa: ANN001
    app = with_repositories(make_ecr_app())

    async def go(pilot: Pilot) -> None:
        await open_repository(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=go)


def test_push_form_snapshot(snap_compare) -> None:  # noqa: ANN001
    app = with_repositories(make_ecr_app())

    async def go(pilot: Pilot) -> None:
        await open_repository(pilot)
        await pilot.press("p")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=go)


def test_lifecycle_policy_snapshot(snap_compare) -> None:  # noqa: ANN001
    app = with_repositories(make_ecr_app())
    from computetui.ui.services.ecr.views import lifecycle_template

    app.backend.ecr.put_lifecycle_policy("demo/web", lifecycle_template())

    async def go(pilot: Pilot) -> None:
        await open_repository(pilot, tab="lifecycle")

    assert snap_compare(app, terminal_size=SIZE, run_before=go)


@pytest.mark.asyncio
async def test_after_a_create_the_cursor_is_on_the_new_repository() -> None:
    app = with_repositories(make_ecr_app())
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_ecr(pilot)
        assert screen.table.cursor_row.name == "demo/web"
        await pilot.press("c")
        await settle(pilot)
        app.screen.query_one("#name", Input).value = "zeta/api"
        await pilot.press("enter")
        await settle(pilot)
        await settle(pilot)
        assert app.screen is screen and [r.name for r in screen.table.rows][-1] == "zeta/api"
        assert screen.table.cursor_row.name == "zeta/api"  # so ctrl+d now asks about the new one
    app.backend.close()
