"""Where an EC2-launch-type task goes: container instances, what a task needs, and ECS's placement.

Pure functions over records; the facet does the storing. A container
instance's remaining capacity is never stored: it is what it registered minus
what its active tasks take, so it cannot drift.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from computetui.backends.errors import InvalidParameter
from computetui.models import ecs as m
from computetui.models.ecs import INSTANCE_TYPES

AGENT_RESERVED_MIB = 128
RESERVED_PORTS = ("22", "2375", "2376", "51678", "51679")
ZONES = ("a", "b", "c")


def registered_resources(instance_type: str | None, total_resources: list[dict[str, Any]] | None) -> list[m.Resource]:
    """CPU (units), MEMORY (MiB), PORTS and PORTS_UDP, from AWS's list or an instance type."""
    if total_resources:
        try:
            given = [m.Resource.model_validate(r) for r in total_resources]
        except Exception:
            raise InvalidParameter("totalResources entries need name, type and a value",
                                   code="InvalidParameterException", field="totalResources") from None
        names = {r.name for r in given}
        if not {"CPU", "MEMORY"} <= names:
            raise InvalidParameter("totalResources must include CPU and MEMORY",
                                   code="InvalidParameterException", field="totalResources")
        if "PORTS" not in names:
            given.append(m.Resource(name="PORTS", type="STRINGSET", string_set_value=list(RESERVED_PORTS)))
        return given
    if instance_type not in INSTANCE_TYPES:
        known = ", ".join(INSTANCE_TYPES)
        raise InvalidParameter(f"Unknown instance type {instance_type!r}; known: {known}",
                               code="InvalidParameterException", field="instanceType")
    vcpus, memory = INSTANCE_TYPES[instance_type]
    return [
        m.Resource(name="CPU", type="INTEGER", integer_value=vcpus * 1024),
        m.Resource(name="MEMORY", type="INTEGER", integer_value=memory - AGENT_RESERVED_MIB),
        m.Resource(name="PORTS", type="STRINGSET", string_set_value=list(RESERVED_PORTS)),
        m.Resource(name="PORTS_UDP", type="STRINGSET", string_set_value=[]),
    ]


@dataclass(frozen=True)
class Need:
    """What a task takes from a container instance."""

    cpu: int
    memory: int
    ports: frozenset[int] = frozenset()


def container_ports(td: m.TaskDefinition, container: m.ContainerDefinition) -> list[int]:
    """Static host ports a container takes on its instance (none for awsvpc or dynamic mappings)."""
    mode = td.network_mode or m.NetworkMode.BRIDGE
    if mode is m.NetworkMode.AWSVPC:
        return []
    if mode is m.NetworkMode.HOST:
        return [p.host_port or p.container_port for p in container.port_mappings]
    return [p.host_port for p in container.port_mappings if p.host_port]


def task_needs(td: m.TaskDefinition, task_cpu: int | None, task_memory: int | None) -> Need:
    cpu = task_cpu if task_cpu is not None else sum(c.cpu for c in td.container_definitions)
    memory = task_memory if task_memory is not None else sum(
        c.memory or c.memory_reservation or 0 for c in td.container_definitions
    )
    ports = frozenset(p for c in td.container_definitions for p in container_ports(td, c))
    return Need(cpu, memory, ports)


@dataclass
class Capacity:
    """A container instance as placement sees it."""

    instance: m.ContainerInstance
    cpu: int
    memory: int
    ports: set[int] = field(default_factory=set)
    tasks: int = 0
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return self.instance.container_instance_arn

    def shortage(self, need: Need) -> str | None:
        """Why the task does not fit here, as ECS reports it, or None when it fits."""
        if need.cpu > self.cpu:
            return "RESOURCE:CPU"
        if need.memory > self.memory:
            return "RESOURCE:MEMORY"
        if need.ports & self.ports:
            return "RESOURCE:PORTS"
        return None

    def take(self, need: Need) -> None:
        self.cpu -= need.cpu
        self.memory -= need.memory
        self.ports |= need.ports
        self.tasks += 1


def capacity(instance: m.ContainerInstance, active: Iterable[Need]) -> Capacity:
    """The instance's registered resources less what its active tasks need.

    Static host ports are claims on the virtual instance; the real bindings on
    the one host are dynamic, so two instances can both "use" port 80.
    """
    registered = {r.name: r for r in instance.registered_resources}
    cap = Capacity(
        instance,
        cpu=(registered["CPU"].integer_value or 0) if "CPU" in registered else 0,
        memory=(registered["MEMORY"].integer_value or 0) if "MEMORY" in registered else 0,
        ports={int(p) for p in (registered["PORTS"].string_set_value or [])} if "PORTS" in registered else set(),
        attributes={a["name"]: a.get("value", "") for a in instance.attributes},
    )
    for need in active:
        cap.take(need)
    return cap


