"""Test images, built locally with ``docker import`` (no registry is reached).

``computetui-test/busybox``: a static busybox with sh, httpd and sleep, and a
one-line page in /www. Built from the host's busybox-static binary.

``computetui-test/lambda-python``: stands in for AWS's Lambda Python base image
(public.ecr.aws/lambda/python:3.x) in the container sandbox tests. A Debian
bookworm minbase rootfs (debootstrap, as root) with Debian's full python3 and
AWS's ``awslambdaric`` package, and the contract of AWS's base images:
ENTRYPOINT ``/lambda-entrypoint.sh``, the handler as the single argument (the
CMD), the function's code in /var/task. The Runtime Interface Emulator
(aws-lambda-rie) is not included: the emulator serves the Runtime API itself.

``python -m tests.support.images`` builds both, busybox first (used by .ci/run).

Each image carries a label with a fingerprint of what it is built from (this
module's source, the busybox binary, the host's awslambdaric): an image whose
recipe changed is built again, not only a missing one. Builds take a file lock,
so parallel test workers build an image once between them.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.metadata
import importlib.util
import io
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

BUSYBOX_IMAGE = "computetui-test/busybox:latest"
RECIPE_LABEL = "computetui.test.recipe"
BUILD_LOCK = Path(tempfile.gettempdir()) / "computetui-test-images.lock"
BUILD_LOCK_WAIT_S = 600  # the longest build (lambda-python) takes about a minute


def fingerprint(*parts: bytes) -> str:
    """What an image is built from, as one hash: this module's source and the given parts."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:16]


def _current(client, reference: str, recipe: str) -> bool:  # noqa: ANN001 - a docker.DockerClient
    """Whether the engine has ``reference`` built from ``recipe``."""
    import docker.errors

    try:
        image = client.images.get(reference)
    except docker.errors.ImageNotFound:
        return False
    return (image.labels or {}).get(RECIPE_LABEL) == recipe


@contextlib.contextmanager
def _build_lock():  # noqa: ANN202
    with open(BUILD_LOCK, "a") as handle:
        deadline = time.monotonic() + BUILD_LOCK_WAIT_S
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"another process held {BUILD_LOCK} for {BUILD_LOCK_WAIT_S}s") from None
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
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
    """Import the busybox test image unless the engine has it from the same recipe."""
    busybox = find_static_busybox()
    if busybox is None:
        raise RuntimeError("no static busybox on this machine (apt-get install busybox-static)")
    recipe = fingerprint(busybox.read_bytes())
    if _current(client, BUSYBOX_IMAGE, recipe):
        return BUSYBOX_IMAGE
    with _build_lock():
        if not _current(client, BUSYBOX_IMAGE, recipe):  # another worker may have built it meanwhile
            repository, _, tag = BUSYBOX_IMAGE.partition(":")
            client.api.import_image_from_data(
                busybox_rootfs(busybox), repository=repository, tag=tag,
                changes=['CMD ["/bin/sh"]', f"LABEL {RECIPE_LABEL}={recipe}"],
            )
    return BUSYBOX_IMAGE


# -- computetui-test/lambda-python -------------------------------------------

