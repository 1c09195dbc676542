"""The Monitor tab: invocations, duration, errors and throttles per minute, the last hour."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Sparkline, Static

from computetui.ui.format import MINUTES, per_minute

# (metric, statistic, title, unit)
CHARTS = (
    ("Invocations", "Sum", "Invocations", ""),
    ("Duration", "Average", "Duration (average)", " ms"),
    ("Errors", "Sum", "Errors", ""),
    ("Throttles", "Sum", "Throttles", ""),
)
EXTRA = (("Duration", "p50"), ("Duration", "p99"), ("ConcurrentExecutions", "Maximum"))


def metric_queries(function_name: str) -> list[dict[str, Any]]:
    wanted = [(m, s) for m, s, _t, _u in CHARTS] + list(EXTRA)
    return [
        {
            "Id": f"q{i}",
            "Label": f"{metric} {stat}",
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/Lambda",
                    "MetricName": metric,
                    "Dimensions": [{"Name": "FunctionName", "Value": function_name}],
                },
                "Period": 60,
                "Stat": stat,
            },
        }
        for i, (metric, stat) in enumerate(wanted)
    ]




class MonitorPanel(Vertical):
    DEFAULT_CSS = """
    MonitorPanel { height: 1fr; padding: 0 1; }
    MonitorPanel .chart-title { height: 1; margin-top: 1; }
    MonitorPanel Sparkline { height: 3; }
    MonitorPanel #monitor-note { color: $muted; height: auto; margin-top: 1; }
    """

    def compose(self) -> ComposeResult:
        for metric, _stat, title, _unit in CHARTS:
            key = metric.lower()
            yield Static(title, classes="chart-title", id=f"title-{key}")
            yield Sparkline([0] * MINUTES, id=f"chart-{key}")
        yield Static("", id="monitor-note")

    def show(self, results: list[Any], end: datetime) -> None:
        by_label = {r.label: r for r in results}
        for metric, stat, title, unit in CHARTS:
            key = metric.lower()
            result = by_label.get(f"{metric} {stat}")
            values = per_minute(result, end) if result else [0.0] * MINUTES
            self.query_one(f"#chart-{key}", Sparkline).data = values
            if metric == "Duration":
                busy = [v for v in values if v]
                p50 = by_label.get("Duration p50")
                p99 = by_label.get("Duration p99")
                figure = (
                    f"avg {sum(busy) / len(busy):.2f}{unit} · p50 {max(p50.values or [0]):.2f}{unit} · "
                    f"p99 {max(p99.values or [0]):.2f}{unit}"
                    if busy and p50 and p99
                    else "no data"
                )
            else:
                figure = f"{sum(values):g} in the last hour · peak {max(values):g}/min"
            self.query_one(f"#title-{key}", Static).update(
                Content.from_markup("[b]$t[/]  [$muted]$f[/]", t=title, f=figure)
            )
        concurrency = by_label.get("ConcurrentExecutions Maximum")
        peak = max(concurrency.values or [0]) if concurrency else 0
        self.query_one("#monitor-note", Static).update(
            f"Per minute, the last hour up to {end:%H:%M} UTC. Peak concurrent executions: {peak:g}."
        )
