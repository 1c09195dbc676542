"""Startup benchmark: time from process start to the first painted frame.

Usage (from the repository root)::

    .venv/bin/python bench/startup.py [--runs N] [--warmup N] [--json]

What it measures
----------------
Three programs, each started as a subprocess of the interpreter running this
script, inside a pseudo-terminal:

* **bare**: a bare Textual app with one ``Static`` showing ``BENCH-READY``,
  written to a temporary file and run with ``sys.executable``. This is the
  floor: interpreter start, ``import textual``, one screen, one frame.
* **fresh**: ``computetui --demo`` on the local backend with a new, not yet
  existing ``--state-dir`` per run, so every run is a first run (the app
  creates the state database and seeds the sample workload).
* **seeded**: ``computetui --demo`` on a copy (made per run) of a state dir
  that ``computetui serve --demo`` seeded once before the measurements, so
  the workload is already in place (a returning user).

``computetui`` is the console script beside ``sys.executable`` (falling back
to ``python -m computetui``). ``COMPUTETUI_CONFIG`` and
``COMPUTETUI_CONFIG_DIR`` point at paths that do not exist, so no user config
or user theme can interfere; inherited ``COMPUTETUI_*``, ``TEXTUAL*``,
``COLUMNS`` and ``LINES`` variables are dropped.

Bytecode: an installed package has its ``.pyc`` files, but a source checkout
run with ``PYTHONDONTWRITEBYTECODE=1`` (as some sandboxes and CI set) would
compile every computetui module from source on every start and make the
console look slower than it is. So the children run with
``PYTHONDONTWRITEBYTECODE`` unset and ``PYTHONPYCACHEPREFIX`` pointing at a
temporary dir of this benchmark: the warm-up round fills that cache for every
program alike (stdlib, Textual and computetui), nothing is written into the
source tree, and the measured runs all start with compiled bytecode.

How
---
For each run: open a pty (``os.openpty``), set its size to 120x36 with
``TIOCSWINSZ``, make it the child's controlling terminal and its
stdin/stdout/stderr, with ``TERM=xterm-256color`` and ``COLORTERM=truecolor``.
The clock (``time.perf_counter``) starts just before the spawn. The parent
reads the pty's master side with ``select`` as output arrives, strips ANSI
escape sequences (CSI, OSC, DCS and the short ones) incrementally from the
stream and stops the clock at the read after which a marker that only the
painted first frame contains has been seen: ``BENCH-READY`` for the bare app
and the header's ``◆ computetui`` for the console. Then it sends ctrl+q
(``\\x11``) through the pty, keeps draining the output until the process
exits (SIGTERM, then SIGKILL, to the child's own process group if it does not)
and reaps it. Shutdown is not part of the figure.

Runs are interleaved (bare, fresh, seeded, bare, fresh, seeded, ...) so that
machine load affects every program alike. One warm-up round (``--warmup``)
runs first and is discarded, so the bytecode cache and the page cache are
warm for everyone. The report gives the median and the minimum per program and
the ratio of medians console/bare; the project's target is a ratio <= 1.5
(printed, not asserted: benchmarks print figures, tests never assert a time).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import platform
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from importlib import metadata
from pathlib import Path

COLUMNS, ROWS = 120, 36
TARGET_RATIO = 1.5
BARE_MARKER = "BENCH-READY"
CONSOLE_MARKER = "◆ computetui"  # the header's first field, painted in the first frame
FIRST_FRAME_TIMEOUT = 30.0
QUIT_TIMEOUT = 5.0

BARE_APP = f'''\
from textual.app import App, ComposeResult
from textual.widgets import Static


class Bare(App):
    def compose(self) -> ComposeResult:
        yield Static("{BARE_MARKER}")


if __name__ == "__main__":
    Bare().run()
'''

# CSI, OSC (ended by BEL or ST), DCS/SOS/PM/APC (ended by ST), then the short
# escapes (ESC, intermediates, one final byte other than the introducers above).
_ESCAPE = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]"
    rb"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
    rb"|\x1b[PX^_][^\x1b]*\x1b\\"
    rb"|\x1b[ -/]*[0-OQ-WYZ\\`-~]"
)


class MarkerWatch:
    """Strips escape sequences from a byte stream as it arrives and spots a marker."""

    def __init__(self, marker: str) -> None:
        self.marker = marker.encode("utf-8")
        self._pending = b""  # an escape sequence cut off at the end of a read
        self._tail = b""  # the last len(marker)-1 bytes of text, for a marker split across reads
        self.text = bytearray()  # everything stripped so far, for error messages

    def feed(self, chunk: bytes) -> bool:
        data = self._pending + chunk
        self._pending = b""
        last = data.rfind(b"\x1b")
        if last != -1 and _ESCAPE.match(data, last) is None and len(data) - last < 65536:
            self._pending, data = data[last:], data[:last]
        text = _ESCAPE.sub(b"", data)
        self.text += text
        window = self._tail + text
        self._tail = window[-(len(self.marker) - 1) :] if len(self.marker) > 1 else b""
        return self.marker in window


class BenchError(RuntimeError):
    pass


def child_env(root: Path) -> dict[str, str]:
    """The children's environment; ``root`` is this run's temporary dir."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("COMPUTETUI_", "TEXTUAL")) and k not in ("COLUMNS", "LINES", "PYTHONDONTWRITEBYTECODE")
    }
    missing = root / "no-config"  # never created
    env.update(
        TERM="xterm-256color",
        COLORTERM="truecolor",
        COMPUTETUI_CONFIG=str(missing / "config.toml"),
        COMPUTETUI_CONFIG_DIR=str(missing),
        PYTHONPYCACHEPREFIX=str(root / "pycache"),
    )
    return env


