"""The WebSocket protocol (RFC 6455) on the HTTP package's connections: the handshake's answer
and frames in and out.

Enough for API Gateway's WebSocket APIs: text and binary messages (fragments joined), ping
answered with pong, close answered with close; frames from a client must be masked, a message
over ``MAX_MESSAGE`` (API Gateway's 128 KB) closes the connection with 1009. No extensions
(``permessage-deflate`` is not offered), no subprotocols.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import struct
from dataclasses import dataclass

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_MESSAGE = 128 * 1024
TEXT, BINARY, CLOSE, PING, PONG, CONTINUATION = 0x1, 0x2, 0x8, 0x9, 0xA, 0x0


def accept_key(key: str) -> str:
    """``Sec-WebSocket-Accept`` for a client's ``Sec-WebSocket-Key``."""
    return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()  # noqa: S324 - the protocol's


def handshake(key: str) -> bytes:
    return (f"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Accept: {accept_key(key)}\r\n\r\n").encode()


def frame(opcode: int, payload: bytes) -> bytes:
    """One unmasked, final frame (what a server sends)."""
    size = len(payload)
    if size < 126:
        head = struct.pack("!BB", 0x80 | opcode, size)
    elif size < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 126, size)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, size)
    return head + payload


class Closed(Exception):
    """The other end closed (or broke the protocol); ``code`` is what to answer with."""

    def __init__(self, code: int = 1000, reason: str = "") -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass
class Message:
    text: bool
    data: bytes


class Socket:
    """One server-side WebSocket over an asyncio reader and writer."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.closed = False

    async def _frame(self) -> tuple[bool, int, bytes]:
        first, second = await self.reader.readexactly(2)
        final, opcode, masked, size = bool(first & 0x80), first & 0x0F, bool(second & 0x80), second & 0x7F
        if first & 0x70:
            raise Closed(1002, "reserved bits set (no extension was agreed)")
        if not masked:
            raise Closed(1002, "a client's frames must be masked")
        if size == 126:
            size = struct.unpack("!H", await self.reader.readexactly(2))[0]
        elif size == 127:
            size = struct.unpack("!Q", await self.reader.readexactly(8))[0]
        if size > MAX_MESSAGE:
            raise Closed(1009, "message too big")
        mask = await self.reader.readexactly(4)
        data = bytearray(await self.reader.readexactly(size))
        for index in range(size):
            data[index] ^= mask[index % 4]
        return final, opcode, bytes(data)

    async def receive(self) -> Message:
        """The next message; ping is answered on the way. Raises Closed."""
        parts: list[bytes] = []
        kind = None
        while True:
            try:
                final, opcode, data = await self._frame()
            except (asyncio.IncompleteReadError, ConnectionError):
                raise Closed(1006, "the connection dropped") from None
            if opcode == PING:
                await self.send(PONG, data)
                continue
            if opcode == PONG:
                continue
            if opcode == CLOSE:
                code = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else 1000
                raise Closed(code, data[2:].decode("utf-8", "replace"))
            if opcode in (TEXT, BINARY):
                if kind is not None:
                    raise Closed(1002, "a new message began before the last one ended")
                kind = opcode
            elif opcode != CONTINUATION or kind is None:
                raise Closed(1002, f"unexpected opcode {opcode}")
            parts.append(data)
            if sum(len(p) for p in parts) > MAX_MESSAGE:
                raise Closed(1009, "message too big")
            if final:
                return Message(kind == TEXT, b"".join(parts))

    async def send(self, opcode: int, payload: bytes) -> None:
        if self.closed:
            raise Closed(1006, "closed")
        self.writer.write(frame(opcode, payload))
        await self.writer.drain()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        if self.closed:
            return
        try:
            self.writer.write(frame(CLOSE, struct.pack("!H", code) + reason.encode()[:120]))
            await asyncio.wait_for(self.writer.drain(), 2)
        except (ConnectionError, TimeoutError):
            pass
        self.closed = True
