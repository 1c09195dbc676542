"""The user's Docker engine, as the emulator uses it.

Every container the emulator creates carries these labels:

* ``computetui.managed=1``
* ``computetui.kind`` — ``task``, ``job``, ``instance`` or ``lambda``
* ``computetui.arn`` — the ARN of the resource the container belongs to
* ``computetui.owner`` — the state dir's id, so two state dirs on one engine
  never adopt each other's containers

The docker SDK is imported only when the engine is first used, and none of its
exceptions leave this module: they become ``Unavailable``, ``NotFound`` or
``ComputeError``. ``status()`` says whether the engine can be reached and, if
not, why: the socket is missing, permission is denied, or nothing answers.
"""

from __future__ import annotations

import ipaddress
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from computetui.backends.errors import ComputeError, Conflict, NotFound, Unavailable
from computetui.models.common import EngineState, EngineStatus

LABEL_MANAGED = "computetui.managed"
LABEL_KIND = "computetui.kind"
LABEL_ARN = "computetui.arn"
LABEL_OWNER = "computetui.owner"
KINDS = ("task", "job", "instance", "lambda", "container-service")

DEFAULT_HOST = "unix:///var/run/docker.sock"
REMOVAL_POLL_S = 0.01
MAX_POOL_SIZE = 64
"""Connections to the engine kept for reuse. Each live Lambda environment holds one in its exit
watch; with the SDK's 10, every call beyond them opened and dropped a connection (and logged it)."""


@dataclass(frozen=True)
class ManagedContainer:
    """A container the emulator made, as the engine reports it now."""

    id: str
    name: str
    kind: str
    arn: str
    status: str
    """Docker's word: ``created``, ``running``, ``paused``, ``restarting``, ``exited``, ``dead``."""
    image: str = ""
    exit_code: int | None = None
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def running(self) -> bool:
        return self.status == "running"


@dataclass(frozen=True)
class ImageInfo:
    """A local image as the engine reports it."""

    id: str
    """The engine's image id, ``sha256:<64 hex>`` (the digest of the image's config)."""
    size: int
    """Bytes on disk, uncompressed, as ``docker image inspect`` reports ``Size``."""
    labels: dict[str, str] = field(default_factory=dict)
    """The image's own labels (its Config's)."""


@dataclass(frozen=True)
class LocalImage:
    """A named image on the engine: ``docker images``' row."""

    id: str
    tags: tuple[str, ...]
    """``repository:tag`` names, sorted."""
    size: int
    created: int
    """Seconds since the epoch."""


def _cause_chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack.extend([current.__cause__, current.__context__])
        stack.extend(arg for arg in getattr(current, "args", ()) if isinstance(arg, BaseException))


def diagnose(exc: BaseException, host: str) -> EngineStatus:
    """Why the engine at ``host`` could not be reached, from the exception the SDK raised."""
    where = _socket_path(host) or host
    for cause in _cause_chain(exc):
        if isinstance(cause, FileNotFoundError):
            return EngineStatus(
                state=EngineState.SOCKET_MISSING,
                host=host,
                reason=f"no Docker socket at {where}: is Docker installed and running?",
            )
        if isinstance(cause, PermissionError):
            return EngineStatus(
                state=EngineState.PERMISSION_DENIED,
                host=host,
                reason=(
                    f"permission denied on {where}: add your user to the docker group "
                    "(sudo usermod -aG docker $USER, then log in again)"
                ),
            )
        if isinstance(cause, ConnectionRefusedError):
            return EngineStatus(
                state=EngineState.STOPPED,
                host=host,
                reason=f"nothing answers at {where}: the Docker engine is stopped (start it, e.g. sudo systemctl start docker)",
            )
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "Connection refused" in text:
        return EngineStatus(
            state=EngineState.STOPPED, host=host, reason=f"nothing answers at {where}: the Docker engine is stopped"
        )
    return EngineStatus(
        state=EngineState.ERROR, host=host, reason=f"cannot talk to the Docker engine at {where}: {text}"
    )


