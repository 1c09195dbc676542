"""Amazon ECS through boto3: clusters, task definitions, services, tasks, container instances.

Every list reads all its pages through botocore's paginators (100 a page, the
APIs' maximum); describes go in batches at each API's maximum (DescribeClusters,
DescribeTasks and DescribeContainerInstances 100, DescribeServices 10,
UpdateContainerInstancesState 10). A few rules are checked here before a call
is sent, with ECS's own words, because they are cheap to check and the answer
is the same: a cluster's name, and a Fargate task definition's network mode and
size (the size table is :data:`computetui.models.ecs.FARGATE_TASK_SIZES`). Task
sizes written in vCPU or GB (``"1 vCPU"``, ``"2GB"``) are sent as the units ECS
stores them as.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from computetui.backends.aws.kit import Caller, aws_json, batches, fan_out, fold, parse
from computetui.backends.base import EcsFacet
from computetui.backends.errors import InvalidParameter, NotFound, Unavailable, Unsupported
from computetui.models import ecs as m

if TYPE_CHECKING:
    from computetui.backends.aws import AwsBackend

PAGE = 100
"""ListClusters, ListServices, ListTasks, ListContainerInstances, ListTaskDefinitions(Families): most a page holds."""
DESCRIBE_CLUSTERS_MAX = 100
DESCRIBE_TASKS_MAX = 100
DESCRIBE_SERVICES_MAX = 10
DESCRIBE_CONTAINER_INSTANCES_MAX = 100
UPDATE_CONTAINER_INSTANCES_MAX = 10
DESCRIBE_LOAD_BALANCERS_MAX = 20
DESCRIBE_TARGET_GROUPS_MAX = 20

REGISTERED_BY_THE_AGENT = (
    "RegisterContainerInstance is called by the ECS container agent on the EC2 instance itself, with the "
    "instance's signed identity document; the console cannot register an instance for it. Launch an EC2 "
    "instance from the ECS-optimized AMI with ECS_CLUSTER={cluster} in /etc/ecs/ecs.config (or give the "
    "cluster an Auto Scaling group capacity provider) and it registers itself."
)

# Codes ECS answers that the generic translation leaves unclassified.
_KINDS = {
    "ClusterContainsServicesException": "invalid",
    "ClusterContainsTasksException": "invalid",
    "ClusterContainsContainerInstancesException": "invalid",
    "ClusterContainsCapacityProviderException": "invalid",
    "ServiceNotActiveException": "invalid",
    "PlatformUnknownException": "invalid",
    "PlatformTaskDefinitionIncompatibilityException": "invalid",
    "TargetNotConnectedException": "invalid",
    "ResourceInUseException": "conflict",
}


def client_error(message: str, field: str | None = None) -> InvalidParameter:
    """ECS reports bad input as ``ClientException``."""
    return InvalidParameter(message, code="ClientException", field=field)


def _units(value: Any, to_units: Callable[[str], int | None]) -> Any:
    """``"1 vCPU"`` -> ``"1024"``, ``"2GB"`` -> ``"2048"``; anything else as it is."""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        units = to_units(value.strip())
        if units is not None:
            return str(units)
    return value


def check_task_definition(params: dict[str, Any]) -> dict[str, Any]:
    """The task definition's sizes in units, and the Fargate rules checked, as ECS words them."""
    params = dict(params)
    for name, to_units in (("cpu", m.vcpus_as_units), ("memory", m.gb_as_mib)):
        if params.get(name) is not None:
            params[name] = _units(params[name], to_units)
    if "FARGATE" in (params.get("requiresCompatibilities") or []):
        problem = m.fargate_problem(params.get("networkMode"), params.get("cpu"), params.get("memory"))
        if problem:
            raise client_error(*problem)
    return params


