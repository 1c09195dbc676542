"""Execution environments as host processes (the ``process`` sandbox).

The runtime client runs in its own session (so its whole tree can be killed)
with ``PR_SET_PDEATHSIG`` set, so it dies with the emulator however the
emulator dies. Its stdout and stderr share one pipe that the emulator reads
without blocking; because a runtime writes a line before it posts the answer,
draining the pipe when the answer arrives collects exactly that invocation's
output. Memory is read from /proc: the peak resident set of the process tree
is the REPORT line's Max Memory Used, and a watchdog kills a tree that grows
past the function's memory size (Runtime.ExitError, as AWS's out-of-memory).

A process that is gone leaves nothing in /proc (and ``wait4``'s peak is no
help: it counts the emulator's own memory, copied at the fork), so the peak
is also read as an init error arrives (the runtime exits once it is answered)
and just before the emulator kills the tree (a timeout). A runtime that exits
by itself in the middle of its work has no last figure: its peak is None.

What the sandbox keeps from the runtime, short of another user id (which takes
root to give): the host's environment (the runtime gets AWS's variables and
the function's, nothing else), the emulator's own process (made non-dumpable
before the first runtime starts, so a process of the same user can neither
read its ``/proc/<pid>/environ`` or memory nor attach to it), the Runtime APIs
of other environments (``admits``), and every capability (a runtime started
by an emulator running as root starts with none). What it does not keep away
is the rest of what a process of the user may do: read and write the user's
files, the state dir among them, and read the environment of the user's other
processes (the shell that started computetui among them). Code one does not
trust goes in the container sandbox.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import re
import shutil
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from computetui.backends.local.lambda_.output import OutputPipe
from computetui.backends.local.lambda_.peers import held_by, socket_inode
from computetui.backends.local.lambda_.reaper import (
    PR_SET_CHILD_SUBREAPER,
    Ledger,
    end_tree,
    markers,
    start_time,
    tree,
)

RUNTIMES_DIR = Path(__file__).resolve().parent / "runtimes"
TASK_ROOT = "/var/task"
"""Where AWS puts a function's code, and so where its stack traces and logs say it is."""
RUNTIME_DIR = "/var/runtime"
"""Where AWS keeps a managed runtime's own client."""
NODE_CLIENT = RUNTIMES_DIR / "node" / "runtime.mjs"

_PR_SET_PDEATHSIG = 1
_PR_SET_DUMPABLE = 4
_PR_CAPBSET_DROP = 24
_PR_CAP_AMBIENT = 47
_PR_CAP_AMBIENT_CLEAR_ALL = 4


def _last_capability() -> int:
    try:
        return int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    except (OSError, ValueError):
        return 63  # dropping a capability the kernel does not have fails harmlessly


_LAST_CAP = _last_capability()


def _prepare_child() -> Callable[[], None]:
    """What the child does between fork and exec (so nothing that allocates much): die with
    the emulator, and keep no capability through the exec."""
    try:
        prctl = ctypes.CDLL(None).prctl
    except (OSError, AttributeError):
        return lambda: None

    def prepare() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        # What the handler starts, daemons included, stays in the runtime's tree (kept across exec).
        prctl(PR_SET_CHILD_SUBREAPER, 1)
        prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
        # An empty bounding set: the runtime is exec'd with no capabilities, even by root.
        # Without CAP_SETPCAP (not root) each drop fails, and there is nothing to drop.
        for cap in range(_LAST_CAP + 1):
            prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0)

    return prepare


_emulator_closed = False


def close_emulator_process() -> None:
    """Make this process non-dumpable: its /proc files (environ, mem, fd ...) belong to root,
    and no process of the same user may read them or attach to it. A runtime is dumpable
    again from its exec. The price: no core dump, and a debugger needs root."""
    global _emulator_closed
    if _emulator_closed:
        return
    try:
        ctypes.CDLL(None).prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):
        return
    _emulator_closed = True


