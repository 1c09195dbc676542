"""The image the sample workload runs: one the engine has or the emulator makes, so it runs offline.

The sample's web task serves a page with busybox's httpd, its worker loops on echo and sleep,
and its Batch job echoes and sleeps: between them they call sh, mkdir, echo, hostname, httpd
and sleep. When the sample is seeded, its task definitions and job definition name, in this
order of preference:

1. the image the ``sample_image`` setting names, as it is;
2. ``busybox:stable`` when the engine has it (what the sample names where a registry answers);
3. ``computetui/sample:latest``, the emulator's own, when the engine has it;
4. another tag of busybox the engine has (every official busybox image has those applets);
5. ``computetui/sample:latest`` made now: ``docker import`` of a root filesystem holding the
   host's static busybox (Debian's busybox-static) and a link per applet; no registry is asked;
6. ``busybox:stable`` for a task to pull when it starts, which needs a registry; the line then
   says what to install or set to run offline.

The choice comes with one line saying which image and why, for the notification after
seeding. The shared runner is given :meth:`SampleImages.make` as the maker of
``computetui/sample:latest``, so a task that needs it after the engine lost it has it made
again rather than pulled. Every engine call is bounded by the engine's timeout, and the one
host command (``busybox --list``) by its own.
"""

from __future__ import annotations

import hashlib
import io
import struct
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from computetui.backends.errors import ComputeError, NotFound

if TYPE_CHECKING:
    from computetui.backends.docker.engine import Engine

PUBLIC_IMAGE = "busybox:stable"
"""What the sample names where nothing better is to be had (Docker Hub's busybox)."""
LOCAL_IMAGE = "computetui/sample:latest"
"""The image the emulator makes itself from the host's static busybox."""
NEEDS = ("sh", "mkdir", "echo", "hostname", "httpd", "sleep")
"""What the sample's commands call."""
BUSYBOX_PATHS = ("/bin/busybox", "/usr/bin/busybox", "/sbin/busybox", "/usr/sbin/busybox")
BUSYBOX_REPOSITORIES = ("busybox", "library/busybox", "docker.io/library/busybox")
RECIPE = "computetui-sample-1"
"""Changes when the root filesystem below does: an image made from another recipe is made again."""
RECIPE_LABEL = "computetui.sample.recipe"
LIST_TIMEOUT_S = 5.0
ELF_HEAD_BYTES = 65536
PT_INTERP = 3
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
TO_RUN_OFFLINE = (
    "To run it offline, install busybox-static (the emulator then makes " + LOCAL_IMAGE + "), or load "
    'an image that has sh, sleep and httpd and set sample_image = "IMAGE" in the config file; then '
    "load the sample workload again (D)."
)


@dataclass(frozen=True)
class SampleImage:
    """The image the sample's containers run, and why that one."""

    reference: str
    line: str
    """Which image and why, in one line for the user."""
    offline: bool
    """The engine has it or the emulator makes it: no registry is needed to run the sample."""


@dataclass(frozen=True)
class HostBusybox:
    """A static busybox on this machine, and its applets."""

    path: Path
    applets: tuple[str, ...]


def is_static_elf(head: bytes) -> bool:
    """Whether an ELF file's start (its program headers included) names no interpreter: a
    statically linked binary runs in an empty root filesystem."""
    if head[:4] != b"\x7fELF" or len(head) < 64:
        return False
    order = "<" if head[5] == 1 else ">"
    if head[4] == 2:  # 64-bit
        (phoff,) = struct.unpack_from(order + "Q", head, 32)
        phentsize, phnum = struct.unpack_from(order + "HH", head, 54)
    else:
        (phoff,) = struct.unpack_from(order + "I", head, 28)
        phentsize, phnum = struct.unpack_from(order + "HH", head, 42)
    if phoff + phentsize * phnum > len(head):
        return False  # headers not where they can be read: do not guess
    return all(struct.unpack_from(order + "I", head, phoff + i * phentsize)[0] != PT_INTERP for i in range(phnum))


def host_busybox(paths: tuple[str, ...] = BUSYBOX_PATHS) -> tuple[HostBusybox | None, str]:
    """The first static busybox among ``paths`` that has every applet the sample needs; else
    None and why not, in words for the user."""
    problems = []
    for candidate in paths:
        path = Path(candidate)
        if not path.is_file():
            continue
        try:
            with path.open("rb") as handle:
                head = handle.read(ELF_HEAD_BYTES)
        except OSError as exc:
            problems.append(f"{path} cannot be read ({exc.strerror})")
            continue
        if not is_static_elf(head):
            problems.append(f"{path} is not a static binary")
            continue
        try:
            listed = subprocess.run([str(path), "--list"], capture_output=True, text=True, timeout=LIST_TIMEOUT_S,
                                    stdin=subprocess.DEVNULL, check=False)
        except (OSError, subprocess.TimeoutExpired):
            problems.append(f"{path} --list did not answer")
            continue
        applets = tuple(sorted({name for name in listed.stdout.split() if name and "/" not in name}))
        missing = [need for need in NEEDS if need not in applets]
        if listed.returncode != 0 or missing:
            problems.append(f"{path} has no {', '.join(missing) or 'applet list'}")
            continue
        return HostBusybox(path, applets), ""
    return None, "; ".join(problems) or "no static busybox on this machine"


def recipe_of(busybox: HostBusybox) -> str:
    """What an image made from ``busybox`` is made from, as a short hash (its label)."""
    digest = hashlib.sha256(RECIPE.encode())
    digest.update(busybox.path.read_bytes())
    return digest.hexdigest()[:16]


