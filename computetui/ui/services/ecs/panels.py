"""The ECS tabs that are not tables: a service's details, logs, metrics and auto scaling.

Each panel fetches in the page's worker thread (``fetch``) and draws on the UI
thread (``show``), so a slow backend never freezes the console.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from textual.app import ComposeResult
from textual.containers import Grid, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Log, Sparkline, Static

from computetui.backends.base import Backend
from computetui.backends.errors import ComputeError, NotFound
from computetui.models import ecs as m
from computetui.ui.format import MINUTES, per_minute
from computetui.ui.services.ecs.cluster_views import ID_WIDTH, plural, short
from computetui.ui.states import TONE_VARIABLE, tone

TAIL = 500


# -- logs ------------------------------------------------------------------------
def awslogs_streams(td: m.TaskDefinition, task_ids: list[str]) -> dict[str, list[str]]:
    """Log group -> the streams the tasks' awslogs containers write (``prefix/container/task id``)."""
    streams: dict[str, list[str]] = {}
    for container in td.container_definitions:
        config = container.log_configuration
        if config is None or config.log_driver != "awslogs":
            continue
        group = config.options.get("awslogs-group")
        prefix = config.options.get("awslogs-stream-prefix")
        if not group:
            continue
        names = streams.setdefault(group, [])
        for task_id in task_ids:
            names.append(f"{prefix}/{container.name}/{task_id}" if prefix else task_id)
    return streams


class EcsLogsPanel(Vertical):
    """The awslogs output of a task, or of a service's tasks, oldest first, following new lines."""

    DEFAULT_CSS = """
    EcsLogsPanel { height: 1fr; }
    EcsLogsPanel #logs-status { height: auto; padding: 0 1; color: $muted; }
    EcsLogsPanel Log { height: 1fr; border: round $panel-lighten-2; padding: 0 1; overflow: auto; }
    EcsLogsPanel Log:focus { border: round $primary; }
    """

    def __init__(self, cluster: str, *, task: str | None = None, service: str | None = None) -> None:
        super().__init__()
        self.cluster = cluster
        self.task_arn = task
        self.service_name = service
        self._seen: set[str] = set()
        self._since = 0

    def compose(self) -> ComposeResult:
        yield Static("Reading logs…", id="logs-status")
        yield Log(id="ecs-log", highlight=False, max_lines=5000)

    def fetch(self, backend: Backend) -> dict[str, Any]:
        ecs, logs = backend.ecs, backend.logs
        assert ecs is not None
        if self.task_arn:
            tasks = ecs.describe_tasks(self.cluster, [self.task_arn])
        else:
            arns = ecs.list_tasks(self.cluster, service_name=self.service_name, desired_status="RUNNING")
            arns += ecs.list_tasks(self.cluster, service_name=self.service_name, desired_status="STOPPED")[:50]
            tasks = ecs.describe_tasks(self.cluster, arns[:100]) if arns else []
        definitions: dict[str, m.TaskDefinition] = {}
        for task in tasks:
            if task.task_definition_arn not in definitions:
                definitions[task.task_definition_arn] = ecs.describe_task_definition(task.task_definition_arn)
        streams: dict[str, list[str]] = {}
        for arn, td in definitions.items():
            ids = [short(t.task_arn) for t in tasks if t.task_definition_arn == arn]
            for group, names in awslogs_streams(td, ids).items():
                streams.setdefault(group, []).extend(names)
        events: list[Any] = []
        problem = None
        if logs is not None:
            for group, names in streams.items():
                try:
                    events.extend(logs.filter_log_events(group, start_time=self._since, log_stream_names=names,
                                                         limit=TAIL))
                except NotFound:
                    continue
                except ComputeError as exc:
                    problem = f"{exc.code}: {exc.message}"
        events.sort(key=lambda e: (e.timestamp, e.event_id))
        return {"groups": sorted(streams), "events": events[-TAIL:], "problem": problem,
                "tasks": len(tasks), "awslogs": bool(streams) or not definitions,
                "running": any(t.last_status is not m.TaskStatus.STOPPED for t in tasks),
                "streams": [n for names in streams.values() for n in names]}

    def show(self, data: dict[str, Any]) -> None:
        log = self.query_one(Log)
        lines = []
        for event in data["events"]:
            if event.event_id in self._seen:
                continue
            self._seen.add(event.event_id)
            self._since = max(self._since, event.timestamp)
            at = datetime.fromtimestamp(event.timestamp / 1000, tz=UTC).strftime("%H:%M:%S.%f")[:-3]
            stream = getattr(event, "log_stream_name", "") or ""
            task_id = stream.rsplit("/", 1)[-1][:ID_WIDTH]
            lines.append(f"{at}  {task_id + '  ' if not self.task_arn and task_id else ''}"
                         f"{event.message.rstrip().expandtabs(2)}")
        if lines:
            log.write_lines(lines)
        if not data["awslogs"]:
            status = ("No container logs to CloudWatch: add a logConfiguration with the awslogs driver to the "
                      "task definition.")
        elif data["groups"]:
            if self.task_arn and len(data["streams"]) == 1:
                # The stream ends in the 32-digit task id, which the header already shows in full.
                prefix, _, task_id = data["streams"][0].rpartition("/")
                cut = task_id[:ID_WIDTH] + "…" if len(task_id) > ID_WIDTH else task_id
                whose = f"stream {prefix + '/' if prefix else ''}{cut}"
            elif self.task_arn:
                whose = plural(len(data["streams"]), "stream")
            else:
                whose = plural(data["tasks"], "task")
            if data["running"]:
                tail = "following new lines" if self._seen else "waiting for the first line"
            else:
                tail = "the task has stopped" if self.task_arn else "no task is running"
                if not self._seen:
                    tail += ", and wrote nothing"
            status = f"Log group {', '.join(data['groups'])} · {whose} · {tail}"
        else:
            status = "No tasks yet: the service's tasks write here once they run."
        if data["problem"]:
            status += f" · {data['problem']}"
        self.query_one("#logs-status", Static).update(Content(status))  # AWS's words: plain, not markup