LAMBDA_PYTHON_IMAGE = "computetui-test/lambda-python:latest"
LAMBDA_SUITE = "bookworm"  # its python3 is CPython 3.11
DEFAULT_DEBIAN_MIRROR = "http://deb.debian.org/debian"
# Debian's full python3 (json, urllib, ...), not python3-minimal. No
# python3-pip: awslambdaric is installed from the host (see _install_awslambdaric).
LAMBDA_DEB_PACKAGES = ("python3",)
LAMBDA_PIP_PACKAGES = ("awslambdaric",)
LAMBDA_TASK_ROOT = "/var/task"
LAMBDA_IMAGE_CHANGES = [
    'ENTRYPOINT ["/lambda-entrypoint.sh"]',
    f"WORKDIR {LAMBDA_TASK_ROOT}",
    f"ENV LAMBDA_TASK_ROOT={LAMBDA_TASK_ROOT}",
    "ENV LANG=C.UTF-8",
    # An imported image has no environment at all; spell PATH out, as images do.
    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
]
RIE_MISSING_MESSAGE = (
    "AWS_LAMBDA_RUNTIME_API is not set, and the Runtime Interface Emulator "
    "(aws-lambda-rie) is not included in this test image"
)
LAMBDA_ENTRYPOINT = f"""#!/bin/sh
# The contract of AWS's Lambda base images (public.ecr.aws/lambda/python):
# the handler is the single argument. Without a Runtime API to talk to, AWS's
# image starts its Runtime Interface Emulator; this test image has none.
if [ $# -ne 1 ]; then
  echo "entrypoint requires the handler name to be the first argument" 1>&2
  exit 142
fi
export _HANDLER="$1"

if [ -z "${{AWS_LAMBDA_RUNTIME_API:-}}" ]; then
  echo "{RIE_MISSING_MESSAGE}" 1>&2
  exit 1
fi
cd "${{LAMBDA_TASK_ROOT:-{LAMBDA_TASK_ROOT}}}" || exit 1
exec python3 -m awslambdaric "$1"
"""
# Removed from the rootfs to keep the image small; the folders stay.
TRIM_CONTENTS = (
    "usr/share/doc",
    "usr/share/man",
    "usr/share/info",
    "usr/share/locale",
    "usr/share/lintian",
    "var/lib/apt/lists",
    "var/cache/apt",
    "var/cache/debconf",
    "var/log",
    "tmp",
)
TRIM_GLOBS = ("var/lib/dpkg/*-old", "var/cache/ldconfig/aux-cache", "etc/*-")
ROOTFS_SKIP_CONTENTS = ("dev", "proc", "sys", "run")  # the engine provides these
PIP_ARCH = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}
GLIBC_MINOR = 36  # bookworm's glibc is 2.36


def _progress(message: str) -> None:
    print(f"[lambda-python image] {message}", file=sys.stderr, flush=True)


def find_debootstrap() -> str | None:
    # /usr/sbin is not on every user's PATH.
    found = shutil.which("debootstrap")
    if found:
        return found
    for candidate in ("/usr/sbin/debootstrap", "/sbin/debootstrap"):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def _apt_source_entries() -> list[tuple[str, list[str]]]:
    """(URI, suites) of the host's enabled `deb` sources, one-line and deb822 files."""
    entries: list[tuple[str, list[str]]] = []
    files = [Path("/etc/apt/sources.list")]
    folder = Path("/etc/apt/sources.list.d")
    if folder.is_dir():
        files += sorted(p for p in folder.iterdir() if p.suffix in (".list", ".sources"))
    for path in files:
        try:
            text = path.read_text(errors="replace")
        except OSError:
            continue
        if path.suffix == ".sources":
            for stanza in re.split(r"\n\s*\n", text):
                fields: dict[str, str] = {}
                for line in stanza.splitlines():
                    if line.startswith("#") or ":" not in line or line[:1].isspace():
                        continue
                    key, _, value = line.partition(":")
                    fields[key.strip().lower()] = value.strip()
                if fields.get("enabled", "yes").lower() == "no":
                    continue
                if "deb" not in fields.get("types", "").split():
                    continue
                for uri in fields.get("uris", "").split():
                    entries.append((uri, fields.get("suites", "").split()))
        else:
            for line in text.splitlines():
                line = re.sub(r"\[[^\]]*\]", " ", line.split("#", 1)[0]).split()
                if len(line) >= 3 and line[0] == "deb":
                    entries.append((line[1], [line[2]]))
    return entries


