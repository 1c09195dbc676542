"""EC2 placement as ECS does it: binpack, spread, random, constraints, and why a task does not fit."""

from __future__ import annotations

import random

import pytest

from computetui.backends.errors import InvalidParameter
from computetui.backends.local.ecs import placement as p
from computetui.models import ecs as m


def instance(name: str, cpu: int, memory: int, zone: str = "us-east-1a", kind: str = "t3.medium",
             status: str = "ACTIVE") -> m.ContainerInstance:
    return m.ContainerInstance(
        container_instance_arn=f"arn:aws:ecs:us-east-1:000000000000:container-instance/c/{name}",
        ec2_instance_id=f"i-{name}",
        status=status,
        registered_resources=[
            m.Resource(name="CPU", type="INTEGER", integer_value=cpu),
            m.Resource(name="MEMORY", type="INTEGER", integer_value=memory),
            m.Resource(name="PORTS", type="STRINGSET", string_set_value=["22"]),
        ],
        attributes=[{"name": "ecs.availability-zone", "value": zone}, {"name": "ecs.instance-type", "value": kind}],
    )


def caps(*instances: m.ContainerInstance) -> list[p.Capacity]:
    return [p.capacity(i, []) for i in instances]


def choose(capacities, need, strategies=(), constraints=(), used=None):  # noqa: ANN001, ANN201
    return p.place(capacities, need, list(strategies), list(constraints), used or set(), random.Random(1))


def test_binpack_on_memory_picks_the_fullest_instance_that_fits() -> None:
    cs = caps(instance("roomy", 2048, 4000), instance("snug", 2048, 1000))
    chosen, failures = choose(cs, p.Need(256, 512), [{"type": "binpack", "field": "memory"}])
    assert chosen.instance.ec2_instance_id == "i-snug" and failures == []


def test_binpack_fills_one_instance_before_the_next() -> None:
    cs = caps(instance("a", 2048, 2048), instance("b", 2048, 2048))
    picks = []
    for _ in range(4):
        chosen, _ = choose(cs, p.Need(128, 512), [{"type": "binpack", "field": "memory"}])
        chosen.take(p.Need(128, 512))
        picks.append(chosen.instance.ec2_instance_id)
    assert len(set(picks)) == 1  # all four on one instance: 4 x 512 = 2048


def test_spread_by_instance_alternates() -> None:
    cs = caps(instance("a", 4096, 8192), instance("b", 4096, 8192))
    picks = []
    for _ in range(4):
        chosen, _ = choose(cs, p.Need(128, 256), [{"type": "spread", "field": "instanceId"}])
        chosen.take(p.Need(128, 256))
        picks.append(chosen.instance.ec2_instance_id)
    assert sorted(picks) == ["i-a", "i-a", "i-b", "i-b"]


def test_spread_by_zone_balances_zones_not_instances() -> None:
    cs = caps(instance("a1", 4096, 8192, "us-east-1a"), instance("a2", 4096, 8192, "us-east-1a"),
              instance("b1", 4096, 8192, "us-east-1b"))
    zones = []
    for _ in range(4):
        chosen, _ = choose(cs, p.Need(128, 256), [{"type": "spread", "field": "attribute:ecs.availability-zone"},
                                                 {"type": "spread", "field": "instanceId"}])
        chosen.take(p.Need(128, 256))
        zones.append(chosen.attributes["ecs.availability-zone"])
    assert zones.count("us-east-1a") == 2 and zones.count("us-east-1b") == 2


@pytest.mark.parametrize(("need", "reason"), [
    (p.Need(4096, 128), "RESOURCE:CPU"),
    (p.Need(128, 99999), "RESOURCE:MEMORY"),
    (p.Need(128, 128, frozenset({22})), "RESOURCE:PORTS"),
])
def test_when_nothing_fits_each_instance_says_why(need: p.Need, reason: str) -> None:
    cs = caps(instance("a", 2048, 4000), instance("b", 2048, 4000))
    chosen, failures = choose(cs, need)
    assert chosen is None
    assert [f[1] for f in failures] == [reason, reason]
    assert failures[0][0].endswith("container-instance/c/a")


def test_draining_instances_take_no_new_tasks() -> None:
    cs = caps(instance("a", 2048, 4000, status="DRAINING"), instance("b", 2048, 4000))
    chosen, _ = choose(cs, p.Need(128, 128))
    assert chosen.instance.ec2_instance_id == "i-b"


def test_distinct_instance_and_member_of_constraints() -> None:
    cs = caps(instance("a", 2048, 4000, kind="t3.small"), instance("b", 2048, 4000, kind="t3.large"))
    chosen, _ = choose(cs, p.Need(128, 128), constraints=[
        {"type": "memberOf", "expression": "attribute:ecs.instance-type == t3.large"}])
    assert chosen.instance.ec2_instance_id == "i-b"
    chosen, failures = choose(cs, p.Need(128, 128), constraints=[{"type": "distinctInstance"}],
                              used={cs[0].arn, cs[1].arn})
    assert chosen is None and len(failures) == 2
    chosen, _ = choose(cs, p.Need(128, 128), constraints=[
        {"type": "memberOf", "expression": "attribute:ecs.instance-type in [t3.small, t3.micro]"}])
    assert chosen.instance.ec2_instance_id == "i-a"


def test_a_bad_strategy_or_expression_is_refused() -> None:
    cs = caps(instance("a", 2048, 4000))
    with pytest.raises(InvalidParameter):
        choose(cs, p.Need(1, 1), [{"type": "binpack", "field": "disk"}])
    with pytest.raises(InvalidParameter):
        choose(cs, p.Need(1, 1), constraints=[{"type": "memberOf", "expression": "whatever"}])


def test_task_needs_come_from_the_task_or_its_containers() -> None:
    td = m.TaskDefinition(family="f", network_mode="bridge", container_definitions=[
        m.ContainerDefinition(name="a", image="x", cpu=256, memory=512,
                              port_mappings=[m.PortMapping(container_port=80, host_port=8080)]),
        m.ContainerDefinition(name="b", image="x", cpu=128, memory_reservation=128,
                              port_mappings=[m.PortMapping(container_port=81)]),
    ])
    assert p.task_needs(td, None, None) == p.Need(384, 640, frozenset({8080}))
    assert p.task_needs(td, 1024, 2048).cpu == 1024


def test_instance_types_register_their_size() -> None:
    resources = {r.name: r for r in p.registered_resources("t3.medium", None)}
    assert resources["CPU"].integer_value == 2048
    assert resources["MEMORY"].integer_value == 4096 - p.AGENT_RESERVED_MIB
    with pytest.raises(InvalidParameter, match="Unknown instance type"):
        p.registered_resources("t9.huge", None)
