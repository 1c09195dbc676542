"""AWS Batch in the local emulator: compute environments, job queues, scheduling policies, job
definitions, and jobs whose attempts really run as containers, scheduled as Batch schedules them.

``install`` takes the options ``batch_stop_grace`` (seconds between SIGTERM and SIGKILL when
a job is terminated or times out; AWS's 30 by default) and ``batch_privileged`` (whether a
job definition's ``privileged`` is honoured on this machine; off by default).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from computetui.backends.local.batch.facet import LocalBatch
from computetui.backends.local.batch.runner import STOP_GRACE_S, JobRunner

if TYPE_CHECKING:
    from computetui.backends.local.emulator import Emulator, Options


def install(emulator: Emulator, options: Options) -> None:
    batch = emulator.add_part(LocalBatch(emulator))
    emulator.batch = batch
    runner = emulator.add_part(JobRunner(
        emulator, batch.book, batch.scheduler.kick, stop_grace_s=options.pop("batch_stop_grace", STOP_GRACE_S),
        privileged=bool(options.pop("batch_privileged", False)),
    ))
    batch.runner = runner
    batch.scheduler.start_job = runner.start
    emulator.register_reconciler("job", runner.reconcile)
    tick = emulator.tick_seconds
    emulator.controller.every(tick, "batch-scheduler", batch.scheduler.tick)
    emulator.controller.every(tick, "batch-jobs", runner.monitor)
    emulator.on_close(batch.scheduler.close)
    emulator.on_close(runner.close)
