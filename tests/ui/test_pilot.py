"""The console driven by keys, asserting on what it did (not on pictures)."""

from __future__ import annotations

import pytest

from computetui.ui.pages.home import HomeScreen
from computetui.ui.pages.service import ServiceScreen
from computetui.ui.screens.detail import DetailScreen
from computetui.ui.screens.help import HelpScreen
from computetui.ui.widgets.command_line import CommandLine
from computetui.ui.widgets.resource_table import ResourceTable
from tests.ui.helpers import SIZE, make_app, settle, type_text

pytestmark = pytest.mark.asyncio


async def open_page(pilot, command: str) -> None:  # noqa: ANN001
    await type_text(pilot, command)
    await pilot.press("enter")
    await settle(pilot)


async def test_colon_lambda_lands_on_the_lambda_page_and_esc_comes_back() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await open_page(pilot, ":lambda")
        assert isinstance(app.screen, ServiceScreen) and app.screen.spec.id == "lambda"
        table = app.screen.query_one(ResourceTable)
        assert sorted(r.name for r in table.rows) == ["hello-node", "hello-world"]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_every_service_command_opens_its_page() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for command, page in [
            (":ecs", "ecs"),
            (":ecr", "ecr"),
            (":apigw", "apigw"),
            (":api", "apigw"),
            (":batch", "batch"),
            (":lightsail", "lightsail"),
            (":eks", "eks"),
        ]:
            await open_page(pilot, command)
            assert app.screen.page_id == page  # type: ignore[attr-defined]
        await open_page(pilot, ":home")
        assert isinstance(app.screen, HomeScreen)
        assert len(app.screen_stack) == 1  # jumping around does not pile up screens


async def test_an_unknown_command_shows_an_inline_error_and_keeps_the_text() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_page(pilot, ":lamda")
        line = app.screen.query_one(CommandLine)
        assert line.is_open and line.has_class("-error")
        assert line.input.value == "lamda"
        assert "did you mean :lambda?" in str(line.query_one(".error").render())
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert not line.is_open


async def test_slash_narrows_the_rows_and_esc_clears_the_filter() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_page(pilot, ":lambda")
        table = app.screen.query_one(ResourceTable)
        assert len(table.visible_keys) == 2
        await type_text(pilot, "/node")
        await settle(pilot)
        assert [k.rsplit(":", 1)[-1] for k in table.visible_keys] == ["hello-node"]
        await pilot.press("enter")  # keep the filter, back to the table
        await settle(pilot)
        assert table.filter_text == "node" and len(table.visible_keys) == 1
        await pilot.press("escape")  # esc on the page clears the filter first
        await settle(pilot)
        assert table.filter_text == "" and len(table.visible_keys) == 2
        assert isinstance(app.screen, ServiceScreen)


async def test_a_refresh_keeps_the_cursor_on_the_same_arn() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_page(pilot, ":lambda")
        table = app.screen.query_one(ResourceTable)
        await pilot.press("down")
        chosen = table.cursor_key
        assert chosen is not None and chosen.endswith("function:hello-world")
        # A function that sorts first appears: rows shift, the cursor must follow its ARN.
        from computetui.blueprints import blueprint

        bp = blueprint("hello-world-python")
        app.backend.lambda_.create_function(
            function_name="aaa-first", runtime=bp.runtime, handler=bp.handler, code={"ZipFile": bp.zip()}
        )
        await pilot.press("r")
        await settle(pilot)
        assert len(table.visible_keys) == 3
        assert table.visible_keys[0].endswith("function:aaa-first")
        assert table.cursor_key == chosen
        assert table.table.cursor_row == 2


async def test_sorting_survives_a_refresh() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_page(pilot, ":lambda")
        table = app.screen.query_one(ResourceTable)
        await pilot.press("O")  # reverse
        first = table.visible_keys[0]
        assert first.endswith("hello-world")
        await pilot.press("r")
        await settle(pilot)
        assert table.visible_keys[0] == first and table.sort_reverse


async def test_d_opens_the_detail_with_the_aws_json() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_page(pilot, ":ecs")
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        text = app.screen.query_one("#json").text  # type: ignore[attr-defined]
        assert '"clusterName": "demo"' in text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ServiceScreen)


async def test_views_switch_with_brackets() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_page(pilot, ":ecs")
        await pilot.press("right_square_bracket")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ServiceScreen) and screen.view.id == "task-definitions"
        assert sorted(r.name for r in screen.table.rows) == ["web", "worker"]  # families; enter lists revisions