def debian_mirror() -> str:
    """The Debian mirror the host's apt uses, else deb.debian.org."""
    candidates = []
    for uri, suites in _apt_source_entries():
        if not uri.startswith(("http://", "https://", "file:/")) or "debian" not in uri or "security" in uri:
            continue
        main_suites = [s for s in suites if "-" not in s and "/" not in s]  # not -updates, -security, ...
        if main_suites:
            candidates.append((LAMBDA_SUITE not in main_suites, uri.rstrip("/")))
    if candidates:
        return min(candidates, key=lambda c: c[0])[1]  # one listing bookworm first, else the first
    return DEFAULT_DEBIAN_MIRROR


def _build_parent() -> str:
    # Not /tmp: it may be a tmpfs mounted nodev, and debootstrap needs /dev nodes.
    return "/var/tmp" if os.access("/var/tmp", os.W_OK) else tempfile.gettempdir()


def _mounts_under(folder: Path) -> list[str]:
    prefix = str(folder).rstrip("/") + "/"
    mounts = []
    with open("/proc/self/mounts") as handle:
        for line in handle:
            target = line.split()[1]
            target = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), target)
            if target.startswith(prefix):
                mounts.append(target)
    return mounts


def _other_filesystems_under(folder: Path) -> list[str]:
    """Folders below ``folder`` on another device: mount points /proc/self/mounts may not show."""
    device = folder.stat().st_dev
    found = []
    for parent, dirs, _ in os.walk(folder):
        for name in list(dirs):
            path = os.path.join(parent, name)
            try:
                if os.lstat(path).st_dev != device:
                    found.append(path)
                    dirs.remove(name)  # do not descend
            except OSError:
                dirs.remove(name)
    return found


def _remove_build_dir(workdir: Path) -> None:
    """Unmount what debootstrap may have left mounted (if it was interrupted), then delete."""
    for target in sorted(_mounts_under(workdir), key=len, reverse=True):
        if subprocess.run(["umount", target], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", target], capture_output=True)
    left = _mounts_under(workdir) + _other_filesystems_under(workdir)
    if left:  # never rmtree through a mount point (a bind-mounted /dev, say)
        _progress(f"NOT removing {workdir}: still mounted: {', '.join(sorted(set(left)))}")
        return
    shutil.rmtree(workdir, ignore_errors=True)
    if workdir.exists():
        _progress(f"could not remove {workdir} completely")


def _debootstrap(debootstrap: str, rootfs: Path, mirror: str, log: Path) -> None:
    command = [
        debootstrap,
        "--variant=minbase",
        "--components=main",
        f"--include={','.join(LAMBDA_DEB_PACKAGES)}",
        LAMBDA_SUITE,
        str(rootfs),
        mirror,
    ]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive", "LC_ALL": "C"}
    env["PATH"] = env.get("PATH", "") + ":/usr/sbin:/sbin"
    with open(log, "w") as out:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, env=env
        )
        assert process.stdout is not None
        try:
            for line in process.stdout:
                out.write(line)
                line = line.rstrip()
                # Stage lines ("I: Configuring the base system...") and problems; not one line per package.
                per_package = re.fullmatch(r"I: (Retrieving|Validating|Extracting|Unpacking|Configuring) \S+", line)
                if line.startswith(("W:", "E:")) or (
                    (line.endswith("...") or "successfully" in line) and not per_package
                ):
                    _progress(f"  debootstrap {line[:160]}")
            status = process.wait()
        finally:
            if process.poll() is None:  # interrupted: stop debootstrap before the build folder goes
                process.terminate()  # its exit trap unmounts what it mounted
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    if status != 0:
        tail = log.read_text(errors="replace").splitlines()[-15:]
        inner = rootfs / "debootstrap" / "debootstrap.log"
        if inner.exists():
            tail += ["-- debootstrap/debootstrap.log --", *inner.read_text(errors="replace").splitlines()[-15:]]
        raise RuntimeError(f"debootstrap failed (exit {status}) with mirror {mirror}:\n" + "\n".join(tail))


