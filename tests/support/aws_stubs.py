"""What moto (5.2.5) cannot play, answered as AWS does with botocore's Stubber.

The Stubber sits on one of the aws backend's clients: it checks every request
against the real service model (and against the parameters a test expects) and
answers with a response that is itself checked against the model, so nothing
reaches the network. Each helper here is a no-op on the local backend, so a
contract test reads the same for both backends.

- Lightsail: moto has no Lightsail at all.
- API Gateway v2's quick create (``Target`` on CreateApi): moto ignores it.
- Batch's refusals to delete an ENABLED job queue or a compute environment a
  queue still uses: moto deletes them.

Also the network and IAM a Batch compute environment needs on AWS (subnets,
security groups, an instance profile, a service role), made in moto.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

from botocore.stub import Stubber

from computetui.backends.base import Backend

REGION = "us-east-1"


def is_aws(backend: Backend) -> bool:
    return backend.name == "aws"


@contextlib.contextmanager
def stubbed(backend: Any, service: str) -> Iterator[Stubber]:
    """A Stubber on the backend's ``service`` client; every queued answer must be used."""
    client = backend.client(service)
    stubber = Stubber(client)
    with stubber:
        yield stubber
        stubber.assert_no_pending_responses()


# -- Batch -------------------------------------------------------------------
def batch_environment_kwargs(backend: Backend, compute_resources: dict[str, Any]) -> dict[str, Any]:
    """``create_compute_environment`` keywords for ``compute_resources`` on this backend.

    On aws the compute environment needs what AWS needs: subnets and security groups
    that exist, an ECS instance profile for EC2/SPOT, and (for moto, which has no
    service-linked role) a service role. They are made in moto and put in place of
    the placeholders."""
    if not is_aws(backend):
        return {"compute_resources": compute_resources}
    ec2 = backend.client("ec2")  # type: ignore[attr-defined]
    iam = backend.client("iam")  # type: ignore[attr-defined]
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.42.{i}.0/24")["Subnet"]["SubnetId"]
        for i, _ in enumerate(compute_resources.get("subnets") or ["s"])
    ]
    group = ec2.create_security_group(GroupName="batch", Description="batch", VpcId=vpc)["GroupId"]
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    role = iam.create_role(RoleName="AWSBatchServiceRole", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    resources = {**compute_resources, "subnets": subnets, "securityGroupIds": [group]}
    if "FARGATE" not in compute_resources["type"]:
        profile = iam.create_instance_profile(InstanceProfileName="ecsInstanceRole")["InstanceProfile"]["Arn"]
        resources["instanceRole"] = profile
    return {"compute_resources": resources, "service_role": role}


@contextlib.contextmanager
def aws_refuses(
    backend: Backend, service: str, method: str, code: str, message: str, expected_params: dict[str, Any]
) -> Iterator[None]:
    """On aws, the next call of the client ``method`` (``"delete_job_queue"``) is answered with
    AWS's error, and must be sent with ``expected_params``; on local, nothing changes."""
    if not is_aws(backend):
        yield
        return
    with stubbed(backend, service) as stub:
        stub.add_client_error(
            method,
            service_error_code=code,
            service_message=message,
            http_status_code=400,
            expected_params=expected_params,
        )
        yield


@contextlib.contextmanager
def moto_batch_without_docker(endpoint: str) -> Iterator[None]:
    """moto's Batch runs jobs in Docker unless told not to; without it a job succeeds at once."""

    def set_config(config: dict[str, Any]) -> None:
        request = urllib.request.Request(f"{endpoint}/moto-api/config", method="POST", data=json.dumps(config).encode())
        with urllib.request.urlopen(request, timeout=10):
            pass

    set_config({"batch": {"use_docker": False}})
    try:
        yield
    finally:
        set_config({"batch": {"use_docker": True}})


# -- Lightsail: AWS's answers --------------------------------------------------
def _bundle(bundle_id: str, name: str, price: float, ram: float, disk: int, transfer: int, **extra: Any) -> dict:
    size = bundle_id.split("_", 1)[0]
    return {
        "price": price,
        "cpuCount": extra.pop("cpuCount", 2),
        "diskSizeInGb": disk,
        "bundleId": bundle_id,
        "instanceType": size,
        "isActive": True,
        "name": name,
        "power": {"nano": 298, "micro": 500, "small": 1000, "medium": 2000, "large": 3000}.get(size, 4000),
        "ramSizeInGb": ram,
        "transferPerMonthInGb": transfer,
        "supportedPlatforms": extra.pop("supportedPlatforms", ["LINUX_UNIX"]),
        "publicIpv4AddressCount": extra.pop("publicIpv4AddressCount", 1),
    }


LIGHTSAIL_BUNDLES = [
    _bundle("nano_3_0", "Nano", 5.0, 0.5, 20, 1024),
    _bundle("micro_3_0", "Micro", 7.0, 1.0, 40, 2048),
    _bundle("small_3_0", "Small", 12.0, 2.0, 60, 3072),
    _bundle("medium_3_0", "Medium", 24.0, 4.0, 80, 4096),
    _bundle("nano_ipv6_3_0", "Nano", 3.5, 0.5, 20, 1024, publicIpv4AddressCount=0),
    _bundle("nano_win_3_0", "Nano", 9.5, 0.5, 30, 1024, supportedPlatforms=["WINDOWS"]),
]
"""GetBundles' ``bundles`` in AWS's shape: a trimmed sample of the us-east-1 catalogue."""


def _blueprint(blueprint_id: str, name: str, kind: str, version: str, platform: str = "LINUX_UNIX") -> dict:
    return {
        "blueprintId": blueprint_id,
        "name": name,
        "group": blueprint_id.rsplit("_", 2)[0] if kind == "os" else blueprint_id,
        "type": kind,
        "description": f"{name} {version}",
        "isActive": True,
        "minPower": 0,
        "version": version,
        "versionCode": "1",
        "productUrl": f"https://aws.amazon.com/marketplace/search?searchTerms={blueprint_id}",
        "licenseUrl": f"https://aws.amazon.com/marketplace/search?searchTerms={blueprint_id}",
        "platform": platform,
    }


LIGHTSAIL_BLUEPRINTS = [
    _blueprint("amazon_linux_2023", "Amazon Linux 2023", "os", "2023.5.20240624.0"),
    _blueprint("ubuntu_24_04", "Ubuntu", "os", "24.04 LTS"),
    _blueprint("debian_12", "Debian", "os", "12.5"),
    _blueprint("wordpress", "WordPress", "app", "6.5.5"),
    _blueprint("nginx", "Nginx", "app", "1.26.1"),
    _blueprint("windows_server_2022", "Windows Server 2022", "os", "2022.0.20240612", platform="WINDOWS"),
]
"""GetBlueprints' ``blueprints`` in AWS's shape: a trimmed sample."""


def _uuid(name: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, name)


def lightsail_instance(name: str, state: str = "running", bundle_id: str = "nano_3_0", **extra: Any) -> dict:
    """One instance as GetInstance(s) returns it."""
    # EC2's codes; rebooting's is not in AWS's documents (the emulator's 96).
    codes = {"pending": 0, "running": 16, "stopping": 64, "stopped": 80, "shutting-down": 32, "terminated": 48,
             "rebooting": 96}
    return {
        "name": name,
        "arn": f"arn:aws:lightsail:{REGION}:123456789012:Instance/{_uuid(name)}",
        "supportCode": f"123456789012/i-{_uuid(name).hex[:17]}",
        "createdAt": dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC),
        "location": {"availabilityZone": f"{REGION}a", "regionName": REGION},
        "resourceType": "Instance",
        "tags": [],
        "blueprintId": "amazon_linux_2023",
        "blueprintName": "Amazon Linux 2023",
        "bundleId": bundle_id,
        "isStaticIp": False,
        "privateIpAddress": "172.26.1.10",
        "publicIpAddress": "3.80.1.10",
        "hardware": {"cpuCount": 2, "ramSizeInGb": 0.5},
        "state": {"code": codes[state], "name": state},
        "username": "ec2-user",
        "sshKeyName": "LightsailDefaultKeyPair",
        **extra,
    }


