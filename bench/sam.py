"""AWS SAM CLI's ``sam local start-api`` as a baseline for bench/apigw.py: its venv, the image it runs, the app,
and a bounded start and stop.

Set-up, once (from the repository root)::

    .venv/bin/python bench/sam.py setup

which does the two things below; bench/apigw.py does the second itself when it is missing.

1. **SAM CLI in a venv of its own**, ``.venv-sam`` (not the project's lock: SAM pins its own
   boto3, Flask, docker...): ``python3 -m venv .venv-sam && .venv-sam/bin/pip install
   aws-sam-cli``.
2. **The Lambda base image SAM runs a python3.12 function in**,
   ``public.ecr.aws/lambda/python:3.12-x86_64``, built here, since no registry is reached. It
   is the project's test image ``computetui-test/lambda-python`` (a Debian bookworm
   ``debootstrap --variant=minbase`` rootfs with Debian's python3, 3.11, and awslambdaric
   installed from its manylinux wheel for that Python, imported with ``docker import``; see
   tests/support/images.py, which builds it when it is missing, as root with debootstrap)
   with what AWS's base image has and that image lacks: ``/var/runtime/bootstrap``, which
   starts the runtime client on the handler in ``_HANDLER``, and a ``/lambda-entrypoint.sh``
   that, as AWS's does, runs the Runtime Interface Emulator when there is no Runtime API
   (``AWS_LAMBDA_RUNTIME_API`` unset), else the bootstrap. The Python inside is 3.11, not
   3.12: the hello-world handler does not mind.

How SAM runs it (samcli/local/docker/lambda_image.py, lambda_container.py): for a zip function
it builds ``public.ecr.aws/lambda/python:3.12-rapid-x86_64`` from the base image, adding its
own ``aws-lambda-rie`` at ``/var/rapid`` (a ``RUN mv ... && chmod``, so the image needs a shell
and coreutils), and starts the container with the entrypoint ``/var/rapid/aws-lambda-rie
--log-level error``, no command, the code bind-mounted at ``/var/task`` and the handler in
``AWS_LAMBDA_FUNCTION_HANDLER``. The emulator, given no command, looks for
``/var/task/bootstrap``, ``/opt/bootstrap``, then ``/var/runtime/bootstrap`` and runs it with
``_HANDLER`` set. The entrypoint script above is there for ``docker run`` of the image by hand,
as with AWS's (it finds SAM's emulator under /var/rapid in the rapid image). That rapid image is
removed when the base image is built again (SAM would keep using one made from the old base).

The app (:func:`write_app`): the sample's hello-world function (computetui.blueprints'
``hello-world-python``: python3.12, ``lambda_function.lambda_handler``, the same file; 128 MB
and 3 s as the sample workload makes it) with one HttpApi event, ``GET /hello``.

:class:`SamApi` starts ``sam local start-api --warm-containers EAGER --skip-pull-image
--no-watch`` on 127.0.0.1 with telemetry off, dummy credentials, region us-east-1, every AWS
endpoint and any HTTP(S) proxy pointed at the closed port 127.0.0.1:9 (so nothing waits on the
network: SAM's update check goes to PyPI otherwise), SAM's own folders in a temporary one; it
waits (bounded) until ``GET /hello`` answers, and on the way out stops SAM (SIGINT, which makes
it remove its warm containers; then SIGTERM, SIGKILL of its process group) and removes any
container still left whose code mount is this run's app folder.

What the figures show (SAM 1.170): SAM's server (Werkzeug's development server) answers every
request with ``Connection: close``, so each request is a new connection whatever the client;
the calls into the one warm container wait for each other (a semaphore of one); and after the
function's answer SAM waits, up to 1 s, for the ``REPORT`` line in the container's output
(``Container.wait_for_result``: an ``Event.wait(timeout=1)`` that the log thread sets when a
chunk of output matches its pattern, which allows one line before ``REPORT`` in a chunk): when
Docker hands over the handler's ``print`` lines, ``END`` and ``REPORT`` in one chunk, that
request takes a second more. Those seconds are SAM's p99 at one connection.

``python bench/sam.py app DIR`` writes the app into DIR, for running SAM by hand.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BenchError  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-sam"
SAM = VENV / "bin" / "sam"
INSTALL_COMMAND = "python3 -m venv .venv-sam && .venv-sam/bin/pip install aws-sam-cli"
SETUP_HINT = f"{INSTALL_COMMAND}  (or: .venv/bin/python bench/sam.py setup)"

BASE_IMAGE = "public.ecr.aws/lambda/python:3.12-x86_64"
RAPID_IMAGE = "public.ecr.aws/lambda/python:3.12-rapid-x86_64"  # what SAM builds from it
RECIPE_LABEL = "computetui.bench.recipe"
CONTAINER_LABEL = "sam.cli.container.type=lambda"
CLOSED_ENDPOINT = "http://127.0.0.1:9"  # the discard port: nothing listens, a connection is refused at once
ROUTE = "/hello"

ENTRYPOINT = """#!/bin/sh
# As AWS's Lambda base images: the handler is the single argument; without a Runtime API
# (not on AWS) the Runtime Interface Emulator runs the bootstrap, else the bootstrap runs.
if [ $# -ne 1 ]; then
  echo "entrypoint requires the handler name to be the first argument" 1>&2
  exit 142
fi
export _HANDLER="$1"
RUNTIME_ENTRYPOINT=/var/runtime/bootstrap
if [ -z "${AWS_LAMBDA_RUNTIME_API:-}" ]; then
  for rie in /usr/local/bin/aws-lambda-rie /var/rapid/aws-lambda-rie; do
    [ -x "$rie" ] && exec "$rie" "$RUNTIME_ENTRYPOINT"
  done
  echo "no Runtime API and no aws-lambda-rie in this image (SAM adds one at /var/rapid)" 1>&2
  exit 1
fi
exec "$RUNTIME_ENTRYPOINT"
"""
BOOTSTRAP = """#!/bin/sh
# As AWS's /var/runtime/bootstrap of the python images: the runtime interface client on the
# handler the emulator (or the entrypoint) put in _HANDLER.
export AWS_EXECUTION_ENV="${AWS_EXECUTION_ENV:-AWS_Lambda_python3.12}"
cd "${LAMBDA_TASK_ROOT:-/var/task}" || exit 1
exec /usr/bin/python3 -m awslambdaric "${_HANDLER:-$AWS_LAMBDA_FUNCTION_HANDLER}"
"""
DOCKERFILE = """FROM {base}
COPY lambda-entrypoint.sh /lambda-entrypoint.sh
COPY bootstrap /var/runtime/bootstrap
ENV LAMBDA_TASK_ROOT=/var/task LAMBDA_RUNTIME_DIR=/var/runtime
WORKDIR /var/task
ENTRYPOINT ["/lambda-entrypoint.sh"]
LABEL {label}={recipe}
"""

TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: bench/apigw.py - the sample's hello-world function behind an HTTP API, for sam local start-api
Resources:
  HelloWorld:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: {runtime}
      Handler: {handler}
      CodeUri: hello_world/
      MemorySize: 128
      Timeout: 3
      Architectures: [x86_64]
      Events:
        Hello:
          Type: HttpApi
          Properties:
            Path: {route}
            Method: GET
"""


# -- SAM CLI ---------------------------------------------------------------------------------

def find_sam() -> Path | None:
    return SAM if os.access(SAM, os.X_OK) else None


def sam_environment(home: Path) -> dict[str, str]:
    """SAM's environment: nothing reaches the network, nothing is written outside ``home``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SAM_"))}
    env.update({
        "SAM_CLI_TELEMETRY": "0",
        "__SAM_CLI_APP_DIR": str(home),  # its metadata.json (telemetry id, last update check)
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": CLOSED_ENDPOINT, "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(home / "config"), "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
        "HTTP_PROXY": CLOSED_ENDPOINT, "HTTPS_PROXY": CLOSED_ENDPOINT,
        "http_proxy": CLOSED_ENDPOINT, "https_proxy": CLOSED_ENDPOINT,
        "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
    })  # fmt: skip
    return env


def sam_version(sam: Path) -> str:
    with tempfile.TemporaryDirectory(prefix="bench-sam-") as home:
        done = subprocess.run([str(sam), "--version"], capture_output=True, text=True, timeout=60,
                              env=sam_environment(Path(home)), stdin=subprocess.DEVNULL)
    return done.stdout.strip().rsplit(" ", 1)[-1] if done.returncode == 0 else "?"


def install_sam() -> Path:
    """Create .venv-sam and pip-install aws-sam-cli into it (about half a minute)."""
    if find_sam():
        return SAM
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True, timeout=300)  # on the base interpreter
    subprocess.run([str(VENV / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", "aws-sam-cli"],
                   check=True, timeout=900)
    if not find_sam():
        raise BenchError(f"pip installed aws-sam-cli but {SAM} is not there")
    return SAM


# -- the base image --------------------------------------------------------------------------

def _context(base_reference: str, recipe: str) -> bytes:
    dockerfile = DOCKERFILE.format(base=base_reference, label=RECIPE_LABEL, recipe=recipe)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, text, mode in (("Dockerfile", dockerfile, 0o644), ("lambda-entrypoint.sh", ENTRYPOINT, 0o755),
                                 ("bootstrap", BOOTSTRAP, 0o755)):
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), mode
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def ensure_base_image(client: Any) -> str:
    """``public.ecr.aws/lambda/python:3.12-x86_64`` from the test image, unless the engine has it from
    the same recipe (these scripts and the test image's id). BenchError with the reason and the remedy."""
    import docker.errors

    from tests.support.images import LAMBDA_PYTHON_IMAGE, ensure_lambda_python_image

    try:
        ensure_lambda_python_image(client)  # a minute or so when missing: debootstrap, as root
        base = client.images.get(LAMBDA_PYTHON_IMAGE)
    except Exception as exc:
        raise BenchError(f"the test image {LAMBDA_PYTHON_IMAGE} it is built on is missing and cannot be built "
                         f"({exc}); build it as root with debootstrap: .venv/bin/python -m tests.support.images") \
            from exc
    recipe = hashlib.sha256("\0".join((DOCKERFILE, ENTRYPOINT, BOOTSTRAP, base.id)).encode()).hexdigest()[:16]
    try:
        if (client.images.get(BASE_IMAGE).labels or {}).get(RECIPE_LABEL) == recipe:
            return BASE_IMAGE
    except docker.errors.ImageNotFound:
        pass
    with contextlib.suppress(docker.errors.ImageNotFound):
        client.images.remove(RAPID_IMAGE, force=True)  # made by SAM from the old base
    try:
        client.images.build(fileobj=io.BytesIO(_context(base.id, recipe)), custom_context=True, tag=BASE_IMAGE,
                            rm=True, forcerm=True, pull=False, timeout=300)
    except (docker.errors.BuildError, docker.errors.APIError) as exc:
        raise BenchError(f"could not build {BASE_IMAGE}: {exc}") from exc
    return BASE_IMAGE


# -- the app ---------------------------------------------------------------------------------

def write_app(folder: Path) -> Path:
    """template.yaml and hello_world/ (the sample's hello-world blueprint) in ``folder``; the template's path."""
    from computetui.blueprints import blueprint

    hello = blueprint("hello-world-python")
    code = folder / "hello_world"
    code.mkdir(parents=True, exist_ok=True)
    for name, text in hello.files.items():
        (code / name).write_text(text)
    template = folder / "template.yaml"
    template.write_text(TEMPLATE.format(runtime=hello.runtime, handler=hello.handler, route=ROUTE))
    return template


# -- sam local start-api ---------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SamApi:
    """``sam local start-api --warm-containers EAGER`` of the app, for the ``with`` block: ``url`` is
    its ``GET /hello``. Started and stopped within bounds; nothing it started outlives the block."""

    def __init__(self, sam: Path, client: Any, start_timeout_s: float = 180.0) -> None:
        self.sam, self.client, self.start_timeout_s = sam, client, start_timeout_s
        self.folder = Path(tempfile.mkdtemp(prefix="bench-sam-")).resolve()  # as SAM names its mounts
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}{ROUTE}"
        self.log = self.folder / "sam.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.start_s = float("nan")

    def __enter__(self) -> SamApi:
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> None:
        template = write_app(self.folder / "app")
        home = self.folder / "home"
        (home / "layers").mkdir(parents=True)
        command = [str(self.sam), "local", "start-api", "--template", str(template), "--host", "127.0.0.1",
                   "--port", str(self.port), "--warm-containers", "EAGER", "--skip-pull-image", "--no-watch",
                   "--container-host", "127.0.0.1", "--container-host-interface", "127.0.0.1",
                   "--layer-cache-basedir", str(home / "layers"), "--region", "us-east-1"]
        begin = time.perf_counter()
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(command, cwd=self.folder / "app", env=sam_environment(home),
                                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True)  # its own process group, for the stop
        deadline = time.monotonic() + self.start_timeout_s
        while True:
            if self.process.poll() is not None:
                raise BenchError(f"sam local start-api exited {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url, timeout=10) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"sam local start-api did not answer GET {ROUTE} within "
                                 f"{self.start_timeout_s:g} s:\n{self.log_tail()}")
            time.sleep(0.25)
        self.start_s = time.perf_counter() - begin

    def log_tail(self, lines: int = 25) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def _ours(self) -> list[Any]:
        """Containers SAM started for this run: its label, and this run's app folder mounted."""
        found = []
        for container in self.client.containers.list(all=True, filters={"label": CONTAINER_LABEL}):
            sources = [m.get("Source", "") for m in container.attrs.get("Mounts", [])]
            if any(s == str(self.folder) or s.startswith(str(self.folder) + "/") for s in sources):
                found.append(container)
        return found

    def containers(self) -> int:
        return len(self._ours())

    def close(self) -> None:
        """Stop SAM (SIGINT: it removes its warm containers; SIGTERM, SIGKILL of its group if it
        lingers), remove what it left, delete the folder. Never raises for what is already gone."""
        process, self.process = self.process, None
        try:
            if process is not None and process.poll() is None:
                for sig, wait_s in ((signal.SIGINT, 30), (signal.SIGTERM, 10), (signal.SIGKILL, 10)):
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, sig)
                    try:
                        process.wait(timeout=wait_s)
                        break
                    except subprocess.TimeoutExpired:
                        continue
        finally:
            try:
                for container in self._ours():
                    with contextlib.suppress(Exception):
                        container.remove(force=True)
            finally:
                shutil.rmtree(self.folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup", help="create .venv-sam with aws-sam-cli and build the base image")
    app = sub.add_parser("app", help="write the bench's SAM app (template.yaml, hello_world/) into DIR")
    app.add_argument("dir", type=Path)
    args = parser.parse_args(argv)
    if args.command == "app":
        print(write_app(args.dir))
        return 0
    import docker

    sam = install_sam()
    print(f"SAM CLI {sam_version(sam)} in {VENV}")
    client = docker.from_env()
    try:
        print(f"{ensure_base_image(client)} built")
    except BenchError as exc:
        print(f"the base image: {exc}", file=sys.stderr)
        return 1
    finally:
        client.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
