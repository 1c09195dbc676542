"""API Gateway in the local emulator: REST APIs (v1) and HTTP/WebSocket APIs (v2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from computetui.backends.local.apigateway.facet import LocalApiGateway

if TYPE_CHECKING:
    from computetui.backends.local.emulator import Emulator, Options


def install(emulator: Emulator, options: Options) -> None:
    emulator.apigateway = emulator.add_part(LocalApiGateway(emulator))