def lightsail_operation(resource: str, operation_type: str, status: str = "Started", **extra: Any) -> dict:
    """One ``operations`` entry of a Lightsail change."""
    return {
        "id": str(_uuid(f"{resource}/{operation_type}")),
        "resourceName": resource,
        "resourceType": "Instance",
        "createdAt": dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC),
        "location": {"availabilityZone": f"{REGION}a", "regionName": REGION},
        "isTerminal": status in ("Succeeded", "Failed", "Completed"),
        "operationType": operation_type,
        "status": status,
        "statusChangedAt": dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC),
        **extra,
    }


def lightsail_static_ip(name: str, attached_to: str | None = None, ip: str = "3.80.200.1") -> dict:
    """One static IP as GetStaticIp(s) returns it (a static IP's zone is ``all``)."""
    return {
        "name": name,
        "arn": f"arn:aws:lightsail:{REGION}:123456789012:StaticIp/{_uuid(name)}",
        "supportCode": f"123456789012/{ip}",
        "createdAt": dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC),
        "location": {"availabilityZone": "all", "regionName": REGION},
        "resourceType": "StaticIp",
        "ipAddress": ip,
        "isAttached": attached_to is not None,
        **({"attachedTo": attached_to} if attached_to else {}),
    }


def lightsail_snapshot(name: str, instance: str, state: str = "available", bundle_id: str = "nano_3_0") -> dict:
    """One instance snapshot as GetInstanceSnapshot(s) returns it."""
    return {
        "name": name,
        "arn": f"arn:aws:lightsail:{REGION}:123456789012:InstanceSnapshot/{_uuid(name)}",
        "supportCode": f"123456789012/ami-{_uuid(name).hex[:17]}",
        "createdAt": dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC),
        "location": {"availabilityZone": "all", "regionName": REGION},
        "resourceType": "InstanceSnapshot",
        "tags": [],
        "state": state,
        "fromAttachedDisks": [],
        "fromInstanceName": instance,
        "fromInstanceArn": f"arn:aws:lightsail:{REGION}:123456789012:Instance/{_uuid(instance)}",
        "fromBlueprintId": "amazon_linux_2023",
        "fromBundleId": bundle_id,
        "isFromAutoSnapshot": False,
        "sizeInGb": 20,
    }


