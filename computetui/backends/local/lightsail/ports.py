"""An instance's public ports as Lightsail keeps them (its firewall), and which of them the
emulator publishes on 127.0.0.1. Pure: no engine, no store.

A new Linux instance has 22 (SSH) and 80 (HTTP) open to everyone. ``open`` adds a rule (one for
the same range and protocol is replaced), ``close`` removes the rule of that range and protocol,
``put`` makes the given rules the whole set. Every TCP or UDP port of an open rule is published
(``all`` is both), up to :data:`MAX_PUBLISHED` ports per instance, the lowest first; ICMP has no
port to publish.
"""

from __future__ import annotations

from typing import Any

from computetui.backends.errors import InvalidParameter

INVALID = "InvalidInputException"
PROTOCOLS = ("tcp", "udp", "all", "icmp", "icmpv6")
ANYWHERE = "0.0.0.0/0"
MAX_PUBLISHED = 64
"""How many container ports of one instance the emulator publishes (a rule for 0-65535 opens them
all on AWS; here only the first of them are reachable)."""
COMMON_NAMES = {22: "SSH", 80: "HTTP", 443: "HTTPS", 3389: "RDP"}


def default_ports() -> list[dict[str, Any]]:
    """The rules of a new Linux instance: SSH and HTTP from anywhere."""
    return [rule({"fromPort": 22, "toPort": 22, "protocol": "tcp"}),
            rule({"fromPort": 80, "toPort": 80, "protocol": "tcp"})]


def rule(port_info: dict[str, Any]) -> dict[str, Any]:
    """A PortInfo checked and written as the instance's ``networking.ports`` entry."""
    protocol = str(port_info.get("protocol") or "tcp").lower()
    if protocol not in PROTOCOLS:
        raise InvalidParameter(f"The protocol {protocol} is not valid (one of {', '.join(PROTOCOLS)}).", INVALID,
                               field="portInfo.protocol")
    low, high = (-1, 255) if protocol in ("icmp", "icmpv6") else (0, 65535)
    try:
        from_port, to_port = int(port_info["fromPort"]), int(port_info["toPort"])
    except (KeyError, TypeError, ValueError):
        raise InvalidParameter("A port needs fromPort and toPort, as whole numbers.", INVALID,
                               field="portInfo.fromPort") from None
    for name, value in (("fromPort", from_port), ("toPort", to_port)):
        if not low <= value <= high:
            raise InvalidParameter(f"The {name} {value} is not valid: it must be from {low} to {high}.", INVALID,
                                   field=f"portInfo.{name}")
    if protocol not in ("icmp", "icmpv6") and from_port > to_port:
        raise InvalidParameter(f"The fromPort {from_port} is greater than the toPort {to_port}.", INVALID,
                               field="portInfo.fromPort")
    cidrs = list(port_info.get("cidrs") or ([] if port_info.get("ipv6Cidrs") else [ANYWHERE]))
    everyone = ANYWHERE in cidrs
    return {
        "fromPort": from_port, "toPort": to_port, "protocol": protocol,
        "accessFrom": "Anywhere (0.0.0.0/0)" if everyone else ", ".join(cidrs) or "Custom",
        "accessType": "public" if everyone else "private",
        "commonName": COMMON_NAMES.get(from_port, "") if from_port == to_port else "",
        "accessDirection": "inbound",
        "cidrs": cidrs, "ipv6Cidrs": list(port_info.get("ipv6Cidrs") or []),
        "cidrListAliases": list(port_info.get("cidrListAliases") or []),
    }


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (a["fromPort"], a["toPort"], a["protocol"]) == (b["fromPort"], b["toPort"], b["protocol"])


def opened(rules: list[dict[str, Any]], port_info: dict[str, Any]) -> list[dict[str, Any]]:
    new = rule(port_info)
    return [r for r in rules if not _same(r, new)] + [new]


def closed(rules: list[dict[str, Any]], port_info: dict[str, Any]) -> list[dict[str, Any]]:
    gone = rule(port_info)
    return [r for r in rules if not _same(r, gone)]


def put(port_infos: list[dict[str, Any]]) -> list[dict[str, Any]]:
    made: list[dict[str, Any]] = []
    for info in port_infos:
        made = opened(made, info)
    return made


def states(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """GetInstancePortStates' answer."""
    return [{"fromPort": r["fromPort"], "toPort": r["toPort"], "protocol": r["protocol"], "state": "open",
             "cidrs": r["cidrs"], "ipv6Cidrs": r["ipv6Cidrs"], "cidrListAliases": r["cidrListAliases"]}
            for r in rules]


def published(rules: list[dict[str, Any]]) -> list[str]:
    """The container ports the rules open, as the engine names them (``80/tcp``), lowest first,
    at most :data:`MAX_PUBLISHED`."""
    keys: set[tuple[int, str]] = set()
    for r in rules:
        protocols = {"tcp": ("tcp",), "udp": ("udp",), "all": ("tcp", "udp")}.get(r["protocol"], ())
        for port in range(max(r["fromPort"], 1), min(r["toPort"], 65535) + 1):
            for protocol in protocols:
                keys.add((port, protocol))
            if len(keys) >= MAX_PUBLISHED * 2:
                break
    return [f"{port}/{protocol}" for port, protocol in sorted(keys)[:MAX_PUBLISHED]]
