"""An HTTP API's tabs that are not tables: its CORS configuration, a stage's metrics over the last
hour, and a stage's access-log settings with the latest lines of its access log.

Each panel fetches in the page's worker thread (``fetch``) and draws on the UI thread (``show``).
Metrics and Logs show one stage at a time; ``s`` moves to the next (``next_stage``). A REST API's
page uses them too, with an :class:`Observed` that reads its v1 stages and its metrics by
``ApiName`` (``4XXError``, ``5XXError``) in place of ``ApiId`` (``4xx``, ``5xx``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Log, Sparkline, Static

from computetui.backends.base import ApiGatewayFacet, Backend
from computetui.backends.errors import ComputeError, NotFound
from computetui.models import apigateway as m
from computetui.ui.format import MINUTES, per_minute
from computetui.ui.services.lambda_.logs import TAIL, LogsPanel

DEFAULT_STAGE = "$default"
CORS_HEADERS = (
    ("Access-Control-Allow-Origin", "allow_origins"),
    ("Access-Control-Allow-Headers", "allow_headers"),
    ("Access-Control-Allow-Methods", "allow_methods"),
    ("Access-Control-Expose-Headers", "expose_headers"),
    ("Access-Control-Max-Age", "max_age"),
    ("Access-Control-Allow-Credentials", "allow_credentials"),
)
# (metric, statistic, title, unit): what observe.py keeps per stage, as API Gateway names it for HTTP APIs.
CHARTS = (
    ("Count", "Sum", "Count (requests)", ""),
    ("4xx", "Sum", "4xx (client errors)", ""),
    ("5xx", "Sum", "5xx (server errors)", ""),
    ("Latency", "Average", "Latency (average)", " ms"),
    ("IntegrationLatency", "Average", "Integration latency (average)", " ms"),
)
REST_CHARTS = (
    ("Count", "Sum", "Count (requests)", ""),
    ("4XXError", "Sum", "4XXError (client errors)", ""),
    ("5XXError", "Sum", "5XXError (server errors)", ""),
    *CHARTS[3:],
)
"""A REST API's: API Gateway names its errors' metrics apart from an HTTP API's."""
EXTRA = (("Latency", "Maximum"), ("IntegrationLatency", "Maximum"))


@dataclass(frozen=True)
class Observed:
    """Whose stages a Metrics or Logs panel shows: an HTTP API's (v2 stages, metrics by ``ApiId``)
    or a REST API's (v1 stages, metrics by ``ApiName``)."""

    api_id: str
    dimension: str = "ApiId"
    value: str = ""
    """The dimension's value: the API's id, or a REST API's name."""
    rest: bool = False

    @classmethod
    def http(cls, api_id: str) -> Observed:
        return cls(api_id, "ApiId", api_id)

    @classmethod
    def rest_api(cls, api_id: str, name: str) -> Observed:
        return cls(api_id, "ApiName", name, rest=True)

    @property
    def charts(self) -> tuple[tuple[str, str, str, str], ...]:
        return REST_CHARTS if self.rest else CHARTS

    def stages(self, backend: Backend) -> list[Any]:
        facet = _facet(backend)
        return facet.get_stages(self.api_id) if self.rest else facet.get_api_stages(self.api_id)


def _facet(b: Backend) -> ApiGatewayFacet:
    assert b.apigateway is not None
    return b.apigateway


def _fact(label: str, value: str, width: int) -> Content:
    return Content.from_markup("[$text-muted]$l[/]", l=label.ljust(width)) + Content(value)


def log_group_of(destination_arn: str) -> str:
    """``arn:aws:logs:<region>:<account>:log-group:<name>[:*]`` -> ``<name>``."""
    name = destination_arn.split(":log-group:", 1)[-1]
    return name[:-2] if name.endswith(":*") else name


def stage_metric_queries(api_id: str, stage: str, observed: Observed | None = None) -> list[dict[str, Any]]:
    """GetMetricData queries for a stage of an HTTP API (or of the API ``observed`` says):
    namespace AWS/ApiGateway, dimensions ApiId (ApiName) and Stage, a value a minute."""
    observed = observed or Observed.http(api_id)
    wanted = [(metric, stat) for metric, stat, _t, _u in observed.charts] + list(EXTRA)
    dimensions = [{"Name": observed.dimension, "Value": observed.value}, {"Name": "Stage", "Value": stage}]
    return [
        {"Id": f"q{i}", "Label": f"{metric} {stat}",
         "MetricStat": {"Metric": {"Namespace": "AWS/ApiGateway", "MetricName": metric, "Dimensions": dimensions},
                        "Period": 60, "Stat": stat}}
        for i, (metric, stat) in enumerate(wanted)
    ]


