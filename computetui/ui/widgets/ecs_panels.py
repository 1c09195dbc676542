"""The ECS tabs that are not tables: a service's details, logs, metrics and auto scaling.

Each panel fetches in the page's worker thread (``fetch``) and draws on the UI
thread (``show``), so a slow backend never freezes the console.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Log, Sparkline, Static

from computetui.backends.base import Backend
from computetui.backends.errors import ComputeError, NotFound
from computetui.models import ecs as m
from computetui.ui.ecs import short

TAIL = 500
MINUTES = 60


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
    EcsLogsPanel Log { height: 1fr; border: round $panel-lighten-2; }
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
                "tasks": len(tasks), "awslogs": bool(streams) or not definitions}

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
            task_id = stream.rsplit("/", 1)[-1][:8]
            lines.append(f"{at}  {task_id + '  ' if not self.task_arn and task_id else ''}{event.message.rstrip()}")
        if lines:
            log.write_lines(lines)
        if not data["awslogs"]:
            status = ("No container logs to CloudWatch: add a logConfiguration with the awslogs driver to the "
                      "task definition.")
        elif data["groups"]:
            status = f"Log group {', '.join(data['groups'])} · {data['tasks']} task(s) · following new lines"
        else:
            status = "No tasks yet."
        if data["problem"]:
            status += f" · {data['problem']}"
        self.query_one("#logs-status", Static).update(status)


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


def per_minute(result: Any, end: datetime) -> list[float]:
    start = end.replace(second=0, microsecond=0) - timedelta(minutes=MINUTES - 1)
    values = [0.0] * MINUTES
    for stamp, value in zip(result.timestamps, result.values, strict=False):
        index = int((stamp - start).total_seconds() // 60)
        if 0 <= index < MINUTES:
            values[index] = value
    return values


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
        clock = getattr(backend, "clock", None)
        end = clock.now() if clock is not None else datetime.now(UTC)
        if backend.metrics is None:
            return {"problem": "This backend has no metrics.", "end": end}
        try:
            results = backend.metrics.get_metric_data(
                utilization_queries(self.cluster, services), end - timedelta(hours=1), end + timedelta(minutes=1))
        except ComputeError as exc:
            return {"problem": f"{exc.code}: {exc.message}", "end": end}
        return {"results": results, "services": services, "end": end}

    def show(self, data: dict[str, Any]) -> None:
        end = data["end"]
        if "problem" in data:
            self.query_one("#metrics-note", Static).update(f"No metrics: {data['problem']}")
            return
        by_label = {r.label: r for r in data["results"]}
        owner = self.service_name or "cluster"
        for key, metric, title in (("cpu", "CPUUtilization", "CPU utilization"),
                                   ("memory", "MemoryUtilization", "Memory utilization")):
            result = by_label.get(f"{owner} {metric}")
            values = per_minute(result, end) if result else [0.0] * MINUTES
            self.query_one(f"#chart-{key}", Sparkline).data = values
            latest = result.values[0] if result and result.values else None
            figure = (f"now {latest:.1f}% · peak {max(values):.1f}% of what the tasks reserved"
                      if latest is not None else "no data yet")
            self.query_one(f"#title-{key}", Static).update(
                Content.from_markup("[b]$t[/]  [$muted]$f[/]", t=title, f=figure))
        if not self.service_name:
            lines = []
            for service in data["services"]:
                cpu = by_label.get(f"{service} CPUUtilization")
                memory = by_label.get(f"{service} MemoryUtilization")
                lines.append(f"{service:<32} CPU {_latest(cpu):>7}   memory {_latest(memory):>7}")
            self.query_one("#metrics-services", Static).update(
                "\n".join(["Services (latest minute)", *lines]) if lines else "No services.")
        self.query_one("#metrics-note", Static).update(
            f"Average per minute, the last hour up to {end:%H:%M} UTC, from docker stats of the running "
            "containers; 100% means the tasks use all the CPU or memory they reserved.")


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
class AutoScalingPanel(VerticalScroll):
    """The service's scalable target, its target tracking policies and the latest activities."""

    DEFAULT_CSS = """
    AutoScalingPanel { height: 1fr; padding: 0 1; }
    AutoScalingPanel Static { height: auto; }
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
        if "problem" in data:
            body.update(data["problem"])
            return
        if not data["targets"]:
            body.update("Auto scaling is off for this service.\n\nPress a to turn on target tracking: "
                        "keep the average CPU (or memory) near a target by changing the desired count between "
                        "a minimum and a maximum.")
            return
        target = data["targets"][0]
        lines = [Content.from_markup("[b]Scalable target[/]  desired count between $lo and $hi tasks",
                                     lo=str(_get(target, "min_capacity")), hi=str(_get(target, "max_capacity")))]
        lines.append(Content(""))
        lines.append(Content.from_markup("[b]Policies[/]"))
        for policy in data["policies"] or []:
            config = _get(policy, "target_tracking_scaling_policy_configuration") or {}
            if not isinstance(config, dict):
                config = config.to_aws() if hasattr(config, "to_aws") else {}
            metric = ((config.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType")) or "-"
            lines.append(Content(
                f"  {_get(policy, 'policy_name')}: target tracking, {metric} at {config.get('TargetValue')}"
                f" · scale out cooldown {config.get('ScaleOutCooldown', '-')} s"
                f" · scale in cooldown {config.get('ScaleInCooldown', '-')} s"
                + (" · scale in disabled" if config.get("DisableScaleIn") else "")))
        if not data["policies"]:
            lines.append(Content("  none"))
        lines.append(Content(""))
        lines.append(Content.from_markup("[b]Latest activities[/]"))
        for activity in data["activities"]:
            start = _get(activity, "start_time")
            stamp = start.strftime("%H:%M:%S") if isinstance(start, datetime) else str(start or "")
            lines.append(Content(f"  {stamp}  {_get(activity, 'description')}  ({_get(activity, 'status_code')})"))
            lines.append(Content.from_markup("    [$muted]$c[/]", c=str(_get(activity, "cause") or "")))
        if not data["activities"]:
            lines.append(Content("  none yet"))
        lines.append(Content(""))
        lines.append(Content.from_markup("[$muted]a changes the policy · ctrl+d on this tab turns auto scaling off[/]"))
        body.update(Content("\n").join(lines))


def _get(thing: Any, name: str) -> Any:
    if isinstance(thing, dict):
        camel = "".join(p.capitalize() for p in name.split("_"))
        return thing.get(camel, thing.get(name))
    return getattr(thing, name, None)