def _is_read_timeout(exc: BaseException) -> bool:
    """The SDK reports a read timeout as a ConnectionError wrapping urllib3's ReadTimeoutError."""
    return any(type(cause).__name__ == "ReadTimeoutError" for cause in _cause_chain(exc))


def _no_read_timeout(response: Any) -> None:
    """Let a streamed answer's body take as long as it takes (its headers came in time)."""
    sock = getattr(getattr(response.raw, "connection", None), "sock", None)
    if sock is None:
        raise ComputeError("the engine's connection cannot wait without a timeout", code="EngineError")
    sock.settimeout(None)


def _socket_path(host: str) -> str | None:
    if host.startswith("unix://"):
        return urlparse(host).path or host[len("unix://") :]
    return None


class Engine:
    """A connection to the Docker engine, opened on first use."""

    def __init__(self, docker_host: str | None = None, *, owner: str = "", timeout: float = 60) -> None:
        self.host = docker_host or os.environ.get("DOCKER_HOST") or DEFAULT_HOST
        self.owner = owner
        self.timeout = timeout
        self._client: Any = None
        self._status: EngineStatus | None = None
        self._gateway: str | None = None
        self._lock = threading.Lock()

    # -- status ----------------------------------------------------------
    def status(self, refresh: bool = False) -> EngineStatus:
        """Whether the engine can be used, and why not. Probes once, then remembers."""
        with self._lock:
            if self._status is None or refresh:
                self._status = self._probe()
            return self._status

    def _probe(self) -> EngineStatus:
        path = _socket_path(self.host)
        if path is not None:
            if not os.path.exists(path):
                self._drop_client()
                return EngineStatus(
                    state=EngineState.SOCKET_MISSING,
                    host=self.host,
                    reason=f"no Docker socket at {path}: is Docker installed and running?",
                )
            if not os.access(path, os.R_OK | os.W_OK):
                self._drop_client()
                return EngineStatus(
                    state=EngineState.PERMISSION_DENIED,
                    host=self.host,
                    reason=(
                        f"permission denied on {path}: add your user to the docker group "
                        "(sudo usermod -aG docker $USER, then log in again)"
                    ),
                )
        try:
            client = self._client or self._connect()
            version = client.version().get("Version")
        except Exception as exc:  # the SDK raises many types; all mean "unreachable"
            self._drop_client()
            return diagnose(exc, self.host)
        self._client = client
        return EngineStatus(state=EngineState.READY, host=self.host, version=version)

    def _connect(self) -> Any:
        import docker  # deferred: the SDK costs start-up time and is not needed without an engine

        return docker.DockerClient(base_url=self.host, timeout=int(self.timeout), max_pool_size=MAX_POOL_SIZE)

    def _drop_client(self) -> None:
        if self._client is not None:
            try:
                self._client.close()
            except Exception:
                pass
        self._client = None

    @property
    def client(self) -> Any:
        """The docker SDK client; raises ``Unavailable`` with the reason when there is none."""
        status = self.status()
        if not status.reachable or self._client is None:
            status = self.status(refresh=True)
        if not status.reachable or self._client is None:
            why = status.reason or "no connection to it was made"
            raise Unavailable(f"Docker engine unavailable: {why}", reason=status.reason)
        return self._client

    # -- labels ----------------------------------------------------------
    def labels(self, kind: str, arn: str, extra: dict[str, str] | None = None) -> dict[str, str]:
        if kind not in KINDS:
            raise ValueError(f"unknown container kind {kind!r}")
        labels = {LABEL_MANAGED: "1", LABEL_KIND: kind, LABEL_ARN: arn, LABEL_OWNER: self.owner}
        labels.update(extra or {})
        return labels

    # -- errors ----------------------------------------------------------
    @contextmanager
    def _translating(self, what: str) -> Iterator[None]:
        import docker.errors
        import requests.exceptions

        try:
            yield
        except docker.errors.ImageNotFound as exc:
            raise NotFound(f"{what}: image not found: {exc.explanation or exc}", code="ImageNotFound") from exc
        except docker.errors.NotFound as exc:
            raise NotFound(f"{what}: {exc.explanation or exc}", code="ContainerNotFound") from exc
        except requests.exceptions.Timeout as exc:
            # The engine answered too slowly for this call (a wait with a timeout);
            # it is not gone, so its status and client stay as they are.
            raise ComputeError(f"{what}: timed out", code="Timeout") from exc
        except requests.exceptions.ConnectionError as exc:
            if _is_read_timeout(exc):
                raise ComputeError(f"{what}: timed out", code="Timeout") from exc
            self._engine_lost(exc)
            raise Unavailable(
                f"{what}: Docker engine unavailable: {self._status.reason}", reason=self._status.reason
            ) from exc
        except docker.errors.APIError as exc:
            if exc.status_code == 409:
                raise Conflict(f"{what}: {exc.explanation or exc}", code="Conflict") from exc
            raise ComputeError(f"{what}: {exc.explanation or exc}", code="EngineError") from exc
        except docker.errors.DockerException as exc:
            self._engine_lost(exc)
            raise Unavailable(
                f"{what}: Docker engine unavailable: {self._status.reason}", reason=self._status.reason
            ) from exc

    def _engine_lost(self, exc: BaseException) -> None:
        """The engine stopped answering: remember why, and reconnect on next use."""
        with self._lock:
            self._status = diagnose(exc, self.host)
            self._drop_client()

    # -- containers ------------------------------------------------------
    def run(
        self,
        image: str,
        *,
        kind: str,
        arn: str,
        name: str | None = None,
        command: list[str] | str | None = None,
        extra_labels: dict[str, str] | None = None,
        before_start: Callable[[str], None] | None = None,
        start: bool = True,
        **options: Any,
    ) -> ManagedContainer:
        """Create and start a labelled container (only create it, with ``start=False``);
        ``options`` go to the SDK's ``containers.create``.

        A missing image is pulled first; one that cannot be pulled raises
        ``NotFound`` (code ``ImageNotFound``) with the registry's reason.
        ``before_start`` is called with the new container's id before it starts
        (to ``watch_exit`` it); if it raises, the container is removed.
        """
        client = self.client
        self.ensure_image(image)
        with self._translating(f"run {image}"):
            container = client.containers.create(
                image,
                command=command,
                name=name,
                labels=self.labels(kind, arn, extra_labels),
                **options,
            )
            try:
                if before_start is not None:
                    before_start(container.id)
                if start:
                    container.start()
            except Exception:
                container.remove(force=True)
                raise
            container.reload()
            return self._managed(container)

    def ensure_image(self, reference: str) -> None:
        """Pull ``reference`` unless the engine has it already."""
        if self.image_exists(reference):
            return
        client = self.client
        import docker.errors

        try:
            with self._translating(f"pull {reference}"):
                client.images.pull(reference)
        except ComputeError as exc:
            if isinstance(exc, Unavailable):
                raise
            raise NotFound(
                f"image {reference} is not on the engine and cannot be pulled: {exc.message}",
                code="ImageNotFound",
            ) from None
        except docker.errors.DockerException as exc:  # pragma: no cover - translated above
            raise NotFound(f"cannot pull {reference}: {exc}", code="ImageNotFound") from None

    def containers(self, kind: str | None = None, arn: str | None = None) -> list[ManagedContainer]:
        """This state dir's containers, running or not."""
        filters = [f"{LABEL_MANAGED}=1", f"{LABEL_OWNER}={self.owner}"]
        if kind:
            filters.append(f"{LABEL_KIND}={kind}")
        if arn:
            filters.append(f"{LABEL_ARN}={arn}")
        client = self.client
        import docker.errors

        with self._translating("list containers"):
            # List ids, then inspect each: a container removed in between is simply gone
            # (a plain list(all=True) inspects too, and raises for it).
            ids = [c.id for c in client.containers.list(all=True, sparse=True, filters={"label": filters})]
            found = []
            for container_id in ids:
                try:
                    found.append(self._managed(client.containers.get(container_id)))
                except docker.errors.NotFound:
                    continue
            return found

    def container(self, container_id: str) -> ManagedContainer | None:
        client = self.client
        import docker.errors

        with self._translating(f"inspect {container_id[:12]}"):
            try:
                return self._managed(client.containers.get(container_id))
            except docker.errors.NotFound:
                return None

    def stop(self, container_id: str, timeout: int = 10) -> None:
        client = self.client
        with self._translating(f"stop {container_id[:12]}"):
            client.containers.get(container_id).stop(timeout=timeout)

    def kill(self, container_id: str, signal: str = "SIGKILL") -> None:
        client = self.client
        with self._translating(f"kill {container_id[:12]}"):
            client.containers.get(container_id).kill(signal=signal)

    def remove(self, container_id: str, force: bool = True) -> None:
        """Remove a container; one that is already gone is not an error."""
        client = self.client
        import docker.errors

        with self._translating(f"remove {container_id[:12]}"):
            try:
                client.containers.get(container_id).remove(force=force)
            except docker.errors.NotFound:
                pass

    def wait(self, container_id: str, timeout: float | None = None) -> int:
        """Block until the container exits; its exit code."""
        client = self.client
        with self._translating(f"wait {container_id[:12]}"):
            result = client.containers.get(container_id).wait(timeout=timeout)
            return int(result.get("StatusCode", -1))

    def watch_exit(self, container_id: str) -> Callable[[], int]:
        """Have the engine watch for the container's next exit, from now on. Returns a call
        that blocks until the exit and gives its code.

        ``wait`` asks only once it is called, and an auto-removed container that
        exited and went before that is simply not found: its exit code is lost.
        The engine answers this request's headers once its waiter is registered,
        so when this returns, no exit can be missed; ``docker run --rm`` waits the
        same way, before starting the container.

        The headers must come within the engine's timeout, like any call's answer;
        the exit may come as late as the container lives, so the wait for it has no
        timeout: it ends at the latest when the container is removed.
        """
        client = self.client
        api = client.api
        what = f"wait {container_id[:12]}"
        with self._translating(what):
            # The SDK's own wait reads the whole answer; a streamed request returns at the headers.
            response = api.post(
                api._url("/containers/{0}/wait", container_id),
                params={"condition": "next-exit"},
                stream=True,
                timeout=(self.timeout, self.timeout),
            )
            try:
                api._raise_for_status(response)
                _no_read_timeout(response)
            except Exception:
                response.close()
                raise

        def exit_code() -> int:
            try:
                with self._translating(what):
                    answer = response.json()
            except ComputeError:
                raise
            except Exception as exc:  # the connection broke mid-answer, or the answer is not JSON
                raise ComputeError(f"{what}: {exc}", code="EngineError") from exc
            finally:
                response.close()
            return int(answer.get("StatusCode", -1))

        return exit_code

    def wait_removed(self, container_id: str, timeout: float) -> bool:
        """Block, at most ``timeout`` seconds, until the engine no longer has the container.

        True once it is gone from the engine's container list too: the engine
        forgets a container for inspect (and for this wait) a moment before its
        list stops showing it. False when time ran out, or when the engine ended a
        removal without deleting it (the container is then ``dead``, and another
        forced remove may take it).
        """
        deadline = time.monotonic() + timeout
        client = self.client
        import docker.errors

        try:
            with self._translating(f"wait for removal of {container_id[:12]}"):
                try:
                    client.api.wait(container_id, timeout=timeout, condition="removed")
                except docker.errors.NotFound:
                    pass
                else:
                    try:
                        client.api.inspect_container(container_id)
                        return False  # the wait ended and the container is still there
                    except docker.errors.NotFound:
                        pass
                while client.api.containers(all=True, quiet=True, filters={"id": container_id}):
                    if time.monotonic() >= deadline:
                        return False
                    time.sleep(REMOVAL_POLL_S)
        except ComputeError as exc:
            if exc.code == "Timeout":
                return False
            raise
        return True

    def logs(self, container_id: str) -> bytes:
        client = self.client
        with self._translating(f"logs {container_id[:12]}"):
            return client.containers.get(container_id).logs(stdout=True, stderr=True)

    def inspect(self, container_id: str) -> dict[str, Any] | None:
        """The container's inspect data, or None when it is gone."""
        client = self.client
        import docker.errors

        with self._translating(f"inspect {container_id[:12]}"):
            try:
                return client.api.inspect_container(container_id)
            except docker.errors.NotFound:
                return None

    def health(self, container_id: str) -> str | None:
        """Docker's health status (``starting``, ``healthy``, ``unhealthy``), None without a check."""
        info = self.inspect(container_id) or {}
        return ((info.get("State") or {}).get("Health") or {}).get("Status")

    def update(self, container_id: str, **limits: Any) -> None:
        """Change a running container's limits (``nano_cpus``, ``mem_limit`` ...)."""
        client = self.client
        with self._translating(f"update {container_id[:12]}"):
            client.api.update_container(container_id, **limits)

    def image_config(self, reference: str) -> dict[str, Any]:
        """The image's Config (Entrypoint, Cmd, Env ...), pulling it first if needed."""
        self.ensure_image(reference)
        client = self.client
        with self._translating(f"inspect image {reference}"):
            return client.api.inspect_image(reference).get("Config") or {}

    def bridge_gateway(self) -> str:
        """The host's address on the default bridge, where containers reach host servers.
        ``Unavailable`` when the engine has no bridge network (``--bridge=none``)."""
        if self._gateway is None:
            client = self.client
            try:
                with self._translating("inspect the bridge network"):
                    config = (client.api.inspect_network("bridge").get("IPAM") or {}).get("Config") or [{}]
            except NotFound:
                reason = "the Docker engine has no bridge network"
                raise Unavailable(f"inspect the bridge network: {reason}", reason=reason) from None
            gateway = config[0].get("Gateway")
            if not gateway and config[0].get("Subnet"):
                gateway = str(next(ipaddress.ip_network(config[0]["Subnet"], strict=False).hosts()))
            self._gateway = gateway or "172.17.0.1"
        return self._gateway

    def image_info(self, reference: str) -> ImageInfo | None:
        """The id and size of a local image (a name, name:tag or id); None when the engine has none.

        Never pulls. A malformed reference counts as no image.
        """
        client = self.client
        import docker.errors

        with self._translating(f"inspect image {reference}"):
            try:
                data = client.api.inspect_image(reference)
            except docker.errors.NotFound:
                return None
            except docker.errors.APIError as exc:
                if exc.status_code == 400:  # "invalid reference format"
                    return None
                raise
        labels = (data.get("Config") or {}).get("Labels") or {}
        return ImageInfo(id=data["Id"], size=int(data.get("Size") or 0), labels=dict(labels))

    def import_image(self, rootfs: bytes, reference: str, changes: list[str]) -> ImageInfo:
        """``docker import``: an image named ``reference`` from a root filesystem tarball, with
        Dockerfile ``changes`` (``CMD``, ``ENV``, ``LABEL``) applied. No registry is involved."""
        repository, tag = reference.rsplit(":", 1) if ":" in reference.rsplit("/", 1)[-1] else (reference, "latest")
        client = self.client
        with self._translating(f"import {reference}"):
            client.api.import_image_from_data(rootfs, repository=repository, tag=tag, changes=changes)
        info = self.image_info(reference)
        if info is None:
            raise ComputeError(f"import {reference}: the engine made no such image", code="EngineError")
        return info

    def commit(self, container_id: str, reference: str, labels: dict[str, str] | None = None) -> ImageInfo:
        """``docker commit``: an image named ``reference`` of the container's filesystem as it is now
        (a running container is paused for the moment it takes), keeping its config, with ``labels``
        added."""
        repository, tag = reference.rsplit(":", 1) if ":" in reference.rsplit("/", 1)[-1] else (reference, "latest")
        changes = [f"LABEL {key}={json.dumps(value)}" for key, value in (labels or {}).items()]
        client = self.client
        with self._translating(f"commit {container_id[:12]} as {reference}"):
            client.api.commit(container_id, repository=repository, tag=tag, changes=changes)
        info = self.image_info(reference)
        if info is None:
            raise ComputeError(f"commit {reference}: the engine made no such image", code="EngineError")
        return info

    def list_images(self) -> list[LocalImage]:
        """Every named image on the engine, newest first (what ``docker images`` lists)."""
        client = self.client
        with self._translating("list images"):
            found = client.api.images()
        images = []
        for data in found:
            names = [t for t in (data.get("RepoTags") or []) if t and t != "<none>:<none>"]
            if names:
                images.append(LocalImage(id=data["Id"], tags=tuple(sorted(names)), size=int(data.get("Size") or 0),
                                         created=int(data.get("Created") or 0)))
        return sorted(images, key=lambda i: (-i.created, i.tags))

    def tag_image(self, image: str, repository: str, tag: str) -> None:
        """Name ``image`` (a reference or id) ``repository:tag``; a tag held by another image moves."""
        client = self.client
        with self._translating(f"tag {image} as {repository}:{tag}"):
            if not client.api.tag(image, repository, tag, force=True):
                raise ComputeError(f"tag {image} as {repository}:{tag}: the engine refused", code="EngineError")

    def untag_image(self, reference: str) -> bool:
        """Remove one name (``repository:tag``) of a local image. False when the engine had no such name.

        Only that name goes: an image with other names keeps them and stays. An
        image left with no name at all is deleted by the engine, unless a running
        container uses it (it then stays, nameless) or it has child images.
        """
        client = self.client
        import docker.errors

        with self._translating(f"untag {reference}"):
            try:
                client.api.remove_image(reference)
                return True
            except docker.errors.NotFound:
                return False
            except docker.errors.APIError as exc:
                if exc.status_code != 409:
                    raise
            # 409: the name is the last one of an image a container uses (the engine wants
            # force to leave it nameless), or the name went but the nameless image could
            # not be deleted. Either way the name must go; force removes only the name here.
            if not self._has_reference(client, reference):
                return True
            try:
                client.api.remove_image(reference, force=True)
            except docker.errors.NotFound:
                pass
            except docker.errors.APIError as exc:
                if exc.status_code != 409 or self._has_reference(client, reference):
                    raise
            return True

    @staticmethod
    def _has_reference(client: Any, reference: str) -> bool:
        import docker.errors

        try:
            client.api.inspect_image(reference)
            return True
        except docker.errors.NotFound:
            return False

    def image_exists(self, reference: str) -> bool:
        client = self.client
        import docker.errors

        with self._translating(f"inspect image {reference}"):
            try:
                client.images.get(reference)
                return True
            except docker.errors.ImageNotFound:
                return False

    def close(self) -> None:
        with self._lock:
            self._drop_client()

    @staticmethod
    def _managed(container: Any) -> ManagedContainer:
        attrs = container.attrs or {}
        state = attrs.get("State") or {}
        labels = dict(container.labels or {})
        exit_code = state.get("ExitCode") if state.get("Status") in ("exited", "dead") else None
        image = (attrs.get("Config") or {}).get("Image", "")
        return ManagedContainer(
            id=container.id,
            name=container.name,
            kind=labels.get(LABEL_KIND, ""),
            arn=labels.get(LABEL_ARN, ""),
            status=state.get("Status") or container.status,
            image=image,
            exit_code=exit_code,
            labels=labels,
        )
