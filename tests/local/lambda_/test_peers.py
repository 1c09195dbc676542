"""Which process holds the other end of a loopback connection: what the process sandbox's
Runtime API admits a connection by."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from computetui.backends.local.lambda_ import peers


@pytest.fixture
def connection() -> Iterator[tuple[socket.socket, socket.socket]]:
    with socket.create_server(("127.0.0.1", 0)) as server:
        client = socket.create_connection(server.getsockname())
        accepted, _ = server.accept()
        yield client, accepted
        client.close()
        accepted.close()


def test_the_client_end_of_a_connection_is_found_by_its_addresses(connection) -> None:  # noqa: ANN001
    client, accepted = connection
    inode = os.fstat(client.fileno()).st_ino
    # As the server sees it: the client's address is the socket's own, the server's its peer.
    assert peers.socket_inode(accepted.getpeername(), accepted.getsockname()) == inode
    assert peers._table_inode(accepted.getpeername(), accepted.getsockname()) == inode
    assert peers.socket_inode(accepted.getsockname(), accepted.getpeername()) == os.fstat(accepted.fileno()).st_ino


def test_addresses_no_socket_has_find_nothing(connection) -> None:  # noqa: ANN001
    client, _ = connection
    port = client.getsockname()[1]
    assert peers.socket_inode(("127.0.0.1", port), ("127.0.0.1", 1)) is None
    assert peers.socket_inode(("::1", port), ("::1", 1)) is None  # not IPv4: not asked


def test_a_socket_is_held_by_the_process_that_has_it_open_and_no_other(connection) -> None:  # noqa: ANN001
    client, _ = connection
    inode = os.fstat(client.fileno()).st_ino
    assert peers.held_by([os.getpid()], inode)
    with subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE) as other:
        try:
            assert not peers.held_by([other.pid], inode)  # close_fds: the child has no copy
        finally:
            other.stdin.close()
            other.wait(10)
