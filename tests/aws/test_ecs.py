"""The aws backend's ECS adapter against moto's server, with every API call counted; botocore's
Stubber where moto does not page (ListTasks, ListServices) or lacks a field (enableExecuteCommand)."""

from __future__ import annotations

import json
import shutil
from typing import Any

import pytest
from botocore.stub import Stubber

from computetui.backends import open_backend
from computetui.backends.aws import AwsBackend
from computetui.backends.errors import InvalidParameter, NotFound, Unavailable, Unsupported
from computetui.models.ecs import ClusterStatus, TaskDefinition, TaskStatus
from tests.support.aws import MOTO_ACCOUNT, CallCounter
from tests.support.aws_ecs import EC2_WEB, WEB, awsvpc, ec2_document

ARN = f"arn:aws:ecs:us-east-1:{MOTO_ACCOUNT}"

def run_fargate(backend: AwsBackend, cluster: str, count: int) -> None:
    """``count`` Fargate tasks, set up straight through boto3 (RunTask takes 10 at most on AWS)."""
    network = awsvpc(backend)
    client = backend.client("ecs")
    while count > 0:
        client.run_task(cluster=cluster, taskDefinition="web", count=min(count, 125), launchType="FARGATE",
                        networkConfiguration=network)
        count -= 125


# -- clusters -----------------------------------------------------------------------


def test_clusters_are_created_described_with_counts_and_deleted(aws_backend: AwsBackend, calls: CallCounter) -> None:
    ecs = aws_backend.ecs
    cluster = ecs.create_cluster(cluster_name="blue", tags=[{"key": "team", "value": "web"}])
    assert cluster.cluster_arn == f"{ARN}:cluster/blue"
    calls.clear()
    [described] = ecs.describe_clusters(["blue"])
    assert calls.of("ecs", "DescribeClusters") == 1
    assert described.tags == [{"key": "team", "value": "web"}]
    assert described.status is ClusterStatus.ACTIVE
    assert ecs.create_cluster(cluster_name="blue").cluster_arn == cluster.cluster_arn  # idempotent
    assert ecs.delete_cluster("blue").status is ClusterStatus.INACTIVE
    # Deleted clusters stay discoverable (INACTIVE) for a while: the lists leave them out.
    assert ecs.list_clusters() == []
    assert ecs.describe_clusters() == []
    assert [c.status for c in ecs.describe_clusters(["blue"])] == [ClusterStatus.INACTIVE]
    with pytest.raises(NotFound) as caught:
        ecs.delete_cluster("blue")
    assert caught.value.code == "ClusterNotFoundException"


def test_clusters_are_described_100_a_call(aws_backend: AwsBackend, calls: CallCounter) -> None:
    client = aws_backend.client("ecs")
    for i in range(150):
        client.create_cluster(clusterName=f"c{i:03}")
    calls.clear()
    clusters = aws_backend.ecs.describe_clusters()
    assert len(clusters) == 150
    assert calls.of("ecs", "ListClusters") == 1  # moto answers in one page; the paging is proven below
    assert calls.of("ecs", "DescribeClusters") == 2
    calls.clear()
    assert len(aws_backend.ecs.describe_clusters([c.cluster_name for c in clusters][:100])) == 100
    assert calls.of("ecs", "DescribeClusters") == 1


def test_describe_clusters_asks_for_statistics_and_tags(aws_backend: AwsBackend) -> None:
    client = aws_backend.client("ecs")
    with Stubber(client) as stub:
        stub.add_response(
            "describe_clusters",
            {"clusters": [{"clusterArn": f"{ARN}:cluster/c", "clusterName": "c", "status": "ACTIVE",
                           "runningTasksCount": 4, "pendingTasksCount": 1, "activeServicesCount": 2,
                           "registeredContainerInstancesCount": 3,
                           "statistics": [{"name": "runningFargateTasksCount", "value": "4"}]}]},
            expected_params={"clusters": ["c"], "include": ["STATISTICS", "TAGS"]},
        )
        [cluster] = aws_backend.ecs.describe_clusters(["c"])
        stub.assert_no_pending_responses()
    assert (cluster.running_tasks_count, cluster.pending_tasks_count, cluster.active_services_count,
            cluster.registered_container_instances_count) == (4, 1, 2, 3)