def lightsail_port_state(from_port: int, to_port: int | None = None, protocol: str = "tcp", **extra: Any) -> dict:
    """One GetInstancePortStates entry: open to every IPv4 and IPv6 address unless told."""
    return {
        "fromPort": from_port,
        "toPort": from_port if to_port is None else to_port,
        "protocol": protocol,
        "state": "open",
        "cidrs": ["0.0.0.0/0"],
        "ipv6Cidrs": ["::/0"],
        "cidrListAliases": [],
        **extra,
    }


LIGHTSAIL_POWERS = [
    {"powerId": f"{name}-1", "price": price, "cpuCount": cpus, "ramSizeInGb": ram, "name": name, "isActive": True}
    for name, price, cpus, ram in (
        ("nano", 7.0, 0.25, 0.5), ("micro", 10.0, 0.25, 1.0), ("small", 25.0, 0.5, 2.0),
        ("medium", 50.0, 1.0, 4.0), ("large", 100.0, 2.0, 8.0), ("xlarge", 200.0, 4.0, 16.0),
    )
]
"""GetContainerServicePowers' ``powers`` in AWS's shape."""


def lightsail_deployment(version: int, state: str, containers: dict[str, Any], endpoint: dict | None = None) -> dict:
    """One container service deployment as AWS answers it."""
    return {
        "version": version,
        "state": state,
        "containers": containers,
        **({"publicEndpoint": endpoint} if endpoint else {}),
        "createdAt": dt.datetime(2024, 6, 1, 12, version, tzinfo=dt.UTC),
    }


def lightsail_container_service(name: str, state: str = "PENDING", power: str = "nano", scale: int = 1,
                                **extra: Any) -> dict:
    """One container service as Create/Update/GetContainerService(s) answer it."""
    return {
        "containerServiceName": name,
        "arn": f"arn:aws:lightsail:{REGION}:123456789012:ContainerService/{_uuid(name)}",
        "createdAt": dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC),
        "location": {"availabilityZone": "all", "regionName": REGION},
        "resourceType": "ContainerService",
        "tags": [],
        "power": power,
        "powerId": f"{power}-1",
        "state": state,
        "scale": scale,
        "isDisabled": False,
        "principalArn": "",
        "privateDomainName": f"{name}.service.local",
        "url": f"https://{name}.a1b2c3d4e5f6g.{REGION}.cs.amazonlightsail.com/",
        **extra,
    }


