"""Lightsail in the local emulator: the bundle and blueprint catalogue, and instances that really
run, each as one long-lived container that outlives the emulator.

``install`` takes the options ``lightsail_images`` (blueprint id -> image, over the defaults in
the catalogue), so a blueprint can run an image this machine has; ``lightsail_deploy_timeout``
(seconds a container service's new nodes have to pass their health checks) and
``lightsail_health_check_interval`` (seconds between health checks, whatever the deployment
says: tests need not wait Lightsail's five).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from computetui.backends.local.lightsail.facet import LocalLightsail
from computetui.backends.local.lightsail.instances import INSTANCE, KIND, InstanceRunner
from computetui.backends.local.lightsail.metrics import InstanceMetrics
from computetui.backends.local.lightsail.service_nodes import DEPLOY_TIMEOUT_S, ServiceNodes
from computetui.backends.local.lightsail.service_records import NODE_KIND

if TYPE_CHECKING:
    from computetui.backends.local.emulator import Emulator, Options


def install(emulator: Emulator, options: Options) -> None:
    lightsail = emulator.add_part(LocalLightsail(emulator, images=options.pop("lightsail_images", None)))
    emulator.lightsail = lightsail
    runner = emulator.add_part(InstanceRunner(emulator, INSTANCE))
    lightsail.runner = runner
    emulator.register_reconciler(KIND, runner.reconcile)
    emulator.controller.every(emulator.tick_seconds, "lightsail-instances", runner.monitor)
    emulator.controller.every(emulator.tick_seconds, "lightsail-snapshots", lightsail.settle_snapshots)
    metrics = emulator.add_part(InstanceMetrics(emulator, period=options.pop("lightsail_metrics_period", 10.0)))
    emulator.controller.every(emulator.tick_seconds, "lightsail-metrics", metrics.tick)
    emulator.on_close(metrics.close)
    emulator.on_close(runner.close)
    nodes = emulator.add_part(ServiceNodes(
        emulator, deploy_timeout_s=options.pop("lightsail_deploy_timeout", DEPLOY_TIMEOUT_S),
        health_interval_s=options.pop("lightsail_health_check_interval", None)))
    emulator.register_reconciler(NODE_KIND, nodes.reconcile)
    emulator.controller.every(min(0.2, emulator.tick_seconds), "lightsail-container-services", nodes.tick)
    emulator.on_close(nodes.close)
