"""An execution environment's output, read as lines at a steady cost per byte.

Both sandboxes send the runtime's stdout and stderr into one pipe (a FIFO for
a container) that the emulator reads without blocking on its event loop. A
handler may print far faster than anything can store it, so the reading is
bounded three ways:

* each time the loop finds the pipe readable, at most ``SLICE_BYTES`` are
  read; the reader is called again on the loop's next turn, so a flood of
  output shares the loop with every other function's invocations and timers
  (a timeout fires on time however much a handler prints);
* the unfinished last line is kept in a buffer that never grows past
  ``MAX_LINE_BYTES``: a longer line is handed on in pieces of that size, as
  CloudWatch Logs cuts an event at its largest message size. So each byte is
  split and copied a fixed number of times, never once per read as appending
  to a growing ``bytes`` would;
* ``drain`` (called when an answer arrives, to collect what was written before
  it) reads until the pipe is empty or ``DRAIN_LIMIT_BYTES`` have come, so a
  runtime that never stops writing cannot hold it.

What is kept of an invocation's lines is capped by a ``LineBudget`` (the
runtime gives each environment one, reset at each invocation): once it is
spent, the pipe only counts what it reads, without splitting or decoding, so a
flood costs the loop little more than the reads themselves.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any

READ_BYTES = 65536
SLICE_BYTES = 1 << 16
"""Read per wake-up of the loop's reader."""
DRAIN_LIMIT_BYTES = 8 << 20
"""Read at most this much in one ``drain``."""
MAX_LINE_BYTES = 256 * 1024
"""A CloudWatch Logs event's largest message (256 KB): a longer line is cut into pieces this long."""


class LineBudget:
    """Where an environment's lines go: up to ``cap`` bytes of them per invocation are handed to
    ``keep``; the rest is counted, whole lines and raw bytes alike."""

    def __init__(self, keep: Callable[[str, float], None], cap: int) -> None:
        self.keep = keep
        self.cap = cap
        self.kept = 0
        self.dropped = 0

    @property
    def spent(self) -> bool:
        return self.kept >= self.cap

    def __call__(self, line: str, at: float) -> None:
        size = len(line) + 1
        if self.kept + size > self.cap:
            self.dropped += size
            self.kept = self.cap  # spent: the pipe counts the rest without splitting it
            return
        self.kept += size
        self.keep(line, at)

    def reset(self) -> int:
        """Start the next invocation's budget; returns the bytes dropped since the last reset."""
        dropped, self.kept, self.dropped = self.dropped, 0, 0
        return dropped


class OutputPipe:
    """The read end of an environment's output, turned into whole lines.

    Non-blocking: ``drain`` takes whatever is waiting, so calling it when the
    runtime's answer arrives collects exactly the lines written before it.
    """

    def __init__(self, fd: int, on_line: Callable[[str, float], None],
                 transform: Callable[[str], str] | None = None) -> None:
        self.fd: int | None = fd
        self._on_line = on_line
        self._budget: Any = on_line if isinstance(on_line, LineBudget) else None
        self._transform = transform
        """Applied to each line before it is handed on (the process sandbox's /var/task names)."""
        self._partial = b""
        os.set_blocking(fd, False)
        asyncio.get_running_loop().add_reader(fd, self._readable)

    def _readable(self) -> None:
        self._read(SLICE_BYTES)

    def drain(self) -> None:
        """Read what is waiting (up to ``DRAIN_LIMIT_BYTES``) and hand on its whole lines."""
        self._read(DRAIN_LIMIT_BYTES)

    def _read(self, limit: int) -> None:
        if self.fd is None:
            return
        now = asyncio.get_running_loop().time()
        taken = 0
        while taken < limit:
            try:
                data = os.read(self.fd, READ_BYTES)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:  # every writer has closed it: the environment has exited
                self.close()
                return
            taken += len(data)
            budget = self._budget
            if budget is not None and budget.spent:  # nothing more is kept: count it, unsplit
                budget.dropped += len(data) + len(self._partial)
                self._partial = b""
                continue
            self._split(data, now)

    def _split(self, data: bytes, now: float) -> None:
        *lines, rest = (self._partial + data).split(b"\n") if self._partial else data.split(b"\n")
        for line in lines:
            self._hand_on(line, now)
        while len(rest) > MAX_LINE_BYTES:  # a line that goes on and on: on in pieces, as CloudWatch cuts it
            self._hand_on(rest[:MAX_LINE_BYTES], now)
            rest = rest[MAX_LINE_BYTES:]
        self._partial = rest

    def _hand_on(self, line: bytes, now: float) -> None:
        if len(line) > MAX_LINE_BYTES:
            for start in range(0, len(line), MAX_LINE_BYTES):
                self._hand_on(line[start:start + MAX_LINE_BYTES], now)
            return
        text = line.decode("utf-8", "replace").rstrip("\r")
        self._on_line(self._transform(text) if self._transform else text, now)

    def flush_partial(self) -> None:
        """A last line without a newline still belongs to the log."""
        if self._partial:
            line, self._partial = self._partial, b""
            text = line.decode("utf-8", "replace")
            self._on_line(self._transform(text) if self._transform else text, asyncio.get_running_loop().time())

    def close(self) -> None:
        if self.fd is not None:
            try:
                asyncio.get_running_loop().remove_reader(self.fd)
            except RuntimeError:
                pass
            os.close(self.fd)
            self.fd = None