def rootfs(busybox: HostBusybox) -> bytes:
    """A root filesystem tarball: busybox with a link per applet in /bin, /etc's two files, /tmp."""
    import tarfile  # only when an image is made

    buffer = io.BytesIO()

    def add(name: str, kind: bytes, mode: int, data: bytes = b"", link: str = "") -> None:
        info = tarfile.TarInfo(name)
        info.type, info.mode, info.linkname, info.size = kind, mode, link, len(data)
        tar.addfile(info, io.BytesIO(data) if data else None)

    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for folder in ("bin", "etc", "root", "tmp", "var"):
            add(folder, tarfile.DIRTYPE, 0o1777 if folder == "tmp" else 0o755)
        add("bin/busybox", tarfile.REGTYPE, 0o755, busybox.path.read_bytes())
        for applet in busybox.applets:
            if applet != "busybox":
                add(f"bin/{applet}", tarfile.SYMTYPE, 0o777, link="busybox")
        add("etc/passwd", tarfile.REGTYPE, 0o644,
            b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
        add("etc/group", tarfile.REGTYPE, 0o644, b"root:x:0:\nnogroup:x:65534:\n")
    return buffer.getvalue()


def same_image(a: str, b: str) -> bool:
    """Whether two references name the same image (``name`` is ``name:latest``)."""
    return _tagged(a) == _tagged(b)


def _tagged(reference: str) -> str:
    return reference if ":" in reference.rsplit("/", 1)[-1] or "@" in reference else f"{reference}:latest"


class SampleImages:
    """Picks the sample's image on an engine, and makes ``computetui/sample:latest`` when asked."""

    def __init__(self, engine: Engine, configured: str | None = None,
                 find_busybox: Callable[[], tuple[HostBusybox | None, str]] = host_busybox) -> None:
        self.engine = engine
        self.configured = configured or None
        self.find_busybox = find_busybox
        """The host's static busybox, or why there is none (:func:`host_busybox`)."""
        self._lock = threading.Lock()

    def choose(self) -> SampleImage:
        """The image the sample's definitions should name now, and the line that says why."""
        configured = self.configured
        status = self.engine.status()
        if configured:
            if not status.reachable:
                return SampleImage(configured, f"Image {configured} (the sample_image setting)", offline=False)
            return self._configured(configured)
        if not status.reachable:
            return SampleImage(PUBLIC_IMAGE, (
                f"Image {PUBLIC_IMAGE}: the Docker engine is unavailable ({status.reason}), so no local image "
                "could be found or made; once it is back, load the sample workload again (D) to have one."
            ), offline=False)
        try:
            return self._found() or self._made()
        except ComputeError as exc:  # the engine failed us halfway: say so, name the public image
            return self._public(exc.message)

    def make(self) -> None:
        """Have ``computetui/sample:latest`` on the engine, made from the host's busybox if it is
        missing (the shared runner's maker for that name). Raises :class:`NotFound` (code
        ``ImageNotFound``) saying why it cannot be made, or the engine's error."""
        with self._lock:
            if self.engine.image_info(LOCAL_IMAGE) is not None:
                return
            busybox, problem = self.find_busybox()
            if busybox is None:
                raise NotFound(f"{LOCAL_IMAGE} is not on the engine and cannot be made here: {problem}",
                               code="ImageNotFound")
            self._import(busybox)

    # -- the steps -------------------------------------------------------------
    def _configured(self, reference: str) -> SampleImage:
        if self.engine.image_info(reference) is not None:
            return SampleImage(reference, f"Image {reference} (the sample_image setting), on the engine", offline=True)
        return SampleImage(reference, (
            f"Image {reference} (the sample_image setting): not on the engine, so a task pulls it when it "
            "starts, which needs a registry. To run offline, put it on the engine (docker load, docker tag), "
            "or leave sample_image empty for one the emulator finds or makes."
        ), offline=False)

    def _found(self) -> SampleImage | None:
        if self.engine.image_info(PUBLIC_IMAGE) is not None:
            return SampleImage(PUBLIC_IMAGE, f"Image {PUBLIC_IMAGE}, on the engine", offline=True)
        own = self.engine.image_info(LOCAL_IMAGE)
        if own is not None:
            busybox, _ = self.find_busybox()
            if busybox is None or own.labels.get(RECIPE_LABEL) == recipe_of(busybox):
                return SampleImage(LOCAL_IMAGE, f"Image {LOCAL_IMAGE}, made here earlier (no registry needed)",
                                   offline=True)
            return None  # made from another busybox or recipe: made again below
        for image in self.engine.list_images():  # newest first
            for tag in image.tags:
                if tag.rsplit(":", 1)[0] in BUSYBOX_REPOSITORIES:
                    return SampleImage(tag, (
                        f"Image {tag}, on the engine ({PUBLIC_IMAGE} is not; every busybox image has sh, sleep "
                        "and httpd)"
                    ), offline=True)
        return None

    def _made(self) -> SampleImage:
        busybox, problem = self.find_busybox()
        if busybox is None:
            return self._public(problem)
        with self._lock:
            self._import(busybox)
        return SampleImage(LOCAL_IMAGE, (
            f"Image {LOCAL_IMAGE}, made here from the static busybox at {busybox.path} (docker import; "
            "no registry needed)"
        ), offline=True)

    def _public(self, why_not_local: str) -> SampleImage:
        return SampleImage(PUBLIC_IMAGE, (
            f"Image {PUBLIC_IMAGE}: not on the engine and not made here ({why_not_local}), so a task pulls it "
            f"when it starts, which needs a registry. {TO_RUN_OFFLINE}"
        ), offline=False)

    def _import(self, busybox: HostBusybox) -> None:
        self.engine.import_image(rootfs(busybox), LOCAL_IMAGE, [
            'CMD ["sh"]', f"ENV PATH={PATH}", f"LABEL {RECIPE_LABEL}={recipe_of(busybox)}",
        ])