class LaunchError(Exception):
    """The environment cannot start: AWS's error type and message, and ``reason``, the same in
    a few words for the line that says where an invocation ran instead."""

    def __init__(self, error_type: str, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.reason = reason or message


@dataclass
class EnvironmentSpec:
    """What an execution environment is made from."""

    function_name: str
    function_arn: str
    version: str
    runtime: str | None
    handler: str | None
    memory_mb: int
    timeout_s: int
    task_root: Path
    environment: dict[str, str]
    log_group: str
    log_stream: str
    region: str
    package_type: str = "Zip"
    image_uri: str | None = None
    architecture: str = "x86_64"
    ephemeral_mb: int = 512
    code_sha256: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def aws_environment(self, runtime_api: str) -> dict[str, str]:
        """What the runtime's environment holds: the function's variables over the defaults
        AWS lets it change (TZ, LANG, PATH), and under the ones AWS sets itself, which a
        function cannot replace (AWS refuses them as reserved keys). Nothing else of the
        host's environment comes in, its AWS credentials least of all; PATH is the host's,
        for the tools a bootstrap runs."""
        variables = {
            "TZ": ":UTC",
            "LANG": "en_US.UTF-8",
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "HOME": "/tmp",
        }
        variables.update(self.extra)
        variables.update(self.environment)
        variables.update({
            "AWS_LAMBDA_FUNCTION_NAME": self.function_name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": self.version,
            "AWS_LAMBDA_LOG_GROUP_NAME": self.log_group,
            "AWS_LAMBDA_LOG_STREAM_NAME": self.log_stream,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{self.runtime}" if self.runtime else "AWS_Lambda_Image",
            "AWS_LAMBDA_RUNTIME_API": runtime_api,
            "_HANDLER": self.handler or "",
            "LAMBDA_TASK_ROOT": str(self.task_root),
            "LAMBDA_RUNTIME_DIR": str(RUNTIMES_DIR),
        })
        return variables


def process_command(spec: EnvironmentSpec) -> list[str]:
    """How the host runs this runtime; ``LaunchError`` when it cannot."""
    runtime = spec.runtime or ""
    if spec.package_type == "Image":
        raise LaunchError(
            "Runtime.InvalidEntrypoint",
            "PackageType Image runs in the container sandbox; this environment is a host process",
        )
    if runtime.startswith("python"):
        # AWS's own runtime client, on the interpreter computetui runs on.
        return [sys.executable, "-m", "awslambdaric", spec.handler or ""]
    if runtime.startswith("nodejs"):
        node = shutil.which("node")
        if node is None:
            raise LaunchError(
                "Runtime.InvalidEntrypoint",
                f"{runtime} needs node on PATH in the process sandbox, and there is none",
            )
        return [node, str(NODE_CLIENT)]
    if runtime.startswith("provided"):
        bootstrap = spec.task_root / "bootstrap"
        if not bootstrap.is_file():
            raise LaunchError(
                "Runtime.InvalidEntrypoint",
                f"Couldn't find valid bootstrap(s): [{bootstrap}]",
            )
        if not os.access(bootstrap, os.X_OK):
            raise LaunchError("Runtime.InvalidEntrypoint", f"{bootstrap} is not executable (permission denied)")
        return [str(bootstrap)]
    raise LaunchError(
        "Runtime.InvalidEntrypoint",
        f"the process sandbox cannot run {runtime or 'this'} functions; use the container sandbox",
    )


class TaskPaths:
    """Host folders written as AWS's environments have them: the function's code at
    ``/var/task``, and Node's runtime client (ours) at ``/var/runtime``.

    The runtime must run the code where it is (``LAMBDA_TASK_ROOT`` stays the host
    folder), so the names change only in what comes out: the lines the runtime prints
    and the errors it reports. Only a whole folder name is changed, not a longer name
    that starts with it.
    """

    def __init__(self, root: Path) -> None:
        shown: dict[str, str] = {}
        for folder, inside in ((RUNTIMES_DIR / "node", RUNTIME_DIR), (root, TASK_ROOT)):
            shown[str(folder)] = shown[os.path.realpath(folder)] = inside
        self._shown = shown
        names = sorted(shown, key=len, reverse=True)
        self._text = re.compile("(" + "|".join(re.escape(n) for n in names) + r")(?![\w.-])")
        self._bytes = re.compile(self._text.pattern.encode())

    def line(self, text: str) -> str:
        if any(name in text for name in self._shown):  # a substring test first: most lines have none
            return self._text.sub(lambda found: self._shown[found.group(1)], text)
        return text

    def body(self, data: bytes) -> bytes:
        return self._bytes.sub(lambda found: self._shown[found.group(1).decode()].encode(), data)


class ProcessSandbox:
    """One execution environment as a process tree on the host."""

    kind = "process"

    def __init__(self, spec: EnvironmentSpec, on_line: Callable[[str, float], None],
                 ledger: Ledger | None = None) -> None:
        self.spec = spec
        self.ledger = ledger or Ledger(None)
        """Where the tree's processes are recorded, for the next emulator to end if this one is killed."""
        self._runtime: tuple[int, int] | None = None
        self._marks: list[str] | None = None
        """The environment's own variables, which whatever it starts inherits (``reaper.markers``)."""
        self.paths = TaskPaths(spec.task_root)
        """The code's host folder, for what comes out of the environment (as ``/var/task``)."""
        self._on_line = on_line
        self._process: asyncio.subprocess.Process | None = None
        self._output: OutputPipe | None = None
        self.exited: asyncio.Future[int] | None = None
        self.killed_for_memory = False
        self._tree_cache: tuple[float, list[int]] | None = None
        self._peak_kb = 0
        """The highest peak read so far, in kB."""
        self._peak_is_last = False
        """The peak was read as the runtime came to its end (an init error, a kill)."""

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    async def start(self, runtime_api: str) -> None:
        command = process_command(self.spec)
        close_emulator_process()
        loop = asyncio.get_running_loop()
        read_fd, write_fd = os.pipe()
        try:
            self._process = await asyncio.create_subprocess_exec(
                *command,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=write_fd,
                stderr=write_fd,
                cwd=str(self.spec.task_root),
                env=self.spec.aws_environment(runtime_api),
                start_new_session=True,
                preexec_fn=_prepare_child(),
            )
        except OSError as exc:
            os.close(read_fd)
            raise LaunchError("Runtime.InvalidEntrypoint", f"cannot start {command[0]}: {exc.strerror}") from None
        finally:
            os.close(write_fd)
        self._output = OutputPipe(read_fd, self._on_line, transform=self.paths.line)
        self.exited = loop.create_task(self._process.wait())  # type: ignore[assignment]
        self._runtime = (self._process.pid, start_time(self._process.pid) or 0)
        self._marks = markers(runtime_api, self.spec.log_stream)
        self.ledger.started(str(self._process.pid), self._runtime, self._marks)

    def drain(self) -> None:
        if self._output is not None:
            self._output.drain()

    def flush_partial(self) -> None:
        if self._output is not None:
            self._output.flush_partial()

    async def admits(self, client: tuple[str, int], server: tuple[str, int]) -> bool:
        """Whether a Runtime API connection comes from this environment: its client socket
        is held by a process of the runtime's tree (one just forked, a bootstrap's curl,
        is found by a fresh look)."""
        inode = socket_inode(client, server)
        if inode is None or not self.alive():
            return False
        return held_by(self._tree(), inode) or held_by(self._tree(fresh=True), inode)

    # -- memory ------------------------------------------------------------
    def _tree(self, fresh: bool = False) -> list[int]:
        """The process and its descendants; rescanned at most once a second unless ``fresh``."""
        if self.pid is None:
            return []
        now = time.monotonic()
        if not fresh and self._tree_cache is not None and now - self._tree_cache[0] < 1.0:
            return self._tree_cache[1]
        found = tree(self.pid)
        self._tree_cache = (now, found)
        self.ledger.seen(str(self.pid), found)
        return found

    def _status_kb(self, field_name: bytes) -> int:
        total = 0
        for pid in self._tree():
            try:
                fd = os.open(f"/proc/{pid}/status", os.O_RDONLY)
                try:
                    status = os.read(fd, 4096)
                finally:
                    os.close(fd)
            except OSError:
                continue
            at = status.find(field_name)
            if at >= 0:
                total += int(status[at + len(field_name) : status.index(b"kB", at)])
        return total

    def rss_mb(self) -> float:
        return self._status_kb(b"VmRSS:") / 1024

    def sample_peak(self) -> None:
        """The runtime is about to end (it reported an init error, or is killed): read its peak
        while there is one to read."""
        if self.alive():
            self._peak_kb = max(self._peak_kb, self._status_kb(b"VmHWM:"))
            self._peak_is_last = True

    def peak_mb(self) -> int | None:
        """The tree's peak resident memory, in whole MB as the REPORT line gives it; None when
        the runtime is gone and its peak was not read before it went."""
        if self.alive():
            self._peak_kb = max(self._peak_kb, self._status_kb(b"VmHWM:"))
        elif not self._peak_is_last:
            return None
        return -(-self._peak_kb // 1024) if self._peak_kb else None

    # -- ending ------------------------------------------------------------
    def alive(self) -> bool:
        return self._process is not None and self._process.returncode is None

    def kill(self) -> None:
        """SIGKILL the whole tree, its peak memory read first: the runtime's session and every
        descendant, also those that made sessions of their own, and also what a runtime that
        exited by itself left running."""
        if self._runtime is None:
            return
        if self.alive():
            self.sample_peak()
        end_tree(self._runtime, self._marks)

    async def close(self) -> None:
        self.kill()
        if self.exited is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self.exited), 5)
            except (TimeoutError, asyncio.CancelledError):
                pass
        self.drain()
        if self._output is not None:
            self._output.close()
        if self._runtime is not None:
            self.ledger.ended(str(self._runtime[0]))

    def exit_description(self) -> str:
        """``signal: killed`` or ``exit status 1``, as AWS's Runtime.ExitError says it."""
        code = self._process.returncode if self._process else None
        if code is None:
            return "unknown"
        if code < 0:
            name = {
                signal.SIGKILL: "killed",
                signal.SIGSEGV: "segmentation fault",
                signal.SIGTERM: "terminated",
                signal.SIGABRT: "aborted",
            }.get(-code, signal.Signals(-code).name.lower())
            return f"signal: {name}"
        return f"exit status {code}"
