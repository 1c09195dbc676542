"""Lightsail in the local emulator: the bundle and blueprint catalogue, and instance records."""

from __future__ import annotations

from typing import TYPE_CHECKING

from computetui.backends.local.lightsail.facet import LocalLightsail

if TYPE_CHECKING:
    from computetui.backends.local.emulator import Emulator, Options


def install(emulator: Emulator, options: Options) -> None:
    emulator.lightsail = emulator.add_part(LocalLightsail(emulator))