class AwsEcs(EcsFacet):
    """ECS on AWS. Names or ARNs are accepted wherever ECS accepts them."""

    def __init__(self, backend: AwsBackend) -> None:
        super().__init__(backend)
        self.ecs = Caller(backend, "ecs", kinds=_KINDS)
        self.elbv2 = Caller(backend, "elbv2")
        self.ec2 = Caller(backend, "ec2")
        self._default_network: dict[str, Any] | None = None

    # -- awsvpc without a network configuration ----------------------------------
    def _network(self, params: dict[str, Any]) -> dict[str, Any]:
        """What the console does for an awsvpc task or service given no subnets: the default
        VPC's subnets and its default security group, with a public IP (so Fargate can pull
        from a public registry). One DescribeTaskDefinition, and the VPC lookup once."""
        if params.get("networkConfiguration"):
            return params
        definition = self.ecs.call("describe_task_definition", taskDefinition=params["taskDefinition"])
        if definition["taskDefinition"].get("networkMode") != "awsvpc":
            return params
        if self._default_network is None:
            vpcs = self.ec2.call("describe_vpcs", Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"]
            if not vpcs:
                raise InvalidParameter(
                    "networkConfiguration: an awsvpc task needs subnets and security groups, and this region "
                    "has no default VPC to take them from; pass network_configuration "
                    "{'awsvpcConfiguration': {'subnets': [...], 'securityGroups': [...]}}",
                    code="InvalidParameterException", field="networkConfiguration")
            vpc = vpcs[0]["VpcId"]
            subnets = self.ec2.pages("describe_subnets", "Subnets", Filters=[{"Name": "vpc-id", "Values": [vpc]}])
            groups = self.ec2.call("describe_security_groups", Filters=[
                {"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
            self._default_network = {"awsvpcConfiguration": {
                "subnets": [s["SubnetId"] for s in subnets],
                "securityGroups": [g["GroupId"] for g in groups],
                "assignPublicIp": "ENABLED",
            }}
        return {**params, "networkConfiguration": self._default_network}

    # -- clusters ------------------------------------------------------------
    def create_cluster(
        self, cluster_name: str = "default", tags: list[dict[str, str]] | None = None, **kwargs: Any
    ) -> m.Cluster:
        """CreateCluster (idempotent, as in ECS: an existing cluster comes back)."""
        problem = m.cluster_name_problem(cluster_name)
        if problem:
            raise client_error(problem, "clusterName")
        params = self.ecs.params("create_cluster", {"cluster_name": cluster_name, "tags": tags or None, **kwargs})
        return parse(m.Cluster, self.ecs.call("create_cluster", **params)["cluster"])

    def delete_cluster(self, cluster: str) -> m.Cluster:
        """DeleteCluster. A cluster already deleted (INACTIVE) is not found, as ECS says."""
        [found] = self.describe_clusters([cluster]) or [None]
        if found is None or found.status is m.ClusterStatus.INACTIVE:
            raise NotFound("Cluster not found.", code="ClusterNotFoundException")
        return parse(m.Cluster, self.ecs.call("delete_cluster", cluster=cluster)["cluster"])

    def _clusters(self) -> list[m.Cluster]:
        """Every cluster that is not deleted: ListClusters' pages, DescribeClusters by 100.

        A deleted cluster stays discoverable (INACTIVE) for a while; it is left out.
        """
        arns = self.ecs.pages("list_clusters", "clusterArns", page_size=PAGE)
        return [c for c in self._describe_clusters(arns) if c.status is not m.ClusterStatus.INACTIVE]

    def _describe_clusters(self, clusters: list[str]) -> list[m.Cluster]:
        found = []
        for chunk in batches(clusters, DESCRIBE_CLUSTERS_MAX):
            answer = self.ecs.call("describe_clusters", clusters=chunk, include=["STATISTICS", "TAGS"])
            found += [parse(m.Cluster, c) for c in answer.get("clusters", [])]
        return found

    def list_clusters(self) -> list[str]:
        return [c.cluster_arn for c in self._clusters()]

    def describe_clusters(self, clusters: list[str] | None = None) -> list[m.Cluster]:
        """By name or ARN (a missing one is left out; a deleted one shows INACTIVE); every live
        cluster when None."""
        if clusters is None:
            return self._clusters()
        return self._describe_clusters(clusters)

    # -- task definitions ------------------------------------------------------
    def register_task_definition(
        self, task_definition: m.TaskDefinition | dict[str, Any] | None = None, **kwargs: Any
    ) -> m.TaskDefinition:
        """AWS's JSON as it is (what DescribeTaskDefinition printed registers again: the fields ECS
        only reports, such as the ARN, revision and status, are left out), the model, or keywords."""
        data = aws_json(task_definition) if task_definition is not None else {}
        if not isinstance(data, dict):
            raise client_error("The task definition must be an object (AWS's JSON) or a TaskDefinition.")
        data = {**data, **kwargs}
        members = self.ecs.member_names("register_task_definition")
        reported = {fold(n) for n in self.ecs.client.meta.service_model.shape_for("TaskDefinition").members}
        params = {}
        for name, value in data.items():
            folded = fold(name)
            member = members.get(folded)
            if member is None and folded in reported:
                continue  # reported by ECS, not registered: taskDefinitionArn, revision, status ...
            params[member or name] = aws_json(value)
        params = check_task_definition(params)
        answer = self.ecs.call("register_task_definition", **params)
        return parse(m.TaskDefinition, answer["taskDefinition"])

    def deregister_task_definition(self, task_definition: str) -> m.TaskDefinition:
        answer = self.ecs.call("deregister_task_definition", taskDefinition=task_definition)
        return parse(m.TaskDefinition, answer["taskDefinition"])

    def describe_task_definition(self, task_definition: str) -> m.TaskDefinition:
        answer = self.ecs.call("describe_task_definition", taskDefinition=task_definition)
        return parse(m.TaskDefinition, answer["taskDefinition"])

    def list_task_definition_families(self, family_prefix: str | None = None, status: str = "ACTIVE") -> list[str]:
        return sorted(set(self.ecs.pages("list_task_definition_families", "families", page_size=PAGE,
                                         familyPrefix=family_prefix, status=status)))

    def list_task_definitions(
        self, family_prefix: str | None = None, status: str = "ACTIVE", sort: str = "ASC"
    ) -> list[str]:
        """ECS's ``familyPrefix`` is a whole family name."""
        return self.ecs.pages("list_task_definitions", "taskDefinitionArns", page_size=PAGE,
                              familyPrefix=family_prefix, status=status, sort=sort.upper())

    # -- services --------------------------------------------------------------
    def create_service(self, cluster: str, service_name: str, task_definition: str, **kwargs: Any) -> m.Service:
        params = self._network(self.ecs.params("create_service", {
            "cluster": cluster, "service_name": service_name, "task_definition": task_definition, **kwargs}))
        return parse(m.Service, self.ecs.call("create_service", **params)["service"])

    def update_service(self, cluster: str, service: str, **kwargs: Any) -> m.Service:
        params = self.ecs.params("update_service", {"cluster": cluster, "service": service, **kwargs})
        return parse(m.Service, self.ecs.call("update_service", **params)["service"])

    def delete_service(self, cluster: str, service: str, force: bool = False) -> m.Service:
        answer = self.ecs.call("delete_service", cluster=cluster, service=service, force=force)
        return parse(m.Service, answer["service"])

    def list_services(self, cluster: str) -> list[str]:
        return self.ecs.pages("list_services", "serviceArns", page_size=PAGE, cluster=cluster)

    def describe_services(self, cluster: str, services: list[str]) -> list[m.Service]:
        """In batches of 10 (DescribeServices' limit), a few batches at once (``fan_out``), in the
        order asked; a missing service is left out. 2,000 services are 200 calls: one after
        another they would take 200 round trips."""
        def describe(chunk: list[str]) -> list[m.Service]:
            answer = self.ecs.call("describe_services", cluster=cluster, services=chunk)
            return [parse(m.Service, s) for s in answer.get("services", [])]

        return [s for found in fan_out(describe, list(batches(services, DESCRIBE_SERVICES_MAX))) for s in found]

    def describe_service_load_balancers(self, cluster: str, service: str) -> list[m.ServiceLoadBalancer]:
        """The service's target groups (elbv2): their load balancer, health check and targets' health.

        Calls: DescribeServices, DescribeTargetGroups, DescribeLoadBalancers (each batched),
        then DescribeListeners per load balancer and DescribeTargetHealth per target group, a
        few at once. A service without target groups (none, or a Classic Load Balancer) has none.
        """
        [found] = self.describe_services(cluster, [service]) or [None]
        if found is None:
            raise NotFound("Service not found.", code="ServiceNotFoundException")
        specs = [b for b in found.load_balancers if b.target_group_arn]
        if not specs:
            return []
        group_arns = list(dict.fromkeys(b.target_group_arn for b in specs if b.target_group_arn))
        groups = {}
        for chunk in batches(group_arns, DESCRIBE_TARGET_GROUPS_MAX):
            for group in self.elbv2.call("describe_target_groups", TargetGroupArns=chunk).get("TargetGroups", []):
                groups[group["TargetGroupArn"]] = group
        lb_arns = list(dict.fromkeys(arn for g in groups.values() for arn in g.get("LoadBalancerArns", [])))
        balancers = {}
        for chunk in batches(lb_arns, DESCRIBE_LOAD_BALANCERS_MAX):
            for lb in self.elbv2.call("describe_load_balancers", LoadBalancerArns=chunk).get("LoadBalancers", []):
                balancers[lb["LoadBalancerArn"]] = lb
        listeners = dict(zip(lb_arns, fan_out(
            lambda arn: self.elbv2.pages("describe_listeners", "Listeners", LoadBalancerArn=arn), lb_arns), strict=True))
        health = dict(zip(group_arns, fan_out(
            lambda arn: self.elbv2.call("describe_target_health", TargetGroupArn=arn).get(
                "TargetHealthDescriptions", []), group_arns), strict=True))
        result = []
        for spec in specs:
            arn = spec.target_group_arn or ""
            group = groups.get(arn, {})
            lb_arn = next(iter(group.get("LoadBalancerArns", [])), None)
            lb = balancers.get(lb_arn or "", {})
            dns = lb.get("DNSName", "")
            result.append(m.ServiceLoadBalancer(
                target_group_arn=arn,
                load_balancer_name=lb.get("LoadBalancerName") or spec.load_balancer_name or group.get(
                    "TargetGroupName", ""),
                dns_name=dns,
                url=_url(dns, _listener_for(listeners.get(lb_arn or "", []), arn)),
                container_name=spec.container_name,
                container_port=spec.container_port,
                health_check=_health_check(group),
                targets=[_target(t) for t in health.get(arn, [])],
            ))
        return result

    # -- tasks -------------------------------------------------------------------
    def run_task(self, cluster: str, task_definition: str, count: int = 1, **kwargs: Any) -> m.RunTaskResult:
        params = self._network(self.ecs.params("run_task", {"cluster": cluster, "task_definition": task_definition,
                                                             "count": count, **kwargs}))
        return parse(m.RunTaskResult, self.ecs.call("run_task", **params))

    def start_task(
        self, cluster: str, task_definition: str, container_instances: list[str], **kwargs: Any
    ) -> m.RunTaskResult:
        params = self.ecs.params("start_task", {"cluster": cluster, "task_definition": task_definition,
                                                 "container_instances": container_instances, **kwargs})
        return parse(m.RunTaskResult, self.ecs.call("start_task", **params))

    def stop_task(self, cluster: str, task: str, reason: str | None = None) -> m.Task:
        answer = self.ecs.call("stop_task", cluster=cluster, task=task, reason=reason)
        return parse(m.Task, answer["task"])

    def list_tasks(
        self,
        cluster: str,
        service_name: str | None = None,
        desired_status: str = "RUNNING",
        **kwargs: Any,
    ) -> list[str]:
        """ListTasks' pages (100 each); ``container_instance``, ``family``, ``started_by`` and
        ``launch_type`` narrow it as in ECS."""
        params = self.ecs.params("list_tasks", {"cluster": cluster, "service_name": service_name,
                                                 "desired_status": desired_status, **kwargs})
        return self.ecs.pages("list_tasks", "taskArns", page_size=PAGE, **params)

    def describe_tasks(self, cluster: str, tasks: list[str]) -> list[m.Task]:
        """In batches of 100 (DescribeTasks' limit); a missing task is left out."""
        return [parse(m.Task, t) for t in self._describe_tasks_json(cluster, tasks)]

    def _describe_tasks_json(self, cluster: str, tasks: list[str]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for chunk in batches(tasks, DESCRIBE_TASKS_MAX):
            found += self.ecs.call("describe_tasks", cluster=cluster, tasks=chunk).get("tasks", [])
        return found

    def execute_command_argv(self, cluster: str, task: str, container: str, command: str = "/bin/sh") -> list[str]:
        """``aws ecs execute-command ... --interactive`` (ECS Exec), with this backend's profile,
        region and endpoint. It needs the AWS CLI and the Session Manager plugin on PATH, and a
        task that runs with ECS Exec enabled."""
        aws = shutil.which("aws")
        if aws is None:
            raise Unavailable(
                "ECS Exec runs `aws ecs execute-command`, and the AWS CLI is not installed (PATH has no aws): "
                "see https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html",
                code="ExecuteCommandUnavailable",
            )
        if shutil.which("session-manager-plugin") is None:
            raise Unavailable(
                "ECS Exec needs the Session Manager plugin for the AWS CLI, and PATH has no "
                "session-manager-plugin: see https://docs.aws.amazon.com/systems-manager/latest/userguide/"
                "session-manager-working-with-install-plugin.html",
                code="ExecuteCommandUnavailable",
            )
        [found] = self._describe_tasks_json(cluster, [task]) or [None]
        if found is None:
            raise InvalidParameter("The referenced task was not found.", code="InvalidParameterException",
                                   field="task")
        if found.get("lastStatus") != "RUNNING":
            raise InvalidParameter(
                f"The execute command failed because the task is {found.get('lastStatus')}, not RUNNING.",
                code="InvalidParameterException", field="task")
        if not any(c.get("name") == container for c in found.get("containers", [])):
            raise InvalidParameter(f"The container {container} is not in the task.",
                                   code="InvalidParameterException", field="container")
        if not found.get("enableExecuteCommand"):
            raise InvalidParameter(
                "The execute command failed because execute command was not enabled when the task was run: "
                "run the task (or update the service with --force-new-deployment) with enableExecuteCommand, "
                "and give the task role the ssmmessages permissions ECS Exec needs.",
                code="InvalidParameterException", field="task")
        argv = [aws, "ecs", "execute-command", "--cluster", cluster, "--task", found.get("taskArn", task),
                "--container", container, "--interactive", "--command", command]
        profile = self.backend.profile
        if profile and profile != os.environ.get("AWS_PROFILE", "default"):
            argv += ["--profile", profile]
        argv += ["--region", self.backend.region]
        if self.backend.endpoint_url:
            argv += ["--endpoint-url", self.backend.endpoint_url]
        return argv

    # -- container instances -----------------------------------------------------
    def register_container_instance(self, cluster: str = "default", **kwargs: Any) -> m.ContainerInstance:
        """Only with an ``instance_identity_document`` (and its signature, on AWS): the ECS agent
        registers its own instance; without one this is ``Unsupported`` and says what to do instead."""
        if not kwargs.get("instance_identity_document") and not kwargs.get("instanceIdentityDocument"):
            raise Unsupported(REGISTERED_BY_THE_AGENT.format(cluster=cluster))
        kwargs.pop("instance_type", None)  # the local emulator's shortcut; the document says what the instance is
        document = kwargs.pop("instance_identity_document", None) or kwargs.pop("instanceIdentityDocument")
        params = self.ecs.params("register_container_instance", {
            "cluster": cluster,
            "instance_identity_document": document if isinstance(document, str) else json.dumps(document),
            **kwargs,
        })
        answer = self.ecs.call("register_container_instance", **params)
        return parse(m.ContainerInstance, answer["containerInstance"])

    def deregister_container_instance(
        self, cluster: str, container_instance: str, force: bool = False
    ) -> m.ContainerInstance:
        answer = self.ecs.call("deregister_container_instance", cluster=cluster,
                               containerInstance=container_instance, force=force)
        return parse(m.ContainerInstance, answer["containerInstance"])

    def update_container_instances_state(
        self, cluster: str, container_instances: list[str], status: str
    ) -> list[m.ContainerInstance]:
        """In batches of 10 (the API's limit). Instances ECS could not change raise afterwards,
        naming each with ECS's reason; the others are changed."""
        changed, failures = [], []
        for chunk in batches(container_instances, UPDATE_CONTAINER_INSTANCES_MAX):
            answer = self.ecs.call("update_container_instances_state", cluster=cluster,
                                   containerInstances=chunk, status=status)
            changed += [parse(m.ContainerInstance, c) for c in answer.get("containerInstances", [])]
            failures += answer.get("failures", [])
        if failures:
            named = ", ".join(f"{f.get('arn')} ({f.get('reason')})" for f in failures)
            raise InvalidParameter(f"Container instances not changed: {named}", code="InvalidParameterException",
                                   field="containerInstances")
        return changed

    def list_container_instances(self, cluster: str, status: str | None = None) -> list[str]:
        return self.ecs.pages("list_container_instances", "containerInstanceArns", page_size=PAGE,
                              cluster=cluster, status=status)

    def describe_container_instances(self, cluster: str, container_instances: list[str]) -> list[m.ContainerInstance]:
        """In batches of 100 (the API's limit); a missing instance is left out."""
        found = []
        for chunk in batches(container_instances, DESCRIBE_CONTAINER_INSTANCES_MAX):
            answer = self.ecs.call("describe_container_instances", cluster=cluster, containerInstances=chunk)
            found += [parse(m.ContainerInstance, c) for c in answer.get("containerInstances", [])]
        return found


# -- elbv2's answers as the console shows them ------------------------------------------


def _listener_for(listeners: list[dict[str, Any]], group_arn: str) -> dict[str, Any] | None:
    """The listener whose default action forwards to the target group, else the first one."""
    for listener in listeners:
        for action in listener.get("DefaultActions", []):
            forwards = [action.get("TargetGroupArn")] + [
                t.get("TargetGroupArn") for t in (action.get("ForwardConfig") or {}).get("TargetGroups", [])]
            if group_arn in forwards:
                return listener
    return listeners[0] if listeners else None


def _url(dns: str, listener: dict[str, Any] | None) -> str:
    if not dns or listener is None:
        return ""
    scheme = "https" if listener.get("Protocol") in ("HTTPS", "TLS") else "http"
    port = listener.get("Port")
    default = 443 if scheme == "https" else 80
    return f"{scheme}://{dns}" + ("" if port in (None, default) else f":{port}")


def _health_check(group: dict[str, Any]) -> dict[str, Any]:
    """The target group's health check, named as the local load balancer names its own."""
    if not group:
        return {}
    check = {
        "protocol": group.get("HealthCheckProtocol"),
        "port": group.get("HealthCheckPort"),
        "path": group.get("HealthCheckPath"),
        "intervalSeconds": group.get("HealthCheckIntervalSeconds"),
        "timeoutSeconds": group.get("HealthCheckTimeoutSeconds"),
        "healthyThresholdCount": group.get("HealthyThresholdCount"),
        "unhealthyThresholdCount": group.get("UnhealthyThresholdCount"),
        "matcher": (group.get("Matcher") or {}).get("HttpCode") or (group.get("Matcher") or {}).get("GrpcCode"),
    }
    return {k: v for k, v in check.items() if v is not None}


def _target(description: dict[str, Any]) -> m.TargetHealth:
    target = description.get("Target") or {}
    health = description.get("TargetHealth") or {}
    return m.TargetHealth(
        target_id=target.get("Id", ""),
        host=target.get("Id", ""),
        port=int(target.get("Port") or description.get("HealthCheckPort") or 0),
        state=health.get("State", "unavailable"),
        reason=health.get("Reason"),
        description=health.get("Description"),
    )
