"""Application Auto Scaling in the local emulator: target tracking of ECS services' average
CPU or memory. Its option: ``autoscaling_period`` (seconds between evaluations)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from computetui.backends.local.autoscaling.facet import LocalAutoScaling
from computetui.backends.local.autoscaling.tracking import TargetTrackingScaler

if TYPE_CHECKING:
    from computetui.backends.local.emulator import Emulator, Options


def install(emulator: Emulator, options: Options) -> None:
    period = options.pop("autoscaling_period", 60.0)
    emulator.autoscaling = emulator.add_part(LocalAutoScaling(emulator))
    scaler = emulator.add_part(TargetTrackingScaler(emulator, period=period))
    emulator.controller.every(min(period, emulator.tick_seconds), "autoscaling", scaler.tick)