def test_a_bad_cluster_name_is_refused_before_anything_is_sent(aws_backend: AwsBackend, calls: CallCounter) -> None:
    with pytest.raises(InvalidParameter) as caught:
        aws_backend.ecs.create_cluster(cluster_name="no spaces please")
    assert (caught.value.code, caught.value.field) == ("ClientException", "clusterName")
    assert calls.sent == []


def test_list_clusters_reads_every_page(aws_backend: AwsBackend, calls: CallCounter) -> None:
    client = aws_backend.client("ecs")
    arns = [f"{ARN}:cluster/c{i}" for i in range(150)]
    with Stubber(client) as stub:
        stub.add_response("list_clusters", {"clusterArns": arns[:100], "nextToken": "t1"}, {"maxResults": 100})
        stub.add_response("list_clusters", {"clusterArns": arns[100:]}, {"maxResults": 100, "nextToken": "t1"})
        for chunk in (arns[:100], arns[100:]):
            stub.add_response(
                "describe_clusters",
                {"clusters": [{"clusterArn": a, "clusterName": a.rsplit("/", 1)[1], "status": "ACTIVE"}
                              for a in chunk]},
                {"clusters": chunk, "include": ["STATISTICS", "TAGS"]},
            )
        assert aws_backend.ecs.list_clusters() == arns
        stub.assert_no_pending_responses()
    assert (calls.of("ecs", "ListClusters"), calls.of("ecs", "DescribeClusters")) == (2, 2)


# -- task definitions -------------------------------------------------------------------


def test_a_task_definition_registers_from_aws_json_the_model_or_keywords(aws_backend: AwsBackend) -> None:
    ecs = aws_backend.ecs
    first = ecs.register_task_definition({**WEB, "volumes": [], "tags": [{"key": "k", "value": "v"}]})
    assert first.task_definition_arn == f"{ARN}:task-definition/web:1"
    # What describe printed (ARN, revision, status, compatibilities ...) registers again as is.
    printed = ecs.describe_task_definition("web").to_aws()
    assert {"taskDefinitionArn", "revision", "status"} <= set(printed)
    assert ecs.register_task_definition(printed).revision == 2
    assert ecs.register_task_definition(TaskDefinition.model_validate(WEB)).revision == 3
    keywords = ecs.register_task_definition(
        family="web", container_definitions=WEB["containerDefinitions"], network_mode="awsvpc",
        requires_compatibilities=["FARGATE"], cpu=512, memory="1GB")
    assert (keywords.revision, keywords.cpu, keywords.memory) == (4, "512", "1024")


def test_vcpu_and_gb_are_sent_as_units(aws_backend: AwsBackend) -> None:
    td = aws_backend.ecs.register_task_definition({**WEB, "cpu": "0.5 vCPU", "memory": "1 GB"})
    assert (td.cpu, td.memory) == ("512", "1024")


@pytest.mark.parametrize(("change", "words"), [
    ({"networkMode": "bridge"}, "awsvpc"),
    ({"cpu": "256", "memory": "4096"}, "No Fargate configuration exists for given values: 256 CPU, 4096 memory"),
    ({"cpu": None}, "Fargate requires that 'cpu' and 'memory' be defined at the task level."),
])
def test_fargate_rules_are_checked_before_anything_is_sent(
    aws_backend: AwsBackend, calls: CallCounter, change: dict[str, Any], words: str
) -> None:
    definition = {k: v for k, v in {**WEB, **change}.items() if v is not None}
    with pytest.raises(InvalidParameter, match=words) as caught:
        aws_backend.ecs.register_task_definition(definition)
    assert caught.value.code == "ClientException"
    assert calls.sent == []


def test_task_definition_errors_keep_ecs_codes(aws_backend: AwsBackend) -> None:
    with pytest.raises(InvalidParameter) as caught:
        aws_backend.ecs.describe_task_definition("nope")
    assert caught.value.code == "ClientException"
    with pytest.raises(InvalidParameter) as unknown:
        aws_backend.ecs.register_task_definition({**WEB, "colour": "blue"})
    assert unknown.value.code == "InvalidParameterException"  # botocore's own check: nothing was sent
    assert "colour" in unknown.value.message


