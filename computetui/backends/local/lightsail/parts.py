"""What the facet's mixins (networking, snapshots, metrics) use of the facet: declared for the
type checker only, so at run time this class is empty and the facet's own members are used."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime

    from computetui.backends.local.emulator import Emulator
    from computetui.backends.local.ids import Ids
    from computetui.backends.local.lightsail.instances import InstanceRunner
    from computetui.backends.local.lightsail.operations import Operations
    from computetui.backends.local.state import StateStore
    from computetui.models import lightsail as m


class FacetParts:
    if TYPE_CHECKING:
        backend: Emulator
        store: StateStore
        ids: Ids
        now: datetime
        runner: InstanceRunner
        operations: Operations

        def _instance(self, instance_name: str) -> dict[str, Any]: ...
        def _operation(self, body: dict[str, Any], operation_type: str, details: str = "",
                       resource_type: str = "Instance") -> m.Operation: ...
        def _bundle(self, bundle_id: str) -> m.Bundle: ...
        def _check_new(self, instance_names: list[str], availability_zone: str) -> None: ...
        def _make_instances(self, instance_names: list[str], availability_zone: str, blueprint_id: str,
                            bundle: m.Bundle, run: dict[str, Any], user_data: str | None,
                            key_pair_name: str | None, tags: list[dict[str, str]] | None, operation_type: str,
                            details: str) -> list[m.Operation]: ...
        def dynamic_ip(self, arn: str) -> str: ...
        def _port_seed(self) -> int: ...
        def _ports_taken(self) -> set[int]: ...
