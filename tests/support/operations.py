"""Every operation of the local backend that changes something, with arguments it takes.

The input tests start from these arguments (each one valid, naming the resources ``prepared``
makes) and change one at a time, or all at random: what comes out must be a ComputeError,
and the store must stay readable.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from computetui.backends.base import Facet, all_mutating_operations
from computetui.backends.local import LocalBackend
from computetui.backends.rules.ecs import TASK_DEFINITION
from computetui.backends.rules.validation import Request, Shape, request_of
from computetui.clock import FixedClock
from tests.support.fakes import FakeEngine

CPU_METRIC = "ECSServiceAverageCPUUtilization"
RESOURCE = "service/c/s"
DIMENSION = "ecs:service:DesiredCount"
TARGET = {"service_namespace": "ecs", "resource_id": RESOURCE, "scalable_dimension": DIMENSION}
POLICY_TEXT = ('{"rules": [{"rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": '
               '"imageCountMoreThan", "countNumber": 5}, "action": {"type": "expire"}}]}')
CONTAINER = {"name": "web", "image": "busybox", "memory": 64}
FUNCTION_ARN = "arn:aws:lambda:us-east-1:000000000000:function:f"


def zipped(source: str = "def handler(event, context):\n    return 1\n") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("app.py", source)
    return buf.getvalue()


ZIP = zipped()


@dataclass
class Prepared:
    """What ``prepare`` made that the arguments name: ids the backend chose."""

    instance_arn: str = ""
    rest_api_id: str = ""
    api_id: str = ""
    scheduling_policy_arn: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def make_backend() -> LocalBackend:
    """An in-memory backend on a fake engine (nothing runs on Docker), fixed clock and seed."""
    return LocalBackend(":memory:", clock=FixedClock("2026-01-15T09:30:00+00:00"), seed=7,
                        engine=FakeEngine({"busybox": 1000}), controller=False)


def prepare(backend: LocalBackend) -> Prepared:
    """The resources the arguments below name."""
    backend.lambda_.create_function("f", runtime="python3.12", handler="app.handler", code={"ZipFile": ZIP})
    ecs = backend.ecs
    ecs.create_cluster("c")
    ecs.create_cluster("empty")
    ecs.register_task_definition({"family": "web", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc",
                                  "cpu": "256", "memory": "512",
                                  "containerDefinitions": [{"name": "web", "image": "busybox"}]})
    ecs.register_task_definition({"family": "ec2web", "containerDefinitions": [CONTAINER]})
    instance = ecs.register_container_instance("c", instance_type="t3.small")
    ecs.create_service("c", "s", "web", desired_count=0)
    backend.ecr.create_repository("repo")
    backend.ecr.put_image("repo", "busybox", "v0")
    batch = backend.batch
    batch.create_compute_environment("ce", compute_resources={"type": "FARGATE", "maxvCpus": 4})
    batch.create_job_queue("q", 1, [{"order": 1, "computeEnvironment": "ce"}])
    batch.register_job_definition("jd", container_properties={
        "image": "busybox", "resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "2048"}]},
        platform_capabilities=["FARGATE"])
    policy = batch.create_scheduling_policy("fair", fairshare_policy={"shareDistribution": [{"shareIdentifier": "a"}]})
    backend.logs.create_log_group("g")
    backend.logs.create_log_stream("g", "s")
    backend.autoscaling.register_scalable_target(**TARGET, min_capacity=0, max_capacity=3)
    rest = backend.apigateway.create_rest_api("rest")
    gw = backend.apigateway
    [root] = gw.get_resources(rest.id)
    items = gw.create_resource(rest.id, root.id, "items")
    spare_resource = gw.create_resource(rest.id, root.id, "spare")
    gw.put_method(rest.id, items.id, "POST")
    gw.put_integration(rest.id, items.id, "POST", "MOCK", request_templates={"application/json": '{"statusCode": 200}'})
    gw.put_method_response(rest.id, items.id, "POST", "200")
    gw.create_rest_deployment(rest.id, "live")
    api_key = gw.create_api_key("k")
    plan = gw.create_usage_plan("plan", api_stages=[{"apiId": rest.id, "stage": "live"}])
    rest_authorizer = gw.create_rest_authorizer(
        rest.id, "who", "TOKEN", identity_source="method.request.header.Authorization",
        authorizer_uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{FUNCTION_ARN}/invocations")
    http = gw.create_api("http")
    used = gw.create_integration(http.api_id, "AWS_PROXY", integration_uri=FUNCTION_ARN, payload_format_version="2.0")
    spare = gw.create_integration(http.api_id, "AWS_PROXY", integration_uri=FUNCTION_ARN, payload_format_version="1.0")
    route = gw.create_route(http.api_id, "GET /r", target=f"integrations/{used.integration_id}")
    gw.create_stage(http.api_id, "prod")
    authorizer = gw.create_authorizer(http.api_id, "who", "REQUEST", ["$request.header.Authorization"],
                                      authorizer_uri=FUNCTION_ARN, authorizer_payload_format_version="2.0")
    return Prepared(instance_arn=instance.container_instance_arn, rest_api_id=rest.id, api_id=http.api_id,
                    scheduling_policy_arn=policy.arn,
                    extra={"integration": used.integration_id, "spare": spare.integration_id, "route": route.route_id,
                           "authorizer": authorizer.authorizer_id, "root": root.id, "items": items.id,
                           "spare_resource": spare_resource.id, "api_key": api_key.id, "plan": plan.id,
                           "rest_authorizer": rest_authorizer.id})


@contextmanager
def prepared_backend() -> Iterator[tuple[LocalBackend, Prepared]]:
    backend = make_backend()
    try:
        yield backend, prepare(backend)
    finally:
        backend.close()


Arguments = Callable[[Prepared], dict[str, Any]]

ARGUMENTS: dict[tuple[str, str], Arguments] = {
    ("lambda_", "create_function"): lambda p: dict(
        function_name="g", runtime="python3.12", handler="app.handler", code={"ZipFile": ZIP}),
    ("lambda_", "update_function_code"): lambda p: dict(function_name="f", zip_file=ZIP),
    ("lambda_", "update_function_configuration"): lambda p: dict(function_name="f", memory_size=256),
    ("lambda_", "delete_function"): lambda p: dict(function_name="f"),
    ("lambda_", "publish_version"): lambda p: dict(function_name="f"),
    ("lambda_", "put_function_concurrency"): lambda p: dict(function_name="f", reserved_concurrent_executions=5),
    ("lambda_", "delete_function_concurrency"): lambda p: dict(function_name="f"),
    ("lambda_", "save_test_event"): lambda p: dict(function_name="f", name="e1", event="{}"),
    ("lambda_", "delete_test_event"): lambda p: dict(function_name="f", name="e1"),
    # A function that does not exist: an invocation never runs code here, whatever it is given.
    ("lambda_", "invoke"): lambda p: dict(function_name="absent", payload=b"{}", invocation_type="DryRun"),
    ("ecs", "create_cluster"): lambda p: dict(cluster_name="c2"),
    ("ecs", "delete_cluster"): lambda p: dict(cluster="empty"),
    ("ecs", "register_task_definition"): lambda p: dict(family="new", containerDefinitions=[dict(CONTAINER)]),
    ("ecs", "deregister_task_definition"): lambda p: dict(task_definition="ec2web:1"),
    ("ecs", "create_service"): lambda p: dict(cluster="c", service_name="s2", task_definition="web"),
    ("ecs", "update_service"): lambda p: dict(cluster="c", service="s", desired_count=0),
    ("ecs", "delete_service"): lambda p: dict(cluster="c", service="s", force=True),
    ("ecs", "run_task"): lambda p: dict(cluster="c", task_definition="web", count=1),
    ("ecs", "start_task"): lambda p: dict(cluster="c", task_definition="ec2web", container_instances=[p.instance_arn]),
    ("ecs", "stop_task"): lambda p: dict(cluster="c", task="0" * 32),
    ("ecs", "execute_command_argv"): lambda p: dict(cluster="c", task="0" * 32, container="web"),
    ("ecs", "register_container_instance"): lambda p: dict(cluster="c", instance_type="t3.small"),
    ("ecs", "deregister_container_instance"): lambda p: dict(cluster="c", container_instance=p.instance_arn,
                                                             force=True),
    ("ecs", "update_container_instances_state"): lambda p: dict(cluster="c", container_instances=[p.instance_arn],
                                                                status="DRAINING"),
    ("ecr", "create_repository"): lambda p: dict(repository_name="repo2"),
    ("ecr", "delete_repository"): lambda p: dict(repository_name="repo", force=True),
    ("ecr", "put_image"): lambda p: dict(repository_name="repo", source_image="busybox", image_tag="v1"),
    ("ecr", "batch_delete_image"): lambda p: dict(repository_name="repo", image_ids=[{"imageTag": "v0"}]),
    ("ecr", "put_lifecycle_policy"): lambda p: dict(repository_name="repo", lifecycle_policy_text=POLICY_TEXT),
    ("ecr", "delete_lifecycle_policy"): lambda p: dict(repository_name="repo"),
    ("batch", "create_compute_environment"): lambda p: dict(
        compute_environment_name="ce2", compute_resources={"type": "FARGATE", "maxvCpus": 4}),
    ("batch", "update_compute_environment"): lambda p: dict(compute_environment="ce", state="DISABLED"),
    ("batch", "delete_compute_environment"): lambda p: dict(compute_environment="ce"),
    ("batch", "create_job_queue"): lambda p: dict(
        job_queue_name="q2", priority=1, compute_environment_order=[{"order": 1, "computeEnvironment": "ce"}]),
    ("batch", "update_job_queue"): lambda p: dict(job_queue="q", priority=2),
    ("batch", "delete_job_queue"): lambda p: dict(job_queue="q"),
    ("batch", "register_job_definition"): lambda p: dict(job_definition_name="jd2",
                                                         container_properties={"image": "busybox"}),
    ("batch", "deregister_job_definition"): lambda p: dict(job_definition="jd:1"),
    ("batch", "submit_job"): lambda p: dict(job_name="j", job_queue="q", job_definition="jd"),
    ("batch", "terminate_job"): lambda p: dict(job_id="j", reason="r"),
    ("batch", "create_scheduling_policy"): lambda p: dict(name="fair2"),
    ("batch", "update_scheduling_policy"): lambda p: dict(arn=p.scheduling_policy_arn,
                                                          fairshare_policy={"shareDecaySeconds": 60}),
    ("batch", "delete_scheduling_policy"): lambda p: dict(arn=p.scheduling_policy_arn),
    ("batch", "cancel_job"): lambda p: dict(job_id="j", reason="r"),
    ("apigateway", "create_rest_api"): lambda p: dict(name="api"),
    ("apigateway", "delete_rest_api"): lambda p: dict(rest_api_id=p.rest_api_id),
    ("apigateway", "create_api"): lambda p: dict(name="api"),
    ("apigateway", "create_rest_authorizer"): lambda p: dict(
        rest_api_id=p.rest_api_id, name="a", type="TOKEN",
        authorizer_uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{FUNCTION_ARN}/invocations",
        identity_source="method.request.header.Authorization", identity_validation_expression="^x",
        authorizer_result_ttl_in_seconds=60),
    ("apigateway", "delete_rest_authorizer"): lambda p: dict(rest_api_id=p.rest_api_id,
                                                             authorizer_id=p.extra["rest_authorizer"]),
    ("apigateway", "create_api_key"): lambda p: dict(name="k2", enabled=True, value="v" * 24, description="d"),
    ("apigateway", "delete_api_key"): lambda p: dict(api_key=p.extra["api_key"]),
    ("apigateway", "create_usage_plan"): lambda p: dict(
        name="p2", description="d", api_stages=[{"apiId": p.rest_api_id, "stage": "live"}],
        throttle={"rateLimit": 1.0, "burstLimit": 2}, quota={"limit": 10, "period": "DAY", "offset": 0}),
    ("apigateway", "delete_usage_plan"): lambda p: dict(usage_plan_id=p.extra["plan"]),
    ("apigateway", "create_usage_plan_key"): lambda p: dict(usage_plan_id=p.extra["plan"], key_id=p.extra["api_key"],
                                                            key_type="API_KEY"),
    ("apigateway", "create_resource"): lambda p: dict(rest_api_id=p.rest_api_id, parent_id=p.extra["root"],
                                                      path_part="{id}"),
    ("apigateway", "delete_usage_plan_key"): lambda p: dict(usage_plan_id=p.extra["plan"], key_id=p.extra["api_key"]),
    ("apigateway", "delete_method"): lambda p: dict(rest_api_id=p.rest_api_id, resource_id=p.extra["items"],
                                                    http_method="POST"),
    ("apigateway", "delete_resource"): lambda p: dict(rest_api_id=p.rest_api_id, resource_id=p.extra["spare_resource"]),
    ("apigateway", "put_method"): lambda p: dict(rest_api_id=p.rest_api_id, resource_id=p.extra["items"],
                                                 http_method="DELETE", authorization_type="NONE",
                                                 api_key_required=False),
    ("apigateway", "put_integration"): lambda p: dict(
        rest_api_id=p.rest_api_id, resource_id=p.extra["items"], http_method="POST", type="AWS_PROXY",
        uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{FUNCTION_ARN}/invocations",
        integration_http_method="POST", timeout_in_millis=1000),
    ("apigateway", "put_method_response"): lambda p: dict(
        rest_api_id=p.rest_api_id, resource_id=p.extra["items"], http_method="POST", status_code="404",
        response_parameters={"method.response.header.X-A": False}, response_models={"application/json": "Empty"}),
    ("apigateway", "put_integration_response"): lambda p: dict(
        rest_api_id=p.rest_api_id, resource_id=p.extra["items"], http_method="POST", status_code="200",
        selection_pattern="2\\d\\d", response_templates={"application/json": "{}"},
        response_parameters={"method.response.header.X-A": "'a'"}),
    ("apigateway", "create_rest_deployment"): lambda p: dict(rest_api_id=p.rest_api_id, stage_name="prod",
                                                             description="d", stage_description="s",
                                                             variables={"a": "1"}),
    ("apigateway", "update_rest_stage"): lambda p: dict(rest_api_id=p.rest_api_id, stage_name="live", patch_operations=[
        {"op": "replace", "path": "/accessLogSettings/destinationArn",
         "value": "arn:aws:logs:us-east-1:000000000000:log-group:g"},
        {"op": "replace", "path": "/accessLogSettings/format", "value": "$context.requestId $context.status"},
        {"op": "replace", "path": "/variables/table", "value": "pets"}]),
    ("apigateway", "delete_api"): lambda p: dict(api_id=p.api_id),
    ("apigateway", "update_api"): lambda p: dict(api_id=p.api_id, name="http2", description="d", cors_configuration={
        "AllowOrigins": ["https://a.example"], "AllowMethods": ["GET"], "AllowHeaders": ["x-a"],
        "ExposeHeaders": ["x-b"], "MaxAge": 60, "AllowCredentials": False}),
    ("apigateway", "create_route"): lambda p: dict(api_id=p.api_id, route_key="GET /pets/{id}",
                                                   target=f"integrations/{p.extra['integration']}",
                                                   authorization_type="NONE", api_key_required=False),
    ("apigateway", "update_route"): lambda p: dict(
        api_id=p.api_id, route_id=p.extra["route"], route_key="GET /r2", target=f"integrations/{p.extra['integration']}",
        authorization_type="CUSTOM", authorizer_id=p.extra["authorizer"], authorization_scopes=["a"],
        api_key_required=False, operation_name="r"),
    ("apigateway", "delete_route"): lambda p: dict(api_id=p.api_id, route_id=p.extra["route"]),
    ("apigateway", "test_invoke"): lambda p: dict(api_id=p.api_id, method="POST", path="/pets/1", stage_name="prod",
                                                  query="a=1", headers={"x-a": "b"}, body="{}"),
    ("apigateway", "create_authorizer"): lambda p: dict(
        api_id=p.api_id, name="other", authorizer_type="REQUEST", identity_source=["$request.querystring.token"],
        authorizer_uri=FUNCTION_ARN, authorizer_payload_format_version="2.0", enable_simple_responses=True,
        authorizer_result_ttl_in_seconds=60),
    ("apigateway", "delete_authorizer"): lambda p: dict(api_id=p.api_id, authorizer_id=p.extra["authorizer"]),
    ("apigateway", "create_integration"): lambda p: dict(
        api_id=p.api_id, integration_type="AWS_PROXY", integration_uri=FUNCTION_ARN, payload_format_version="2.0",
        timeout_in_millis=1000, connection_type="INTERNET", description="d"),
    ("apigateway", "delete_integration"): lambda p: dict(api_id=p.api_id, integration_id=p.extra["spare"]),
    ("apigateway", "create_stage"): lambda p: dict(
        api_id=p.api_id, stage_name="beta", auto_deploy=True, description="d", stage_variables={"a": "1"},
        default_route_settings={"ThrottlingBurstLimit": 5, "ThrottlingRateLimit": 1.0}, tags={"t": "1"}),
    ("apigateway", "delete_stage"): lambda p: dict(api_id=p.api_id, stage_name="prod"),
    ("apigateway", "update_stage"): lambda p: dict(
        api_id=p.api_id, stage_name="prod", auto_deploy=True, description="d", stage_variables={"a": "2"},
        default_route_settings={"ThrottlingBurstLimit": 5, "ThrottlingRateLimit": 1.0},
        route_settings={"GET /r": {"ThrottlingBurstLimit": 2, "ThrottlingRateLimit": 0.5}},
        access_log_settings={"DestinationArn": "arn:aws:logs:us-east-1:000000000000:log-group:g", "Format": "x"}),
    ("apigateway", "create_deployment"): lambda p: dict(api_id=p.api_id, stage_name="prod", description="d"),
    ("lightsail", "create_instances"): lambda p: dict(instance_names=["i"], availability_zone="us-east-1a",
                                                      blueprint_id="nginx", bundle_id="nano_3_0",
                                                      user_data="echo hello", key_pair_name="default",
                                                      tags=[{"key": "team", "value": "web"}]),
    ("lightsail", "delete_instance"): lambda p: dict(instance_name="i"),
    ("lightsail", "start_instance"): lambda p: dict(instance_name="i"),
    ("lightsail", "stop_instance"): lambda p: dict(instance_name="i"),
    ("lightsail", "reboot_instance"): lambda p: dict(instance_name="i"),
    ("lightsail", "create_instance_snapshot"): lambda p: dict(instance_snapshot_name="snap", instance_name="i"),
    ("lightsail", "delete_instance_snapshot"): lambda p: dict(instance_snapshot_name="snap"),
    ("lightsail", "create_instances_from_snapshot"): lambda p: dict(
        instance_names=["j"], availability_zone="us-east-1a", bundle_id="nano_3_0", instance_snapshot_name="snap",
        user_data="echo again", key_pair_name="default", tags=[{"key": "team", "value": "web"}]),
    ("lightsail", "open_instance_public_ports"): lambda p: dict(
        instance_name="i", port_info={"fromPort": 8080, "toPort": 8080, "protocol": "tcp"}),
    ("lightsail", "close_instance_public_ports"): lambda p: dict(
        instance_name="i", port_info={"fromPort": 22, "toPort": 22, "protocol": "tcp"}),
    ("lightsail", "put_instance_public_ports"): lambda p: dict(
        instance_name="i", port_infos=[{"fromPort": 80, "toPort": 80, "protocol": "tcp"}]),
    ("lightsail", "allocate_static_ip"): lambda p: dict(static_ip_name="ip"),
    ("lightsail", "attach_static_ip"): lambda p: dict(static_ip_name="ip", instance_name="i"),
    ("lightsail", "detach_static_ip"): lambda p: dict(static_ip_name="ip"),
    ("lightsail", "release_static_ip"): lambda p: dict(static_ip_name="ip"),
    ("lightsail", "create_container_service"): lambda p: dict(service_name="svc", power="nano", scale=1,
                                                              tags=[{"key": "team", "value": "web"}]),
    ("lightsail", "update_container_service"): lambda p: dict(service_name="svc", power="micro", scale=2,
                                                              is_disabled=False),
    ("lightsail", "delete_container_service"): lambda p: dict(service_name="svc"),
    ("lightsail", "create_container_service_deployment"): lambda p: dict(
        service_name="svc", containers={"web": {"image": "busybox", "command": ["httpd", "-f"],
                                                "environment": {"A": "1"}, "ports": {"80": "HTTP"}}},
        public_endpoint={"containerName": "web", "containerPort": 80, "healthCheck": {"path": "/"}}),
    ("logs", "create_log_group"): lambda p: dict(log_group_name="g2"),
    ("logs", "delete_log_group"): lambda p: dict(log_group_name="g"),
    ("logs", "create_log_stream"): lambda p: dict(log_group_name="g", log_stream_name="s2"),
    ("logs", "put_log_events"): lambda p: dict(log_group_name="g", log_stream_name="s",
                                               log_events=[{"timestamp": 1, "message": "hi"}]),
    ("autoscaling", "register_scalable_target"): lambda p: dict(**TARGET, min_capacity=0, max_capacity=2),
    ("autoscaling", "deregister_scalable_target"): lambda p: dict(**TARGET),
    ("autoscaling", "put_scaling_policy"): lambda p: dict(
        policy_name="p", **TARGET, target_tracking_scaling_policy_configuration={
            "TargetValue": 50, "PredefinedMetricSpecification": {"PredefinedMetricType": CPU_METRIC}}),
    ("autoscaling", "delete_scaling_policy"): lambda p: dict(policy_name="p", **TARGET),
}

READ_ARGUMENTS: dict[tuple[str, str], Arguments] = {
    ("lambda_", "get_function"): lambda p: dict(function_name="f"),
    ("lambda_", "get_function_configuration"): lambda p: dict(function_name="f", qualifier="$LATEST"),
    ("lambda_", "download_function_code"): lambda p: dict(function_name="f"),
    ("lambda_", "list_versions_by_function"): lambda p: dict(function_name="f"),
    ("lambda_", "get_function_concurrency"): lambda p: dict(function_name="f"),
    ("lambda_", "list_test_events"): lambda p: dict(function_name="f"),
    ("ecs", "describe_clusters"): lambda p: dict(clusters=["c"]),
    ("ecs", "describe_task_definition"): lambda p: dict(task_definition="web"),
    ("ecs", "list_task_definitions"): lambda p: dict(family_prefix="w", status="ACTIVE", sort="DESC"),
    ("ecs", "list_task_definition_families"): lambda p: dict(family_prefix="w", status="ALL"),
    ("ecs", "list_services"): lambda p: dict(cluster="c"),
    ("ecs", "describe_services"): lambda p: dict(cluster="c", services=["s"]),
    ("ecs", "describe_service_load_balancers"): lambda p: dict(cluster="c", service="s"),
    ("ecs", "list_tasks"): lambda p: dict(cluster="c", desired_status="STOPPED"),
    ("ecs", "list_task_summaries"): lambda p: dict(cluster="c"),
    ("ecs", "describe_tasks"): lambda p: dict(cluster="c", tasks=["0" * 32]),
    ("ecs", "list_container_instances"): lambda p: dict(cluster="c"),
    ("ecs", "describe_container_instances"): lambda p: dict(cluster="c", container_instances=[p.instance_arn]),
    ("ecr", "describe_repositories"): lambda p: dict(repository_names=["repo"]),
    ("ecr", "describe_images"): lambda p: dict(repository_name="repo", image_ids=[{"imageTag": "v0"}]),
    ("ecr", "get_lifecycle_policy"): lambda p: dict(repository_name="repo"),
    ("batch", "describe_compute_environments"): lambda p: dict(compute_environments=["ce"]),
    ("batch", "describe_job_queues"): lambda p: dict(job_queues=["q"]),
    ("batch", "describe_job_definitions"): lambda p: dict(job_definition_name="jd"),
    ("batch", "list_jobs"): lambda p: dict(job_queue="q"),
    ("batch", "describe_jobs"): lambda p: dict(jobs=["j"]),
    ("apigateway", "get_resources"): lambda p: dict(rest_api_id=p.rest_api_id),
    ("apigateway", "get_stages"): lambda p: dict(rest_api_id=p.rest_api_id),
    ("apigateway", "get_routes"): lambda p: dict(api_id=p.api_id),
    ("apigateway", "get_usage_plan_keys"): lambda p: dict(usage_plan_id=p.extra["plan"]),
    ("lightsail", "get_instance"): lambda p: dict(instance_name="i"),
    ("logs", "describe_log_groups"): lambda p: dict(log_group_name_prefix="g"),
    ("logs", "describe_log_streams"): lambda p: dict(log_group_name="g"),
    ("logs", "get_log_events"): lambda p: dict(log_group_name="g", log_stream_name="s"),
    ("logs", "filter_log_events"): lambda p: dict(log_group_name="g", filter_pattern="hi"),
    ("autoscaling", "describe_scalable_targets"): lambda p: dict(service_namespace="ecs"),
    ("autoscaling", "describe_scaling_policies"): lambda p: dict(service_namespace="ecs"),
    ("autoscaling", "describe_scaling_activities"): lambda p: dict(service_namespace="ecs"),
    ("metrics", "get_metric_data"): lambda p: dict(metric_data_queries=[{
        "Id": "cpu", "MetricStat": {"Metric": {"Namespace": "AWS/ECS", "MetricName": "CPUUtilization",
                                               "Dimensions": [{"Name": "ClusterName", "Value": "c"}]},
                                    "Period": 60, "Stat": "Average"}}], start_time=0, end_time=60),
}
"""Operations that read, with arguments: they too refuse what is not theirs to take."""


def operations() -> list[tuple[str, str]]:
    """Every (facet, operation) of the local backend that changes something."""
    backend = make_backend()
    try:
        return list(all_mutating_operations(backend))
    finally:
        backend.close()


def offered(backend: LocalBackend, facet: str, operation: str) -> bool:
    """The local backend implements it (the others raise Unsupported whatever they are given)."""
    method = getattr(getattr(backend, facet), operation)
    return not any(method.__qualname__.startswith(f"{base.__name__}.") for base in Facet.__subclasses__())


def members(backend: LocalBackend, facet: str, operation: str) -> tuple[Request | None, dict[str, Shape]]:
    """The request an operation is checked against, and its arguments' shapes by keyword."""
    if (facet, operation) == ("ecs", "register_task_definition"):
        return None, dict(TASK_DEFINITION.members)
    request = request_of(getattr(getattr(backend, facet), operation))
    return request, dict(request.members) if request else {}