def _make_controlling_tty() -> None:  # runs in the child, after setsid and the dup2s
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:  # EIO: every slave side is closed, the child is gone
        return b""


def time_to_first_frame(argv: list[str], marker: str, env: dict[str, str]) -> float:
    """Spawn ``argv`` in a 120x36 pty; seconds until ``marker`` has been painted."""
    master, slave = os.openpty()
    try:
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        watch = MarkerWatch(marker)
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            close_fds=True,
            start_new_session=True,
            preexec_fn=_make_controlling_tty,
        )
        os.close(slave)
        slave = -1
        elapsed: float | None = None
        try:
            deadline = start + FIRST_FRAME_TIMEOUT
            while elapsed is None:
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    raise BenchError(f"no {marker!r} within {FIRST_FRAME_TIMEOUT:g}s")
                ready, _, _ = select.select([master], [], [], remaining)
                if not ready:
                    continue
                chunk = _read(master)
                if not chunk:
                    raise BenchError(f"exited with {proc.wait()} before painting {marker!r}")
                if watch.feed(chunk):
                    elapsed = time.perf_counter() - start
        except BenchError as exc:
            tail = bytes(watch.text[-600:]).decode("utf-8", "replace")
            raise BenchError(f"{' '.join(argv)}: {exc}; its output ended with:\n{tail}") from None
        finally:
            _stop(proc, master)
        return elapsed
    finally:
        if slave != -1:
            os.close(slave)
        os.close(master)


def _stop(proc: subprocess.Popen[bytes], master: int) -> None:
    """ctrl+q, then SIGTERM, then SIGKILL to the child's own group; drain the pty meanwhile."""
    if proc.poll() is None:
        try:
            os.write(master, b"\x11")
        except OSError:
            pass
    eof = False
    for sig, wait in ((None, QUIT_TIMEOUT), (signal.SIGTERM, 3.0), (signal.SIGKILL, 3.0)):
        if proc.poll() is not None:
            break
        if sig is not None:
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                pass
        until = time.monotonic() + wait
        while proc.poll() is None and time.monotonic() < until:
            if eof:  # the pty is closed; just wait for the exit
                time.sleep(0.01)
                continue
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready and not _read(master):
                eof = True
    proc.wait()


def computetui_command() -> list[str]:
    """The ``computetui`` console script beside this interpreter, if it runs this
    interpreter; otherwise ``python -m computetui``. Either way the same Python
    as the bare app."""
    script = Path(sys.executable).parent / "computetui"
    try:
        with script.open("rb") as f:
            shebang = f.readline()
    except OSError:
        shebang = b""
    if shebang.startswith(b"#!") and os.access(script, os.X_OK):
        target = shebang[2:].strip().split(b" ")[0].decode(errors="replace")
        if Path(target) == Path(sys.executable) or Path(target).resolve() == Path(sys.executable).resolve():
            return [str(script)]
    return [sys.executable, "-m", "computetui"]


