"""One Lightsail instance: Connect, Metrics, Networking, Snapshots, its launch script's output and
History, under a header with its state, address and what it has cost this month.

Keys as the Lightsail console's buttons: ``S`` starts or stops it, ``b`` reboots it, ctrl+d deletes
it (asks first; on Snapshots it deletes the snapshot), ``s`` opens a shell with the console
suspended; ``p``/``x`` open and close a port (``o`` is the table's sort), ``a``/``t`` attach and detach a static IP, ``n`` takes
a snapshot and ``i`` makes an instance from the one under the cursor, ``w`` changes the graphs'
window. Read-only mode refuses every change, and the key says so.
"""

from __future__ import annotations

import subprocess
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content

from computetui.backends.base import Backend
from computetui.models import lightsail as m
from computetui.ui.format import describe_error
from computetui.ui.screens.confirm import ConfirmScreen
from computetui.ui.screens.tabs import Facts, PanelView, TabbedScreen, row_action_bindings
from computetui.ui.services.lightsail import instance_views as iv
from computetui.ui.services.lightsail.panels import ConnectPanel, LaunchOutputPanel, MetricsPanel
from computetui.ui.services.lightsail.views import address, facet, now
from computetui.ui.states import TONE_VARIABLE, tone
from computetui.ui.views import ResourceView, Row


def _state(text: str) -> str:
    return TONE_VARIABLE.get(tone(text), "$foreground")