def required(backend: LocalBackend, facet: str, operation: str) -> tuple[str, ...]:
    request, _ = members(backend, facet, operation)
    if request is None:
        return TASK_DEFINITION.required if (facet, operation) == ("ecs", "register_task_definition") else ()
    return request.required


def assert_store_readable(backend: LocalBackend) -> None:
    """Every list and describe call answers, and every resource listed describes."""
    lam = backend.lambda_
    for config in lam.list_functions():
        lam.get_function(config.function_name)
        lam.list_versions_by_function(config.function_name)
        lam.list_test_events(config.function_name)
        lam.get_function_concurrency(config.function_name)
    ecs = backend.ecs
    for cluster in ecs.describe_clusters():
        arn = cluster.cluster_arn
        ecs.describe_services(arn, ecs.list_services(arn))
        ecs.describe_tasks(arn, ecs.list_tasks(arn, desired_status="STOPPED"))
        ecs.list_task_summaries(arn)
        ecs.describe_container_instances(arn, ecs.list_container_instances(arn))
    for family in ecs.list_task_definition_families(status="ALL"):
        for arn in ecs.list_task_definitions(family_prefix=family):
            ecs.describe_task_definition(arn)
    for repository in backend.ecr.describe_repositories():
        backend.ecr.describe_images(repository.repository_name)
    batch = backend.batch
    batch.describe_compute_environments()
    for queue in batch.describe_job_queues():
        batch.list_jobs(queue.job_queue_name)
    batch.describe_job_definitions()
    for api in backend.apigateway.get_rest_apis():
        backend.apigateway.get_resources(api.id)
        backend.apigateway.get_stages(api.id)
        backend.apigateway.get_rest_deployments(api.id)
        backend.apigateway.get_rest_authorizers(api.id)
    for api in backend.apigateway.get_apis():
        backend.apigateway.get_routes(api.api_id)
        backend.apigateway.get_integrations(api.api_id)
        backend.apigateway.get_api_stages(api.api_id)
        backend.apigateway.get_deployments(api.api_id)
        backend.apigateway.get_authorizers(api.api_id)
    backend.lightsail.get_instances()
    for group in backend.logs.describe_log_groups():
        for stream in backend.logs.describe_log_streams(group.log_group_name):
            backend.logs.get_log_events(group.log_group_name, stream.log_stream_name)
    scaling = backend.autoscaling
    scaling.describe_scalable_targets("ecs")
    scaling.describe_scaling_policies("ecs")
    scaling.describe_scaling_activities("ecs")


def snapshot(backend: LocalBackend) -> tuple[tuple[tuple[Any, ...], ...], ...]:
    """Everything the store holds, to compare before and after a refused call."""
    queries = (
        "SELECT arn, body FROM resources ORDER BY arn",
        "SELECT name, value FROM sequences ORDER BY name",
        "SELECT key, length(data) FROM blobs ORDER BY key",
        "SELECT name FROM log_groups ORDER BY name",
        "SELECT group_name, name FROM log_streams ORDER BY group_name, name",
        "SELECT COUNT(*) FROM log_events",
    )
    with backend.store.reading() as db:
        return tuple(tuple(tuple(row) for row in db.execute(sql)) for sql in queries)
