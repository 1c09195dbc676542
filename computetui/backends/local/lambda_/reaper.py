"""What a process sandbox starts ends with it, even when the emulator is killed.

A process environment's runtime runs in a session of its own, and is made the
child subreaper of everything it starts: a handler's ``subprocess.Popen``, a
double fork, a ``setsid`` all stay in its tree while it lives, so ending the
environment ends the tree (``end_tree``). What outlived a runtime that exited
by itself (a process in a session of its own is then nobody's descendant) is
found by the variables every process of the environment inherits unless it
clears them: ``AWS_LAMBDA_RUNTIME_API`` and ``AWS_LAMBDA_LOG_STREAM_NAME``
(whose 32 hex digits are the environment's own) together.

When the emulator itself is killed (SIGKILL: no code of it runs), the runtimes
die with it (``PR_SET_PDEATHSIG``), but what they started would live on. So
each emulator process keeps a ledger in the state dir,
``sandboxes/<pid>.json``: for each live environment, its runtime's pid and
the processes of its tree seen so far, each with its start time, so that a
reused pid is never taken for one of them. The next emulator on the state dir
(``reap``) reads the ledgers whose process is gone and ends what they list
that still runs: each recorded process, and every process left in a
runtime's session.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

LEDGER_DIR = "sandboxes"
PR_SET_CHILD_SUBREAPER = 36
END_ROUNDS = 4
"""Scans and kills in ``end_tree``: a tree that forks while it is being killed is scanned again."""

Process = tuple[int, int]
"""A pid and its start time (clock ticks since boot, /proc/<pid>/stat field 22)."""


def _stat_fields(pid: int) -> list[str] | None:
    """/proc/<pid>/stat's fields after the command name (which may hold spaces and parentheses)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            text = stat.read().decode("ascii", "replace")
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()


def start_time(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return int(fields[19]) if fields and len(fields) > 19 else None


def alive(process: Process) -> bool:
    """Whether this very process (not a later one with its pid) still runs (a zombie does not)."""
    fields = _stat_fields(process[0])
    return bool(fields) and len(fields) > 19 and fields[0] != "Z" and int(fields[19]) == process[1]


def children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as listed:
                found.extend(int(c) for c in listed.read().split())
    except OSError:
        pass
    return found


def tree(pid: int) -> list[int]:
    """The process and its descendants."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children(current))
    return found


def in_session(session: int) -> list[int]:
    """Every process of a session (its leader may be gone: the session id stays)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields and len(fields) > 3 and int(fields[3]) == session:
                found.append(int(entry))
    return found


def markers(runtime_api: str, log_stream: str) -> list[str]:
    """The variables, as ``NAME=value``, that every process of one environment carries."""
    return [f"AWS_LAMBDA_RUNTIME_API={runtime_api}", f"AWS_LAMBDA_LOG_STREAM_NAME={log_stream}"]


def marked(marks: list[str]) -> list[int]:
    """This user's processes whose environment holds every one of ``marks``."""
    wanted = [mark.encode() + b"\0" for mark in marks]
    uid = os.getuid()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.stat(f"/proc/{entry}").st_uid != uid:
                continue
            with open(f"/proc/{entry}/environ", "rb") as environ:
                text = b"\0" + environ.read()
        except OSError:
            continue
        if all(b"\0" + mark in text for mark in wanted):
            found.append(int(entry))
    return found


def _kill(pids: list[int]) -> int:
    killed = 0
    protected = {os.getpid(), os.getppid()}
    for pid in pids:
        if pid in protected or pid <= 1:
            continue
        try:
            os.kill(pid, signal.SIGKILL)
            killed += 1
        except (ProcessLookupError, PermissionError):
            pass
    return killed


def end_tree(runtime: Process, marks: list[str] | None = None) -> int:
    """SIGKILL a runtime's tree and its session, including what it started in sessions of
    their own (they stay its descendants: it is their subreaper), and with ``marks`` every
    process that carries them. Returns how many were killed."""
    pid = runtime[0]
    killed = 0
    for _ in range(END_ROUNDS):
        found = set(in_session(pid))
        if alive(runtime):
            found.update(tree(pid))
        if marks:
            found.update(marked(marks))
        if not found:
            break
        killed += _kill(sorted(found))
    return killed


class Ledger:
    """This process's record of its process environments (see the module docstring)."""

    def __init__(self, state_dir: Path | None) -> None:
        self._path = state_dir / LEDGER_DIR / f"{os.getpid()}.json" if state_dir is not None else None
        self._lock = threading.Lock()
        self._owner: Process = (os.getpid(), start_time(os.getpid()) or 0)
        self._entries: dict[str, dict[str, Any]] = {}

    def started(self, env_id: str, runtime: Process, marks: list[str]) -> None:
        with self._lock:
            self._entries[env_id] = {"runtime": [runtime], "seen": [], "marks": marks}
            self._write()

    def seen(self, env_id: str, pids: list[int]) -> None:
        """Processes found in the environment's tree: recorded the first time each is seen."""
        with self._lock:
            entry = self._entries.get(env_id)
            if entry is None:
                return
            known = {pid for pid, _ in entry["seen"]} | {entry["runtime"][0][0]}
            new = [(pid, t) for pid in pids if pid not in known and (t := start_time(pid)) is not None]
            if new:
                entry["seen"].extend(new)
                self._write()

    def ended(self, env_id: str) -> None:
        with self._lock:
            if self._entries.pop(env_id, None) is not None:
                self._write()

    def _write(self) -> None:
        if self._path is None:
            return
        try:
            self._path.parent.mkdir(mode=0o700, exist_ok=True)
            if not self._entries:
                self._path.unlink(missing_ok=True)
                return
            body = {"owner": list(self._owner),
                    "environments": {k: {"runtime": list(v["runtime"][0]), "seen": [list(p) for p in v["seen"]],
                                         "marks": v["marks"]} for k, v in self._entries.items()}}
            temporary = self._path.with_suffix(".tmp")
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w") as out:
                json.dump(body, out)
            os.replace(temporary, self._path)
        except OSError:
            log.exception("could not write the sandbox ledger %s", self._path)


def reap(state_dir: Path) -> int:
    """End what the process environments of emulators that are gone left running; returns how
    many processes were killed. Ledgers of live emulators are left alone."""
    folder = state_dir / LEDGER_DIR
    if not folder.is_dir():
        return 0
    killed = 0
    for path in sorted(folder.glob("*.json")):
        try:
            body = json.loads(path.read_text())
            owner = (int(body["owner"][0]), int(body["owner"][1]))
        except (OSError, ValueError, KeyError, IndexError, TypeError):
            path.unlink(missing_ok=True)
            continue
        if alive(owner) or owner[0] == os.getpid():
            continue
        for entry in body.get("environments", {}).values():
            runtime = (int(entry["runtime"][0]), int(entry["runtime"][1]))
            if not alive(runtime) and start_time(runtime[0]) is not None:
                # The pid is another process's now; its session may be a stranger's too.
                pids = []
            else:
                pids = in_session(runtime[0])
                if alive(runtime):
                    pids.extend(tree(runtime[0]))
            pids.extend(pid for pid, started in entry.get("seen", []) if alive((pid, started)))
            marks = entry.get("marks")
            if isinstance(marks, list) and len(marks) == 2:
                pids.extend(marked([str(m) for m in marks]))
            killed += _kill(sorted(set(pids)))
        path.unlink(missing_ok=True)
        if killed:
            log.warning("ended %d processes left by emulator process %d's sandboxes", killed, owner[0])
    return killed
