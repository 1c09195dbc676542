"""ECS forms: create a cluster, run a task, create or update a service, register a
container instance, set service auto scaling.

Each is a ``Form`` (widgets/form.py) of declared fields on one cluster; the
framework submits, shows errors and cancels. A form answers True when it
changed something.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from textual import on, work
from textual.widgets import Select

from computetui.backends.base import Backend
from computetui.models.ecs import INSTANCE_TYPES
from computetui.ui.widgets.form import Field, Form, FormError

LAUNCH_NAMES = {"FARGATE": "Fargate", "EC2": "EC2"}


class ClusterForm(Form[bool]):
    """An ECS form about one cluster. Its call returns a sentence saying what it did, which
    becomes a notification; the form answers True then, False when cancelled.

    A form with both a task definition and a launch type keeps the launch type to what the
    picked definition can run on, as the AWS console does: an EC2-only one is run on EC2."""

    cancel_result = False

    def __init__(self, cluster: str = "default") -> None:
        super().__init__()
        self.cluster = cluster

    def finished(self, outcome: Any) -> None:
        self.app.notify(outcome, timeout=6, markup=False)
        self.dismiss(True)

    def on_mount(self) -> None:  # after Form's own (Textual calls each class's handler)
        if self.query("#f-definition") and self.query("#f-launch") and self.value("definition"):
            self._follow_definition(self.value("definition"))

    @on(Select.Changed, "#f-definition")
    def _definition_picked(self, event: Select.Changed) -> None:
        if event.value is not Select.NULL and self.query("#f-launch"):
            self._follow_definition(str(event.value))

    @work(thread=True, exclusive=True, exit_on_error=False, group="form-definition")
    def _follow_definition(self, definition: str) -> None:
        backend = self.app.backend  # type: ignore[attr-defined]
        try:
            td = backend.ecs.describe_task_definition(definition)
        except Exception:  # the launch type stays as it is; the call itself will say what is wrong
            return
        required = [c.value for c in (td.requires_compatibilities or td.compatibilities or [])]
        launches = [launch for launch in LAUNCH_NAMES if launch in required]
        if len(launches) == 1:
            self.app.call_from_thread(self._set_launch, definition, launches[0])

    def _set_launch(self, definition: str, launch: str) -> None:
        if self.value("definition") != definition or self.value("launch") == launch:
            return  # another definition was picked meanwhile, or nothing to change
        self.field_widget("launch").value = launch  # type: ignore[attr-defined]
        self.say(f"{definition} runs on {LAUNCH_NAMES[launch]} only, so Launch type is {LAUNCH_NAMES[launch]}.")


def _definitions(backend: Backend, launch: str | None = None) -> list[tuple[str, str]]:
    """Active task definitions, newest revision of each family first."""
    assert backend.ecs is not None
    options = []
    for family in backend.ecs.list_task_definition_families():
        arns = backend.ecs.list_task_definitions(family_prefix=family, status="ACTIVE")
        for arn in sorted(arns, key=lambda a: -int(a.rsplit(":", 1)[-1])):
            name = arn.rsplit("/", 1)[-1]
            options.append((name + ("  (latest)" if arn == max(arns, key=lambda a: int(a.rsplit(':', 1)[-1]))
                                    else ""), name))
    return options


LAUNCH_TYPES = [("Fargate (no servers to manage)", "FARGATE"), ("EC2 (on registered container instances)", "EC2")]
PLACEMENT = [
    ("none (EC2 default: spread by zone, then binpack)", ""),
    ("binpack on memory (fewest instances)", "binpack:memory"),
    ("binpack on CPU", "binpack:cpu"),
    ("spread across instances", "spread:instanceId"),
    ("random", "random"),
]


def _placement(text: str | None) -> list[dict[str, str]] | None:
    if not text:
        return None
    kind, _, on_field = text.partition(":")
    return [{"type": kind, **({"field": on_field} if on_field else {})}]


# -- clusters ---------------------------------------------------------------------------
class CreateClusterForm(ClusterForm):
    title_text = "Create cluster"
    hint = "A cluster groups services, tasks and container instances. Fargate tasks need nothing else."

    def fields(self, backend: Backend) -> list[Field]:
        return [Field("name", "Cluster name", placeholder="my-cluster")]

    def prepare(self) -> Callable[[Backend], str]:
        name = self.value("name")
        if not name:
            raise FormError("Cluster name", "is required (letters, numbers, hyphens and underscores)", "name")
        self.created = name

        def call(b: Backend) -> str:
            assert b.ecs is not None
            b.ecs.create_cluster(cluster_name=name)
            return f"Created cluster {name}."

        return call


# -- tasks ---------------------------------------------------------------------------------
class RunTaskForm(ClusterForm):
    title_text = "Run new task"
    verb = "Run"
    hint = "Fargate gives each task its own capacity; EC2 places it on a registered container instance."

    def fields(self, backend: Backend) -> list[Field]:
        definitions = _definitions(backend)
        return [
            Field("definition", "Task definition", "select", definitions[0][1] if definitions else None,
                  definitions),
            Field("launch", "Launch type", "select", "FARGATE", LAUNCH_TYPES),
            Field("count", "Number of tasks", "number", "1"),
            Field("placement", "Placement (EC2)", "select", "", PLACEMENT),
        ]

    def prepare(self) -> Callable[[Backend], str]:
        definition = self.value("definition")
        if not definition:
            raise FormError("Task definition", "register a task definition first (ECS › Task definitions, c)",
                            "definition")
        count = self.number("count", low=1, high=10)
        launch = self.value("launch")
        strategy = _placement(self.value("placement")) if launch == "EC2" else None
        cluster = self.cluster

        def call(b: Backend) -> str:
            assert b.ecs is not None
            kwargs: dict[str, Any] = {"launch_type": launch}
            if strategy:
                kwargs["placement_strategy"] = strategy
            result = b.ecs.run_task(cluster, definition, count=count, **kwargs)
            started = f"Started {len(result.tasks)} of {count} task(s) of {definition} on {launch}."
            if result.failures:
                reasons = ", ".join(sorted({f.reason for f in result.failures}))
                if not result.tasks:
                    from computetui.backends.errors import InvalidParameter

                    raise InvalidParameter(f"No task was placed: {reasons}. Register a larger container instance "
                                           "or stop some tasks.", code="PlacementFailure", field="count")
                started += f" Not placed: {reasons}."
            return started

        return call


class RegisterInstanceForm(ClusterForm):
    title_text = "Register container instance"
    verb = "Register"
    hint = ("An EC2 instance that joins the cluster: its CPU units (vCPU × 1024) and memory are what EC2-launched "
            "tasks are placed on. Locally it is a record of capacity; tasks still run on your Docker engine.")

    def fields(self, backend: Backend) -> list[Field]:
        types = [(f"{name} ({vcpus} vCPU, {memory // 1024} GiB)", name)
                 for name, (vcpus, memory) in INSTANCE_TYPES.items()]
        return [Field("type", "Instance type", "select", "t3.medium", types),
                Field("count", "How many", "number", "1")]

    def prepare(self) -> Callable[[Backend], str]:
        kind = self.value("type")
        count = self.number("count", low=1, high=20)
        cluster = self.cluster

        def call(b: Backend) -> str:
            assert b.ecs is not None
            for _ in range(count or 1):
                b.ecs.register_container_instance(cluster=cluster, instance_type=kind)
            return f"Registered {count} {kind} container instance(s) in {cluster}."

        return call


# -- services --------------------------------------------------------------------------------
TARGET_GROUP_ARN = re.compile(r"arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup/[\w-]{1,32}/[0-9a-f]+")


class CreateServiceForm(ClusterForm):
    title_text = "Create service"
    hint = "The scheduler keeps the desired count running and replaces tasks that stop."

    def fields(self, backend: Backend) -> list[Field]:
        definitions = _definitions(backend)
        return [
            Field("name", "Service name", placeholder="web"),
            Field("definition", "Task definition", "select", definitions[0][1] if definitions else None,
                  definitions),
            Field("launch", "Launch type", "select", "FARGATE", LAUNCH_TYPES),
            Field("desired", "Desired tasks", "number", "3"),
            # The emulator makes a balancer of its own; on AWS a service joins a target group you made.
            Field("balancer", "Load balancer", "check", True, text="round robin over healthy tasks on a local port")
            if backend.ecs is not None and backend.ecs.makes_load_balancers else
            Field("target_group", "Target group ARN", placeholder="arn:aws:elasticloadbalancing:… (optional)"),
            Field("minimum", "Minimum healthy %", "number", "100"),
            Field("maximum", "Maximum %", "number", "200"),
            Field("breaker", "Circuit breaker", "check", True,
                  text="stop a deployment whose tasks keep failing; roll back"),
        ]

    def prepare(self) -> Callable[[Backend], str]:
        name = self.value("name")
        if not name:
            raise FormError("Service name", "is required (letters, numbers, hyphens and underscores)", "name")
        definition = self.value("definition")
        if not definition:
            raise FormError("Task definition", "register a task definition first (ECS › Task definitions, c)",
                            "definition")
        desired = self.number("desired", low=0, high=100)
        minimum = self.number("minimum", low=0, high=100)
        maximum = self.number("maximum", low=100, high=200)
        launch = self.value("launch")
        has_check = any(f.id == "balancer" for f in self._fields)
        target_group = None if has_check else self.value("target_group") or None
        if target_group is not None and not TARGET_GROUP_ARN.fullmatch(target_group):
            raise FormError("Target group ARN", "must look like arn:aws:elasticloadbalancing:REGION:ACCOUNT:"
                            "targetgroup/NAME/ID (ELB › Target groups), or be left empty", "target_group")
        balanced = self.value("balancer") if has_check else target_group is not None
        breaker = self.value("breaker")
        cluster = self.cluster

        def call(b: Backend) -> str:
            assert b.ecs is not None
            balancers = None
            if balanced:
                td = b.ecs.describe_task_definition(definition)
                target = next(((c.name, p.container_port) for c in td.container_definitions
                               for p in c.port_mappings), None)
                if target is None:
                    from computetui.backends.errors import InvalidParameter

                    raise InvalidParameter(f"{definition} maps no container port, so a load balancer has nothing "
                                           "to send traffic to (untick Load balancer, or leave the target group "
                                           "empty)", code="InvalidParameterException", field="loadBalancers")
                balancers = [{"containerName": target[0], "containerPort": target[1],
                              **({"targetGroupArn": target_group} if target_group else {})}]
            b.ecs.create_service(
                cluster, name, definition, desired_count=desired, launch_type=launch, load_balancers=balancers,
                deployment_configuration={
                    "minimumHealthyPercent": minimum, "maximumPercent": maximum,
                    "deploymentCircuitBreaker": {"enable": bool(breaker), "rollback": bool(breaker)},
                })
            return f"Created service {name}: {desired} task(s) of {definition}" + (
                " behind a load balancer (see its Targets tab)." if balanced else ".")

        return call


class UpdateServiceForm(ClusterForm):
    title_text = "Update service"
    verb = "Update"
    hint = ("A new task definition or a forced deployment (a new image behind the same tag) replaces the "
            "tasks, keeping within the service's minimum healthy and maximum percents.")

    def __init__(self, cluster: str, service: str) -> None:
        super().__init__(cluster)
        self.service = service
        self.title_text = f"Update service {service}"

    def fields(self, backend: Backend) -> list[Field]:
        assert backend.ecs is not None
        [current] = backend.ecs.describe_services(self.cluster, [self.service]) or [None]
        if current is None:
            raise ValueError(f"service {self.service} is gone")
        family = current.task_definition.rsplit("/", 1)[-1].split(":")[0]
        definitions = [o for o in _definitions(backend) if o[1].split(":")[0] == family] or _definitions(backend)
        now = current.task_definition.rsplit("/", 1)[-1]
        if now not in [v for _, v in definitions]:
            definitions.insert(0, (f"{now}  (current, inactive)", now))
        return [
            Field("definition", "Task definition", "select", now, definitions),
            Field("desired", "Desired tasks", "number", str(current.desired_count)),
            Field("force", "Force new deployment", "check", False,
                  text="replace every task, even with nothing changed"),
        ]

    def prepare(self) -> Callable[[Backend], str]:
        definition = self.value("definition")
        desired = self.number("desired", low=0, high=100)
        force = self.value("force")
        cluster, service = self.cluster, self.service

        def call(b: Backend) -> str:
            assert b.ecs is not None
            b.ecs.update_service(cluster, service, desired_count=desired, task_definition=definition,
                                 force_new_deployment=bool(force))
            return f"Updated service {service}: {desired} task(s) of {definition}" + (
                ", new deployment forced." if force else ".")

        return call


class AutoScalingForm(ClusterForm):
    title_text = "Service auto scaling"
    verb = "Save"
    hint = ("Target tracking: when the average stays above the target, tasks are added; well below it, removed "
            "(slowly: 15 minutes of low use).")

    def __init__(self, cluster: str, service: str) -> None:
        super().__init__(cluster)
        self.service = service
        self.title_text = f"Auto scaling for {service}"

    @property
    def resource_id(self) -> str:
        return f"service/{self.cluster}/{self.service}"

    def fields(self, backend: Backend) -> list[Field]:
        low, high, target, metric = "1", "4", "50", "ECSServiceAverageCPUUtilization"
        scaling = getattr(backend, "autoscaling", None)
        if scaling is not None:
            targets = scaling.describe_scalable_targets("ecs", resource_ids=[self.resource_id])
            if targets:
                low, high = str(targets[0].min_capacity), str(targets[0].max_capacity)
            for policy in scaling.describe_scaling_policies("ecs", resource_id=self.resource_id):
                config = policy.target_tracking_scaling_policy_configuration
                body = config.to_aws() if hasattr(config, "to_aws") else dict(config or {})
                target = str(body.get("TargetValue", target)).removesuffix(".0")
                metric = (body.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType", metric)
        return [
            Field("min", "Minimum tasks", "number", low),
            Field("max", "Maximum tasks", "number", high),
            Field("metric", "Metric", "select", metric, [
                ("average CPU utilization", "ECSServiceAverageCPUUtilization"),
                ("average memory utilization", "ECSServiceAverageMemoryUtilization"),
            ]),
            Field("target", "Target value (%)", "number", target),
        ]

    def prepare(self) -> Callable[[Backend], str]:
        low = self.number("min", low=0, high=1000)
        high = self.number("max", low=0, high=1000)
        if low is not None and high is not None and high < low:
            raise FormError("Maximum tasks", f"must be at least the minimum ({low})", "max")
        target = self.number("target", low=1, high=100)
        metric = self.value("metric")
        resource = self.resource_id
        service = self.service

        def call(b: Backend) -> str:
            scaling = getattr(b, "autoscaling", None)
            if scaling is None:
                from computetui.backends.errors import Unsupported

                raise Unsupported("this backend does not offer Application Auto Scaling")
            scaling.register_scalable_target("ecs", resource, "ecs:service:DesiredCount", min_capacity=low,
                                             max_capacity=high)
            scaling.put_scaling_policy(
                f"{service}-target-tracking", "ecs", resource,
                "ecs:service:DesiredCount", policy_type="TargetTrackingScaling",
                target_tracking_scaling_policy_configuration={
                    "TargetValue": float(target or 50),
                    "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
                })
            return f"Auto scaling on for {service}: {low}-{high} tasks, keeping {metric} near {target}%."

        return call
