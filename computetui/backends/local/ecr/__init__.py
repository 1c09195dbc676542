"""ECR in the local emulator: repositories over images in the local engine, with lifecycle
policies applied by the controller."""

from __future__ import annotations

from typing import TYPE_CHECKING

from computetui.backends.local.ecr.facet import LocalEcr

if TYPE_CHECKING:
    from computetui.backends.local.emulator import Emulator, Options

LIFECYCLE_SECONDS = 60.0
"""How often the leader applies lifecycle policies (AWS evaluates within about a day)."""


def install(emulator: Emulator, options: Options) -> None:
    facet = emulator.add_part(LocalEcr(emulator))
    emulator.ecr = facet
    emulator.controller.every(LIFECYCLE_SECONDS, "ecr-lifecycle", facet.apply_lifecycle_policies)