def test_task_definition_lists_read_every_page(aws_backend: AwsBackend, calls: CallCounter) -> None:
    ecs = aws_backend.ecs
    for _ in range(3):
        ecs.register_task_definition(WEB)
    ecs.register_task_definition(EC2_WEB)
    ecs.deregister_task_definition("web:1")
    assert ecs.list_task_definitions(family_prefix="web") == [
        f"{ARN}:task-definition/web:2", f"{ARN}:task-definition/web:3"]
    assert ecs.list_task_definitions(family_prefix="web", status="INACTIVE") == [f"{ARN}:task-definition/web:1"]
    assert ecs.list_task_definition_families() == ["ec2web", "web"]
    client = aws_backend.client("ecs")
    calls.clear()
    with Stubber(client) as stub:
        stub.add_response("list_task_definition_families", {"families": ["b", "a"], "nextToken": "n"},
                          {"status": "ALL", "maxResults": 100})
        stub.add_response("list_task_definition_families", {"families": ["c"]},
                          {"status": "ALL", "maxResults": 100, "nextToken": "n"})
        assert ecs.list_task_definition_families(status="ALL") == ["a", "b", "c"]
    assert calls.of("ecs", "ListTaskDefinitionFamilies") == 2


# -- tasks ----------------------------------------------------------------------------------


def test_250_tasks_are_described_100_a_call(aws_backend: AwsBackend, calls: CallCounter) -> None:
    ecs = aws_backend.ecs
    ecs.create_cluster(cluster_name="big")
    ecs.register_task_definition(WEB)
    run_fargate(aws_backend, "big", 250)
    calls.clear()
    arns = ecs.list_tasks("big")
    tasks = ecs.describe_tasks("big", arns)
    assert len(arns) == len(tasks) == 250
    assert {t.task_arn for t in tasks} == set(arns)
    assert calls.of("ecs", "ListTasks") == 1  # moto answers in one page; the paging is proven below
    assert calls.of("ecs", "DescribeTasks") == 3
    assert calls.total() == 4


def test_250_tasks_are_listed_in_3_pages_and_described_in_3_calls(
    aws_backend: AwsBackend, calls: CallCounter
) -> None:
    client = aws_backend.client("ecs")
    arns = [f"{ARN}:task/big/{i:032x}" for i in range(250)]
    listing = {"cluster": "big", "desiredStatus": "RUNNING", "maxResults": 100}
    with Stubber(client) as stub:
        stub.add_response("list_tasks", {"taskArns": arns[:100], "nextToken": "p2"}, listing)
        stub.add_response("list_tasks", {"taskArns": arns[100:200], "nextToken": "p3"},
                          {**listing, "nextToken": "p2"})
        stub.add_response("list_tasks", {"taskArns": arns[200:]}, {**listing, "nextToken": "p3"})
        for chunk in (arns[:100], arns[100:200], arns[200:]):
            stub.add_response(
                "describe_tasks",
                {"tasks": [{"taskArn": a, "clusterArn": f"{ARN}:cluster/big",
                            "taskDefinitionArn": f"{ARN}:task-definition/web:1", "lastStatus": "RUNNING",
                            "desiredStatus": "RUNNING", "launchType": "FARGATE"} for a in chunk]},
                {"cluster": "big", "tasks": chunk},
            )
        listed = aws_backend.ecs.list_tasks("big")
        tasks = aws_backend.ecs.describe_tasks("big", listed)
        stub.assert_no_pending_responses()
    assert listed == arns and [t.task_arn for t in tasks] == arns
    assert (calls.of("ecs", "ListTasks"), calls.of("ecs", "DescribeTasks")) == (3, 3)


def test_list_tasks_passes_ecs_filters(aws_backend: AwsBackend) -> None:
    client = aws_backend.client("ecs")
    with Stubber(client) as stub:
        stub.add_response("list_tasks", {"taskArns": []}, {
            "cluster": "c", "serviceName": "s", "desiredStatus": "STOPPED", "family": "web",
            "launchType": "FARGATE", "startedBy": "me", "maxResults": 100})
        assert aws_backend.ecs.list_tasks("c", service_name="s", desired_status="STOPPED", family="web",
                                          launch_type="FARGATE", started_by="me") == []
        stub.assert_no_pending_responses()