# -- metrics ---------------------------------------------------------------------
def utilization_queries(cluster: str, services: list[str]) -> list[dict[str, Any]]:
    """CPUUtilization and MemoryUtilization, per minute, for the cluster and each service."""
    queries = []
    targets = [("cluster", [{"Name": "ClusterName", "Value": cluster}])] + [
        (service, [{"Name": "ClusterName", "Value": cluster}, {"Name": "ServiceName", "Value": service}])
        for service in services
    ]
    for n, (label, dimensions) in enumerate(targets):
        for metric in ("CPUUtilization", "MemoryUtilization"):
            queries.append({
                "Id": f"q{n}{metric[0].lower()}",
                "Label": f"{label} {metric}",
                "MetricStat": {
                    "Metric": {"Namespace": "AWS/ECS", "MetricName": metric, "Dimensions": dimensions},
                    "Period": 60,
                    "Stat": "Average",
                },
            })
    return queries




class EcsMetricsPanel(VerticalScroll):
    """CPU and memory utilization, per minute for the last hour: the cluster's, or one service's."""

    DEFAULT_CSS = """
    EcsMetricsPanel { height: 1fr; padding: 0 1; }
    EcsMetricsPanel .chart-title { height: 1; margin-top: 1; }
    EcsMetricsPanel Sparkline { height: 3; }
    EcsMetricsPanel #metrics-services { height: auto; margin-top: 1; }
    EcsMetricsPanel #metrics-note { color: $muted; height: auto; margin-top: 1; }
    """

    def __init__(self, cluster: str, service: str | None = None) -> None:
        super().__init__()
        self.cluster = cluster
        self.service_name = service

    def compose(self) -> ComposeResult:
        for key, title in (("cpu", "CPU utilization"), ("memory", "Memory utilization")):
            yield Static(title, classes="chart-title", id=f"title-{key}")
            yield Sparkline([0] * MINUTES, id=f"chart-{key}")
        yield Static("", id="metrics-services")
        yield Static("", id="metrics-note")

    def fetch(self, backend: Backend) -> dict[str, Any]:
        assert backend.ecs is not None
        services = [self.service_name] if self.service_name else [
            short(a) for a in backend.ecs.list_services(self.cluster)]
        # With container instances, the cluster's figure is their capacity in use, as in CloudWatch.
        on_instances = not self.service_name and bool(backend.ecs.list_container_instances(self.cluster))
        clock = getattr(backend, "clock", None)
        end = clock.now() if clock is not None else datetime.now(UTC)
        if backend.metrics is None:
            return {"problem": "This backend has no metrics.", "end": end}
        try:
            results = backend.metrics.get_metric_data(
                utilization_queries(self.cluster, services), end - timedelta(hours=1), end + timedelta(minutes=1))
        except ComputeError as exc:
            return {"problem": f"{exc.code}: {exc.message}", "end": end}
        return {"results": results, "services": services, "end": end, "on_instances": on_instances}

    def show(self, data: dict[str, Any]) -> None:
        end = data["end"]
        if "problem" in data:
            self.query_one("#metrics-note", Static).update(Content(f"No metrics: {data['problem']}"))
            return
        by_label = {r.label: r for r in data["results"]}
        owner = self.service_name or "cluster"
        of = "of the container instances' capacity" if data["on_instances"] else "of what the tasks reserved"
        for key, metric, title in (("cpu", "CPUUtilization", "CPU utilization"),
                                   ("memory", "MemoryUtilization", "Memory utilization")):
            result = by_label.get(f"{owner} {metric}")
            values = per_minute(result, end) if result else [0.0] * MINUTES
            self.query_one(f"#chart-{key}", Sparkline).data = values
            latest = result.values[0] if result and result.values else None
            if latest is not None:
                figure = f"now {latest:.1f}% · peak {max(values):.1f}% {of}"
            elif data["on_instances"]:
                figure = "no data yet: this counts the tasks placed on container instances (EC2)"
            else:
                figure = "no data yet"
            self.query_one(f"#title-{key}", Static).update(
                Content.from_markup("[b]$t[/]  [$muted]$f[/]", t=title, f=figure))
        if not self.service_name:
            width = max([len(s) for s in data["services"]] + [7])
            lines = [Content.from_markup("[b]$h[/]  [$muted]latest minute[/]",
                                         h=f"{'Service':<{width}}  {'CPU':>7}  {'Memory':>7}")]
            for service in data["services"]:
                cpu = by_label.get(f"{service} CPUUtilization")
                memory = by_label.get(f"{service} MemoryUtilization")
                lines.append(Content(f"{service:<{width}}  {_latest(cpu):>7}  {_latest(memory):>7}"))
            self.query_one("#metrics-services", Static).update(
                Content("\n").join(lines) if data["services"] else "No services.")
        if self.service_name:
            meaning = "100% means the service's tasks use all the CPU or memory they reserved."
        elif data["on_instances"]:
            meaning = ("The cluster's figure is the share of what its container instances register; a service's, "
                       "of what its tasks reserved.")
        else:
            meaning = "100% means the tasks use all the CPU or memory they reserved."
        self.query_one("#metrics-note", Static).update(
            f"Average per minute, the last hour up to {end:%H:%M} UTC, from docker stats of the running "
            f"containers. {meaning}")


