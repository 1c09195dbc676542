"""Which process is at the other end of a TCP connection on this host.

The process sandbox's Runtime API serves a connection only when the socket at
its other end is held by a process of the execution environment's own tree.
Linux says both halves: the socket's inode, asked of the kernel by its two
addresses (``sock_diag`` over netlink: one hash lookup, some 20 µs, where
reading ``/proc/net/tcp`` walks the whole connection table, 6–12 ms on this
machine with 160 sockets; that file is the fallback), and ``/proc/<pid>/fd``,
whose links name the inodes a process holds (readable for processes of the
same user). Nothing the client sends is trusted, so a runtime client needs no
change to pass, and a process outside the tree cannot pass by copying
anything it can read.
"""

from __future__ import annotations

import os
import socket
import struct
from collections.abc import Iterable

PROC_NET_TCP = "/proc/net/tcp"


def _hex_address(address: tuple[str, int]) -> bytes:
    """An address as ``/proc/net/tcp`` writes it: the IPv4 word in host order, then the port."""
    ip, port = address[0], address[1]
    (word,) = struct.unpack("=I", socket.inet_aton(ip))
    return f"{word:08X}:{port:04X}".encode()


_NETLINK_SOCK_DIAG = 4
_SOCK_DIAG_BY_FAMILY = 20
_NLM_F_REQUEST = 1
_NLMSG_ERROR = 2
_NO_COOKIE = 0xFFFFFFFF
_HEADER = struct.Struct("=IHHII")  # nlmsghdr: length, type, flags, sequence, port id
_REQUEST = struct.Struct("=BBBxI2s2s16s16sIII")  # inet_diag_req_v2 with its inet_diag_sockid
_MESSAGE = struct.Struct("=BBBB2s2s16s16sIIIIIIII")  # inet_diag_msg
_ENOENT = -2


def socket_inode(local: tuple[str, int], remote: tuple[str, int]) -> int | None:
    """The inode of the socket whose own address is ``local`` and whose peer is ``remote``;
    None when there is none (it has closed, or it is not IPv4 on this namespace)."""
    try:
        socket.inet_aton(local[0])
        socket.inet_aton(remote[0])
    except (OSError, TypeError):
        return None
    found = _diag_inode(local, remote)
    if found is not False:
        return found
    return _table_inode(local, remote)


def _diag_inode(local: tuple[str, int], remote: tuple[str, int]) -> int | None | bool:
    """The inode from the kernel's socket diagnostics; False when they cannot be asked."""
    request = _REQUEST.pack(
        socket.AF_INET, socket.IPPROTO_TCP, 0, 0xFFFFFFFF,  # family, protocol, no extensions, any state
        struct.pack("!H", local[1]), struct.pack("!H", remote[1]),
        socket.inet_aton(local[0]).ljust(16, b"\0"), socket.inet_aton(remote[0]).ljust(16, b"\0"),
        0, _NO_COOKIE, _NO_COOKIE,  # any interface; no cookie to match
    )
    message = _HEADER.pack(_HEADER.size + len(request), _SOCK_DIAG_BY_FAMILY, _NLM_F_REQUEST, 1, 0) + request
    try:
        with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, _NETLINK_SOCK_DIAG) as diag:
            diag.settimeout(1.0)
            diag.send(message)
            answer = diag.recv(8192)
    except (OSError, AttributeError):  # no netlink (not Linux), or no answer
        return False
    if len(answer) < _HEADER.size:
        return False
    kind = _HEADER.unpack_from(answer)[1]
    if kind == _NLMSG_ERROR:
        (error,) = struct.unpack_from("=i", answer, _HEADER.size)
        return None if error == _ENOENT else False
    if kind != _SOCK_DIAG_BY_FAMILY or len(answer) < _HEADER.size + _MESSAGE.size:
        return False
    inode = _MESSAGE.unpack_from(answer, _HEADER.size)[-1]
    return inode or None


def _table_inode(local: tuple[str, int], remote: tuple[str, int]) -> int | None:
    try:
        with open(PROC_NET_TCP, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    needle = b" " + _hex_address(local) + b" " + _hex_address(remote) + b" "
    at = data.find(needle)
    while at >= 0:
        end = data.find(b"\n", at)
        fields = data[at : end if end >= 0 else len(data)].split()
        # local, remote, state, tx:rx queues, timer, retransmits, uid, timeout, inode
        try:
            inode = int(fields[8])
        except (IndexError, ValueError):
            inode = 0
        if inode:  # 0: a socket on its way out (TIME_WAIT), which may share the addresses
            return inode
        at = data.find(needle, at + 1)
    return None


def held_by(pids: Iterable[int], inode: int) -> bool:
    """Whether one of ``pids`` has the socket ``inode`` open."""
    target = f"socket:[{inode}]"
    for pid in pids:
        folder = f"/proc/{pid}/fd"
        try:
            fds = os.listdir(folder)
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"{folder}/{fd}") == target:
                    return True
            except OSError:
                continue
    return False
