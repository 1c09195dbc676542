"""Test images, built locally with ``docker import`` (no registry is reached).

``computetui-test/busybox``: a static busybox with sh, httpd and sleep, and a
one-line page in /www. Built from the host's busybox-static binary.
"""

from __future__ import annotations

import io
import shutil
import tarfile
from pathlib import Path

BUSYBOX_IMAGE = "computetui-test/busybox:latest"
APPLETS = ("sh", "httpd", "sleep", "echo", "cat", "ls", "env", "wc", "true", "false", "kill", "ps")
BUSYBOX_CANDIDATES = ("/bin/busybox", "/usr/bin/busybox")


def find_static_busybox() -> Path | None:
    for candidate in (*BUSYBOX_CANDIDATES, shutil.which("busybox") or ""):
        path = Path(candidate)
        if candidate and path.is_file():
            data = path.read_bytes()[:4096]
            # A dynamically linked binary names its interpreter; a static one does not.
            if b"ld-linux" not in data:
                return path
    return None


def busybox_rootfs(busybox: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for folder in ("bin", "tmp", "www"):
            info = tarfile.TarInfo(folder)
            info.type = tarfile.DIRTYPE
            info.mode = 0o1777 if folder == "tmp" else 0o755
            tar.addfile(info)
        tar.add(str(busybox), arcname="bin/busybox")
        for applet in APPLETS:
            link = tarfile.TarInfo(f"bin/{applet}")
            link.type = tarfile.SYMTYPE
            link.linkname = "busybox"
            tar.addfile(link)
        page = b"hello from computetui\n"
        info = tarfile.TarInfo("www/index.html")
        info.size = len(page)
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(page))
    return buffer.getvalue()


def ensure_busybox_image(client) -> str:  # noqa: ANN001 - a docker.DockerClient
    """Import the busybox test image unless the engine already has it."""
    import docker.errors

    try:
        client.images.get(BUSYBOX_IMAGE)
        return BUSYBOX_IMAGE
    except docker.errors.ImageNotFound:
        pass
    busybox = find_static_busybox()
    if busybox is None:
        raise RuntimeError("no static busybox on this machine (apt-get install busybox-static)")
    repository, _, tag = BUSYBOX_IMAGE.partition(":")
    client.api.import_image_from_data(
        busybox_rootfs(busybox), repository=repository, tag=tag, changes=['CMD ["/bin/sh"]']
    )
    return BUSYBOX_IMAGE


if __name__ == "__main__":  # used by .ci/run
    import docker

    print(ensure_busybox_image(docker.from_env()))