def _latest(result: Any) -> str:
    if result is None or not result.values:
        return "-"
    return f"{result.values[0]:.1f}%"


# -- a service's details -------------------------------------------------------------
class ServiceDetails(VerticalScroll):
    """What the console's service Details tab says: configuration, deployment rules, networking."""

    DEFAULT_CSS = """
    ServiceDetails { height: 1fr; padding: 0 1; }
    ServiceDetails Static { height: auto; }
    """

    def __init__(self, cluster: str, service: str) -> None:
        super().__init__()
        self.cluster = cluster
        self.service_name = service

    def compose(self) -> ComposeResult:
        yield Static("Loading…", id="details-body")

    def fetch(self, backend: Backend) -> dict[str, Any]:
        ecs = backend.ecs
        assert ecs is not None
        found = ecs.describe_services(self.cluster, [self.service_name])
        if not found:
            return {"service": None}
        service = found[0]
        td = ecs.describe_task_definition(service.task_definition)
        try:
            balancers = ecs.describe_service_load_balancers(self.cluster, self.service_name)
        except ComputeError:
            balancers = []
        return {"service": service, "definition": td, "balancers": balancers}

    def show(self, data: dict[str, Any]) -> None:
        service: m.Service | None = data["service"]
        body = self.query_one("#details-body", Static)
        if service is None:
            body.update("This service no longer exists.")
            return
        td: m.TaskDefinition = data["definition"]
        config = service.deployment_configuration
        breaker = config.deployment_circuit_breaker
        rows = [
            ("Service ARN", service.service_arn),
            ("Status", service.status.value),
            ("Task definition", f"{short(service.task_definition)}  ({td.cpu or '-'} CPU units, "
                                f"{td.memory or '-'} MiB, {td.network_mode.value if td.network_mode else '-'})"),
            ("Launch type", service.launch_type.value if service.launch_type else "-"),
            ("Tasks", f"{service.desired_count} desired · {service.running_count} running · "
                      f"{service.pending_count} pending"),
            ("Deployment", f"rolling update · minimum healthy {config.minimum_healthy_percent}% · "
                           f"maximum {config.maximum_percent}%"),
            ("Circuit breaker", ("on" + (" with rollback" if breaker.rollback else "")) if breaker and breaker.enable
             else "off"),
            ("Scheduling", service.scheduling_strategy),
            ("Placement", ", ".join(f"{s.get('type')}({s.get('field', '')})" for s in service.placement_strategy)
             or "-"),
            ("Created", service.created_at.strftime("%Y-%m-%d %H:%M UTC") if service.created_at else "-"),
        ]
        for balancer in data["balancers"]:
            healthy = sum(1 for t in balancer.targets if t.state == "healthy")
            rows.append(("Load balancer", f"{balancer.url or balancer.dns_name} → {balancer.container_name}:"
                                          f"{balancer.container_port} · {healthy}/{len(balancer.targets)} "
                                          "targets healthy"))
            if balancer.url:
                rows.append(("Try it", f"curl {balancer.url}/"))
        width = max(len(label) for label, _ in rows)
        body.update(Content("\n").join(
            Content.from_markup("[$muted]$label[/]  $value", label=label.ljust(width), value=value)
            for label, value in rows))