def test_tasks_run_stop_and_are_listed_by_desired_status(aws_backend: AwsBackend) -> None:
    ecs = aws_backend.ecs
    ecs.create_cluster(cluster_name="c")
    ecs.register_task_definition(WEB)
    result = ecs.run_task("c", "web", count=2, launch_type="FARGATE", network_configuration=awsvpc(aws_backend),
                          started_by="computetui")
    assert result.failures == [] and len(result.tasks) == 2
    assert {t.started_by for t in result.tasks} == {"computetui"}
    first = result.tasks[0].task_arn
    stopped = ecs.stop_task("c", first, reason="done here")
    assert (stopped.last_status, stopped.stopped_reason) == (TaskStatus.STOPPED, "done here")
    assert ecs.list_tasks("c", desired_status="STOPPED") == [first]
    assert ecs.list_tasks("c") == [result.tasks[1].task_arn]
    assert ecs.describe_tasks("c", []) == []


def test_a_missing_cluster_is_not_found(aws_backend: AwsBackend) -> None:
    with pytest.raises(NotFound) as caught:
        aws_backend.ecs.list_tasks("nowhere")
    assert caught.value.code == "ClusterNotFoundException"


def test_an_unreachable_endpoint_is_unavailable(aws_credentials: None) -> None:
    backend = open_backend("aws", region="us-east-1", endpoint_url="http://127.0.0.1:9", max_attempts=1,
                           connect_timeout=1)
    try:
        with pytest.raises(Unavailable):
            backend.ecs.list_clusters()
    finally:
        backend.close()


# -- container instances and the EC2 launch type --------------------------------------------


def test_container_instances_register_with_a_document_drain_and_deregister(
    aws_backend: AwsBackend, calls: CallCounter
) -> None:
    ecs = aws_backend.ecs
    ecs.create_cluster(cluster_name="c")
    ecs.register_task_definition(EC2_WEB)
    instance = ecs.register_container_instance("c", instance_identity_document=ec2_document(aws_backend),
                                               instance_type="t3.medium")
    assert instance.container_instance_arn.startswith(f"{ARN}:container-instance/c/")
    assert ecs.list_container_instances("c") == [instance.container_instance_arn]
    placed = ecs.run_task("c", "ec2web", launch_type="EC2")
    assert placed.tasks[0].container_instance_arn == instance.container_instance_arn
    started = ecs.start_task("c", "ec2web", [instance.container_instance_arn])
    assert started.tasks[0].container_instance_arn == instance.container_instance_arn
    [described] = ecs.describe_container_instances("c", [instance.container_instance_arn])
    assert described.running_tasks_count == 2
    [drained] = ecs.update_container_instances_state("c", [instance.container_instance_arn], "DRAINING")
    assert drained.status.value == "DRAINING"
    with pytest.raises(InvalidParameter) as missing:
        ecs.update_container_instances_state("c", ["0123456789abcdef"], "DRAINING")
    assert "MISSING" in missing.value.message
    with pytest.raises(InvalidParameter):
        ecs.deregister_container_instance("c", instance.container_instance_arn)  # tasks run on it
    assert ecs.deregister_container_instance("c", instance.container_instance_arn, force=True)
    assert ecs.list_container_instances("c") == []
    calls.clear()
    assert ecs.describe_container_instances("c", []) == []
    assert calls.total() == 0


def test_without_an_identity_document_registering_an_instance_says_the_agent_does_it(
    aws_backend: AwsBackend, calls: CallCounter
) -> None:
    with pytest.raises(Unsupported) as caught:
        aws_backend.ecs.register_container_instance(cluster="c", instance_type="t3.medium")
    assert "ECS container agent" in caught.value.message and "ECS_CLUSTER=c" in caught.value.message
    assert calls.sent == []


