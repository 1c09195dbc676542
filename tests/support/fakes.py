"""Stand-ins that make UI tests deterministic."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

from computetui.backends.docker.engine import Engine, ImageInfo, LocalImage, ManagedContainer
from computetui.backends.errors import NotFound
from computetui.models.common import EngineState, EngineStatus

READY = EngineStatus(state=EngineState.READY, host="unix:///var/run/docker.sock", version="27.5.1")


class StaticEngine(Engine):
    """An engine whose status never changes and which runs nothing (snapshot tests)."""

    def __init__(self, status: EngineStatus = READY) -> None:
        super().__init__(status.host, owner="test")
        self._fixed = status

    def status(self, refresh: bool = False) -> EngineStatus:
        return self._fixed

    def containers(self, kind=None, arn=None):  # noqa: ANN001, ANN201
        return []


class FakeEngine(StaticEngine):
    """An engine in memory: containers "run" the moment they are made, images are a dict.

    Ids, host ports and image ids come from counters, so screens that show them
    are the same on every run. An image whose name contains ``missing`` cannot
    be pulled.
    """

    def __init__(self, images: dict[str, int] | None = None) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._containers: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self._ports = itertools.count(32768)
        self._images: dict[str, ImageInfo] = {}
        for n, (name, size) in enumerate((images or {}).items(), start=1):
            self._images[_full(name)] = ImageInfo(id=f"sha256:{n:064x}", size=size)

    # -- containers ----------------------------------------------------------
    def run(self, image: str, *, kind: str, arn: str, name: str | None = None,
            command: Any = None, extra_labels: dict[str, str] | None = None, **options: Any) -> ManagedContainer:
        self.ensure_image(image)
        with self._lock:
            number = next(self._ids)
            cid = f"{number:012x}" + "0" * 52
            ports = {key: [{"HostIp": "127.0.0.1", "HostPort": str(next(self._ports))}]
                     for key in (options.get("ports") or {})}
            self._containers[cid] = {
                "id": cid, "name": name or f"c{number}", "kind": kind, "arn": arn, "image": image,
                "status": "running", "exit_code": None, "labels": self.labels(kind, arn, extra_labels),
                "ports": ports, "ip": f"172.17.0.{number + 1}",
            }
        before_start = options.get("before_start")
        if before_start is not None:
            before_start(cid)
        return self._managed(cid)

    def _managed(self, cid: str) -> ManagedContainer:  # type: ignore[override]
        c = self._containers[cid]
        return ManagedContainer(id=cid, name=c["name"], kind=c["kind"], arn=c["arn"], status=c["status"],
                                image=c["image"], exit_code=c["exit_code"], labels=dict(c["labels"]))

    def containers(self, kind=None, arn=None):  # noqa: ANN001, ANN201
        with self._lock:
            return [self._managed(cid) for cid, c in self._containers.items()
                    if (kind is None or c["kind"] == kind) and (arn is None or c["arn"] == arn)]

    def container(self, container_id: str) -> ManagedContainer | None:
        with self._lock:
            return self._managed(container_id) if container_id in self._containers else None

    def exit(self, container_id: str, code: int) -> None:
        """Make a container exit, as if its process ended (tests)."""
        with self._lock:
            self._containers[container_id].update(status="exited", exit_code=code)

    def stop(self, container_id: str, timeout: int = 10) -> None:
        with self._lock:
            c = self._containers.get(container_id)
            if c is not None and c["status"] == "running":
                c.update(status="exited", exit_code=0)

    def kill(self, container_id: str, signal: str = "SIGKILL") -> None:
        with self._lock:
            c = self._containers.get(container_id)
            if c is not None and c["status"] == "running":
                c.update(status="exited", exit_code=137)

    def remove(self, container_id: str, force: bool = True) -> None:
        with self._lock:
            self._containers.pop(container_id, None)

    def wait(self, container_id: str, timeout: float | None = None) -> int:
        with self._lock:
            c = self._containers.get(container_id)
            return int(c["exit_code"] or 0) if c else -1

    def watch_exit(self, container_id: str) -> Callable[[], int]:
        return lambda: self.wait(container_id)

    def wait_removed(self, container_id: str, timeout: float) -> bool:
        with self._lock:
            return container_id not in self._containers

    def logs(self, container_id: str) -> bytes:
        return b""

    def inspect(self, container_id: str) -> dict[str, Any] | None:
        with self._lock:
            c = self._containers.get(container_id)
            if c is None:
                return None
            return {
                "Id": c["id"], "Name": "/" + c["name"],
                "State": {"Status": c["status"], "ExitCode": c["exit_code"] or 0,
                          "StartedAt": "2026-01-15T09:30:00Z", "FinishedAt": "0001-01-01T00:00:00Z"},
                "NetworkSettings": {"IPAddress": c["ip"], "Ports": c["ports"]},
            }

    def health(self, container_id: str) -> str | None:
        return None

    # -- images ----------------------------------------------------------------
    def ensure_image(self, reference: str) -> None:
        if "missing" in reference:
            raise NotFound(f"image {reference} is not on the engine and cannot be pulled: "
                           "pull access denied, repository does not exist", code="ImageNotFound")

    def image_exists(self, reference: str) -> bool:
        return _full(reference) in self._images or "missing" not in reference

    def image_info(self, reference: str) -> ImageInfo | None:
        if reference.startswith("sha256:"):
            return next((i for i in self._images.values() if i.id == reference), None)
        return self._images.get(_full(reference))

    def list_images(self) -> list[LocalImage]:
        by_id: dict[str, list[str]] = {}
        for name, info in self._images.items():
            by_id.setdefault(info.id, []).append(name)
        sizes = {i.id: i.size for i in self._images.values()}
        return [LocalImage(id=i, tags=tuple(sorted(names)), size=sizes[i], created=1768469400 - n)
                for n, (i, names) in enumerate(sorted(by_id.items()))]

    def tag_image(self, image: str, repository: str, tag: str) -> None:
        info = self.image_info(image)
        if info is None:
            raise NotFound(f"No such image: {image}", code="ImageNotFound")
        self._images[f"{repository}:{tag}"] = info

    def untag_image(self, reference: str) -> bool:
        return self._images.pop(_full(reference), None) is not None


def _full(reference: str) -> str:
    last = reference.rsplit("/", 1)[-1]
    return reference if ":" in last or "@" in reference else f"{reference}:latest"