def remaining_resources(cap: Capacity) -> list[m.Resource]:
    return [
        m.Resource(name="CPU", type="INTEGER", integer_value=cap.cpu),
        m.Resource(name="MEMORY", type="INTEGER", integer_value=cap.memory),
        m.Resource(name="PORTS", type="STRINGSET", string_set_value=sorted(str(p) for p in cap.ports)),
        m.Resource(name="PORTS_UDP", type="STRINGSET", string_set_value=[]),
    ]


_EXPRESSION = re.compile(r"^\s*(attribute:[\w.-]+|ec2InstanceId)\s*(==|!=|in|not in)\s*(.+?)\s*$")


def matches(cap: Capacity, expression: str) -> bool:
    """A memberOf expression: ``attribute:ecs.instance-type == t3.small``, ``... in [a, b]``, ``!=``."""
    found = _EXPRESSION.match(expression)
    if not found:
        raise InvalidParameter(f"The placement constraint expression {expression!r} is not understood "
                               "(use attribute:<name> ==, !=, in [..] or not in [..])",
                               code="InvalidParameterException", field="placementConstraints")
    subject, operator, value = found.groups()
    actual = cap.instance.ec2_instance_id or "" if subject == "ec2InstanceId" else cap.attributes.get(
        subject.removeprefix("attribute:"), "")
    if operator in ("in", "not in"):
        values = {v.strip() for v in value.strip("[]()").split(",")}
        return (actual in values) == (operator == "in")
    return (actual == value.strip()) == (operator == "==")


def place(
    capacities: Sequence[Capacity],
    need: Need,
    strategies: Sequence[dict[str, str]],
    constraints: Sequence[dict[str, str]],
    used: set[str],
    rng: random.Random,
) -> tuple[Capacity | None, list[tuple[str, str]]]:
    """The instance for one task, or None with ``(instance ARN, reason)`` failures.

    ``used`` holds instances already chosen in this call (for ``distinctInstance``).
    """
    failures: list[tuple[str, str]] = []
    candidates = []
    for cap in capacities:
        if cap.instance.status is not m.ContainerInstanceStatus.ACTIVE:
            continue
        if any(c.get("type") == "distinctInstance" for c in constraints) and cap.arn in used:
            failures.append((cap.arn, "DistinctInstance placement constraint unsatisfied."))
            continue
        if not all(matches(cap, c["expression"]) for c in constraints if c.get("type") == "memberOf"):
            failures.append((cap.arn, "MemberOf placement constraint unsatisfied."))
            continue
        reason = cap.shortage(need)
        if reason:
            failures.append((cap.arn, reason))
            continue
        candidates.append(cap)
    if not candidates:
        return None, failures
    for strategy in strategies or [{"type": "random"}]:
        candidates = _narrow(candidates, strategy, rng)
        if len(candidates) == 1:
            break
    return candidates[0], []


def _narrow(candidates: list[Capacity], strategy: dict[str, str], rng: random.Random) -> list[Capacity]:
    kind, field_name = strategy.get("type"), strategy.get("field", "")
    if kind == "random":
        return [rng.choice(candidates)]
    if kind == "binpack":
        if field_name.lower() not in ("cpu", "memory"):
            raise InvalidParameter("binpack placement needs field cpu or memory", code="InvalidParameterException",
                                   field="placementStrategy")
        key = (lambda c: c.cpu) if field_name.lower() == "cpu" else (lambda c: c.memory)
        least = min(key(c) for c in candidates)
        return [c for c in candidates if key(c) == least]
    if kind == "spread":
        if field_name in ("instanceId", "host"):
            fewest = min(c.tasks for c in candidates)
            return [c for c in candidates if c.tasks == fewest]
        attribute = field_name.removeprefix("attribute:")
        groups: dict[str, int] = {}
        for c in candidates:
            value = c.attributes.get(attribute, "")
            groups[value] = groups.get(value, 0) + c.tasks
        quietest = min(groups.values())
        return [c for c in candidates if groups[c.attributes.get(attribute, "")] == quietest]
    raise InvalidParameter(f"Unknown placement strategy type {kind!r} (binpack, spread or random)",
                           code="InvalidParameterException", field="placementStrategy")