def _rootfs_python_version(rootfs: Path) -> str:
    versions = sorted(
        (tuple(int(n) for n in m.group(1).split(".")), m.group(1))
        for p in (rootfs / "usr" / "bin").glob("python3.*")
        if (m := re.fullmatch(r"python(3\.\d+)", p.name))
    )
    if not versions:
        raise RuntimeError(f"no python3.X in {rootfs}/usr/bin after debootstrap")
    return versions[-1][1]


def _install_awslambdaric(rootfs: Path) -> None:
    """pip-install awslambdaric into the rootfs' site-packages, using the host's pip.

    ``--target`` with ``--python-version/--abi/--platform`` and binary wheels
    only: pip picks the wheels for the *rootfs'* CPython (whatever the host's
    Python is) and nothing is compiled. awslambdaric ships manylinux wheels (its
    native runtime_client with libcurl bundled), which glibc 2.36 runs. This
    needs no python3-pip, compiler or network set-up inside the chroot.
    """
    if importlib.util.find_spec("pip") is None:
        raise RuntimeError(f"{sys.executable} has no pip (needed to install awslambdaric into the image)")
    version = _rootfs_python_version(rootfs)
    arch = PIP_ARCH.get(platform.machine())
    if arch is None:
        raise RuntimeError(f"no manylinux platform known for {platform.machine()}")
    site = rootfs / "usr" / "local" / "lib" / f"python{version}" / "dist-packages"  # on Debian's sys.path
    platforms = [f"--platform=manylinux_2_{minor}_{arch}" for minor in range(GLIBC_MINOR, 4, -1)]
    platforms.append(f"--platform=manylinux2014_{arch}")  # pip adds manylinux2010/1 for it
    command = [
        sys.executable, "-m", "pip", "install",
        "--quiet", "--disable-pip-version-check", "--no-cache-dir", "--no-warn-script-location",
        "--target", str(site),
        "--only-binary=:all:",
        "--implementation=cp",
        f"--python-version={version}",
        f"--abi=cp{version.replace('.', '')}",
        *platforms,
        *LAMBDA_PIP_PACKAGES,
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise RuntimeError(f"pip could not install {' '.join(LAMBDA_PIP_PACKAGES)}:\n{result.stderr[-3000:]}")
    shutil.rmtree(site / "bin", ignore_errors=True)  # console scripts with the host's interpreter path


def _write_entrypoint(rootfs: Path) -> None:
    entrypoint = rootfs / "lambda-entrypoint.sh"
    entrypoint.write_text(LAMBDA_ENTRYPOINT)
    entrypoint.chmod(0o755)
    (rootfs / LAMBDA_TASK_ROOT.lstrip("/")).mkdir(parents=True, exist_ok=True)
    (rootfs / LAMBDA_TASK_ROOT.lstrip("/")).chmod(0o755)


def _trim(rootfs: Path) -> None:
    for relative in TRIM_CONTENTS:
        folder = rootfs / relative
        if folder.is_dir() and not folder.is_symlink():
            for child in folder.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child)
                else:
                    child.unlink()
    for pattern in TRIM_GLOBS:
        for path in rootfs.glob(pattern):
            if path.is_file() or path.is_symlink():
                path.unlink()
    for folder in ("var/lib/apt/lists/partial", "var/cache/apt/archives/partial"):
        (rootfs / folder).mkdir(parents=True, exist_ok=True)  # apt expects them
    (rootfs / "tmp").chmod(0o1777)


def _check_rootfs(rootfs: Path) -> None:
    """Import awslambdaric (and its native part) with the rootfs' own python3."""
    chroot = shutil.which("chroot") or "/usr/sbin/chroot"
    code = "import json, urllib.request, awslambdaric, awslambdaric.bootstrap, runtime_client"
    result = subprocess.run(
        [chroot, str(rootfs), "/usr/bin/python3", "-c", code],
        capture_output=True, text=True, stdin=subprocess.DEVNULL,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/root"},
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"the rootfs' python3 cannot import awslambdaric:\n{result.stderr[-3000:]}")