def seed_state_dir(command: list[str], state_dir: Path, env: dict[str, str]) -> None:
    """Have ``computetui serve --demo`` seed ``state_dir``, then stop it."""
    proc = subprocess.Popen(
        [*command, "serve", "--demo", "--state-dir", str(state_dir)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    assert proc.stdout is not None
    lines = []
    try:
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip()
            lines.append(line)
            if "controller running" in line:
                break
        else:
            raise BenchError("computetui serve --demo stopped before seeding:\n" + "\n".join(lines))
        if not any(line.startswith("Sample workload:") for line in lines):
            raise BenchError("computetui serve --demo did not report the sample workload:\n" + "\n".join(lines))
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()


def version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def summarize(samples: list[float]) -> dict[str, float | list[float]]:
    return {
        "median_s": statistics.median(samples),
        "min_s": min(samples),
        "max_s": max(samples),
        "samples_s": samples,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, metavar="N", help="measured runs per program (default 7)")
    parser.add_argument(
        "--warmup", type=int, default=1, metavar="N", help="discarded warm-up rounds before measuring (default 1)"
    )
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be at least 1 and --warmup at least 0")

    console = computetui_command()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="computetui-bench-") as tmp:
        root = Path(tmp)
        env = child_env(root)
        bare_app = root / "bare_app.py"
        bare_app.write_text(BARE_APP, encoding="utf-8")
        seeded_template = root / "seeded-template"
        seed_state_dir(console, seeded_template, env)

        def run_bare(_: Path) -> float:
            return time_to_first_frame([sys.executable, str(bare_app)], BARE_MARKER, env)

        def run_fresh(workdir: Path) -> float:
            state = workdir / "state"  # does not exist yet: a first run
            return time_to_first_frame([*console, "--demo", "--state-dir", str(state)], CONSOLE_MARKER, env)

        def run_seeded(workdir: Path) -> float:
            state = workdir / "state"
            shutil.copytree(seeded_template, state)
            return time_to_first_frame([*console, "--demo", "--state-dir", str(state)], CONSOLE_MARKER, env)

        programs = [
            ("bare", "bare Textual app (one Static)", run_bare),
            ("fresh", "computetui --demo, fresh state", run_fresh),
            ("seeded", "computetui --demo, seeded state", run_seeded),
        ]
        samples: dict[str, list[float]] = {key: [] for key, _, _ in programs}
        total = args.warmup + args.runs
        for round_no in range(total):
            measured = round_no >= args.warmup
            for key, _, run in programs:
                workdir = Path(tempfile.mkdtemp(prefix=f"{key}-", dir=root))
                try:
                    seconds = run(workdir)
                finally:
                    shutil.rmtree(workdir, ignore_errors=True)
                if measured:
                    samples[key].append(seconds)
            what = "warm-up" if not measured else f"run {round_no - args.warmup + 1}/{args.runs}"
            print(
                f"  {what}: "
                + "  ".join(
                    f"{key} {run_samples[-1] * 1000:.0f} ms" if measured else key
                    for key, run_samples in samples.items()
                ),
                file=sys.stderr,
                flush=True,
            )

    load_after = os.getloadavg()
    stats = {key: summarize(values) for key, values in samples.items()}
    bare_median = stats["bare"]["median_s"]
    ratios = {key: stats[key]["median_s"] / bare_median for key in ("fresh", "seeded")}
    info = {
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "textual": version("textual"),
        "computetui": version("computetui"),
        "computetui_command": console,
        "terminal": f"{COLUMNS}x{ROWS}",
        "runs": args.runs,
        "warmup_rounds": args.warmup,
        "cpus": os.cpu_count(),
        "loadavg_1min_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
    }

    print(f"Startup: time from spawn to the first painted frame ({COLUMNS}x{ROWS} pty, TERM=xterm-256color)")
    print(f"Python {info['python']} ({sys.executable}), Textual {info['textual']}, computetui {info['computetui']}")
    print(
        f"{args.runs} interleaved runs per program, {args.warmup} warm-up round(s) discarded; "
        f"{os.cpu_count()} CPUs, 1-min load average {load_before[0]:.2f} before, {load_after[0]:.2f} after"
    )
    print()
    print(f"  {'program':<36}{'median':>10}{'min':>10}{'max':>10}")
    for key, label, _ in programs:
        s = stats[key]
        print(f"  {label:<36}{s['median_s'] * 1000:>7.0f} ms{s['min_s'] * 1000:>7.0f} ms{s['max_s'] * 1000:>7.0f} ms")
    print()
    for key, label in (("fresh", "fresh state"), ("seeded", "seeded state")):
        verdict = "meets" if ratios[key] <= TARGET_RATIO else "misses"
        print(f"  ratio computetui/bare ({label}): {ratios[key]:.2f} (target <= {TARGET_RATIO:g}: {verdict})")
    if args.json:
        print()
        print(
            json.dumps(
                {"info": info, "programs": stats, "ratio_of_medians": ratios, "target_ratio": TARGET_RATIO}, indent=2
            )
        )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"startup benchmark: {exc}", file=sys.stderr)
        sys.exit(1)