class StagePicker:
    """The stage a panel shows: the one chosen, else ``$default``, else the first; ``s`` the next."""

    stage: str | None = None
    stages: list[str]

    def pick(self, stages: list[Any]) -> Any:
        """``stages``: an HTTP API's (``m.HttpStage``) or a REST API's (``m.RestStage``)."""
        self.stages = [s.stage_name for s in stages]
        by_name = {s.stage_name: s for s in stages}
        if self.stage not in by_name:
            self.stage = DEFAULT_STAGE if DEFAULT_STAGE in by_name else (self.stages[0] if self.stages else None)
        return by_name.get(self.stage) if self.stage is not None else None

    def next_stage(self) -> None:
        names = getattr(self, "stages", [])
        if names:
            index = names.index(self.stage) if self.stage in names else -1
            self.stage = names[(index + 1) % len(names)]
            self.stage_changed()

    def stage_changed(self) -> None:
        """What a panel forgets when it moves to another stage."""


# -- CORS -----------------------------------------------------------------------------------------
class CorsPanel(VerticalScroll):
    """The API's CORS configuration, each part under the header it becomes."""

    DEFAULT_CSS = """
    CorsPanel { height: 1fr; padding: 0 1; }
    CorsPanel #cors { height: auto; }
    CorsPanel #cors-note { height: auto; color: $muted; margin-top: 1; }
    """

    def __init__(self, api_id: str) -> None:
        super().__init__()
        self.api_id = api_id

    def compose(self) -> ComposeResult:
        yield Static("Reading the API's CORS configuration…", id="cors")
        yield Static("", id="cors-note")

    def fetch(self, backend: Backend) -> m.Cors | None:
        api = next((a for a in _facet(backend).get_apis() if a.api_id == self.api_id), None)
        return api.cors_configuration if api is not None else None

    def show(self, cors: m.Cors | None) -> None:
        if cors is None:
            self.query_one("#cors", Static).update(Content.from_markup(
                "[b]No CORS configuration[/]\nThe gateway adds no CORS headers, and an OPTIONS request goes to the "
                "route that matches it, like any other."))
            self.query_one("#cors-note", Static).update("Press e to configure CORS.")
            return
        width = max(len(h) for h, _ in CORS_HEADERS) + 2
        lines = [Content.from_markup("[b]CORS configuration[/]")]
        for header, name in CORS_HEADERS:
            value = getattr(cors, name)
            if isinstance(value, list):
                text = ", ".join(value) or "-"
            elif isinstance(value, bool):
                text = "true" if value else "false"
            elif name == "max_age" and value is not None:
                text = f"{value} s"
            else:
                text = "-" if value is None else str(value)
            lines.append(_fact(header, text, width))
        self.query_one("#cors", Static).update(Content("\n").join(lines))
        self.query_one("#cors-note", Static).update(
            "The gateway answers preflight OPTIONS requests (Origin and Access-Control-Request-Method) itself, and "
            "puts these headers on answers to an allowed origin in place of the integration's. e edits them; "
            "every stage gets a change at once, without a deployment.")


# -- metrics --------------------------------------------------------------------------------------
class HttpMetricsPanel(StagePicker, VerticalScroll):
    """Count, 4xx, 5xx, latency and integration latency of one stage, per minute for the last hour
    (a REST API's: ``observed``)."""

    DEFAULT_CSS = """
    HttpMetricsPanel { height: 1fr; padding: 0 1; }
    HttpMetricsPanel #metrics-stage { height: 1; }
    HttpMetricsPanel .chart-title { height: 1; margin-top: 1; }
    HttpMetricsPanel Sparkline { height: 2; }
    HttpMetricsPanel #metrics-note { color: $muted; height: auto; margin-top: 1; }
    """

    def __init__(self, api_id: str, observed: Observed | None = None) -> None:
        super().__init__()
        self.api_id = api_id
        self.observed = observed or Observed.http(api_id)
        self.stages = []

    def compose(self) -> ComposeResult:
        yield Static("Reading the API's stages…", id="metrics-stage")
        for metric, _stat, title, _unit in self.observed.charts:
            yield Static(title, classes="chart-title", id=f"title-{metric.lower()}")
            yield Sparkline([0] * MINUTES, id=f"chart-{metric.lower()}")
        yield Static("", id="metrics-note")

    def fetch(self, backend: Backend) -> dict[str, Any]:
        stage = self.pick(self.observed.stages(backend))
        clock = getattr(backend, "clock", None)
        end = clock.now() if clock is not None else datetime.now(UTC)
        data: dict[str, Any] = {"stage": stage.stage_name if stage else None, "stages": list(self.stages), "end": end}
        if stage is None:
            return data
        if backend.metrics is None:
            data["problem"] = "This backend has no metrics."
            return data
        try:
            data["results"] = backend.metrics.get_metric_data(
                stage_metric_queries(self.api_id, stage.stage_name, self.observed), end - timedelta(hours=1),
                end + timedelta(minutes=1))
        except ComputeError as exc:
            data["problem"] = f"{exc.code}: {exc.message}"
        return data

    def show(self, data: dict[str, Any]) -> None:
        stage, end = data["stage"], data["end"]
        others = len(data["stages"]) - 1
        self.query_one("#metrics-stage", Static).update(
            Content.from_markup("[b]Stage[/] [b $primary]$s[/]  [$muted]$o[/]", s=stage,
                                o=f"s: the next of {others + 1} stages" if others > 0 else "")
            if stage else Content("No stage yet: API Gateway counts requests per stage."))
        by_label = {r.label: r for r in data.get("results", [])}
        for metric, stat, title, unit in self.observed.charts:
            key = metric.lower()
            result = by_label.get(f"{metric} {stat}")
            values = per_minute(result, end) if result else [0.0] * MINUTES
            self.query_one(f"#chart-{key}", Sparkline).data = values
            if unit:
                busy = [v for v in values if v]
                peak = by_label.get(f"{metric} Maximum")
                figure = (f"avg {sum(busy) / len(busy):.1f}{unit} · max {max(peak.values or [0]):.1f}{unit}"
                          if busy and peak else "no data")
            else:
                figure = f"{sum(values):g} in the last hour · peak {max(values):g}/min"
            self.query_one(f"#title-{key}", Static).update(
                Content.from_markup("[b]$t[/]  [$muted]$f[/]", t=title, f=figure))
        note = (f"No metrics: {data['problem']}" if "problem" in data else
                f"Per minute, the last hour up to {end:%H:%M} UTC: AWS/ApiGateway by {self.observed.dimension} and "
                "Stage.")
        self.query_one("#metrics-note", Static).update(Content(note))


