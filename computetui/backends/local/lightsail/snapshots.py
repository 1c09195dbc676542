"""Instance snapshots in the local emulator: an instance's filesystem kept as an image.

CreateInstanceSnapshot stores the snapshot ``pending`` and commits the instance's container in
the background (``docker commit``; a running one is paused for the moment it takes); it is
``available`` once the image is made, ``error`` with the reason when it cannot be. Its size is
the disk of the bundle it was taken on, as Lightsail reports it. CreateInstancesFromSnapshot
makes instances whose container starts from that image: their files are the snapshot's, their
firewall a new instance's, and their own launch script runs at their first boot. The bundle may
be the snapshot's or bigger; a smaller disk is refused. DeleteInstanceSnapshot removes the
image's name (an instance made from it keeps what it uses).
"""

from __future__ import annotations

import os
from typing import Any

from computetui.backends.errors import ComputeError, InvalidParameter, NotFound
from computetui.backends.local.lightsail.instances import RUN, SNAPSHOT_REPOSITORY
from computetui.backends.local.lightsail.parts import FacetParts
from computetui.backends.local.processes import alive
from computetui.backends.rules import lightsail as rules
from computetui.backends.rules.validation import validated
from computetui.models import lightsail as m

SNAPSHOT = "lightsail:instance-snapshot"
INVALID = "InvalidInputException"
TAKEABLE = ("running", "stopped")


def snapshot_state(body: dict[str, Any]) -> str:
    return str(body["state"])