class InstanceScreen(TabbedScreen):
    page_id = "lightsail"

    BINDINGS = [
        Binding("s", "shell", "Shell", id="lightsail-shell",
                tooltip="Open a shell in the instance; the console steps aside until you exit"),
        Binding("S", "start_stop", "Start/Stop", id="lightsail-instance-start-stop",
                tooltip="Stop the instance if it runs, start it if it is stopped (its disk is kept; billing goes on)"),
        Binding("b", "reboot", "Reboot", id="lightsail-instance-reboot", tooltip="Reboot the instance (asks first)"),
        Binding("p", "open_port", "Open port", id="lightsail-open-port", tooltip="Open a port in the firewall"),
        *row_action_bindings([iv.CLOSE_PORT]),
        Binding("a", "attach_ip", "Attach IP", id="lightsail-attach-ip",
                tooltip="Attach a static IP (a new one is allocated first)"),
        Binding("t", "detach_ip", "Detach IP", id="lightsail-detach-ip",
                tooltip="Detach the instance's static IP (it is kept, and billed while unattached)"),
        Binding("n", "snapshot", "Snapshot", id="lightsail-snapshot", tooltip="Take a snapshot of the instance's disk"),
        Binding("i", "from_snapshot", "New instance", id="lightsail-from-snapshot",
                tooltip="Create an instance from the snapshot under the cursor"),
        Binding("w", "window", "Window", id="lightsail-metrics-window", tooltip="Graph another span of time"),
    ]
    MUTATING = TabbedScreen.MUTATING | {"shell", "start_stop", "reboot", "open_port", "attach_ip", "detach_ip",
                                        "snapshot", "from_snapshot"}

    def __init__(self, name: str, view: str | None = None) -> None:
        self.instance_name = name
        self.state: str | None = None
        self.static_ip: str | None = None
        self.last_shell: tuple[list[str], int] | None = None

        def ports(b: Backend) -> list[Row]:
            rows = iv.port_rows(b, name)
            for row in rows:
                row.extra["instance"] = name
            return rows

        def delete_snapshot(b: Backend, row: Row) -> None:
            facet(b).delete_instance_snapshot(row.name)

        views: list[Any] = [
            PanelView("connect", "Connect", lambda: ConnectPanel(name)),
            PanelView("metrics", "Metrics", lambda: MetricsPanel(name)),
            ResourceView("networking", "Networking", "port", iv.PORT_COLUMNS, ports, actions=(iv.CLOSE_PORT,),
                         sort="ports", context={"instance": name}),
            ResourceView("snapshots", "Snapshots", "snapshot", iv.SNAPSHOT_COLUMNS,
                         lambda b: iv.snapshot_rows(b, name), delete=delete_snapshot, sort="created",
                         delete_warning="Instances made from it keep their disks.", context={"instance": name}),
            PanelView("launch", "Launch script", lambda: LaunchOutputPanel(name)),
            ResourceView("history", "History", "operation", iv.HISTORY_COLUMNS,
                         lambda b: iv.history_rows(b, name), sort="created", context={"instance": name}),
        ]
        super().__init__(views, view)

    def on_mount(self) -> None:
        super().on_mount()
        for newest_first in self.query("#view-history, #view-snapshots"):
            newest_first.sort_reverse = True  # type: ignore[attr-defined]

    @property
    def crumbs(self) -> list[str]:
        return ["Console", "Lightsail", "Instances", self.instance_name, self.view.title]

    def empty_hint(self, view: ResourceView) -> str:
        hints = {
            "networking": "No port is open: nothing from outside reaches the instance.\nPress p to open one.",
            "snapshots": "No snapshot of this instance yet.\nPress n to take one.",
            "history": "Nothing done to this instance yet.",
        }
        return hints.get(view.id) or super().empty_hint(view)

    # -- header ------------------------------------------------------------------------
    def compose_header(self) -> ComposeResult:
        yield Facts(Content.from_markup("[b]Instance[/] [b $primary]$n[/]", n=self.instance_name), id="facts")

    def fetch_header(self, backend: Backend) -> Any:
        try:
            instance = facet(backend).get_instance(self.instance_name)
        except Exception:
            return None
        static = iv.static_ip_of(backend, self.instance_name)
        return {"instance": instance, "address": address(backend, instance), "cost": iv.cost_line(backend, instance),
                "static": static.name if static is not None else None, "now": now(backend)}

    def show_header(self, header: dict[str, Any] | None) -> None:
        if header is None:
            self.query_one("#banner").show_error(  # type: ignore[attr-defined]
                f"Instance {self.instance_name} is gone. Press esc to go back.")
            return
        i: m.Instance = header["instance"]
        state = i.state.name.value
        if state != self.state or header["static"] != self.static_ip:
            self.state, self.static_ip = state, header["static"]
            self.refresh_bindings()
        what = [i.blueprint_name or i.blueprint_id, i.bundle_id]
        if i.location:
            what.append(i.location.availability_zone)
        where = [f"address {header['address']}"]
        if header["static"]:
            where.append(f"static IP {header['static']}")
        if i.username:
            where.append(f"user {i.username}")
        reason = i.status_reason
        self.query_one("#facts", Facts).update(Content.from_markup(
            f"[b]Instance[/] [b $primary]$n[/]  [{_state(state)}]● $s[/]  [$muted]$d[/]"
            "\n[$muted]$w[/]\n[b]$c[/]" + ("\n[$warning]$r[/]" if reason else ""),
            n=i.name, s=state, d=" · ".join(what), w=" · ".join(where), c=header["cost"], r=reason or ""))

    # -- keys --------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        view = self.view.id
        if action == "shell":
            return self.state in (None, "running")
        if action == "start_stop":
            return self.state in (None, "running", "stopped")
        if action == "reboot":
            return self.state in (None, "running")
        if action == "open_port":
            return view == "networking"
        if action == "attach_ip":
            return view == "networking" and self.static_ip is None
        if action == "detach_ip":
            return view == "networking" and self.static_ip is not None
        if action == "from_snapshot":
            return view == "snapshots"
        if action == "window":
            return view == "metrics"
        if action == "delete":
            return True  # the snapshot on Snapshots, else the instance
        if action == "open" and view in ("networking", "history"):
            return False  # d shows a row's JSON; enter has nothing more to open there
        if action == "create":
            return False
        return super().check_action(action, parameters)

    def open_row(self, view: ResourceView, row: Row) -> None:
        if view.id == "snapshots":
            self.action_from_snapshot()
            return
        self.console.open_json(self.page_id, [*self.crumbs, row.name], view, row)

    def _form(self, form: Any, what: str) -> None:
        if self.console.refuse_if_read_only(what):
            return

        def done(changed: bool | None) -> None:
            if changed:
                self.reload()

        self.app.push_screen(form, done)

    def action_start_stop(self) -> None:
        name = self.instance_name
        starting = self.state == "stopped"
        what = f"{'start' if starting else 'stop'} instance {name}"
        if self.console.refuse_if_read_only(what):
            return

        def call(b: Backend) -> str:
            if starting:
                facet(b).start_instance(name)
                return f"Starting instance {name}."
            facet(b).stop_instance(name)
            return f"Stopping instance {name}."

        self.run_action(f"Could not {what}", call)

    def action_reboot(self) -> None:
        name = self.instance_name
        what = f"reboot instance {name}"
        if self.console.refuse_if_read_only(what):
            return
        self.app.push_screen(
            ConfirmScreen(Content(f"Reboot instance {name}?"),
                          "Its programs stop and the instance boots again; its disk is kept.", "Reboot"),
            lambda yes: self.run_action(f"Could not {what}", lambda b: (facet(b).reboot_instance(name),
                                                                         f"Rebooting instance {name}.")[1])
            if yes else None,
        )

    def action_delete(self) -> None:
        if self.view.id == "snapshots":
            super().action_delete()
            return
        name = self.instance_name
        if self.console.refuse_if_read_only(f"delete instance {name}"):
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._delete_instance()

        self.app.push_screen(
            ConfirmScreen(Content.from_markup("Delete instance [b]$n[/b]?", n=name),
                          "Its disk goes with it (snapshots stay); billing stops. This cannot be undone.", "Delete"),
            confirmed,
        )

    @work(thread=True, exit_on_error=False, group="action")
    def _delete_instance(self) -> None:
        backend = self.console.backend
        if backend is None:
            return
        try:
            facet(backend).delete_instance(self.instance_name)
        except Exception as exc:
            self.app.call_from_thread(self.notify, describe_error(exc), title="Delete failed", severity="error",
                                      timeout=8, markup=False)
            return
        self.app.call_from_thread(self.notify, f"Deleted instance {self.instance_name}.", markup=False)
        self.app.call_from_thread(self.console.go_back)

    def action_open_port(self) -> None:
        from computetui.ui.services.lightsail.forms import PortForm

        self._form(PortForm(self.instance_name), f"opening a port of {self.instance_name}")

    def action_attach_ip(self) -> None:
        from computetui.ui.services.lightsail.forms import AttachStaticIpForm

        self._form(AttachStaticIpForm(self.instance_name), f"attaching a static IP to {self.instance_name}")

    def action_detach_ip(self) -> None:
        ip = self.static_ip
        if ip is None:
            return
        what = f"detach static IP {ip}"
        if self.console.refuse_if_read_only(what):
            return
        self.app.push_screen(
            ConfirmScreen(Content(f"Detach static IP {ip}?"),
                          "The instance gets another public IP; the static IP is kept, billed by the hour while "
                          "unattached.", "Detach"),
            lambda yes: self.run_action(f"Could not {what}", lambda b: (facet(b).detach_static_ip(ip),
                                                                         f"Detached static IP {ip}.")[1])
            if yes else None,
        )

    def action_snapshot(self) -> None:
        from computetui.ui.services.lightsail.forms import CreateSnapshotForm

        stamp = f"{self.instance_name}-{now(self.console.backend):%Y%m%d-%H%M}" if self.console.backend else ""
        self._form(CreateSnapshotForm(self.instance_name, stamp), f"taking a snapshot of {self.instance_name}")

    def action_from_snapshot(self) -> None:
        from computetui.ui.services.lightsail.forms import CreateFromSnapshotForm

        row = self.selected()
        if row is None:
            self.notify("No snapshot is selected: press n to take one.", severity="warning")
            return
        self._form(CreateFromSnapshotForm(row.name, row.extra.get("bundle")),
                   f"creating an instance from snapshot {row.name}")

    def action_window(self) -> None:
        panel = self.panel
        if isinstance(panel, MetricsPanel):
            panel.next_window()
            self.reload()

    # -- the shell ---------------------------------------------------------------------------
    def action_shell(self) -> None:
        if self.console.refuse_if_read_only(f"opening a shell in instance {self.instance_name}"):
            return
        self._shell_argv()

    @work(thread=True, exit_on_error=False, group="action")
    def _shell_argv(self) -> None:
        backend = self.console.backend
        if backend is None:
            return
        try:
            argv = facet(backend).shell_argv(self.instance_name)
        except Exception as exc:
            self.app.call_from_thread(self.notify, describe_error(exc), title="No shell", severity="error",
                                      timeout=8, markup=False)
            return
        self.app.call_from_thread(self._run_shell, argv)

    def _run_shell(self, argv: list[str]) -> None:
        """Hand the terminal to the shell; the console comes back when it exits."""
        from textual.app import SuspendNotSupported

        try:
            with self.app.suspend():
                print(f"\n[computetui] shell in instance {self.instance_name}; exit to come back.\n", flush=True)
                code = subprocess.call(argv)
        except SuspendNotSupported:  # no terminal to hand over (tests, web): run it without one
            quiet = [a for a in argv if a not in ("-it", "-t", "-i")]
            code = subprocess.call(quiet, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        self.last_shell = (argv, code)
        self.notify(f"Shell in {self.instance_name} ended (exit code {code}).", timeout=4, markup=False)
        self.reload()
