"""API Gateway in the local emulator: REST APIs (v1) as records; HTTP APIs (v2) served by the
gateway server on 127.0.0.1; WebSocket APIs as records.

``install`` takes the options ``apigateway_port``: where the gateway listens (4567 unless said;
0 lets the system choose, and a port that is taken makes it choose too); ``apigateway_jwks``:
issuer -> a JSON Web Key Set file, for JWT authorizers whose issuer is not to be fetched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from computetui.backends.local.apigateway.facet import LocalApiGateway
from computetui.backends.local.apigateway.gateway import Gateway
from computetui.backends.local.apigateway.observe import NAMESPACE
from computetui.backends.local.apigateway.records import DEFAULT_PORT
from computetui.backends.local.metrics.facet import LocalMetrics

if TYPE_CHECKING:
    from computetui.backends.local.emulator import Emulator, Options


def install(emulator: Emulator, options: Options) -> None:
    port = options.pop("apigateway_port", DEFAULT_PORT)
    emulator.apigateway = emulator.add_part(LocalApiGateway(emulator, gateway_port=port))
    gateway = emulator.add_part(Gateway(emulator, port, jwks=options.pop("apigateway_jwks", None)))
    emulator.controller.on_start(gateway.start)
    emulator.on_close(gateway.close)
    emulator.part(LocalMetrics).add_source([NAMESPACE], gateway.observations.query)
    emulator.controller.every(3600.0, "apigateway-metrics-prune",
                              lambda: gateway.observations.prune(int(emulator.clock.time() * 1000)))
