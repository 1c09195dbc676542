"""An environment's output pipe: lines at a bounded cost, however much a handler prints."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from computetui.backends.local.lambda_.output import DRAIN_LIMIT_BYTES, MAX_LINE_BYTES, SLICE_BYTES, OutputPipe

pytestmark = pytest.mark.asyncio


class Reads:
    """Counts what ``os.read`` hands the pipe, so a test can tell how much one call took."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.bytes = 0
        real = os.read

        def read(fd: int, n: int) -> bytes:
            data = real(fd, n)
            self.bytes += len(data)
            return data

        monkeypatch.setattr("computetui.backends.local.lambda_.output.os.read", read)


def pipe_on(path: Path, lines: list[str]) -> OutputPipe:
    """A pipe whose fd is a regular file: it never runs dry, as a handler that never stops printing."""
    read_fd, write_fd = os.pipe()
    os.close(write_fd)
    pipe = OutputPipe(read_fd, lambda line, at: lines.append(line))
    asyncio.get_running_loop().remove_reader(read_fd)
    os.close(read_fd)
    pipe.fd = os.open(path, os.O_RDONLY)
    return pipe


async def test_lines_come_whole_with_their_carriage_returns_dropped_and_the_last_one_at_the_end() -> None:
    lines: list[str] = []
    read_fd, write_fd = os.pipe()
    pipe = OutputPipe(read_fd, lambda line, at: lines.append(line))
    os.write(write_fd, b"one\r\ntwo\nthr")
    pipe.drain()
    os.write(write_fd, b"ee\nfour")
    pipe.drain()
    assert lines == ["one", "two", "three"]
    pipe.flush_partial()
    assert lines[-1] == "four"
    os.close(write_fd)
    pipe.drain()  # every writer gone: the pipe closes itself
    assert pipe.fd is None


async def test_a_line_longer_than_a_cloudwatch_event_is_cut_into_events(tmp_path: Path) -> None:
    flood = tmp_path / "flood"
    flood.write_bytes(b"x" * (MAX_LINE_BYTES * 3 + 10) + b"\nafter\n")
    lines: list[str] = []
    pipe = pipe_on(flood, lines)
    pipe.drain()
    assert [len(line) for line in lines] == [MAX_LINE_BYTES] * 3 + [10, 5]
    pipe.close()


async def test_one_wake_up_reads_a_slice_and_a_drain_stops_at_its_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    flood = tmp_path / "flood"
    line = b"y" * 99 + b"\n"
    flood.write_bytes(line * ((DRAIN_LIMIT_BYTES * 2) // len(line)))
    reads = Reads(monkeypatch)
    lines: list[str] = []
    pipe = pipe_on(flood, lines)
    pipe._readable()  # what the loop calls when the pipe is readable: others get the loop after it
    assert SLICE_BYTES <= reads.bytes < SLICE_BYTES + 65536
    taken = reads.bytes
    pipe.drain()
    assert DRAIN_LIMIT_BYTES <= reads.bytes - taken < DRAIN_LIMIT_BYTES + 65536
    assert len(lines) == reads.bytes // len(line) and set(lines) == {"y" * 99}
    pipe.close()


async def test_the_unfinished_line_never_grows_past_an_event(tmp_path: Path) -> None:
    flood = tmp_path / "flood"
    flood.write_bytes(b"z" * (SLICE_BYTES * 3))  # no newline at all
    lines: list[str] = []
    pipe = pipe_on(flood, lines)
    for _ in range(3):
        pipe._readable()
        assert len(pipe._partial) <= MAX_LINE_BYTES
    assert sum(len(line) for line in lines) + len(pipe._partial) == SLICE_BYTES * 3
    pipe.close()