# -- auto scaling ------------------------------------------------------------------------
DEFAULT_COOLDOWN_S = 300
"""What ECS target tracking waits between scaling actions when the policy sets no cooldown."""
METRIC_WORDS = {
    "ECSServiceAverageCPUUtilization": "average CPU utilization",
    "ECSServiceAverageMemoryUtilization": "average memory utilization",
    "ALBRequestCountPerTarget": "requests per target",
}


class KeyValues(Grid):
    """Labels and their values in two columns; a long value wraps under itself, not under the label."""

    DEFAULT_CSS = """
    KeyValues { grid-size: 2; grid-columns: auto 1fr; grid-rows: auto; grid-gutter: 0 2; height: auto; }
    KeyValues > Static { height: auto; }
    KeyValues > .key { color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: list[tuple[str, str]] | None = None

    def set_rows(self, rows: list[tuple[str, Content | str]]) -> None:
        """Show these rows; the same rows again change nothing (the page refreshes every few seconds)."""
        plain = [(label, value.plain if isinstance(value, Content) else value) for label, value in rows]
        if plain == self._shown:
            return
        self._shown = plain
        self.remove_children()
        # A str value is plain text (a name, an ARN, AWS's words), never markup.
        self.mount(*(w for label, value in rows
                     for w in (Static(Content(label), classes="key"),
                               Static(Content(value) if isinstance(value, str) else value))))


class AutoScalingPanel(VerticalScroll):
    """The service's scalable target, its target tracking policies and the latest activities."""

    DEFAULT_CSS = """
    AutoScalingPanel { height: 1fr; padding: 0 1; }
    AutoScalingPanel Static { height: auto; }
    AutoScalingPanel #scaling-activities-title { margin-top: 1; text-style: bold; }
    AutoScalingPanel #scaling-hint { margin-top: 1; color: $text-muted; }
    AutoScalingPanel.-off #scaling-activities-title, AutoScalingPanel.-off #scaling-activities,
    AutoScalingPanel.-off #scaling-hint { display: none; }
    """

    def __init__(self, cluster: str, service: str) -> None:
        super().__init__()
        self.cluster = cluster
        self.service_name = service

    @property
    def resource_id(self) -> str:
        return f"service/{self.cluster}/{self.service_name}"

    def compose(self) -> ComposeResult:
        yield Static("Loading…", id="scaling-body")
        yield KeyValues(id="scaling-target")
        yield Static("Latest activities", id="scaling-activities-title")
        yield KeyValues(id="scaling-activities")
        yield Static("a changes the policy · ctrl+d turns auto scaling off (the desired count stays)",
                     id="scaling-hint")

    def fetch(self, backend: Backend) -> dict[str, Any]:
        scaling = getattr(backend, "autoscaling", None)
        if scaling is None:
            return {"problem": "This backend does not offer Application Auto Scaling."}
        try:
            targets = scaling.describe_scalable_targets("ecs", resource_ids=[self.resource_id])
            policies = scaling.describe_scaling_policies("ecs", resource_id=self.resource_id)
            activities = scaling.describe_scaling_activities("ecs", resource_id=self.resource_id)
        except ComputeError as exc:
            return {"problem": f"{exc.code}: {exc.message}"}
        return {"targets": targets, "policies": policies, "activities": activities[:10]}

    def show(self, data: dict[str, Any]) -> None:
        body = self.query_one("#scaling-body", Static)
        off = "problem" in data or not data["targets"]
        self.set_class(off, "-off")
        body.display = off
        if "problem" in data:
            body.update(Content(data["problem"]))
            self.query_one("#scaling-target", KeyValues).set_rows([])
            return
        if not data["targets"]:
            body.update("Auto scaling is off for this service.\n\nPress a to turn on target tracking: "
                        "keep the average CPU (or memory) near a target by changing the desired count between "
                        "a minimum and a maximum.")
            self.query_one("#scaling-target", KeyValues).set_rows([])
            return
        target = data["targets"][0]
        rows: list[tuple[str, Content | str]] = [
            ("Scalable target", f"desired count between {_get(target, 'min_capacity')} and "
                                f"{_get(target, 'max_capacity')} tasks"),
        ]
        for policy in data["policies"] or []:
            config = _get(policy, "target_tracking_scaling_policy_configuration") or {}
            if not isinstance(config, dict):
                config = config.to_aws() if hasattr(config, "to_aws") else {}
            metric = ((config.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType")) or "-"
            value = config.get("TargetValue")
            goal = f"{value:g}%" if isinstance(value, (int, float)) else str(value)
            rows.append(("Policy", Content.from_markup(
                "[b]$n[/]  target tracking: keep $m near $g\n[$muted]$c[/]",
                n=str(_get(policy, "policy_name")), m=METRIC_WORDS.get(metric, metric), g=goal,
                c=f"{metric} · scale-out cooldown {config.get('ScaleOutCooldown') or DEFAULT_COOLDOWN_S} s · "
                  f"scale-in cooldown {config.get('ScaleInCooldown') or DEFAULT_COOLDOWN_S} s"
                  + (" · scale-in disabled" if config.get("DisableScaleIn") else ""))))
        if not data["policies"]:
            rows.append(("Policy", "none: press a to add target tracking"))
        self.query_one("#scaling-target", KeyValues).set_rows(rows)
        activities: list[tuple[str, Content | str]] = []
        for activity in data["activities"]:
            start = _get(activity, "start_time")
            stamp = start.strftime("%H:%M:%S") if isinstance(start, datetime) else str(start or "")
            code = str(getattr(_get(activity, "status_code"), "value", _get(activity, "status_code")) or "")
            activities.append((stamp, Content.from_markup(
                f"[{TONE_VARIABLE.get(tone(code), '$foreground')}]$code[/]  $d\n[$muted]$c[/]", code=code,
                d=str(_get(activity, "description") or ""), c=str(_get(activity, "cause") or ""))))
        self.query_one("#scaling-activities", KeyValues).set_rows(activities or [("", "none yet")])


def _get(thing: Any, name: str) -> Any:
    if isinstance(thing, dict):
        camel = "".join(p.capitalize() for p in name.split("_"))
        return thing.get(camel, thing.get(name))
    return getattr(thing, name, None)
