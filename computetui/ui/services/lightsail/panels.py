"""The instance page's tabs that are not tables: Connect (a shell, the curl line, the username),
Metrics (four graphs over a chosen window) and the launch script's output.

Each panel fetches in the page's worker thread (``fetch``) and draws on the UI thread (``show``).
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Log, Sparkline, Static

from computetui.backends.base import Backend
from computetui.backends.errors import ComputeError
from computetui.ui.format import size
from computetui.ui.services.lightsail import instance_views as iv
from computetui.ui.services.lightsail.views import facet

LABEL_WIDTH = 14


def line(label: str, value: str | Content) -> Content:
    text = value if isinstance(value, Content) else Content(value)
    return Content.from_markup("[$text-muted]$l[/]", l=label.ljust(LABEL_WIDTH)) + text


class ConnectPanel(VerticalScroll):
    """How to reach the instance: a shell (``s``), its web port, its username and address."""

    DEFAULT_CSS = """
    ConnectPanel { height: 1fr; padding: 0 1; }
    ConnectPanel #connect { height: auto; }
    """

    def __init__(self, instance: str) -> None:
        super().__init__()
        self.instance = instance

    def compose(self) -> ComposeResult:
        yield Static("Reading the instance…", id="connect")

    def fetch(self, backend: Backend) -> dict[str, Any]:
        ls = facet(backend)
        found = ls.get_instance(self.instance)
        try:
            web = ls.local_port(self.instance, 80)
        except ComputeError:
            web = None
        return {"instance": found, "web": web, "static": iv.static_ip_of(backend, self.instance)}

    def show(self, data: dict[str, Any]) -> None:
        i = data["instance"]
        running = i.state.name.value == "running"
        lines = [
            Content.from_markup("[b]Connect using a shell[/]  [$muted]$w[/]",
                                w="press s: the console steps aside until you exit" if running
                                else f"the instance is {i.state.name.value}: start it first"),
            line("Username", i.username or "-"),
            line("Public IP", i.public_ip_address or "-"),
            line("Private IP", i.private_ip_address or "-"),
        ]
        static = data["static"]
        if static is not None:
            lines.append(line("Static IP", f"{static.name} {static.ip_address or ''}".strip()))
        if data["web"] is not None:
            lines += [Content(""), Content.from_markup("[b]Its web server (port 80), from this machine[/]"),
                      line("", f"curl http://127.0.0.1:{data['web']}")]
        elif i.public_ip_address:
            lines += [Content(""), Content.from_markup("[b]Its web server (port 80)[/]"),
                      line("", f"curl http://{i.public_ip_address}"),
                      line("SSH", f"ssh {i.username or 'ec2-user'}@{i.public_ip_address}")]
        self.query_one("#connect", Static).update(Content("\n").join(lines))


class MetricsPanel(Vertical):
    """CPU, network in and out, and status check failures over a window ``w`` changes."""

    DEFAULT_CSS = """
    MetricsPanel { height: 1fr; padding: 0 1; }
    MetricsPanel .chart-title { height: 1; margin-top: 1; }
    MetricsPanel Sparkline { height: 3; }
    MetricsPanel #metrics-note { color: $muted; height: auto; margin-top: 1; }
    """

    def __init__(self, instance: str) -> None:
        super().__init__()
        self.instance = instance
        self.window = iv.WINDOWS[0]

    def compose(self) -> ComposeResult:
        for metric, _stat, _unit, title in iv.CHARTS:
            yield Static(title, classes="chart-title", id=f"title-{metric.lower()}")
            yield Sparkline([], id=f"chart-{metric.lower()}")
        yield Static("", id="metrics-note")

    def next_window(self) -> None:
        index = iv.WINDOWS.index(self.window)
        self.window = iv.WINDOWS[(index + 1) % len(iv.WINDOWS)]

    def fetch(self, backend: Backend) -> dict[str, Any]:
        window = self.window
        try:
            end, found = iv.metric_series(backend, self.instance, window)
        except ComputeError as exc:
            return {"window": window, "problem": f"{exc.code}: {exc.message}"}
        return {"window": window, "end": end, "series": found}

    def show(self, data: dict[str, Any]) -> None:
        window = data["window"]
        every = f"{window.period // 60} min" if window.period >= 60 else f"{window.period} s"
        if "problem" in data:
            self.query_one("#metrics-note", Static).update(Content(data["problem"]))
            return
        for metric, _stat, unit, title in iv.CHARTS:
            values = data["series"][metric]
            self.query_one(f"#chart-{metric.lower()}", Sparkline).data = values
            if unit == "Percent":
                busy = [v for v in values if v]
                figure = f"average {sum(busy) / len(busy):.1f}% · peak {max(values):.1f}%" if busy else "no data"
            elif unit == "Bytes":
                figure = f"{size(int(sum(values)))} in all · peak {size(int(max(values, default=0)))} per {every}"
            else:
                figure = f"{sum(values):g} in all"
            self.query_one(f"#title-{metric.lower()}", Static).update(
                Content.from_markup("[b]$t[/]  [$muted]$f[/]", t=title, f=figure))
        self.query_one("#metrics-note", Static).update(Content(
            f"The last {window.label} up to {data['end']:%H:%M} UTC, a point every {every}. w: another window."))


class LaunchOutputPanel(Vertical):
    """What the launch script printed at first boot."""

    DEFAULT_CSS = """
    LaunchOutputPanel { height: 1fr; }
    LaunchOutputPanel #launch-status { height: auto; padding: 0 1; color: $muted; }
    LaunchOutputPanel Log { height: 1fr; border: round $panel-lighten-2; padding: 0 1; }
    LaunchOutputPanel Log:focus { border: round $primary; }
    """

    def __init__(self, instance: str) -> None:
        super().__init__()
        self.instance = instance
        self._shown = ""

    def compose(self) -> ComposeResult:
        yield Static("Reading the launch script's output…", id="launch-status")
        yield Log(id="launch-log", highlight=False, max_lines=5000)

    def fetch(self, backend: Backend) -> dict[str, Any]:
        ls = facet(backend)
        return {"output": ls.launch_output(self.instance), "state": ls.get_instance(self.instance).state.name.value}

    def show(self, data: dict[str, Any]) -> None:
        output: str = data["output"]
        log = self.query_one(Log)
        if output != self._shown:
            if output.startswith(self._shown):
                log.write(output[len(self._shown):])
            else:
                log.clear()
                log.write(output)
            self._shown = output
        status = ("/var/log/cloud-init-output.log: what the launch script printed at first boot"
                  if output else f"Nothing yet: the instance is {data['state']}; the script runs once, at first boot "
                                 "(an instance made without one prints nothing).")
        self.query_one("#launch-status", Static).update(Content(status))
