"""Lambda in the local emulator: functions whose code really runs in execution
environments (host processes or containers) through the Lambda Runtime API.

``install`` puts it in an emulator. Its options: ``lambda_idle_timeout``
(seconds an idle environment stays warm), ``lambda_account_limit`` (the
account's concurrency), ``lambda_event_retry_delays`` (asynchronous retries),
``lambda_sandbox`` (``auto``, ``container`` or ``process``) and
``lambda_images`` (the container sandbox's image per runtime).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from computetui.backends.errors import Unavailable
from computetui.backends.local.lambda_.facet import LocalLambda
from computetui.backends.local.lambda_.metrics import NAMESPACE, LambdaMetrics
from computetui.backends.local.lambda_.reaper import Ledger, reap
from computetui.backends.local.lambda_.records import LambdaRecords
from computetui.backends.local.lambda_.runtime import LambdaRuntime
from computetui.backends.local.metrics.facet import LocalMetrics
from computetui.backends.local.processes import alive
from computetui.backends.local.state import MEMORY

if TYPE_CHECKING:
    from computetui.backends.docker.engine import ManagedContainer
    from computetui.backends.local.emulator import Emulator, Options

IDLE_CHECK_SECONDS = 5.0
ORPHAN_CHECK_SECONDS = 30.0
"""How often the leader removes execution environment containers whose emulator process is gone."""


def install(emulator: Emulator, options: Options) -> None:
    idle_timeout = options.pop("lambda_idle_timeout", 600.0)
    state_dir = None if str(emulator.state_dir) == MEMORY else Path(emulator.state_dir)
    if state_dir is not None:
        reap(state_dir)  # what a killed emulator's process environments left running
    records = emulator.add_part(LambdaRecords(emulator))
    runtime = emulator.add_part(LambdaRuntime(
        emulator,
        records,
        idle_timeout=idle_timeout,
        account_limit=options.pop("lambda_account_limit", 1000),
        event_retry_delays=options.pop("lambda_event_retry_delays", (60.0, 120.0)),
        sandbox=options.pop("lambda_sandbox", "auto"),
        images=options.pop("lambda_images", None),
        ledger=Ledger(state_dir),
    ))
    facet = emulator.add_part(LocalLambda(emulator, runtime, records))
    emulator.lambda_ = facet
    emulator.part(LocalMetrics).add_source([NAMESPACE], LambdaMetrics(records).query)

    def remove_orphan_environments(containers: list[ManagedContainer]) -> None:
        """Execution environments are never adopted: one whose emulator is gone is removed."""
        for container in containers:
            owner_pid = container.labels.get("computetui.pid")
            if owner_pid and owner_pid.isdigit() and alive(int(owner_pid)):
                continue
            emulator.engine.remove(container.id, force=True)

    def remove_orphans_now() -> None:
        """The same, between starts: an emulator killed while another runs on the state dir
        leaves its containers running (busy in an invocation, maybe), so the leader looks."""
        try:
            containers = emulator.engine.containers(kind="lambda")
        except Unavailable:
            return
        remove_orphan_environments(containers)

    def expire_idle_environments() -> None:
        loop = emulator.controller.ensure_running()
        asyncio.run_coroutine_threadsafe(runtime.expire_idle(), loop).result()

    emulator.register_reconciler("lambda", remove_orphan_environments)
    emulator.controller.every(ORPHAN_CHECK_SECONDS, "lambda-orphans", remove_orphans_now)
    # Every process expires its own environments, leader or not: they are its children.
    emulator.controller.every(min(IDLE_CHECK_SECONDS, idle_timeout), "lambda-idle-expiry",
                              expire_idle_environments, leader_only=False)
    emulator.on_close(runtime.shutdown)
    emulator.on_close(facet.close, after_controller=True)