def test_container_instances_are_described_100_and_updated_10_a_call(
    aws_backend: AwsBackend, calls: CallCounter
) -> None:
    client = aws_backend.client("ecs")
    arns = [f"{ARN}:container-instance/c/{i:032x}" for i in range(150)]
    instance = {"status": "DRAINING", "agentConnected": True}
    with Stubber(client) as stub:
        for chunk in (arns[:100], arns[100:]):
            stub.add_response("describe_container_instances",
                              {"containerInstances": [{"containerInstanceArn": a, **instance} for a in chunk]},
                              {"cluster": "c", "containerInstances": chunk})
        for start in range(0, 25, 10):
            chunk = arns[start : min(start + 10, 25)]
            stub.add_response("update_container_instances_state",
                              {"containerInstances": [{"containerInstanceArn": a, **instance} for a in chunk]},
                              {"cluster": "c", "containerInstances": chunk, "status": "DRAINING"})
        assert len(aws_backend.ecs.describe_container_instances("c", arns)) == 150
        assert len(aws_backend.ecs.update_container_instances_state("c", arns[:25], "DRAINING")) == 25
        stub.assert_no_pending_responses()
    assert calls.of("ecs", "DescribeContainerInstances") == 2
    assert calls.of("ecs", "UpdateContainerInstancesState") == 3


# -- services --------------------------------------------------------------------------------


def test_services_are_created_updated_deleted_and_described_10_a_call(
    aws_backend: AwsBackend, calls: CallCounter
) -> None:
    ecs = aws_backend.ecs
    ecs.create_cluster(cluster_name="c")
    ecs.register_task_definition(WEB)
    network = awsvpc(aws_backend)
    for i in range(25):
        ecs.create_service("c", f"s{i:02}", "web", desired_count=1, launch_type="FARGATE",
                           network_configuration=network)
    calls.clear()
    arns = ecs.list_services("c")
    services = ecs.describe_services("c", arns)
    assert len(services) == 25 and services[0].service_arn == f"{ARN}:service/c/s00"
    assert calls.of("ecs", "ListServices") == 1  # moto answers in one page (maxResults 100 asked)
    assert calls.of("ecs", "DescribeServices") == 3
    updated = ecs.update_service("c", "s00", desired_count=3, task_definition="web")
    assert updated.desired_count == 3
    with pytest.raises(InvalidParameter):
        ecs.delete_service("c", "s00")  # scaled above 0
    assert ecs.delete_service("c", "s00", force=True).status.value == "INACTIVE"
    with pytest.raises(NotFound) as caught:
        ecs.update_service("c", "nope", desired_count=1)
    assert caught.value.code == "ServiceNotFoundException"


def test_list_services_asks_for_100_a_page(aws_backend: AwsBackend, calls: CallCounter) -> None:
    client = aws_backend.client("ecs")
    arns = [f"{ARN}:service/c/s{i}" for i in range(130)]
    with Stubber(client) as stub:
        stub.add_response("list_services", {"serviceArns": arns[:100], "nextToken": "n"},
                          {"cluster": "c", "maxResults": 100})
        stub.add_response("list_services", {"serviceArns": arns[100:]},
                          {"cluster": "c", "maxResults": 100, "nextToken": "n"})
        assert aws_backend.ecs.list_services("c") == arns
    assert calls.of("ecs", "ListServices") == 2


def _load_balanced(backend: AwsBackend) -> tuple[str, str]:
    """An application load balancer with a listener forwarding to an ip target group of two targets."""
    ec2, elb = backend.client("ec2"), backend.client("elbv2")
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]]
    lb = elb.create_load_balancer(Name="web-alb", Subnets=subnets[:2])["LoadBalancers"][0]
    group = elb.create_target_group(Name="web-tg", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip",
                                    HealthCheckPath="/health")["TargetGroups"][0]
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=8080,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}])
    elb.register_targets(TargetGroupArn=group["TargetGroupArn"],
                         Targets=[{"Id": "10.0.0.5", "Port": 80}, {"Id": "10.0.0.6", "Port": 80}])
    return group["TargetGroupArn"], lb["DNSName"]


