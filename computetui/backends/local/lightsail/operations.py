"""Lightsail's ``operations``: what every change answers with, one per resource it touches, and
kept, so GetOperationsForResource can tell a resource's history (newest first)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from computetui.models import lightsail as m

if TYPE_CHECKING:
    from computetui.backends.local.facet import Basics

OPERATION = "lightsail:operation"
KEPT_PER_RESOURCE = 100
"""How many operations a resource's history keeps (the oldest go first)."""


class Operations:
    """Makes and keeps a facet's operations."""

    def __init__(self, basics: Basics) -> None:
        self.basics = basics

    def record(self, resource_name: str, resource_type: str, operation_type: str, *,
               location: dict[str, Any] | None = None, details: str = "") -> m.Operation:
        """An operation that has succeeded, kept under the resource's name (the caller's
        transaction, when there is one, keeps it with the change)."""
        now = self.basics.clock.now()
        operation = m.Operation(
            id=self.basics.ids.uuid(), resource_name=resource_name, resource_type=resource_type,
            created_at=now, location=m.ResourceLocation.model_validate(location) if location else None,
            is_terminal=True, operation_details=details, operation_type=operation_type,
            status=m.OperationStatus.SUCCEEDED, status_changed_at=now,
        )
        store = self.basics.store
        store.put(OPERATION, operation.id, operation.to_aws(), name=operation.id, parent=resource_name)
        older = store.list(OPERATION, parent=resource_name)
        if len(older) > KEPT_PER_RESOURCE:
            for body in sorted(older, key=lambda b: b["createdAt"])[:len(older) - KEPT_PER_RESOURCE]:
                store.delete(OPERATION, body["id"])
        return operation

    def of(self, resource_name: str) -> list[m.Operation]:
        bodies = self.basics.store.list(OPERATION, parent=resource_name)
        return [m.Operation.model_validate(b) for b in sorted(bodies, key=lambda b: b["createdAt"], reverse=True)]

    def forget(self, resource_name: str) -> None:
        for body in self.basics.store.list(OPERATION, parent=resource_name):
            self.basics.store.delete(OPERATION, body["id"])
