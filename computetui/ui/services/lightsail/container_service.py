"""One Lightsail container service: Details (state, capacity, price, public URL), Deployments and
Logs. ``c`` on Deployments deploys (an image, its command, variables, port and health check), ``u``
changes power and scale, ``e`` disables or enables the service, ctrl+d deletes it (asks first)."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Log, Static

from computetui.backends.base import Backend
from computetui.backends.errors import ComputeError
from computetui.models import lightsail as m
from computetui.pricing import usd
from computetui.ui.format import describe_error, when
from computetui.ui.screens.confirm import ConfirmScreen
from computetui.ui.screens.tabs import Facts, PanelView, TabbedScreen
from computetui.ui.services.lightsail.panels import line
from computetui.ui.services.lightsail.views import cents, facet, now, power_prices, service_monthly, so_far
from computetui.ui.states import TONE_VARIABLE, tone
from computetui.ui.views import Column, ResourceView, Row

DEPLOYMENT_COLUMNS = (
    Column("version", "Version", "number"),
    Column("state", "State", "state"),
    Column("containers", "Containers"),
    Column("endpoint", "Public endpoint"),
    Column("created", "Created", "time"),
)
TAIL = 500


def _service(b: Backend, name: str) -> m.ContainerService | None:
    found = facet(b).get_container_services(name)
    return found[0] if found else None


def deployment_rows(b: Backend, name: str) -> list[Row]:
    rows = []
    for d in facet(b).get_container_service_deployments(name):
        endpoint = d.public_endpoint
        rows.append(Row(
            key=f"deployment:{d.version}", name=f"v{d.version}", state=d.state.value,
            cells={"version": d.version, "state": d.state.value,
                   "containers": ", ".join(f"{n} ({c.image})" for n, c in d.containers.items()) or "-",
                   "endpoint": f"{endpoint.container_name}:{endpoint.container_port}" if endpoint else "none",
                   "created": when(d.created_at)},
            detail=d.to_aws()))
    return rows


def _cost(b: Backend, service: m.ContainerService) -> str:
    monthly = service_monthly(service, power_prices(b))
    if monthly is None:
        return "-"
    return (f"{cents(so_far(monthly, service.created_at, now(b)))} this month so far · at most {usd(monthly)}/mo "
            f"({service.scale} × {service.power})")


class ServiceDetails(VerticalScroll):
    DEFAULT_CSS = """
    ServiceDetails { height: 1fr; padding: 0 1; }
    ServiceDetails #service-details { height: auto; }
    """

    def __init__(self, name: str) -> None:
        super().__init__()
        self.service_name = name

    def compose(self) -> ComposeResult:
        yield Static("Reading the service…", id="service-details")

    def fetch(self, backend: Backend) -> dict[str, Any]:
        service = _service(backend, self.service_name)
        return {"service": service, "cost": _cost(backend, service) if service else "-"}

    def show(self, data: dict[str, Any]) -> None:
        s: m.ContainerService | None = data["service"]
        static = self.query_one("#service-details", Static)
        if s is None:
            static.update(Content(f"Container service {self.service_name} is gone."))
            return
        lines = [
            line("State", s.state.value + (f"  {s.state_detail.message}" if s.state_detail and s.state_detail.message
                                           else "")),
            line("Power", s.power),
            line("Scale", f"{s.scale} node{'s' if s.scale != 1 else ''}"),
            line("Price", data["cost"]),
            line("Disabled", "yes: no node runs, billing goes on" if s.is_disabled else "no"),
            line("Public URL", s.url or "none yet: a deployment with a public endpoint makes one"),
            line("Private name", s.private_domain_name or "-"),
            line("Created", when(s.created_at)),
        ]
        for title, d in (("Current deployment", s.current_deployment), ("Next deployment", s.next_deployment)):
            if d is None:
                continue
            lines += [Content(""), Content.from_markup("[b]$t[/] v$v  $s", t=title, v=str(d.version), s=d.state.value)]
            for name, c in d.containers.items():
                ports = ", ".join(f"{p}/{proto}" for p, proto in c.ports.items()) or "no port"
                lines.append(line(name, f"{c.image} · {ports}" + (f" · {' '.join(c.command)}" if c.command else "")))
                if c.environment:
                    lines.append(line("", ", ".join(f"{k}={v}" for k, v in c.environment.items())))
            if d.public_endpoint is not None:
                e = d.public_endpoint
                check = e.health_check.path if e.health_check else "/"
                lines.append(line("Endpoint", f"{e.container_name}:{e.container_port} · health check {check}"))
        static.update(Content("\n").join(lines))


class ContainerLogsPanel(Vertical):
    """GetContainerLog of each container of the current deployment, oldest first."""

    DEFAULT_CSS = """
    ContainerLogsPanel { height: 1fr; }
    ContainerLogsPanel #container-logs-status { height: auto; padding: 0 1; color: $muted; }
    ContainerLogsPanel Log { height: 1fr; border: round $panel-lighten-2; padding: 0 1; }
    ContainerLogsPanel Log:focus { border: round $primary; }
    """

    def __init__(self, name: str) -> None:
        super().__init__()
        self.service_name = name
        self._count = 0

    def compose(self) -> ComposeResult:
        yield Static("Reading logs…", id="container-logs-status")
        yield Log(id="container-log", highlight=False, max_lines=5000)

    def fetch(self, backend: Backend) -> dict[str, Any]:
        service = _service(backend, self.service_name)
        deployment = service.current_deployment or service.next_deployment if service else None
        containers = list(deployment.containers) if deployment else []
        events: list[tuple[str | None, m.ContainerServiceLogEvent]] = []
        problem = None
        said: set[tuple[Any, str]] = set()
        for container in containers:
            try:
                found = facet(backend).get_container_log(self.service_name, container)
            except ComputeError as exc:
                problem = f"{exc.code}: {exc.message}"
                continue
            for e in found:
                if e.message.startswith("[deployment:"):  # the service's own line, in every container's log: once
                    if (e.created_at, e.message) not in said:
                        said.add((e.created_at, e.message))
                        events.append((None, e))
                else:
                    events.append((container, e))
        events.sort(key=lambda pair: pair[1].created_at)
        return {"containers": containers, "events": events[-TAIL:], "problem": problem}

    def show(self, data: dict[str, Any]) -> None:
        events = data["events"]
        log = self.query_one(Log)
        if len(events) < self._count:
            log.clear()
            self._count = 0
        several = len(data["containers"]) > 1
        lines = [f"{e.created_at:%H:%M:%S}  " + (f"[{c}] " if several and c else "") + e.message.rstrip()
                 for c, e in events[self._count:]]
        if lines:
            log.write_lines(lines)
        self._count = len(events)
        containers = data["containers"]
        text = (f"Containers {', '.join(containers)} · {len(events)} lines" if containers
                else "No deployment yet: deploy an image (Deployments, c) and its output shows here.")
        if data["problem"]:
            text += f" · {data['problem']}"
        self.query_one("#container-logs-status", Static).update(Content(text))


class ContainerServiceScreen(TabbedScreen):
    page_id = "lightsail"

    BINDINGS = [
        Binding("u", "update", "Capacity", id="lightsail-update-service", tooltip="Change the power or the scale"),
        # One key, the action that applies: the footer shows Disable on a service that runs, Enable
        # on a disabled one.
        Binding("e", "disable", "Disable", id="lightsail-disable-service",
                tooltip="Disable the service: no node runs, billing goes on"),
        Binding("e", "enable", "Enable", id="lightsail-enable-service", tooltip="Enable the service again"),
    ]
    MUTATING = TabbedScreen.MUTATING | {"update", "disable", "enable"}

    def __init__(self, name: str, view: str | None = None) -> None:
        self.service_name = name
        self.service: m.ContainerService | None = None
        views: list[Any] = [
            PanelView("details", "Details", lambda: ServiceDetails(name)),
            ResourceView("deployments", "Deployments", "deployment", DEPLOYMENT_COLUMNS,
                         lambda b: deployment_rows(b, name), sort="version", creates="lightsail-deployment",
                         context={"service": name}),
            PanelView("logs", "Logs", lambda: ContainerLogsPanel(name)),
        ]
        super().__init__(views, view)

    def on_mount(self) -> None:
        super().on_mount()
        for newest_first in self.query("#view-deployments"):  # as Lightsail lists them
            newest_first.sort_reverse = True  # type: ignore[attr-defined]

    @property
    def crumbs(self) -> list[str]:
        return ["Console", "Lightsail", "Container services", self.service_name, self.view.title]

    def empty_hint(self, view: ResourceView) -> str:
        if view.id == "deployments":
            return "No deployment yet." + ("\nPress c to deploy an image." if not self.console.settings.read_only
                                           else "")
        return super().empty_hint(view)

    def compose_header(self) -> ComposeResult:
        yield Facts(Content.from_markup("[b]Container service[/] [b $primary]$n[/]", n=self.service_name), id="facts")

    def fetch_header(self, backend: Backend) -> Any:
        try:
            service = _service(backend, self.service_name)
        except ComputeError:
            return None
        return {"service": service, "cost": _cost(backend, service)} if service else None

    def show_header(self, header: dict[str, Any] | None) -> None:
        if header is None:
            self.query_one("#banner").show_error(  # type: ignore[attr-defined]
                f"Container service {self.service_name} is gone. Press esc to go back.")
            return
        s: m.ContainerService = header["service"]
        if self.service is None or self.service.is_disabled != s.is_disabled:
            self.service = s
            self.refresh_bindings()
        self.service = s
        state = "DISABLED" if s.is_disabled else s.state.value
        colour = TONE_VARIABLE.get(tone(state), "$foreground")
        self.query_one("#facts", Facts).update(Content.from_markup(
            f"[b]Container service[/] [b $primary]$n[/]  [{colour}]● $s[/]  [$muted]$d[/]\n[b]$c[/]",
            n=s.container_service_name, s=state, d=f"URL {s.url or 'none yet'}", c=header["cost"]))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "delete":
            return True  # the service, from any tab
        disabled = self.service is not None and self.service.is_disabled
        if action == "disable":
            return not disabled
        if action == "enable":
            return disabled
        if action == "update":
            return True
        return super().check_action(action, parameters)

    def open_row(self, view: ResourceView, row: Row) -> None:
        self.console.open_json(self.page_id, [*self.crumbs, row.name], view, row)

    def action_update(self) -> None:
        from computetui.ui.services.lightsail.forms import UpdateContainerServiceForm

        if self.console.refuse_if_read_only(f"changing container service {self.service_name}"):
            return
        s = self.service
        form = UpdateContainerServiceForm(self.service_name, s.power if s else "nano", s.scale if s else 1)
        self.app.push_screen(form, lambda changed: self.reload() if changed else None)

    def action_disable(self) -> None:
        self._enable_or_disable(disabling=True)

    def action_enable(self) -> None:
        self._enable_or_disable(disabling=False)

    def _enable_or_disable(self, disabling: bool) -> None:
        verb = "disable" if disabling else "enable"
        what = f"{verb} container service {self.service_name}"
        if self.console.refuse_if_read_only(what):
            return
        name = self.service_name

        def call(b: Backend) -> str:
            facet(b).update_container_service(name, is_disabled=disabling)
            return f"{'Disabling' if disabling else 'Enabling'} container service {name}."

        if not disabling:
            self.run_action(f"Could not {what}", call)
            return
        self.app.push_screen(
            ConfirmScreen(Content(f"Disable container service {name}?"),
                          "Its nodes stop and its URL stops answering; it is still billed until deleted.", "Disable"),
            lambda yes: self.run_action(f"Could not {what}", call) if yes else None,
        )

    def action_delete(self) -> None:
        name = self.service_name
        if self.console.refuse_if_read_only(f"delete container service {name}"):
            return
        self.app.push_screen(
            ConfirmScreen(Content.from_markup("Delete container service [b]$n[/b]?", n=name),
                          "Its deployments and its public URL go with it; billing stops. This cannot be undone.",
                          "Delete"),
            lambda yes: self._delete_service() if yes else None,
        )

    @work(thread=True, exit_on_error=False, group="action")
    def _delete_service(self) -> None:
        backend = self.console.backend
        if backend is None:
            return
        try:
            facet(backend).delete_container_service(self.service_name)
        except Exception as exc:
            self.app.call_from_thread(self.notify, describe_error(exc), title="Delete failed", severity="error",
                                      timeout=8, markup=False)
            return
        self.app.call_from_thread(self.notify, f"Deleting container service {self.service_name}.", markup=False)
        self.app.call_from_thread(self.console.go_back)