class Snapshots(FacetParts):
    """The facet's instance snapshots (a mixin of :class:`LocalLightsail`)."""

    def get_instance_snapshots(self) -> list[m.InstanceSnapshot]:
        return [m.InstanceSnapshot.model_validate(b) for b in self.store.list(SNAPSHOT)]

    @validated(rules.SNAPSHOT)
    def get_instance_snapshot(self, instance_snapshot_name: str) -> m.InstanceSnapshot:
        return m.InstanceSnapshot.model_validate(self._snapshot(instance_snapshot_name))

    def _snapshot(self, name: str) -> dict[str, Any]:
        body = self.store.find(SNAPSHOT, name)
        if body is None:
            raise NotFound(f"The InstanceSnapshot does not exist: {name}", code="NotFoundException")
        return body

    @validated(rules.CREATE_SNAPSHOT)
    def create_instance_snapshot(self, instance_snapshot_name: str, instance_name: str, *,
                                 tags: list[dict[str, str]] | None = None, **kwargs: Any) -> list[m.Operation]:
        instance = self._instance(instance_name)
        state = instance["state"]["name"]
        if state not in TAKEABLE or not instance[RUN].get("containerId"):
            raise InvalidParameter(f"You can't snapshot an instance that is {state}: {instance_name} (a snapshot "
                                   "is taken of a running or stopped instance).", INVALID, field="instanceName")
        if self.store.find(SNAPSHOT, instance_snapshot_name) is not None:
            raise InvalidParameter(f"Some names are already in use: {instance_snapshot_name}", INVALID,
                                   field="instanceSnapshotName")
        arn = self.ids.lightsail("InstanceSnapshot")
        bundle = self._bundle(instance["bundleId"])
        snapshot = m.InstanceSnapshot(
            name=instance_snapshot_name, arn=arn, state="pending", from_instance_name=instance_name,
            from_instance_arn=instance["arn"], from_bundle_id=instance["bundleId"],
            from_blueprint_id=instance["blueprintId"], created_at=self.now, size_in_gb=bundle.disk_size_in_gb,
            location=m.ResourceLocation.model_validate(instance["location"]), progress="0%",
        )
        body = snapshot.to_aws()
        body["tags"] = list(tags or [])
        body[RUN] = {"busy": os.getpid(), "image": f"{SNAPSHOT_REPOSITORY}:{arn.rsplit('/', 1)[-1]}",
                     "program": instance[RUN].get("program") or [], "app": bool(instance[RUN].get("app")),
                     "containerId": instance[RUN]["containerId"]}
        with self.store.transaction():
            self.store.put(SNAPSHOT, arn, body, name=instance_snapshot_name, state="pending")
            made = [self.operations.record(instance_snapshot_name, "InstanceSnapshot", "CreateInstanceSnapshot",
                                           location=instance.get("location"), details=instance_name),
                    self._operation(instance, "CreateInstanceSnapshot", instance_snapshot_name)]
        self.runner.submit(self._take, arn)
        return made

    def _take(self, arn: str) -> None:
        body = self.store.get(SNAPSHOT, arn)
        if body is None:
            return
        run = body[RUN]
        try:
            self.runner.commit(run["containerId"], run["image"], {"computetui.lightsail.snapshot": body["name"]})
        except ComputeError as exc:
            self._settle_snapshot(arn, "error", f"The instance's filesystem could not be kept: {exc.message}")
            return
        self._settle_snapshot(arn, "available")

    def _settle_snapshot(self, arn: str, state: str, reason: str | None = None) -> None:
        def settled(b: dict[str, Any]) -> dict[str, Any]:
            b[RUN].pop("busy", None)
            b["state"] = state
            b["progress"] = "100%" if state == "available" else b.get("progress")
            if reason:
                b["statusReason"] = reason
            return b
        if self.store.update(SNAPSHOT, arn, settled, state=snapshot_state) is None:  # deleted meanwhile
            self._untag(arn)

    def settle_snapshots(self) -> None:
        """The leader's watch: a pending snapshot whose process ended is available when its image
        was made, else in error."""
        for body in self.store.list(SNAPSHOT, state="pending"):
            if alive(body[RUN].get("busy")):
                continue
            try:
                made = self.backend.engine.image_exists(body[RUN]["image"])
            except ComputeError:
                continue  # no engine to ask: the next pass
            self._settle_snapshot(body["arn"], "available" if made else "error",
                                  None if made else "The emulator stopped before the snapshot was taken.")

    @validated(rules.DELETE_SNAPSHOT)
    def delete_instance_snapshot(self, instance_snapshot_name: str) -> list[m.Operation]:
        body = self._snapshot(instance_snapshot_name)
        with self.store.transaction():
            self.store.delete(SNAPSHOT, body["arn"])
            self.operations.forget(instance_snapshot_name)
            made = [self.operations.record(instance_snapshot_name, "InstanceSnapshot", "DeleteInstanceSnapshot",
                                           location=body.get("location"))]
        if body["state"] != "pending":
            self._untag(body["arn"])
        return made

    def _untag(self, arn: str) -> None:
        try:
            self.backend.engine.untag_image(f"{SNAPSHOT_REPOSITORY}:{arn.rsplit('/', 1)[-1]}")
        except ComputeError:
            pass

    @validated(rules.CREATE_FROM_SNAPSHOT)
    def create_instances_from_snapshot(
        self, instance_names: list[str], availability_zone: str, bundle_id: str,
        instance_snapshot_name: str, *, user_data: str | None = None, key_pair_name: str | None = None,
        tags: list[dict[str, str]] | None = None, **kwargs: Any,
    ) -> list[m.Operation]:
        snapshot = self._snapshot(instance_snapshot_name)
        if snapshot["state"] != "available":
            raise InvalidParameter(f"The snapshot {instance_snapshot_name} is {snapshot['state']}; instances are "
                                   "made from an available snapshot.", INVALID, field="instanceSnapshotName")
        bundle = self._bundle(bundle_id)
        needed = int(snapshot.get("sizeInGb") or 0)
        if bundle.disk_size_in_gb < needed:
            raise InvalidParameter(
                f"The bundle {bundle_id} has a {bundle.disk_size_in_gb} GB disk, smaller than the {needed} GB of "
                f"the snapshot {instance_snapshot_name} (taken on {snapshot.get('fromBundleId')}): choose that "
                "bundle or a bigger one.", INVALID, field="bundleId")
        self._check_new(instance_names, availability_zone)
        run = {"image": snapshot[RUN]["image"], "app": snapshot[RUN].get("app", False),
               "program": snapshot[RUN].get("program") or []}
        return self._make_instances(instance_names, availability_zone, snapshot["fromBlueprintId"], bundle, run,
                                    user_data, key_pair_name, tags, "CreateInstancesFromSnapshot",
                                    instance_snapshot_name)