def test_a_service_s_load_balancer_shows_its_targets_health(aws_backend: AwsBackend, calls: CallCounter) -> None:
    ecs = aws_backend.ecs
    ecs.create_cluster(cluster_name="c")
    ecs.register_task_definition(WEB)
    group_arn, dns = _load_balanced(aws_backend)
    ecs.create_service("c", "web", "web", desired_count=1, launch_type="FARGATE",
                       network_configuration=awsvpc(aws_backend),
                       load_balancers=[{"targetGroupArn": group_arn, "containerName": "web", "containerPort": 80}])
    ecs.create_service("c", "plain", "web", desired_count=0, launch_type="FARGATE",
                       network_configuration=awsvpc(aws_backend))
    calls.clear()
    [balancer] = ecs.describe_service_load_balancers("c", "web")
    assert (balancer.target_group_arn, balancer.load_balancer_name, balancer.dns_name) == (group_arn, "web-alb", dns)
    assert balancer.url == f"http://{dns}:8080"
    assert (balancer.container_name, balancer.container_port) == ("web", 80)
    assert balancer.health_check["path"] == "/health"
    assert sorted((t.target_id, t.port) for t in balancer.targets) == [("10.0.0.5", 80), ("10.0.0.6", 80)]
    assert all(t.state for t in balancer.targets)
    assert {k: v for k, v in calls.calls.items() if v} == {
        ("ecs", "DescribeServices"): 1,
        ("elbv2", "DescribeTargetGroups"): 1,
        ("elbv2", "DescribeLoadBalancers"): 1,
        ("elbv2", "DescribeListeners"): 1,
        ("elbv2", "DescribeTargetHealth"): 1,
    }
    calls.clear()
    assert ecs.describe_service_load_balancers("c", "plain") == []
    assert calls.total() == 1  # DescribeServices only
    with pytest.raises(NotFound):
        ecs.describe_service_load_balancers("c", "nope")


# -- ECS Exec ----------------------------------------------------------------------------------


def _stub_task(stub: Stubber, enabled: bool = True, status: str = "RUNNING") -> None:
    stub.add_response("describe_tasks", {"tasks": [{
        "taskArn": f"{ARN}:task/c/abc", "clusterArn": f"{ARN}:cluster/c",
        "taskDefinitionArn": f"{ARN}:task-definition/web:1", "lastStatus": status, "desiredStatus": "RUNNING",
        "enableExecuteCommand": enabled, "containers": [{"name": "web"}]}]}, {"cluster": "c", "tasks": ["abc"]})


@pytest.fixture
def cli_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    tools = {"aws": "/opt/aws/bin/aws", "session-manager-plugin": "/usr/bin/session-manager-plugin"}
    monkeypatch.setattr(shutil, "which", lambda name: tools.get(name))


def test_exec_is_the_aws_cli_with_this_backend_s_region_and_endpoint(
    aws_backend: AwsBackend, cli_installed: None
) -> None:
    with Stubber(aws_backend.client("ecs")) as stub:
        _stub_task(stub)
        argv = aws_backend.ecs.execute_command_argv("c", "abc", "web", "/bin/bash")
    assert argv == ["/opt/aws/bin/aws", "ecs", "execute-command", "--cluster", "c", "--task", f"{ARN}:task/c/abc",
                    "--container", "web", "--interactive", "--command", "/bin/bash",
                    "--region", "us-east-1", "--endpoint-url", aws_backend.endpoint_url]


