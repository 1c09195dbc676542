"""Batch's scheduler in the emulator: moves jobs SUBMITTED -> PENDING -> RUNNABLE -> STARTING.

One pass (:meth:`BatchScheduler.schedule`) runs in one write transaction, so two
processes on one state dir never place the same job twice nor overfill an
environment:

1. an array job's parent takes its state from its children (SUBMITTED, PENDING,
   then SUCCEEDED or FAILED once every child has ended);
2. a waiting job whose dependencies have all SUCCEEDED becomes RUNNABLE; one with a
   FAILED dependency FAILS ("Dependent Job failed"); the others wait in PENDING;
3. RUNNABLE jobs are placed (:mod:`placement`) and become STARTING; the runner then
   starts each one's container.

A pass runs on the leader's tick and, in any process, as soon as something may let
a job move (a submit, a job ending, a queue or environment changed): ``kick``.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from computetui.backends.local.batch.book import ACTIVE, FINISHED, JOB, RUN, UNFINISHED, JobBook
from computetui.backends.local.batch.placement import Candidate, Environment, Queue, Usage, place
from computetui.backends.rules.batch import JOB_STATUSES
from computetui.models import batch as m
from computetui.models.batch import JobStatusReason

if TYPE_CHECKING:
    from computetui.backends.local.emulator import Emulator

log = logging.getLogger(__name__)

COMPUTE_ENVIRONMENT = "batch:compute-environment"
JOB_QUEUE = "batch:job-queue"
SCHEDULING_POLICY = "batch:scheduling-policy"


class BatchScheduler:
    def __init__(self, emulator: Emulator, book: JobBook) -> None:
        self.emulator = emulator
        self.book = book
        self.start_job: Callable[[str], None] | None = None
        """Starts a placed job's attempt (the runner's ``start``)."""
        self._kicker = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="computetui-batch")
        self._kick_lock = threading.Lock()
        self._kick_pending = False
        self._closed = False

    @property
    def store(self):  # noqa: ANN201
        return self.emulator.store

    # -- when ----------------------------------------------------------------
    def kick(self) -> None:
        """A pass soon, off the caller's thread; kicks that come while one waits share it.
        Nothing happens in a backend whose controller does not run (tests that only read)."""
        if self._closed or not self.emulator.controller.running:
            return
        with self._kick_lock:
            if self._kick_pending:
                return
            self._kick_pending = True
        try:
            self._kicker.submit(self._kicked)
        except RuntimeError:  # closing
            pass

    def _kicked(self) -> None:
        with self._kick_lock:
            self._kick_pending = False
        try:
            self.schedule()
        except Exception:
            if not self._closed:
                log.exception("a Batch scheduling pass failed")

    def tick(self) -> None:
        self.schedule()

    def close(self) -> None:
        self._closed = True
        self._kicker.shutdown(wait=True, cancel_futures=True)

    # -- one pass --------------------------------------------------------------
    def schedule(self) -> list[str]:
        """One pass; the ARNs of the jobs it placed (their containers start in the background)."""
        if self._closed:
            return []
        engine_up = self.emulator.engine.status().reachable
        with self.store.transaction():
            self._sum_up_arrays()
            self._release_waiting()
            # Without an engine there is no capacity: RUNNABLE jobs wait, as on AWS.
            claimed = self._place() if engine_up else []
        if self.start_job is not None:
            for arn in claimed:
                self.start_job(arn)
        return claimed

    def _now_ms(self) -> int:
        return int(self.emulator.clock.time() * 1000)

    def _sum_up_arrays(self) -> None:
        parents = self.store.list_fields(JOB, ["arrayProperties.size", "arrayProperties.index", "status"],
                                         states=UNFINISHED)
        for arn, size, index, status in parents:
            if size is None or index is not None:
                continue
            counts = {s: self.book.count(arn, s) for s in JOB_STATUSES}
            finished = counts["SUCCEEDED"] + counts["FAILED"]
            if finished >= size:
                new = "SUCCEEDED" if counts["SUCCEEDED"] >= size else "FAILED"
            elif counts["SUBMITTED"] >= size:
                new = "SUBMITTED"
            else:
                new = "PENDING"
            if new != status:
                self.book.update(arn, lambda body, new=new, counts=counts: self._parent_moved(body, new, counts))

    def _parent_moved(self, body: dict[str, Any], status: str, counts: dict[str, int]) -> dict[str, Any]:
        body["status"] = status
        body["arrayProperties"]["statusSummary"] = counts
        if status in FINISHED:
            body["stoppedAt"] = self._now_ms()
            # The array ran from its first child's start (each child keeps its own times).
            starts = [started for _, started in self.store.list_fields(JOB, ["startedAt"], parent=body["jobArn"])
                      if started is not None]
            if starts:
                body["startedAt"] = min(starts)
            if status == "FAILED":
                body["statusReason"] = f"Array Child Job failed ({counts['FAILED']} of {body['arrayProperties']['size']})"
        return body

    def _release_waiting(self) -> None:
        waiting = self.store.list_fields(JOB, ["status", f"{RUN}.waitsFor", "arrayProperties.size",
                                               "arrayProperties.index"], states=("SUBMITTED", "PENDING"))
        jobs = [(arn, status, waits or []) for arn, status, waits, size, index in waiting
                if size is None or index is not None]  # an array's parent follows its children
        statuses = self.book.statuses({dep for _, _, waits in jobs for dep in waits})
        for arn, status, waits in jobs:
            deps = [statuses.get(dep) for dep in waits]
            if "FAILED" in deps:
                self.book.update(arn, lambda body: self._failed(body, JobStatusReason.DEPENDENCY_FAILED, WAITING_STATES))
            elif all(dep == "SUCCEEDED" for dep in deps):
                self.book.update(arn, lambda body: _moved(body, "RUNNABLE", ("SUBMITTED", "PENDING")))
            elif status == "SUBMITTED":
                self.book.update(arn, lambda body: _moved(body, "PENDING", ("SUBMITTED",)))

    def _failed(self, body: dict[str, Any], reason: str, allowed: tuple[str, ...]) -> dict[str, Any] | None:
        if body["status"] not in allowed:
            return None
        body.update(status="FAILED", statusReason=reason, stoppedAt=self._now_ms())
        return body

    def fail_waiting(self, arn: str, reason: str) -> bool:
        """CancelJob's end: a SUBMITTED, PENDING or RUNNABLE job FAILS with ``reason``. Whether it did."""
        done = False

        def cancel(body: dict[str, Any]) -> dict[str, Any] | None:
            nonlocal done
            changed = self._failed(body, reason, WAITING_STATES)
            done = changed is not None
            return changed

        self.book.update(arn, cancel)
        return done

    # -- placing -----------------------------------------------------------------
    def _place(self) -> list[str]:
        runnable = self.store.list_fields(
            JOB, [f"{RUN}.queueArn", f"{RUN}.vcpus", "createdAt", f"{RUN}.index", f"{RUN}.share", f"{RUN}.priority"],
            states=("RUNNABLE",))
        if not runnable:
            return []
        environments = self._environments()
        queues = self._queues()
        usage = Usage()
        for _, ce, vcpus, queue, share in self.store.list_fields(
                JOB, [f"{RUN}.ce", f"{RUN}.vcpus", f"{RUN}.queueArn", f"{RUN}.share"], states=ACTIVE):
            if ce in environments:
                environments[ce].used += vcpus or 0
            usage.by_share[(queue, share)] += vcpus or 0
        candidates = [Candidate(arn, queue, vcpus or 0, (created or 0, index or 0), share, priority or 0)
                      for arn, queue, vcpus, created, index, share, priority in runnable]
        placed = place(queues, environments, candidates, usage)
        claimed = []
        for arn, ce in placed:
            env = self._environment_record(ce)
            if self.book.update(arn, lambda body, env=env: _claimed(body, env, self._now_ms())) is not None:
                claimed.append(arn)
        return claimed

    def _environment_record(self, arn: str) -> m.ComputeEnvironmentDetail:
        return m.ComputeEnvironmentDetail.model_validate(self.store.get(COMPUTE_ENVIRONMENT, arn))

    def _environments(self) -> dict[str, Environment]:
        usable = {}
        for body in self.store.list(COMPUTE_ENVIRONMENT):
            ce = m.ComputeEnvironmentDetail.model_validate(body)
            if ce.state is not m.CEState.ENABLED or ce.status is not m.CEStatus.VALID:
                capacity = 0.0
            elif ce.type is m.CEType.UNMANAGED:
                capacity = float(ce.unmanagedv_cpus or 0)
            else:
                capacity = float(ce.compute_resources.max_vcpus if ce.compute_resources else 0)
            usable[ce.compute_environment_arn] = Environment(ce.compute_environment_arn, capacity)
        return usable

    def _queues(self) -> list[Queue]:
        queues = []
        for body in self.store.list(JOB_QUEUE):
            queue = m.JobQueueDetail.model_validate(body)
            if queue.state is not m.CEState.ENABLED:
                continue
            weights = None
            if queue.scheduling_policy_arn:
                policy_body = self.store.get(SCHEDULING_POLICY, queue.scheduling_policy_arn)
                policy = m.SchedulingPolicyDetail.model_validate(policy_body) if policy_body else None
                fair = policy.fairshare_policy if policy else None
                weights = _Weights(fair) if fair is not None else {}
            order = tuple(o.compute_environment for o in sorted(queue.compute_environment_order, key=lambda o: o.order))
            queues.append(Queue(queue.job_queue_arn, queue.priority, order, weights))
        return queues


WAITING_STATES = ("SUBMITTED", "PENDING", "RUNNABLE")


class _Weights(dict):
    """A fair-share policy's weights, read by share (a ``prefix*`` entry covers many)."""

    def __init__(self, policy: m.FairsharePolicy) -> None:
        super().__init__()
        self.policy = policy

    def get(self, share: Any, default: Any = None) -> float:  # type: ignore[override]
        return self.policy.weight(share)


def _moved(body: dict[str, Any], status: str, allowed: tuple[str, ...]) -> dict[str, Any] | None:
    if body["status"] not in allowed:
        return None
    body["status"] = status
    return body


def _claimed(body: dict[str, Any], ce: m.ComputeEnvironmentDetail, now_ms: int) -> dict[str, Any] | None:
    if body["status"] != "RUNNABLE":
        return None
    run = body[RUN]
    run.update(ce=ce.compute_environment_arn, ceName=ce.compute_environment_name,
               cluster=ce.ecs_cluster_arn, provisioning=ce.compute_resources.type.value
               if ce.compute_resources else "EC2", attempt=run.get("attempt", 0) + 1, claimedAt=now_ms)
    run.pop("stopReason", None)
    run.pop("containerId", None)
    body["status"] = "STARTING"
    return body
