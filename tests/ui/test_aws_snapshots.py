"""Pictures of the console on the aws backend, against moto's server on 127.0.0.1.

Each test seeds moto through a plain boto3 client, then photographs a page. The pictures
must come out the same run after run, so:

- the console talks to the session's moto server on 127.0.0.1, whose port changes run to
  run; the header is told a fixed endpoint, ``ENDPOINT``, in its place (``info()`` is
  wrapped to say it), so the picture does not change with the port;
- moto's ids come from its seeded random (``/moto-api/seed``), reseeded after each reset;
- the seeding runs under freezegun: moto's timestamps (created, last modified) are fixed;
- the EKS endpoint, which moto draws once per process at import, is pinned here;
- the API ids are pinned or drawn right after a reseed (see ``seed_account``).

Regenerate after a deliberate change with ``pytest tests/ui/test_aws_snapshots.py
--snapshot-update`` and look at the new SVGs before committing.
"""

from __future__ import annotations

import io
import json
import urllib.request
import zipfile
from typing import Any

import boto3
import pytest
from moto.apigateway.utils import ApigwRestApiIdentifier
from moto.utilities.id_generator import moto_id_manager
from textual.pilot import Pilot

from computetui.app import ComputeApp
from computetui.clock import FixedClock
from computetui.settings import Settings
from tests.support.aws import MOTO_ACCOUNT, aws_credentials, moto_server, reset_moto  # noqa: F401
from tests.ui.helpers import SIZE, settle, type_text

ENDPOINT = "http://127.0.0.1:5000"
"""What the header shows as the endpoint; requests go to the session's moto server."""
_TARGET: dict[str, str] = {}
"""The session's moto server, set by ``seeded`` for the seeding clients."""
FROZEN = "2026-01-15 09:30:00"
REGION = "us-east-1"
EKS_ENDPOINT = "https://0A1B2C3D4E5F60718293A4B5C6D7E8F9.gr7.{region}.eks.amazonaws.com"
REST_API_ID = "qbnnozulcj"


# -- moto -----------------------------------------------------------------------------------
def _post(url: str) -> None:
    with urllib.request.urlopen(urllib.request.Request(url, method="POST", data=b""), timeout=10):
        pass


def _client(service: str) -> Any:
    return boto3.client(service, region_name=REGION, endpoint_url=_TARGET["url"],
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def _zip(name: str, source: str) -> bytes:
    """A deployment package with fixed bytes (a fixed file date), so its size is the same each run."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 15, 9, 30, 0)), source)
    return buffer.getvalue()


def seed_account() -> None:
    """A few resources of every service moto has, made the way a user's scripts would."""
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    iam = _client("iam")
    lambda_role = iam.create_role(RoleName="lambda-exec", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    service_role = iam.create_role(RoleName="platform-service", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    ec2 = _client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    network = {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group]}}

    ecs = _client("ecs")
    for cluster in ("web", "workers"):
        ecs.create_cluster(clusterName=cluster)
    ecs.register_task_definition(
        family="web-app", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
        containerDefinitions=[{"name": "web", "image": "public.ecr.aws/nginx/nginx:1.27", "essential": True,
                               "portMappings": [{"containerPort": 80}]}])
    ecs.create_service(cluster="web", serviceName="frontend", taskDefinition="web-app", desiredCount=2,
                       launchType="FARGATE", networkConfiguration=network)
    ecs.create_service(cluster="web", serviceName="api", taskDefinition="web-app", desiredCount=1,
                       launchType="FARGATE", networkConfiguration=network)

    ecr = _client("ecr")
    ecr.create_repository(repositoryName="web-app")
    ecr.create_repository(repositoryName="tools/builder", imageTagMutability="IMMUTABLE",
                          imageScanningConfiguration={"scanOnPush": True})

    functions = _client("lambda")
    functions.create_function(
        FunctionName="thumbnail", Runtime="python3.12", Role=lambda_role, Handler="lambda_function.handler",
        Code={"ZipFile": _zip("lambda_function.py", "def handler(event, context):\n    return event\n")},
        MemorySize=256, Timeout=10)
    functions.create_function(
        FunctionName="orders-api", Runtime="nodejs20.x", Role=lambda_role, Handler="index.handler",
        Code={"ZipFile": _zip("index.mjs", "export const handler = async () => ({statusCode: 200});\n")},
        MemorySize=128, Timeout=3)

    # API ids are random draws whose place in moto's sequence shifts whenever a moto release draws
    # more or fewer numbers before them: the REST API's id is fixed through moto's id manager, and
    # the HTTP API's comes from a reseed just before it, so neither depends on what came earlier.
    rest_id = ApigwRestApiIdentifier(MOTO_ACCOUNT, REGION, "orders")
    moto_id_manager.set_custom_id(rest_id, REST_API_ID)
    try:
        _client("apigateway").create_rest_api(name="orders", description="Orders REST API",
                                              endpointConfiguration={"types": ["REGIONAL"]})
    finally:
        moto_id_manager.unset_custom_id(rest_id)
    _post(f"{_TARGET['url']}/moto-api/seed?a=43")
    _client("apigatewayv2").create_api(Name="webhooks", ProtocolType="HTTP", Description="Incoming webhooks")

    batch = _client("batch")
    batch.create_compute_environment(
        computeEnvironmentName="fargate", type="MANAGED", state="ENABLED", serviceRole=service_role,
        computeResources={"type": "FARGATE", "maxvCpus": 16, "subnets": [subnet], "securityGroupIds": [group]})
    batch.create_job_queue(jobQueueName="nightly", state="ENABLED", priority=10,
                           computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "fargate"}])
    batch.register_job_definition(
        jobDefinitionName="report", type="container", platformCapabilities=["FARGATE"], retryStrategy={"attempts": 2},
        containerProperties={"image": "busybox", "command": ["echo", "report"], "executionRoleArn": service_role,
                             "resourceRequirements": [{"type": "VCPU", "value": "0.25"},
                                                      {"type": "MEMORY", "value": "512"}]})
    # moto backs every managed compute environment with an ECS cluster (OnDemand_Batch_<uuid>);
    # AWS makes none for Fargate, so it goes, and the ECS pages show the user's clusters only.
    for arn in ecs.list_clusters()["clusterArns"]:
        if arn.rsplit("/", 1)[-1].startswith("OnDemand_Batch_"):
            ecs.delete_cluster(cluster=arn)

    eks = _client("eks")
    for name, version in (("platform", "1.31"), ("data", "1.30")):
        eks.create_cluster(name=name, version=version, roleArn=service_role,
                           resourcesVpcConfig={"subnetIds": [subnet]})
    eks.create_nodegroup(clusterName="platform", nodegroupName="general", nodeRole=service_role, subnets=[subnet],
                         instanceTypes=["m6i.large"], scalingConfig={"minSize": 2, "maxSize": 6, "desiredSize": 3})
    eks.create_nodegroup(clusterName="platform", nodegroupName="spot-batch", nodeRole=service_role,
                         subnets=[subnet], capacityType="SPOT", instanceTypes=["c6i.xlarge", "c5.xlarge"],
                         scalingConfig={"minSize": 0, "maxSize": 10, "desiredSize": 0})