def test_exec_passes_a_profile_the_cli_would_not_pick_by_itself(
    aws_backend: AwsBackend, cli_installed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(aws_backend, "profile", "prod")
    with Stubber(aws_backend.client("ecs")) as stub:
        _stub_task(stub)
        argv = aws_backend.ecs.execute_command_argv("c", "abc", "web")
    assert argv[argv.index("--profile") + 1] == "prod"
    monkeypatch.setenv("AWS_PROFILE", "prod")  # the CLI inherits it
    with Stubber(aws_backend.client("ecs")) as stub:
        _stub_task(stub)
        assert "--profile" not in aws_backend.ecs.execute_command_argv("c", "abc", "web")


@pytest.mark.parametrize(("enabled", "status", "container", "words"), [
    (False, "RUNNING", "web", "execute command was not enabled"),
    (True, "STOPPED", "web", "the task is STOPPED"),
    (True, "RUNNING", "db", "The container db is not in the task"),
])
def test_exec_says_why_a_task_cannot_be_entered(
    aws_backend: AwsBackend, cli_installed: None, enabled: bool, status: str, container: str, words: str
) -> None:
    with Stubber(aws_backend.client("ecs")) as stub, pytest.raises(InvalidParameter, match=words):
        _stub_task(stub, enabled=enabled, status=status)
        aws_backend.ecs.execute_command_argv("c", "abc", container)


@pytest.mark.parametrize("missing", ["aws", "session-manager-plugin"])
def test_exec_without_the_cli_or_the_plugin_is_unavailable(
    aws_backend: AwsBackend, calls: CallCounter, monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None if name == missing else f"/usr/bin/{name}")
    with pytest.raises(Unavailable, match=missing) as caught:
        aws_backend.ecs.execute_command_argv("c", "abc", "web")
    assert caught.value.code == "ExecuteCommandUnavailable"
    assert calls.sent == []


# -- reading AWS's JSON ------------------------------------------------------------------------


def test_a_value_the_models_do_not_know_does_not_break_a_page(aws_backend: AwsBackend) -> None:
    with Stubber(aws_backend.client("ecs")) as stub:
        stub.add_response("describe_tasks", {"tasks": [{
            "taskArn": f"{ARN}:task/c/abc", "clusterArn": f"{ARN}:cluster/c",
            "taskDefinitionArn": f"{ARN}:task-definition/web:1", "lastStatus": "RUNNING",
            "launchType": "MANAGED_INSTANCES", "stopCode": "SomethingNew",
            "containers": [{"name": "web", "healthStatus": "BRAND_NEW"}, {"image": "nameless"}]}]},
            {"cluster": "c", "tasks": ["abc"]})
        [task] = aws_backend.ecs.describe_tasks("c", ["abc"])
    assert task.last_status is TaskStatus.RUNNING
    assert (task.launch_type, task.stop_code) == (None, None)
    assert [(c.name, c.health_status) for c in task.containers] == [("web", None)]


def test_the_adapter_reads_json_the_cli_prints(aws_backend: AwsBackend) -> None:
    printed = json.loads(json.dumps({**WEB, "taskDefinitionArn": f"{ARN}:task-definition/web:7", "revision": 7,
                                     "status": "ACTIVE", "compatibilities": ["EC2", "FARGATE"],
                                     "registeredAt": "2026-01-01T00:00:00Z", "registeredBy": "me",
                                     "requiresAttributes": [{"name": "com.amazonaws.ecs.capability.docker"}]}))
    assert aws_backend.ecs.register_task_definition(printed).revision == 1


def test_an_awsvpc_service_without_subnets_gets_the_default_vpc_as_the_console_does(
    aws_backend: AwsBackend, calls: CallCounter
) -> None:
    ecs = aws_backend.ecs
    ecs.create_cluster(cluster_name="c")
    ecs.register_task_definition(WEB)
    ec2 = aws_backend.client("ec2")
    [vpc] = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"]
    subnets = {s["SubnetId"] for s in ec2.describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]}
    calls.clear()
    first = ecs.create_service("c", "a", "web", desired_count=0, launch_type="FARGATE")
    second = ecs.create_service("c", "b", "web", desired_count=0, launch_type="FARGATE")
    for created in (first, second):
        network = created.to_aws()["networkConfiguration"]["awsvpcConfiguration"]
        assert set(network["subnets"]) == subnets and len(network["securityGroups"]) == 1
        assert network["assignPublicIp"] == "ENABLED"
    assert calls.of("ec2", "DescribeVpcs") == 1  # the default network is looked up once
    assert calls.of("ecs", "DescribeTaskDefinition") == 2


def test_a_bridge_task_is_sent_without_a_network_configuration(aws_backend: AwsBackend, calls: CallCounter) -> None:
    ecs = aws_backend.ecs
    ecs.create_cluster(cluster_name="c")
    ecs.register_task_definition(EC2_WEB)
    ecs.create_service("c", "a", "ec2web", desired_count=0)
    assert calls.of("ec2", "DescribeVpcs") == 0