async def test_delete_asks_then_deletes() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_page(pilot, ":ecr")
        await pilot.press("ctrl+d")
        await settle(pilot)
        await pilot.press("n")  # changed our mind
        await settle(pilot)
        assert len(app.backend.ecr.describe_repositories()) == 2
        await pilot.press("ctrl+d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert [r.repository_name for r in app.backend.ecr.describe_repositories()] == ["demo/worker"]
        table = app.screen.query_one(ResourceTable)
        assert [r.name for r in table.rows] == ["demo/worker"]


async def test_a_backend_error_is_shown_and_the_app_lives_on() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_page(pilot, ":ecs")

        def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            from computetui.backends.errors import Unavailable

            raise Unavailable("Docker engine unavailable: no Docker socket at /x", reason="socket missing")

        app.backend.ecs.describe_clusters = broken  # type: ignore[method-assign]
        await pilot.press("r")
        await settle(pilot)
        banner = app.screen.query_one("#banner")
        assert banner.has_class("-shown")
        assert "ServiceUnavailable" in str(banner.render())
        assert app.is_running


async def test_read_only_refuses_delete_in_the_ui_without_calling_the_backend() -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_page(pilot, ":lambda")
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert not any(type(s).__name__ == "ConfirmScreen" for s in app.screen_stack)
        assert any("Read-only mode" in n.message for n in app._notifications)
        await pilot.press("D")
        await settle(pilot)
        assert len(app.backend.lambda_.list_functions()) == 2


async def test_the_sample_workload_key_seeds_an_empty_account() -> None:
    app = make_app(seeded=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.overview.summaries["lambda"].count == 0
        await pilot.press("D")
        await settle(pilot)
        assert app.overview.summaries["lambda"].count == 2
        [said] = [n for n in app._notifications if n.title == "Sample workload loaded"]
        # This engine has no image and makes none: the image is named, with how to do without a registry.
        assert said.severity == "warning" and "\n\nImage busybox:stable: not on the engine" in said.message
        assert 'sample_image = "IMAGE"' in said.message


async def test_help_lists_every_key_with_its_id_and_remapped_keys() -> None:
    app = make_app(keymap={"filter": "f"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_page(pilot, ":lambda")
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(str(w.render()) for w in app.screen.query("Static"))
        for binding_id in (
            "quit",
            "command-palette",
            "help",
            "command-line",
            "filter",
            "back",
            "refresh",
            "open",
            "delete",
            "concept-card",
            "sort-next",
            "view-next",
            "seed-demo",
        ):
            assert binding_id in text
        filter_line = next(line for line in text.splitlines() if line.rstrip().endswith("filter"))
        assert filter_line.startswith("f ")
        await pilot.press("escape")
        await settle(pilot)
        # The remapped key really filters.
        await pilot.press("f")
        await settle(pilot)
        assert app.screen.query_one(CommandLine).is_open


async def palette_pick(pilot, text: str) -> None:  # noqa: ANN001
    await pilot.press("ctrl+p")
    await settle(pilot)
    await type_text(pilot, text)
    await pilot.pause(0.5)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def test_the_palette_opens_a_resource_as_enter_on_its_row_would() -> None:
    from computetui.ui.services.lambda_.function import FunctionScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await palette_pick(pilot, "hello-world")
        screen = app.screen
        assert isinstance(screen, FunctionScreen) and screen.function_name == "hello-world"
        await pilot.press("escape")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ServiceScreen) and screen.spec.id == "lambda"
        assert screen.table.cursor_key.endswith("function:hello-world")


async def test_the_palette_clears_the_filter_that_hid_the_resource_it_opens() -> None:
    from computetui.ui.services.lambda_.function import FunctionScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_page(pilot, ":lambda")
        await open_page(pilot, "/nc-")
        assert app.screen.table.filter_text == "nc-"  # type: ignore[attr-defined]
        await palette_pick(pilot, "hello-node")
        assert isinstance(app.screen, FunctionScreen) and app.screen.function_name == "hello-node"
        await pilot.press("escape")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ServiceScreen) and screen.spec.id == "lambda"
        assert screen.table.filter_text == ""
        assert screen.table.cursor_key.endswith("function:hello-node")
        assert len(app.screen_stack) == 2  # home, then the one Lambda page: nothing piled up


async def test_the_palette_opens_an_ecs_cluster_page() -> None:
    from computetui.ui.services.ecs.screens import ClusterScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await palette_pick(pilot, "demo")
        assert isinstance(app.screen, ClusterScreen)


async def test_themes_switch_from_the_command_line() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_page(pilot, ":theme aws-light")
        assert app.theme == "aws-light"
        await open_page(pilot, ":theme nope")
        assert "Unknown theme 'nope'" in str(app.screen.query_one(CommandLine).query_one(".error").render())


async def test_ctrl_q_exits() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_page(pilot, ":lambda")
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert not app.is_running
    assert app.return_code == 0


async def test_only_the_visible_page_polls() -> None:
    from computetui.app import ComputeApp
    from computetui.settings import Settings
    from tests.ui.helpers import make_backend

    calls: dict[str, int] = {}
    app = ComputeApp(Settings(refresh=0.05), make_backend(), polling=True, blink=False)
    async with app.run_test(size=SIZE) as pilot:
        # This app polls every 50 ms, so "wait until every worker is done" never holds: just pause.
        await pilot.pause(0.3)
        await type_text(pilot, ":lambda")
        await pilot.press("enter")
        await pilot.pause(0.3)
        service = app.screen
        assert isinstance(service, ServiceScreen)
        original = service.fetch

        def counting(backend):  # noqa: ANN001, ANN202
            calls["service"] = calls.get("service", 0) + 1
            return original(backend)

        service.fetch = counting  # type: ignore[method-assign]
        await pilot.pause(0.4)
        visible = calls.get("service", 0)
        assert visible >= 3  # it polls while shown
        await pilot.press("enter")  # the function page covers it
        await pilot.pause(0.3)
        before = calls.get("service", 0)
        await pilot.pause(0.4)
        assert calls.get("service", 0) == before  # covered: no polling
        await pilot.press("escape")  # shown again: polls again
        await pilot.pause(0.4)
        assert calls.get("service", 0) > before


async def test_the_sample_workload_key_is_listed_on_the_local_backend() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.offers_demo
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert "seed-demo" in [b.id for _, bindings in app.screen.sections for b in bindings]


async def test_a_batch_queue_is_disabled_with_e_then_deleted() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_page(pilot, ":batch")
        screen = app.screen
        assert isinstance(screen, ServiceScreen) and screen.view.id == "job-queues"
        table = screen.query_one(ResourceTable)
        [queue] = table.rows
        assert queue.cells["state"] == "ENABLED"
        await pilot.press("ctrl+d", "y")  # AWS refuses while it is ENABLED, and says so
        await settle(pilot)
        assert [r.name for r in table.rows] == [queue.name]
        assert any("DISABLED first" in str(n.message) for n in app._notifications)
        await pilot.press("e")
        await settle(pilot)
        assert table.rows[0].cells["state"] == "DISABLED"
        assert app.backend.batch.describe_job_queues()[0].state.value == "DISABLED"
        await pilot.press("e")  # and back
        await settle(pilot)
        assert table.rows[0].cells["state"] == "ENABLED"
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("ctrl+d", "y")
        await settle(pilot)
        assert table.rows == [] and app.backend.batch.describe_job_queues() == []


async def test_ctrl_d_is_named_deregister_where_it_deregisters() -> None:
    from textual.widgets._footer import FooterKey

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_page(pilot, ":batch")
        footer = [k.description for k in app.screen.query(FooterKey)]
        assert "Delete" in footer and "Deregister" not in footer
        await pilot.press("right_square_bracket", "right_square_bracket")  # to Job definitions
        await settle(pilot)
        assert app.screen.view.id == "job-definitions"
        footer = [k.description for k in app.screen.query(FooterKey)]
        assert "Deregister" in footer and "Delete" not in footer
        table = app.screen.table  # type: ignore[attr-defined]
        gone = table.cursor_key
        assert gone in {r.key for r in table.rows}
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert app.screen.verb == "Deregister"  # type: ignore[attr-defined]
        await pilot.press("y")
        await settle(pilot)
        assert gone not in {r.key for r in table.rows}  # the view lists ACTIVE revisions
        assert app.backend.batch.describe_job_definitions(status="ACTIVE") == [] or all(
            d.job_definition_arn != gone for d in app.backend.batch.describe_job_definitions(status="ACTIVE"))


async def test_the_concept_card_is_one_line_until_i_unfolds_it_and_the_choice_holds_across_pages() -> None:
    from textual.widgets import Static

    from computetui.ui.widgets.concept_card import ConceptCard

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_page(pilot, ":ecr")
        card = app.screen.query_one(ConceptCard)
        table = app.screen.query_one(ResourceTable)
        assert card.region.height == 1
        assert str(card.query_one(".card-summary", Static).render()).startswith("About Elastic Container Registry  ")
        folded_table = table.region.height
        await pilot.press("i")
        await settle(pilot)
        assert card.region.height > 3 and table.region.height < folded_table
        await open_page(pilot, ":lambda")
        assert app.screen.query_one(ConceptCard).region.height > 3  # unfolded stays unfolded
        await pilot.press("i")
        await settle(pilot)
        assert app.screen.query_one(ConceptCard).region.height == 1
        await open_page(pilot, ":ecr")  # the ECR page, still open below, folds too
        assert app.screen.query_one(ConceptCard) is card and card.region.height == 1
