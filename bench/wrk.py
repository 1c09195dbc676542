"""wrk, the compiled HTTP load generator, for the benches: one bounded run and its p50, p99 and req/s.

wrk is not a Python package: Debian and Ubuntu have it (``apt-get install -y wrk``), Homebrew
too (``brew install wrk``). The benches look for it on PATH and carry on without it.

A run is one wrk thread (the machine's other core is the server's) holding ``connections``
keep-alive connections for a whole number of seconds (wrk counts time in seconds), or, with
``limit``, until that many answers have come back, whichever is first. A short Lua script makes
wrk print its figures as one JSON line (its ``done`` hook: the latency percentiles from wrk's
own histogram, in microseconds, the requests, the run's duration and the errors) instead of the
text summary, which rounds.

With ``limit`` the script also counts answers (wrk's ``response`` hook, so wrk parses every
answer in Lua, which costs a little: only slow servers get a limit). At the limit the thread
stops and touches a file; seeing it, :func:`run` sends wrk SIGINT, which ends wrk's sleep at
once (else it would sit out the duration). The rate is then the answers over the time from the
thread's start to the last answer, read with ``clock_gettime`` through LuaJIT's ffi (wrk is
built on LuaJIT), not over wrk's duration, which includes the stop.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import BenchError

INSTALL_HINT = "apt-get install -y wrk (Debian/Ubuntu; brew install wrk on macOS)"
MARK = "WRK_JSON "

DONE = """
threads = {}
function setup(thread) table.insert(threads, thread) end
function done(summary, latency, requests)
  local e = summary.errors
  local answers, span = -1, -1
  for _, t in ipairs(threads) do
    if t:get("answers") then answers, span = t:get("answers"), t:get("last") - t:get("first") end
  end
  io.write(string.format(
    '%s{"requests": %d, "duration_us": %d, "p50_us": %.1f, "p99_us": %.1f, "max_us": %.1f, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, "answers": %d, "span_s": %.6f}\\n',
    "MARK", summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout, answers, span))
end
""".replace("MARK", MARK)

LIMIT = """
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *now);
]]
local clock = ffi.new("bench_timespec")
local function now() ffi.C.clock_gettime(1, clock); return tonumber(clock.tv_sec) + tonumber(clock.tv_nsec) / 1e9 end
local limit, stopped = LIMIT, false
answers, first, last = 0, 0, 0
function init(args) first = now(); last = first end
function response(status, headers, body)
  answers = answers + 1
  last = now()
  if answers >= limit and not stopped then
    stopped = true
    local marker = io.open(MARKER, "w")
    if marker then marker:close() end
    wrk.thread:stop()
  end
end
"""


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


def script(limit: int | None, marker: Path) -> str:
    if not limit:
        return DONE
    return DONE + LIMIT.replace("LIMIT", str(int(limit))).replace("MARKER", json.dumps(str(marker)))


def parse(stdout: str) -> WrkResult:
    line = next((line for line in stdout.splitlines() if line.startswith(MARK)), None)
    if line is None:
        raise BenchError(f"wrk printed no figures: {stdout[-500:]!r}")
    figures = json.loads(line[len(MARK):])
    errors = sum(figures[k] for k in ("connect", "read", "write", "status", "timeout"))
    if figures["answers"] > 0 and figures["span_s"] > 0:  # a run with a limit: its own clock
        duration_s, requests = figures["span_s"], figures["answers"]
    else:
        duration_s, requests = figures["duration_us"] / 1e6, figures["requests"]
    return WrkResult(p50_s=figures["p50_us"] / 1e6, p99_s=figures["p99_us"] / 1e6,
                     rps=requests / duration_s if duration_s > 0 else 0.0,
                     requests=requests, errors=errors, duration_s=duration_s)


def run(executable: str, url: str, connections: int, duration_s: int, limit: int | None = None,
        timeout_s: float = 5.0) -> WrkResult:
    """One wrk run against ``url`` of ``duration_s`` whole seconds or until ``limit`` answers;
    killed if it has not ended ``duration_s + timeout_s + 10`` seconds after it started."""
    seconds = max(1, int(duration_s))
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        lua, marker = Path(tmp) / "figures.lua", Path(tmp) / "limit-reached"
        lua.write_text(script(limit, marker))
        command = [executable, "-t1", f"-c{connections}", f"-d{seconds}s",
                   f"--timeout={max(1, round(timeout_s))}s", "--latency", "-s", str(lua), url]
        deadline = time.monotonic() + seconds + timeout_s + 10
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   stdin=subprocess.DEVNULL)
        try:
            interrupted = False
            while process.poll() is None and time.monotonic() < deadline:
                if limit and not interrupted and marker.exists():
                    process.send_signal(signal.SIGINT)  # ends wrk's sleep: it joins, prints, exits
                    interrupted = True
                time.sleep(0.02)
            try:
                stdout, stderr = process.communicate(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired as exc:
                raise BenchError(f"wrk did not end within {seconds + timeout_s + 10:g} s") from exc
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    if process.returncode != 0:
        raise BenchError(f"wrk exited {process.returncode}: {(stderr or stdout)[-500:]}")
    return parse(stdout)
