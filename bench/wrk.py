"""wrk, the compiled HTTP load generator, for the benches: one bounded run and its p50, p99 and req/s.

wrk is not a Python package: Debian and Ubuntu have it (``apt-get install -y wrk``), Homebrew
too (``brew install wrk``). The benches look for it on PATH and carry on without it.

A run is one wrk thread (the machine's other core is the server's) holding ``connections``
keep-alive connections for a whole number of seconds (wrk counts time in seconds). A short Lua
script makes wrk print its figures as one JSON line (its ``done`` hook: the latency percentiles
in microseconds, the requests, the run's duration and the errors) instead of the text summary,
which rounds. wrk cannot stop after a number of requests (a thread stopped from Lua leaves the
main thread sleeping out the duration, so the rate would be wrong): to keep the requests to a
slow server few, give it a short duration (:func:`seconds_for`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.common import BenchError

INSTALL_HINT = "apt-get install -y wrk (Debian/Ubuntu; brew install wrk on macOS)"
MARK = "WRK_JSON "

DONE = """
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%s{"requests": %d, "duration_us": %d, "p50_us": %.1f, "p99_us": %.1f, "max_us": %.1f, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\\n',
    "MARK", summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
""".replace("MARK", MARK)


@dataclass(frozen=True)
class WrkResult:
    p50_s: float
    p99_s: float
    rps: float
    requests: int
    errors: int  # connect, read, write, timeout, and answers that are not 2xx or 3xx
    duration_s: float


def find() -> str | None:
    return shutil.which("wrk")


def version(executable: str) -> str:
    # `wrk -v` prints "wrk debian/4.1.0-3+b2 [epoll] Copyright ..." and exits 1.
    done = subprocess.run([executable, "-v"], capture_output=True, text=True, timeout=10)
    words = (done.stdout or done.stderr).split()
    return words[1] if len(words) > 1 else "?"


def seconds_for(requests: int, rps: float, longest_s: int) -> int:
    """The whole seconds a run at about ``rps`` takes to send at most about ``requests``
    (at least 1, at most ``longest_s``)."""
    return max(1, min(longest_s, int(requests / rps) if rps > 0 else 1))


def parse(stdout: str) -> WrkResult:
    line = next((line for line in stdout.splitlines() if line.startswith(MARK)), None)
    if line is None:
        raise BenchError(f"wrk printed no figures: {stdout[-500:]!r}")
    figures = json.loads(line[len(MARK):])
    duration_s = figures["duration_us"] / 1e6
    errors = sum(figures[k] for k in ("connect", "read", "write", "status", "timeout"))
    return WrkResult(p50_s=figures["p50_us"] / 1e6, p99_s=figures["p99_us"] / 1e6,
                     rps=figures["requests"] / duration_s if duration_s > 0 else 0.0,
                     requests=figures["requests"], errors=errors, duration_s=duration_s)


def run(executable: str, url: str, connections: int, duration_s: int, timeout_s: float = 5.0) -> WrkResult:
    """One wrk run of ``duration_s`` whole seconds against ``url``, killed if it has not ended
    ``duration_s + timeout_s + 10`` seconds later."""
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        lua = Path(tmp) / "figures.lua"
        lua.write_text(DONE)
        command = [executable, "-t1", f"-c{connections}", f"-d{max(1, int(duration_s))}s",
                   f"--timeout={max(1, round(timeout_s))}s", "--latency", "-s", str(lua), url]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=duration_s + timeout_s + 10,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:  # subprocess.run has killed it
            raise BenchError(f"wrk did not end within {duration_s + timeout_s + 10:g} s") from exc
    if done.returncode != 0:
        raise BenchError(f"wrk exited {done.returncode}: {(done.stderr or done.stdout)[-500:]}")
    return parse(done.stdout)
