"""An instance's public ports (published on 127.0.0.1) and static IPs, on the real engine."""

from __future__ import annotations

import urllib.request

import pytest

from computetui.backends.errors import ComputeError, InvalidParameter, NotFound
from tests.local.lightsail.conftest import containers, create, reaches
from tests.support.waits import until

pytestmark = pytest.mark.docker

WEB = "mkdir -p /www && echo hello > /www/index.html && httpd -p 80 -h /www && echo served"


def fetch(port: int) -> bytes:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
        return bytes(answer.read())


def settled(backend, name: str = "web") -> bool:  # noqa: ANN001
    return not backend.store.find("lightsail:instance", name)["_run"].get("busy")


def test_a_new_instance_has_22_and_80_open_and_its_web_server_answers_on_loopback(lightsail_backend) -> None:  # noqa: ANN001
    create(lightsail_backend, user_data=WEB)
    instance = reaches(lightsail_backend, "web", "running")
    ls = lightsail_backend.lightsail
    assert [(p.from_port, p.to_port, p.protocol, p.state, p.cidrs) for p in ls.get_instance_port_states("web")] == [
        (22, 22, "tcp", "open", ["0.0.0.0/0"]), (80, 80, "tcp", "open", ["0.0.0.0/0"])]
    assert [(p.from_port, p.common_name) for p in instance.networking.ports] == [(22, "SSH"), (80, "HTTP")]
    assert fetch(ls.local_port("web", 80)) == b"hello\n"
    assert ls.local_port("web", 8080) is None


def test_opening_a_port_publishes_it_and_keeps_the_disk_and_the_other_ports(
        lightsail_backend, docker_client) -> None:  # noqa: ANN001
    create(lightsail_backend, user_data=WEB + "; httpd -p 8080 -h /www")
    reaches(lightsail_backend, "web", "running")
    ls = lightsail_backend.lightsail
    port_80 = ls.local_port("web", 80)
    [before] = containers(docker_client, lightsail_backend.store.state_id)
    before.exec_run(["sh", "-c", "echo mine > /www/mine.txt"])
    operation = ls.open_instance_public_ports("web", {"fromPort": 8080, "toPort": 8080, "protocol": "tcp"})
    assert (operation.operation_type, operation.resource_name, operation.status.value) == (
        "OpenInstancePublicPorts", "web", "Succeeded")
    until(lambda: settled(lightsail_backend), 30)
    reaches(lightsail_backend, "web", "running")
    assert ls.local_port("web", 80) == port_80
    [after] = containers(docker_client, lightsail_backend.store.state_id)
    assert after.id != before.id
    assert after.exec_run(["cat", "/www/mine.txt"]).output == b"mine\n"
    # The programs started again (the launch script did not run twice): serve 8080 by hand.
    assert after.exec_run(["sh", "-c", "cat /var/lib/cloud/instances/*/user-data.exit"]).output == b"0\n"
    after.exec_run(["httpd", "-p", "8080", "-h", "/www"])
    assert until(lambda: _answers(ls.local_port("web", 8080)), 10) == b"hello\n"
    assert ls.launch_output("web") == "served\n"


def _answers(port: int) -> bytes | None:
    try:
        return fetch(port)
    except OSError:
        return None


def test_close_and_put_change_the_rules_and_what_is_published(lightsail_backend) -> None:  # noqa: ANN001
    create(lightsail_backend)
    reaches(lightsail_backend, "web", "running")
    ls = lightsail_backend.lightsail
    ls.close_instance_public_ports("web", {"fromPort": 22, "toPort": 22, "protocol": "tcp"})
    until(lambda: settled(lightsail_backend), 30)
    assert [p.from_port for p in ls.get_instance_port_states("web")] == [80]
    assert ls.local_port("web", 22) is None
    ls.put_instance_public_ports("web", [{"fromPort": 443, "toPort": 443, "protocol": "tcp"},
                                         {"fromPort": 7000, "toPort": 7001, "protocol": "udp"}])
    until(lambda: settled(lightsail_backend), 30)
    assert [(p.from_port, p.to_port, p.protocol) for p in ls.get_instance_port_states("web")] == [
        (443, 443, "tcp"), (7000, 7001, "udp")]
    assert ls.local_port("web", 80) is None and ls.local_port("web", 443)
    history = [o.operation_type for o in ls.get_operations_for_resource("web")]
    assert history == ["PutInstancePublicPorts", "CloseInstancePublicPorts", "CreateInstance"]


def test_bad_ports_are_refused_naming_the_field_and_change_nothing(lightsail_backend) -> None:  # noqa: ANN001
    create(lightsail_backend)
    ls = lightsail_backend.lightsail
    for port_info, field in (({"fromPort": 90, "toPort": 80, "protocol": "tcp"}, "fromPort"),
                             ({"fromPort": 1, "toPort": 70000, "protocol": "tcp"}, "toPort"),
                             ({"fromPort": 1, "toPort": 2, "protocol": "sctp"}, "protocol")):
        with pytest.raises(InvalidParameter, match=field) as refused:
            ls.open_instance_public_ports("web", port_info)
        assert refused.value.code == "InvalidInputException"
    assert [p.from_port for p in ls.get_instance_port_states("web")] == [22, 80]
    with pytest.raises(NotFound):
        ls.open_instance_public_ports("nope", {"fromPort": 1, "toPort": 1, "protocol": "tcp"})


def test_a_static_ip_attaches_to_one_instance_and_each_instance_has_one(lightsail_backend) -> None:  # noqa: ANN001
    ls = lightsail_backend.lightsail
    create(lightsail_backend, "a")
    create(lightsail_backend, "b")
    [allocated] = ls.allocate_static_ip("ip-1")
    assert (allocated.operation_type, allocated.resource_type) == ("AllocateStaticIp", "StaticIp")
    ls.allocate_static_ip("ip-2")
    ip = ls.get_static_ip("ip-1")
    assert ip.ip_address.startswith("203.0.113.") and not ip.is_attached
    assert [o.resource_type for o in ls.attach_static_ip("ip-1", "a")] == ["StaticIp", "Instance"]
    instance = ls.get_instance("a")
    assert (instance.is_static_ip, instance.public_ip_address) == (True, ip.ip_address)
    assert ls.get_static_ip("ip-1").attached_to == "a"
    with pytest.raises(ComputeError, match="attached to the instance a") as refused:
        ls.attach_static_ip("ip-1", "b")
    assert refused.value.code == "InvalidInputException"
    with pytest.raises(ComputeError, match="already has a static IP"):
        ls.attach_static_ip("ip-2", "a")
    with pytest.raises(ComputeError, match="already in use"):
        ls.allocate_static_ip("ip-1")
    ls.detach_static_ip("ip-1")
    assert not ls.get_instance("a").is_static_ip and ls.get_instance("a").public_ip_address != ip.ip_address
    with pytest.raises(ComputeError, match="not attached"):
        ls.detach_static_ip("ip-1")
    ls.attach_static_ip("ip-2", "a")
    ls.release_static_ip("ip-2")  # an attached one is detached first
    assert not ls.get_instance("a").is_static_ip
    assert [i.name for i in ls.get_static_ips()] == ["ip-1"]
    ls.attach_static_ip("ip-1", "b")
    ls.delete_instance("b")
    assert not ls.get_static_ip("ip-1").is_attached