def _tar_rootfs(rootfs: Path, destination: Path) -> None:
    def numeric(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
        top, _, rest = info.name.partition("/")
        if top in ROOTFS_SKIP_CONTENTS and rest:
            return None
        info.uname = info.gname = ""  # the engine uses the numeric ids
        return info

    with tarfile.open(destination, "w") as tar:
        for child in sorted(rootfs.iterdir()):
            tar.add(str(child), arcname=child.name, filter=numeric)


def lambda_python_recipe() -> str:
    """The lambda-python image's fingerprint: this module and the awslambdaric release it installs."""
    try:
        runtime_client = importlib.metadata.version("awslambdaric")
    except importlib.metadata.PackageNotFoundError:
        runtime_client = "none"
    return fingerprint(runtime_client.encode())


def build_lambda_python_image(client, mirror: str | None = None) -> str:  # noqa: ANN001 - a docker.DockerClient
    """Build and import the lambda-python image (a few minutes; needs root and debootstrap)."""
    debootstrap = find_debootstrap()
    if debootstrap is None:
        raise RuntimeError(
            f"building {LAMBDA_PYTHON_IMAGE} needs debootstrap, which is not installed (apt-get install debootstrap)"
        )
    if os.geteuid() != 0:
        raise RuntimeError(f"building {LAMBDA_PYTHON_IMAGE} runs debootstrap, which needs root")
    mirror = mirror or debian_mirror()
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="computetui-lambda-image-", dir=_build_parent()))
    try:
        rootfs = workdir / "rootfs"
        _progress(
            f"debootstrap {LAMBDA_SUITE} (minbase + {', '.join(LAMBDA_DEB_PACKAGES)}) from {mirror} into {rootfs}"
        )
        _debootstrap(debootstrap, rootfs, mirror, workdir / "debootstrap.log")
        _progress(
            f"pip install {' '.join(LAMBDA_PIP_PACKAGES)} for python{_rootfs_python_version(rootfs)} (host pip, wheels)"
        )
        _install_awslambdaric(rootfs)
        _write_entrypoint(rootfs)
        _trim(rootfs)
        _check_rootfs(rootfs)
        archive = workdir / "rootfs.tar"
        _tar_rootfs(rootfs, archive)
        _progress(f"docker import ({archive.stat().st_size / 1e6:.0f} MB tar) as {LAMBDA_PYTHON_IMAGE}")
        repository, _, tag = LAMBDA_PYTHON_IMAGE.partition(":")
        with open(archive, "rb") as data:  # streamed, not read into memory
            answer = client.api.import_image_from_data(
                data, repository=repository, tag=tag,
                changes=[*LAMBDA_IMAGE_CHANGES, f"LABEL {RECIPE_LABEL}={lambda_python_recipe()}"],
            )
        import docker.errors

        try:
            client.images.get(LAMBDA_PYTHON_IMAGE)
        except docker.errors.ImageNotFound:
            raise RuntimeError(f"docker import did not produce {LAMBDA_PYTHON_IMAGE}: {answer!r}") from None
    finally:
        _remove_build_dir(workdir)
    _progress(f"built {LAMBDA_PYTHON_IMAGE} in {time.monotonic() - started:.0f}s")
    return LAMBDA_PYTHON_IMAGE


def ensure_lambda_python_image(client) -> str:  # noqa: ANN001 - a docker.DockerClient
    """Build the lambda-python test image unless the engine has it from the same recipe."""
    recipe = lambda_python_recipe()
    if _current(client, LAMBDA_PYTHON_IMAGE, recipe):
        return LAMBDA_PYTHON_IMAGE
    with _build_lock():
        if not _current(client, LAMBDA_PYTHON_IMAGE, recipe):
            build_lambda_python_image(client)
    return LAMBDA_PYTHON_IMAGE


if __name__ == "__main__":  # used by .ci/run
    import docker

    _client = docker.from_env()
    print(ensure_busybox_image(_client))  # first: it takes a second
    print(ensure_lambda_python_image(_client))