@pytest.fixture
def seeded(moto_server: str, aws_credentials: None, monkeypatch: pytest.MonkeyPatch) -> str:  # noqa: F811
    """moto reset, reseeded and filled at ``FROZEN``; returns its endpoint. The header says ``ENDPOINT``."""
    from freezegun import freeze_time
    from moto.eks import models as eks_models

    from computetui.backends.aws import AwsBackend

    real_info = AwsBackend.info
    monkeypatch.setattr(AwsBackend, "info", lambda self: real_info(self).model_copy(update={"endpoint": ENDPOINT}))
    monkeypatch.setattr(eks_models, "ENDPOINT_TEMPLATE", EKS_ENDPOINT)
    _TARGET["url"] = moto_server
    reset_moto(moto_server)
    _post(f"{moto_server}/moto-api/seed?a=42")
    with freeze_time(FROZEN):
        seed_account()
    return moto_server


# -- the console --------------------------------------------------------------------------------
def aws_app(endpoint: str) -> ComputeApp:
    settings = Settings(backend="aws", endpoint_url=endpoint, region=REGION, refresh=0)
    return ComputeApp(settings, polling=False, blink=False, clock=FixedClock("2026-01-15T09:30:00+00:00"))


async def ready(pilot: Pilot) -> None:
    """Until the backend is open and the overview (header, navigation counts, cards) is in."""
    app: ComputeApp = pilot.app  # type: ignore[assignment]
    for _ in range(1200):
        await pilot.pause(0.05)
        overview = app.overview
        if overview.state == "ready" and overview.info is not None and overview.summaries:
            break
    else:
        raise AssertionError(f"the aws backend did not open: {app.overview}")
    assert overview.info.account == MOTO_ACCOUNT
    await settle(pilot)


async def open_page(pilot: Pilot, service: str, *keys: str) -> None:
    await ready(pilot)
    await type_text(pilot, f":{service}")
    await pilot.press("enter")
    await settle(pilot)
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


# -- pictures -------------------------------------------------------------------------------------
def test_home(snap_compare, seeded: str) -> None:  # noqa: ANN001
    assert snap_compare(aws_app(seeded), terminal_size=SIZE, run_before=ready)


@pytest.mark.parametrize("service", ["ecs", "ecr", "lambda", "apigw", "batch", "eks"])
def test_service_page(snap_compare, seeded: str, service: str) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await open_page(pilot, service)

    assert snap_compare(aws_app(seeded), terminal_size=SIZE, run_before=go)


def test_ecs_cluster_services(snap_compare, seeded: str) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await open_page(pilot, "ecs", "enter")  # the first cluster: web, with its two services

    assert snap_compare(aws_app(seeded), terminal_size=SIZE, run_before=go)


def test_batch_job_definitions(snap_compare, seeded: str) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        # From Job queues, two tabs back: Jobs is the last tab, Job definitions the one before it.
        await open_page(pilot, "batch", "left_square_bracket", "left_square_bracket")

    assert snap_compare(aws_app(seeded), terminal_size=SIZE, run_before=go)


def test_eks_node_groups(snap_compare, seeded: str) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await open_page(pilot, "eks", "right_square_bracket")

    assert snap_compare(aws_app(seeded), terminal_size=SIZE, run_before=go)


def test_describe_an_api(snap_compare, seeded: str) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await open_page(pilot, "apigw", "d")  # orders, the REST API: its JSON, under its ARN (enter opens its page)

    assert snap_compare(aws_app(seeded), terminal_size=SIZE, run_before=go)
