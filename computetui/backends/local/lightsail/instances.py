"""A Lightsail instance as one long-lived container: pending -> running -> stopping -> stopped,
rebooting -> running.

Each instance is ONE container of kind ``instance`` through the shared runner, limited to
its bundle's vCPUs and memory, made once at launch and never made again: a stop is
``docker stop`` of that container and a start starts it again, so its filesystem (what the
launch script wrote, what the user put there) survives both. The container runs a small
``sh`` boot script: at first boot it runs the instance's ``userData`` with ``sh``, its
output in ``/var/log/cloud-init-output.log`` (where Lightsail's cloud-init writes it), and
leaves a marker so no later boot runs it again; then it waits, ending at once on SIGTERM.

An instance is running once its container is up and the launch script has finished; the
leader's ``monitor`` sees to that, and to an instance whose container stopped or vanished
behind the emulator's back. Instances outlive the emulator, as on AWS: closing it leaves
their containers as they are, and at start ``reconcile`` adopts them.
"""

from __future__ import annotations

import io
import logging
import os
import socket
import tarfile
import threading
import time
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

from computetui.backends.errors import ComputeError, Unavailable
from computetui.backends.local.containers import ContainerSpec, ImageUnavailable, Port
from computetui.backends.local.processes import alive

if TYPE_CHECKING:
    from computetui.backends.docker.engine import ManagedContainer
    from computetui.backends.local.emulator import Emulator

log = logging.getLogger(__name__)

KIND = "instance"
INSTANCE = "lightsail:instance"
"""The store's kind of an instance record."""
RUN = "_run"
"""The emulator's own part of an instance's record: its container, its image, its launch script."""
STOP_GRACE_S = 10
BOOT_WATCH_S = 5.0
PORT_RETRIES = 3
BOOT_POLL_S = 0.005
USER_DATA_ENV = "LIGHTSAIL_USER_DATA"
INSTANCE_ID_ENV = "LIGHTSAIL_INSTANCE_ID"
OUTPUT_PATH = "/var/log/cloud-init-output.log"
APP_LOG = "/var/log/blueprint-app.log"
MARKER_DIR = "/var/lib/cloud/instances"
"""Under it, ``<instance id>/boot-finished`` once the launch script of that instance has run
(per instance, as cloud-init keeps it: an instance made from a snapshot runs its own)."""
SNAPSHOT_REPOSITORY = "computetui/lightsail-image"
"""The images the emulator commits of instances: snapshots, and an instance's filesystem carried
into the container that publishes a changed set of ports."""

# Runs the launch script once per instance, at its first boot; then starts the blueprint's own
# program when it has one (an app blueprint's image: its entrypoint and command, the arguments
# after the script's name) as a service of the machine, its output in APP_LOG: the instance
# stays up if it ends, as a machine does when a service of it stops. Then it waits, ending
# promptly on SIGTERM and passing it on (as PID 1 the shell would ignore it without the trap,
# and docker stop would wait the grace).
BOOT_SCRIPT = f"""\\
marker={MARKER_DIR}/${INSTANCE_ID_ENV}
if [ ! -e "$marker/boot-finished" ]; then
  mkdir -p /var/log "$marker"
  printf '%s' "${USER_DATA_ENV}" > "$marker/user-data.txt"
  unset {USER_DATA_ENV}
  sh "$marker/user-data.txt" > {OUTPUT_PATH} 2>&1 < /dev/null
  echo $? > "$marker/user-data.exit"
  touch "$marker/boot-finished"
fi
unset {USER_DATA_ENV}
app=
if [ $# -gt 0 ]; then "$@" < /dev/null >> {APP_LOG} 2>&1 & app=$!; fi
trap '[ -n "$app" ] && kill -TERM "$app" 2>/dev/null; exit 0' TERM INT
while :; do sleep 3600 & wait $!; done
"""

# Lightsail's state codes (EC2's, with rebooting after them).
CODES = {"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80,
         "rebooting": 96}
VANISHED = ("The instance's container is gone from the Docker engine (removed outside the emulator); "
            "starting the instance boots a fresh one, and its launch script runs again.")


def set_state(body: dict[str, Any], name: str, reason: str | None = None) -> dict[str, Any]:
    body["state"] = {"code": CODES[name], "name": name}
    if reason:
        body["statusReason"] = reason
    else:
        body.pop("statusReason", None)
    return body