@contextlib.contextmanager
def lightsail_catalogue_answers(backend: Backend) -> Iterator[None]:
    """On aws (moto has no Lightsail): AWS's answers to GetBundles, GetBlueprints, an empty
    GetInstances and GetInstance of an unknown name, in that order. No-op on local."""
    if not is_aws(backend):
        yield
        return
    with stubbed(backend, "lightsail") as stub:
        stub.add_response("get_bundles", {"bundles": LIGHTSAIL_BUNDLES}, {})
        stub.add_response("get_blueprints", {"blueprints": LIGHTSAIL_BLUEPRINTS}, {})
        stub.add_response("get_instances", {"instances": []}, {})
        stub.add_client_error(
            "get_instance",
            service_error_code="NotFoundException",
            service_message="The Instance does not exist: nope",
            http_status_code=400,
            expected_params={"instanceName": "nope"},
        )
        yield


# -- API Gateway v2: quick create ----------------------------------------------
def http_api(api_id: str, name: str, **extra: Any) -> dict:
    """An HTTP API as CreateApi / GetApis return it."""
    return {
        "ApiEndpoint": f"https://{api_id}.execute-api.{REGION}.amazonaws.com",
        "ApiId": api_id,
        "ApiKeySelectionExpression": "$request.header.x-api-key",
        "CreatedDate": dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC),
        "DisableExecuteApiEndpoint": False,
        "Name": name,
        "ProtocolType": "HTTP",
        "RouteSelectionExpression": "$request.method $request.path",
        "Tags": {},
        **extra,
    }


@contextlib.contextmanager
def quick_create_answers(backend: Backend, name: str, target: str) -> Iterator[None]:
    """On aws (moto ignores CreateApi's ``Target``): AWS's answers for a quick-created HTTP
    API — CreateApi; GetRoutes with the ``$default`` route AWS made, whose Target names the
    integration; GetIntegrations; DeleteApi; an empty GetApis; GetRoutes of the deleted API.
    No-op on local."""
    if not is_aws(backend):
        yield
        return
    api_id, integration = "a1b2c3d4e5", "k9x8y7z"
    with stubbed(backend, "apigatewayv2") as stub:
        stub.add_response(
            "create_api", http_api(api_id, name), {"Name": name, "ProtocolType": "HTTP", "Target": target}
        )
        stub.add_response(
            "get_routes",
            {
                "Items": [
                    {
                        "ApiKeyRequired": False,
                        "AuthorizationType": "NONE",
                        "RouteId": "r0ut3id",
                        "RouteKey": "$default",
                        "Target": f"integrations/{integration}",
                    }
                ]
            },
            {"ApiId": api_id},
        )
        stub.add_response(
            "get_integrations",
            {
                "Items": [
                    {
                        "ConnectionType": "INTERNET",
                        "IntegrationId": integration,
                        "IntegrationMethod": "POST",
                        "IntegrationType": "AWS_PROXY",
                        "IntegrationUri": target,
                        "PayloadFormatVersion": "2.0",
                        "TimeoutInMillis": 30000,
                    }
                ]
            },
            {"ApiId": api_id},
        )
        stub.add_response("delete_api", {}, {"ApiId": api_id})
        stub.add_response("get_apis", {"Items": []}, {})
        stub.add_client_error(
            "get_routes",
            service_error_code="NotFoundException",
            service_message=f"Invalid API identifier specified {api_id}",
            http_status_code=404,
            expected_params={"ApiId": api_id},
        )
        yield


# -- read-only mode and an unreachable endpoint ----------------------------------
def dummy_arguments(fn: Any) -> dict[str, Any]:
    """Plausible values for every required parameter; the read-only guard fires before they matter."""
    import inspect

    values: dict[str, Any] = {}
    for name, parameter in inspect.signature(fn).parameters.items():
        if name == "self" or parameter.kind in (parameter.VAR_KEYWORD, parameter.VAR_POSITIONAL):
            continue
        if parameter.default is inspect.Parameter.empty:
            values[name] = 1 if name == "priority" else [] if name.endswith("s") else "x"
    return values


def assert_read_only(backend: Any, facet_name: str, counter: Any) -> list[str]:
    """Every mutating operation of the facet raises ReadOnly and sends nothing; their names."""
    import pytest

    from computetui.backends.errors import ReadOnly

    facet = getattr(backend, facet_name)
    operations = type(facet).mutating_operations()
    for operation in operations:
        method = getattr(facet, operation)
        with pytest.raises(ReadOnly) as caught:
            method(**dummy_arguments(method))
        assert caught.value.code == "ReadOnlyMode" and operation in str(caught.value)
    assert counter.sent == [] and counter.total() == 0
    return operations


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then let go)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
