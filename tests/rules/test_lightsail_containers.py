"""Lightsail container services' requests: AWS's shapes, and the service's own rules, each
refusal an InvalidInputException naming the member."""

from __future__ import annotations

from typing import Any

import pytest

from computetui.backends.errors import InvalidParameter
from computetui.backends.rules import lightsail_containers as rules

WEB = {"web": {"image": "nginx", "ports": {"80": "HTTP"}}}


def refused(request: Any, **arguments: Any) -> InvalidParameter:
    with pytest.raises(InvalidParameter) as caught:
        request.check(arguments)
    assert caught.value.code == "InvalidInputException"
    return caught.value


@pytest.mark.parametrize("name", ["a", "ab", "web-1", "x" * 63])
def test_service_names_lightsail_takes(name: str) -> None:
    rules.CREATE_SERVICE.check({"service_name": name, "power": "nano", "scale": 1})


@pytest.mark.parametrize("name", ["", "Web", "web_1", "x" * 64, "-web"])
def test_service_names_lightsail_refuses(name: str) -> None:
    assert refused(rules.CREATE_SERVICE, service_name=name, power="nano", scale=1).field == "serviceName"


def test_power_must_be_one_of_lightsails() -> None:
    error = refused(rules.CREATE_SERVICE, service_name="svc", power="huge", scale=1)
    assert error.field == "power" and "nano, micro, small, medium, large, xlarge" in error.message


@pytest.mark.parametrize("scale", [0, 21])
def test_scale_is_1_to_20(scale: int) -> None:
    assert refused(rules.CREATE_SERVICE, service_name="svc", power="nano", scale=scale).field == "scale"


def test_a_port_protocol_outside_http_https_tcp_udp_is_refused() -> None:
    error = refused(rules.CREATE_DEPLOYMENT, service_name="svc",
                    containers={"web": {"image": "nginx", "ports": {"80": "SCTP"}}})
    assert error.field == "containers.web.ports"


def test_a_container_name_with_capitals_is_refused() -> None:
    assert refused(rules.CREATE_DEPLOYMENT, service_name="svc", containers={"Web": WEB["web"]}).field == "containers"


def test_a_deployment_needs_containers() -> None:
    assert refused(rules.CREATE_DEPLOYMENT, service_name="svc").field == "containers"


def test_the_public_endpoint_container_must_be_in_the_deployment() -> None:
    error = refused(rules.CREATE_DEPLOYMENT, service_name="svc", containers=WEB,
                    public_endpoint={"containerName": "api", "containerPort": 80})
    assert error.field == "publicEndpoint.containerName"


def test_the_public_endpoint_port_must_be_one_of_its_ports() -> None:
    error = refused(rules.CREATE_DEPLOYMENT, service_name="svc", containers=WEB,
                    public_endpoint={"containerName": "web", "containerPort": 8080})
    assert error.field == "publicEndpoint.containerPort"


@pytest.mark.parametrize(("member", "value"), [("intervalSeconds", 4), ("timeoutSeconds", 61),
                                               ("healthyThreshold", 1), ("unhealthyThreshold", 11),
                                               ("path", "health"), ("successCodes", "ok")])
def test_health_check_ranges(member: str, value: Any) -> None:
    error = refused(rules.CREATE_DEPLOYMENT, service_name="svc", containers=WEB,
                    public_endpoint={"containerName": "web", "containerPort": 80, "healthCheck": {member: value}})
    assert error.field == f"publicEndpoint.healthCheck.{member}"


def test_success_codes_beyond_499_are_refused() -> None:
    error = refused(rules.CREATE_DEPLOYMENT, service_name="svc", containers=WEB,
                    public_endpoint={"containerName": "web", "containerPort": 80,
                                     "healthCheck": {"successCodes": "200-599"}})
    assert error.field == "publicEndpoint.healthCheck.successCodes"


def test_a_deployment_given_at_create_is_checked_too() -> None:
    error = refused(rules.CREATE_SERVICE, service_name="svc", power="nano", scale=1,
                    deployment={"containers": WEB, "publicEndpoint": {"containerName": "api", "containerPort": 80}})
    assert error.field == "deployment.publicEndpoint.containerName"


def test_a_valid_deployment_passes() -> None:
    rules.CREATE_DEPLOYMENT.check({"service_name": "svc", "containers": WEB, "public_endpoint": {
        "containerName": "web", "containerPort": 80,
        "healthCheck": {"path": "/", "successCodes": "200-299", "intervalSeconds": 5}}})