def state_of(body: dict[str, Any]) -> str:
    return str(body["state"]["name"])


def instance_id(body: dict[str, Any]) -> str:
    """The EC2-style id in the support code (``<account hash>/i-...``)."""
    return str(body.get("supportCode") or body["arn"]).rsplit("/", 1)[-1]


PORT_RANGE = (10000, 30000)
"""Where the emulator publishes instances' ports: below Linux's ephemeral range (32768 on), so a
port it picks is not one the kernel hands out to a connection meanwhile."""


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(seed: int, taken: Collection[int] = ()) -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now and no instance holds, the first from
    ``seed`` on in :data:`PORT_RANGE` (a seeded start keeps a state dir's ports the same run to run)."""
    low, high = PORT_RANGE
    for step in range(high - low):
        port = low + (seed + step) % (high - low)
        if port not in taken and port_is_free(port):
            return port
    raise Unavailable("No port is free on 127.0.0.1 to publish an instance's port on")


def with_host_ports(run: dict[str, Any], keys: list[str], seed: Callable[[], int],
                    taken: Collection[int] = ()) -> dict[str, Any]:
    """``run["published"]`` for exactly ``keys`` (``80/tcp``): each port keeps the host port it
    had, a new one gets a free one (``seed()`` says where to start looking; ``taken`` are other
    instances' ports)."""
    before = run.get("published") or {}
    held = set(taken) | {p for p in before.values() if p}
    published = {}
    for key in keys:
        port = before.get(key) or free_port(seed(), held)
        held.add(port)
        published[key] = port
    run["published"] = published
    return run


class InstanceRunner:
    """Launches, stops, starts, reboots and removes the containers of Lightsail instances."""

    def __init__(self, emulator: Emulator, kind: str, *, stop_grace_s: int = STOP_GRACE_S) -> None:
        self.emulator = emulator
        self.kind = kind
        self.stop_grace_s = stop_grace_s
        self.pid = os.getpid()
        self._pool = emulator.containers.pool("computetui-lightsail", what="Lightsail instance work")
        self._guard = threading.Lock()

    # -- records ---------------------------------------------------------------
    def _update(self, arn: str, change: Callable[[dict[str, Any]], dict[str, Any] | None]) -> dict[str, Any] | None:
        return self.emulator.store.update(self.kind, arn, change, state=state_of)

    def _get(self, arn: str) -> dict[str, Any] | None:
        return self.emulator.store.get(self.kind, arn)

    def _settle(self, arn: str, name: str, reason: str | None = None) -> None:
        """Put the instance in state ``name``, its work done."""
        def settled(body: dict[str, Any]) -> dict[str, Any]:
            body[RUN].pop("busy", None)
            return set_state(body, name, reason)
        self._update(arn, settled)

    def submit(self, work: Callable[..., None], *args: Any) -> None:
        """Run ``work`` on the instances' pool of threads (snapshots use it too)."""
        self._pool.submit(work, *args)

    # -- launching -------------------------------------------------------------
    def launch(self, arn: str) -> None:
        """Make and start the instance's container, in the background."""
        self._pool.submit(self._launch, arn)

    def _launch(self, arn: str) -> None:
        body = self._get(arn)
        if body is None:
            return
        run = body[RUN]
        image = run["image"]
        try:
            self.emulator.containers.pull(image)
        except ImageUnavailable as exc:
            self._settle(arn, "stopped", (
                f"The image {image} of blueprint {body['blueprintId']} is not on the Docker engine and cannot be "
                f"had ({exc.message}). Map a local image to the blueprint in the config "
                f"([lightsail_images] {body['blueprintId']} = \"my/local:image\"), then start the instance."))
            return
        except Unavailable as exc:
            self._settle(arn, "stopped", f"{exc.message}. Start the instance once it is back.")
            return
        try:
            if "program" not in run:
                program = self._program(body)
                body = self._update(arn, lambda b: {**b, RUN: {**b[RUN], "program": program}}) or body
            if self._pool.closed:  # the emulator closed meanwhile: the next start's reconcile launches it
                return
            started = self._run_publishing(arn, body)
        except ComputeError as exc:
            self._settle(arn, "stopped", f"The instance's container could not start: {exc.message}")
            return

        def placed(record: dict[str, Any]) -> dict[str, Any]:
            record[RUN]["containerId"] = started.id
            record[RUN].pop("busy", None)
            return record
        if self._update(arn, placed) is None:  # deleted while it was being made
            self.emulator.containers.remove(started.id)
            return
        self._watch_boot(arn, started.id)

    def _run_publishing(self, arn: str, body: dict[str, Any], *, start: bool = True) -> ManagedContainer:
        """Run the instance's container; when a host port it was to publish on was taken meanwhile
        (another program, another emulator), pick new ones and try again, a few times."""
        for attempt in range(PORT_RETRIES + 1):
            try:
                return self.emulator.containers.run(KIND, arn, self._spec(body), start=start)
            except ComputeError as exc:
                clash = "port is already allocated" in exc.message or "address already in use" in exc.message
                if not clash or attempt == PORT_RETRIES:
                    raise
                body = self._update(arn, self._repick) or body
        raise AssertionError("unreachable")

    def _repick(self, body: dict[str, Any]) -> dict[str, Any]:
        keys = list(body[RUN].get("published") or {})
        taken = {int(p) for b in self.emulator.store.list(self.kind) if b["arn"] != body["arn"]
                 for p in (b[RUN].get("published") or {}).values() if p}
        body[RUN]["published"] = {}
        with_host_ports(body[RUN], keys, lambda: int(self.emulator.ids.hex(4), 16), taken)
        return body

    def _spec(self, body: dict[str, Any]) -> ContainerSpec:
        hardware = body.get("hardware") or {}
        vcpus = float(min(hardware.get("cpuCount") or 0, os.cpu_count() or 1))
        memory_mib = int(float(hardware.get("ramSizeInGb") or 0) * 1024) or None
        run = body[RUN]
        ports = []
        for key, host_port in (run.get("published") or {}).items():
            port, _, protocol = key.partition("/")
            ports.append(Port(int(port), protocol or "tcp", host_port))
        return ContainerSpec(
            image=run.get("currentImage") or run["image"],
            entrypoint=["/bin/sh", "-c"],
            command=[BOOT_SCRIPT, "lightsail-boot", *(run.get("program") or [])],
            environment={USER_DATA_ENV: run.get("userData") or "", INSTANCE_ID_ENV: instance_id(body)},
            vcpus=vcpus,
            memory_mib=memory_mib,
            ports=tuple(ports),
            labels={"computetui.lightsail.instance": body["name"]},
        )

    def _program(self, body: dict[str, Any]) -> list[str]:
        """An app blueprint's program: its image's entrypoint and command (none for an OS)."""
        if not body[RUN].get("app"):
            return []
        config = self.emulator.engine.image_config(body[RUN]["image"])
        return [*(config.get("Entrypoint") or []), *(config.get("Cmd") or [])]

    # -- start, stop, reboot, delete -----------------------------------------------
    def start(self, arn: str) -> None:
        """The instance is pending (the caller set it): start its container again, or, when it has
        none (a launch that failed, a container that vanished), launch one."""
        body = self._get(arn)
        if body is None:
            return
        if not body[RUN].get("containerId"):
            self.launch(arn)
        else:
            self._pool.submit(self._start, arn, body[RUN]["containerId"])

    def _start(self, arn: str, container_id: str) -> None:
        try:
            if self.emulator.containers.state(container_id) is None:
                self._update(arn, _without_container)
                self._launch(arn)
                return
            self.emulator.engine.client.containers.get(container_id).start()
        except Exception as exc:  # the SDK's errors as well as ours
            self._settle(arn, "stopped", f"The instance's container could not start: {exc}")
            return
        self._update(arn, _not_busy)
        self._watch_boot(arn, container_id)

    def stop(self, arn: str, container_id: str) -> None:
        self._pool.submit(self._stop, arn, container_id)

    def _stop(self, arn: str, container_id: str) -> None:
        container = self.emulator.engine.container(container_id)
        if container is not None:
            self.emulator.containers.stop(container, self.stop_grace_s)
        self._settle(arn, "stopped", None if container is not None else VANISHED)

    def reboot(self, arn: str, container_id: str) -> None:
        self._pool.submit(self._reboot, arn, container_id)

    def _reboot(self, arn: str, container_id: str) -> None:
        try:
            self.emulator.engine.client.containers.get(container_id).restart(timeout=self.stop_grace_s)
        except Exception as exc:  # the SDK's errors as well as ours
            gone = self.emulator.containers.state(container_id) is None
            self._settle(arn, "stopped", VANISHED if gone else f"The instance's container could not restart: {exc}")
            return
        self._update(arn, _not_busy)
        self._watch_boot(arn, container_id)

    def _watch_boot(self, arn: str, container_id: str) -> None:
        """Mark the instance running as soon as its boot has finished, rather than at the leader's
        next look: the marker is read every few milliseconds for up to ``BOOT_WATCH_S`` (a longer
        launch script is left to the leader's monitor)."""
        deadline = time.monotonic() + BOOT_WATCH_S
        while time.monotonic() < deadline and not self._pool.closed:
            body = self._get(arn)
            if body is None or state_of(body) not in ("pending", "rebooting") \
                    or body[RUN].get("containerId") != container_id:
                return
            if self.booted(container_id, body):
                self._check(body, booted=True)
                return
            time.sleep(BOOT_POLL_S)

    # -- ports and snapshots: the filesystem as an image ---------------------------------
    def republish(self, arn: str) -> None:
        """The instance's ports changed (the caller set ``published`` and marked it busy): its
        container is made again, publishing them, from an image of its filesystem, so nothing on
        its disk is lost; a running instance's programs start again (the launch script does not)."""
        self._pool.submit(self._republish, arn)

    def _republish(self, arn: str) -> None:
        body = self._get(arn)
        if body is None:
            return
        old_id = body[RUN].get("containerId")
        previous = body[RUN].get("currentImage")
        if not old_id:  # not made yet (or gone): the next launch publishes the ports
            self._update(arn, _not_busy)
            return
        container = self.emulator.engine.container(old_id)
        if container is None:
            self._update(arn, lambda b: set_state(_without_container(b), "stopped", VANISHED))
            return
        was_running = container.running
        if was_running:
            self.emulator.containers.stop(container, self.stop_grace_s)
        try:
            image = self.commit(old_id, f"{SNAPSHOT_REPOSITORY}:{arn.rsplit('/', 1)[-1]}-disk",
                                {"computetui.lightsail.disk-of": body["name"]})
            body = self._update(arn, lambda b: {**b, RUN: {**b[RUN], "currentImage": image}}) or body
            created = self._run_publishing(arn, body, start=was_running)
        except ComputeError as exc:
            if was_running:
                self._start_quietly(old_id)
            self._settle(arn, state_of(body) if was_running else "stopped",
                         f"The ports could not be published again: {exc.message}")
            return

        def moved(record: dict[str, Any]) -> dict[str, Any]:
            record[RUN]["containerId"] = created.id
            record[RUN]["currentImage"] = image
            return record
        self._update(arn, moved)
        self.emulator.containers.remove(old_id)  # before the work is done: one container once it is
        if previous and previous != image:  # the disk image the old container ran: no one runs it now
            try:
                self.emulator.engine.untag_image(previous)
            except ComputeError:
                pass
        self._update(arn, _not_busy)

    def _start_quietly(self, container_id: str) -> None:
        try:
            self.emulator.engine.client.containers.get(container_id).start()
        except Exception:  # the SDK's errors as well as ours
            log.info("could not start %s again", container_id[:12])

    def commit(self, container_id: str, reference: str, labels: dict[str, str]) -> str:
        """An image of the container's filesystem named ``reference``; its id."""
        owned = {"computetui.managed": "1", "computetui.owner": self.emulator.engine.owner, **labels}
        return self.emulator.engine.commit(container_id, reference, owned).id

    def remove(self, arn: str) -> None:
        """Remove every container of the instance (the record is the caller's)."""
        try:
            containers = self.emulator.containers.of_record(KIND, arn)
        except Unavailable:
            containers = []
        body = self._get(arn)
        ids = {c.id for c in containers} | ({body[RUN]["containerId"]} if body and body[RUN].get("containerId")
                                             else set())
        for container_id in ids:
            self.emulator.containers.remove(container_id)
        try:
            self.emulator.engine.untag_image(f"{SNAPSHOT_REPOSITORY}:{arn.rsplit('/', 1)[-1]}-disk")
        except ComputeError:
            pass

    # -- reading -------------------------------------------------------------------
    def booted(self, container_id: str, body: dict[str, Any]) -> bool:
        """The instance's launch script has finished in the container."""
        return self._read(container_id, f"{MARKER_DIR}/{instance_id(body)}/boot-finished") is not None

    def read_output(self, container_id: str) -> str | None:
        data = self._read(container_id, OUTPUT_PATH)
        return None if data is None else data.decode("utf-8", "replace")

    def _read(self, container_id: str, path: str) -> bytes | None:
        """A file of the container's filesystem, running or stopped; None when there is none."""
        try:
            stream, _stat = self.emulator.engine.client.containers.get(container_id).get_archive(path)
            with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as archive:
                member = archive.next()
                handle = archive.extractfile(member) if member is not None else None
                return handle.read() if handle is not None else None
        except Exception:  # not there (yet), or the container is gone
            return None

    # -- the leader's watch ------------------------------------------------------------
    def monitor(self) -> None:
        """Pending and rebooting instances whose container is up and booted are running; an
        instance whose container stopped or vanished behind the emulator's back is stopped."""
        for body in self.emulator.store.list(self.kind):
            try:
                self._check(body)
            except ComputeError:
                continue

    def _check(self, body: dict[str, Any], *, booted: bool | None = None) -> None:
        """``booted``: the caller has just seen the boot marker (so it is not read again)."""
        state, run = state_of(body), body[RUN]
        container_id = run.get("containerId")
        if state not in ("pending", "running", "rebooting") or not container_id:
            return
        if run.get("busy") and alive(run["busy"]):
            return
        arn = body["arn"]
        container = self.emulator.containers.state(container_id)
        if container is None:
            self._update(arn, lambda b: set_state(_without_container(b), "stopped", VANISHED))
        elif container.status == "paused":  # for the moment a snapshot's commit takes
            return
        elif not container.running:
            if state == "running" or not run.get("busy"):
                self._settle(arn, "stopped", f"The instance's container exited (code {container.exit_code}) "
                                             "outside the emulator.")
        elif state != "running" and (booted if booted is not None else self.booted(container_id, body)):
            address = container.address or None  # its address on the engine's bridge: the private IP

            def up(b: dict[str, Any]) -> dict[str, Any] | None:
                if state_of(b) != state:
                    return None
                if address:
                    b["privateIpAddress"] = address
                return set_state(b, "running")
            self._update(arn, up)

    # -- at start ----------------------------------------------------------------
    def reconcile(self, containers: list[ManagedContainer]) -> None:
        """Adopt the instances whose containers are there, running or not; say of those whose
        container vanished so; launch those a process left before their container was made;
        remove containers of no instance."""
        records = self.emulator.store.list(self.kind)
        found = self.emulator.containers.reconcile([b["arn"] for b in records], containers)
        for body in records:
            arn, run = body["arn"], body[RUN]
            if alive(run.get("busy")):
                continue  # a process at work on it (this one, just started, or another) sees it through
            mine = found.adopted.get(arn, [])
            if not mine:
                if run.get("containerId"):
                    self._update(arn, lambda b: set_state(_without_container(b), "stopped", VANISHED))
                elif state_of(body) == "pending":  # its launcher ended before the container was made
                    self._update(arn, _not_busy)
                    self.launch(arn)
                continue
            container = next((c for c in mine if c.id == run.get("containerId")), mine[0])
            for extra in mine:
                if extra.id != container.id:
                    self.emulator.containers.remove(extra.id)

            def adopted(b: dict[str, Any], cid: str = container.id, up: bool = container.running) -> dict[str, Any]:
                b[RUN]["containerId"] = cid
                b[RUN].pop("busy", None)
                if not up:
                    return set_state(b, "stopped", b.get("statusReason"))
                if state_of(b) in ("stopped", "stopping"):
                    return set_state(b, "pending")  # started behind the emulator's back: it boots
                return b
            self._update(arn, adopted)
            if container.running and state_of(body) == "stopping":
                self.stop(arn, container.id)

    def close(self) -> None:
        self._pool.close()


def _not_busy(body: dict[str, Any]) -> dict[str, Any]:
    body[RUN].pop("busy", None)
    return body


def _without_container(body: dict[str, Any]) -> dict[str, Any]:
    body[RUN].pop("containerId", None)
    body[RUN].pop("busy", None)
    return body
