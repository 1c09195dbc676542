"""Each invocation says which sandbox ran it, and, when ``auto`` wanted a container and ran a
process, why."""

from __future__ import annotations

import pytest

from computetui.backends.errors import Unavailable
from computetui.backends.local import LocalBackend
from computetui.backends.local.lambda_.runtime import LambdaRuntime
from computetui.blueprints import zip_files
from computetui.models.common import EngineState, EngineStatus
from tests.support.fakes import FakeEngine, StaticEngine

HELLO = "def handler(event, context):\n    return 'hi'\n"
NO_SOCKET = EngineStatus(state=EngineState.SOCKET_MISSING, host="unix:///var/run/docker.sock",
                         reason="no Docker socket at /var/run/docker.sock: is Docker installed and running?")


def backend_with(sandbox: str, status: EngineStatus) -> LocalBackend:
    backend = LocalBackend(":memory:", lambda_sandbox=sandbox, engine=StaticEngine(status), controller=False)
    backend.lambda_.create_function(
        function_name="fn", runtime="python3.12", handler="lambda_function.handler",
        code={"ZipFile": zip_files({"lambda_function.py": HELLO})},
    )
    return backend


def test_auto_without_an_engine_runs_a_process_and_says_why() -> None:
    backend = backend_with("auto", NO_SOCKET)
    try:
        for _ in range(2):  # cold, then warm in the same environment
            result = backend.lambda_.invoke("fn")
            assert result.payload == b'"hi"'
            assert (result.sandbox, result.sandbox_note) == ("process", "no Docker engine (socket missing)")
        [env] = backend.part(LambdaRuntime).environments()
        assert (env["sandbox"], env["note"]) == ("process", "no Docker engine (socket missing)")
    finally:
        backend.close()


def test_the_process_sandbox_asked_for_needs_no_reason() -> None:
    backend = backend_with("process", NO_SOCKET)
    try:
        result = backend.lambda_.invoke("fn")
        assert (result.sandbox, result.sandbox_note) == ("process", None)
    finally:
        backend.close()


class BridgelessEngine(FakeEngine):
    """An engine that answers, with no bridge a container could reach the host on: none at
    all (``gateway`` None), or a gateway that is no address of this host's (a remote engine,
    a VM's)."""

    def __init__(self, gateway: str | None) -> None:
        super().__init__()
        self.gateway = gateway

    def bridge_gateway(self) -> str:
        if self.gateway is None:
            raise Unavailable("inspect the bridge network: the Docker engine has no bridge network",
                              reason="the Docker engine has no bridge network")
        return self.gateway


def bridgeless_backend(sandbox: str, gateway: str | None) -> LocalBackend:
    backend = LocalBackend(":memory:", lambda_sandbox=sandbox, engine=BridgelessEngine(gateway), controller=False,
                           lambda_images={"python3.12": "computetui-test/lambda-in-memory:1"})
    backend.lambda_.create_function(
        function_name="fn", runtime="python3.12", handler="lambda_function.handler",
        code={"ZipFile": zip_files({"lambda_function.py": HELLO})},
    )
    return backend


@pytest.mark.parametrize(("gateway", "why"), [
    (None, "no Docker bridge (the Docker engine has no bridge network)"),
    # 192.0.2.0/24 is for documentation (RFC 5737): never an address of this host, so the bind
    # fails with EADDRNOTAVAIL, as it does when the engine's bridge is on another machine.
    ("192.0.2.1", "no Docker bridge (192.0.2.1 is not an address of this host)"),
], ids=["no-bridge-network", "gateway-not-on-this-host"])
def test_auto_without_a_docker_bridge_runs_a_process_and_says_why(gateway: str | None, why: str) -> None:
    backend = bridgeless_backend("auto", gateway)
    try:
        result = backend.lambda_.invoke("fn")
        assert result.payload == b'"hi"'
        assert (result.sandbox, result.sandbox_note) == ("process", why)
        [env] = backend.part(LambdaRuntime).environments()
        assert (env["sandbox"], env["note"]) == ("process", why)
    finally:
        backend.close()


@pytest.mark.parametrize("gateway", [None, "192.0.2.1"], ids=["no-bridge-network", "gateway-not-on-this-host"])
def test_the_container_sandbox_without_a_docker_bridge_is_unavailable(gateway: str | None) -> None:
    backend = bridgeless_backend("container", gateway)
    try:
        with pytest.raises(Unavailable) as raised:
            backend.lambda_.invoke("fn")
        assert raised.value.code == "ServiceException"
        assert raised.value.message.startswith("cannot run fn in a container: no Docker bridge (")
        assert backend.part(LambdaRuntime).environments() == []
    finally:
        backend.close()
