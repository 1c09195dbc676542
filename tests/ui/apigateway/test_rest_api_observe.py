"""A REST API's Metrics and Logs tabs: the HTTP API page's panels on a REST API's v1 stages, its
metrics by ApiName and Stage (4XXError, 5XXError), ``s`` the next stage, and ``e`` on Logs the
access-log form, which saves through v1's UpdateStage (patch operations) and turns logging off."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from textual.widgets import Input, Sparkline

from computetui.models.metrics import MetricDataResult
from computetui.ui.services.apigateway.http_forms import DEFAULT_REST_ACCESS_LOG_FORMAT, AccessLogForm
from computetui.ui.services.apigateway.http_panels import AccessLogsPanel, HttpMetricsPanel
from tests.ui.apigateway.test_rest_api_ui import gateway, message_of, mock, notices, open_rest, pets, root_of, submit
from tests.ui.helpers import SIZE, make_app, settle, shown_text
from tests.ui.lightsail.scene import set_read_only

pytestmark = pytest.mark.asyncio

ACCESS_GROUP = "/aws/apigateway/pets-api"
ACCESS_ARN = f"arn:aws:logs:us-east-1:000000000000:log-group:{ACCESS_GROUP}"


def deployed(app: Any, *stages: str) -> Any:
    """pets-api with a MOCK ``GET /`` deployed to each of ``stages``."""
    api = pets(app)
    gw = gateway(app)
    root = root_of(app, api.id)
    if "GET" not in next(r for r in gw.get_resources(api.id) if r.id == root).resource_methods:
        mock(app, api.id, root)
    for stage in stages:
        gw.create_rest_deployment(api.id, stage)
    return api


def stage(app: Any, api_id: str, name: str) -> Any:
    return next(s for s in gateway(app).get_stages(api_id) if s.stage_name == name)


async def test_metrics_read_aws_apigateway_by_api_name_and_stage_and_s_moves_to_the_next_stage() -> None:
    app = make_app()
    deployed(app, "prod", "beta")
    asked: list[list[dict[str, Any]]] = []
    now = datetime.fromisoformat("2026-01-15T09:30:00+00:00")

    def get_metric_data(queries: list[dict[str, Any]], start: datetime, end: datetime) -> list[MetricDataResult]:
        asked.append(queries)
        figures = {"Count Sum": [3.0, 4.0], "4XXError Sum": [1.0, 0.0], "Latency Average": [12.0, 8.0],
                   "Latency Maximum": [30.0, 9.0]}
        return [MetricDataResult(id=q["Id"], label=q["Label"], timestamps=[now - timedelta(minutes=1),
                                                                           now - timedelta(minutes=2)],
                                 values=figures.get(q["Label"], [])) for q in queries]

    assert app.backend is not None and app.backend.metrics is not None
    app.backend.metrics.get_metric_data = get_metric_data  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        page = await open_rest(pilot, "metrics")
        panel = page.query_one(HttpMetricsPanel)
        queries = asked[-1]
        assert {q["MetricStat"]["Metric"]["MetricName"] for q in queries} == {
            "Count", "4XXError", "5XXError", "Latency", "IntegrationLatency"}
        first = queries[0]["MetricStat"]["Metric"]["Dimensions"]
        assert first[0] == {"Name": "ApiName", "Value": "pets-api"}
        assert all(q["MetricStat"]["Metric"]["Dimensions"] == first for q in queries)
        shown = shown_text(panel)
        assert f"Stage {first[1]['Value']} s: the next of 2 stages" in shown
        assert "4XXError (client errors) 1 in the last hour" in shown
        assert "5XXError (server errors) 0 in the last hour" in shown
        assert "AWS/ApiGateway by ApiName and Stage" in shown
        assert sum(panel.query_one("#chart-4xxerror", Sparkline).data or []) == 1
        before = panel.stage
        await pilot.press("s")
        await settle(pilot)
        assert panel.stage != before and panel.stage in ("prod", "beta")
        assert asked[-1][0]["MetricStat"]["Metric"]["Dimensions"][1] == {"Name": "Stage", "Value": panel.stage}


async def test_e_on_logs_sets_a_rest_stage_s_access_logging_and_empty_fields_turn_it_off() -> None:
    app = make_app()
    api = deployed(app, "prod")
    logs = app.backend.logs  # type: ignore[union-attr]
    assert logs is not None
    async with app.run_test(size=SIZE) as pilot:
        page = await open_rest(pilot, "logs")
        panel = page.query_one(AccessLogsPanel)
        assert "Stage prod" in shown_text(panel) and "Access logging off" in shown_text(panel)
        form = await pilot_press(pilot, "e")
        assert form.query_one("#f-destination", Input).value == ACCESS_ARN
        assert form.query_one("#f-format", Input).value == DEFAULT_REST_ACCESS_LOG_FORMAT
        assert '"resourcePath":"$context.resourcePath"' in DEFAULT_REST_ACCESS_LOG_FORMAT
        await submit(pilot)
        assert app.screen is page
        settings = stage(app, api.id, "prod").access_log_settings
        assert (settings.destination_arn, settings.format) == (ACCESS_ARN, DEFAULT_REST_ACCESS_LOG_FORMAT)
        assert [g.log_group_name for g in logs.describe_log_groups(ACCESS_GROUP)] == [ACCESS_GROUP]
        assert f"Stage prod: access log to {ACCESS_GROUP} (a new log group)." in notices(app)
        assert f"Destination {ACCESS_ARN}" in shown_text(panel)

        form = await pilot_press(pilot, "e")
        form.query_one("#f-format", Input).value = "$context.status"  # API Gateway wants the request's id
        await submit(pilot)
        assert app.screen is form
        assert message_of(form).startswith("Log format: ") and "$context.requestId" in message_of(form)
        form.query_one("#f-destination", Input).value = ""
        form.query_one("#f-format", Input).value = ""
        await submit(pilot)
        assert app.screen is page
        assert stage(app, api.id, "prod").access_log_settings is None
        assert "Access logging off" in shown_text(panel)


async def test_e_shows_on_logs_only_and_read_only_refuses_it() -> None:
    app = make_app()
    api = deployed(app, "prod")
    async with app.run_test(size=SIZE) as pilot:
        page = await open_rest(pilot, "metrics")
        assert page.check_action("edit", ()) is False and page.check_action("next_stage", ()) is True
        page.switch_view("resources")
        await settle(pilot)
        assert page.check_action("edit", ()) is False and page.check_action("next_stage", ()) is False
        page.switch_view("logs")
        await settle(pilot)
        assert page.check_action("edit", ()) is True
        set_read_only(app)
        await pilot.press("e")
        await settle(pilot)
        assert app.screen is page
        assert stage(app, api.id, "prod").access_log_settings is None


async def pilot_press(pilot: Any, key: str) -> AccessLogForm:
    await pilot.press(key)
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, AccessLogForm), form
    return form