# -- access logs ----------------------------------------------------------------------------------
class AccessLogTail(LogsPanel):
    """The Lambda page's log tail, on a stage's access-log group."""

    def __init__(self) -> None:
        super().__init__("")
        self.log_group = ""

    @property
    def group(self) -> str:
        return self.log_group

    def restart(self, group: str) -> None:
        """Another group (or stage): start the tail again, empty."""
        self.log_group = group
        self.seen.clear()
        self.query_one(Log).clear()

    def show(self, streams: list[Any], events: list[Any]) -> None:
        super().show(streams, events)
        self.query_one("#logs-status", Static).update(Content(
            f"Log group {self.group} · {len(streams)} stream(s) · the latest {TAIL} lines, following new ones"))


class AccessLogsPanel(StagePicker, Vertical):
    """A stage's access-log settings (where its lines go and in what format) and its latest lines
    (a REST API's stage: ``observed``)."""

    DEFAULT_CSS = """
    AccessLogsPanel { height: 1fr; }
    AccessLogsPanel #access-settings { height: auto; padding: 0 1 1 1; }
    AccessLogsPanel AccessLogTail { height: 1fr; }
    """

    def __init__(self, api_id: str, observed: Observed | None = None) -> None:
        super().__init__()
        self.api_id = api_id
        self.observed = observed or Observed.http(api_id)
        self.stages = []
        self._since = 0
        self._group: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("Reading the API's stages…", id="access-settings")
        yield AccessLogTail()

    def stage_changed(self) -> None:
        self._since = 0
        self._group = None

    def fetch(self, backend: Backend) -> dict[str, Any]:
        stage = self.pick(self.observed.stages(backend))
        settings = stage.access_log_settings if stage else None
        data: dict[str, Any] = {"stage": stage.stage_name if stage else None, "stages": list(self.stages),
                                "settings": settings, "streams": [], "events": [], "problem": None}
        if settings is None or not settings.destination_arn or backend.logs is None:
            return data
        group = log_group_of(settings.destination_arn)
        data["group"] = group
        since = self._since if group == self._group else 0
        try:
            data["streams"] = backend.logs.describe_log_streams(group)
            data["events"] = backend.logs.filter_log_events(group, start_time=since, limit=TAIL)
        except NotFound:
            data["problem"] = f"The log group {group} does not exist yet: no line has been written."
        except ComputeError as exc:
            data["problem"] = f"{exc.code}: {exc.message}"
        return data

    def show(self, data: dict[str, Any]) -> None:
        stage, settings = data["stage"], data["settings"]
        others = len(data["stages"]) - 1
        if stage is None:
            facts = Content("No stage yet: access logs are a stage's.")
        else:
            head = Content.from_markup("[b]Stage[/] [b $primary]$s[/]  [$muted]$o[/]", s=stage,
                                       o=f"s: the next of {others + 1} stages" if others > 0 else "")
            if settings is None or not settings.destination_arn:
                body = Content.from_markup("[b]Access logging off[/]  [$muted]e turns it on[/]")
            else:
                body = Content("\n").join([
                    _fact("Destination", settings.destination_arn, 13),
                    _fact("Format", settings.format or "-", 13),
                ])
            facts = head + Content("\n") + body
            if data["problem"]:
                facts += Content("\n") + Content.styled(data["problem"], "$warning")
        self.query_one("#access-settings", Static).update(facts)
        tail = self.query_one(AccessLogTail)
        group = data.get("group")
        if group != self._group:
            tail.restart(group or "")
            self._group = group
            self._since = 0
        if group:
            events = data["events"]
            tail.show(data["streams"], events)
            if events:
                self._since = max(e.timestamp for e in events)
        else:
            tail.query_one("#logs-status", Static).update(Content("No access log: the stage writes none."))
