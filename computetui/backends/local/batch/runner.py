"""A Batch job's attempts as containers: STARTING -> RUNNING -> SUCCEEDED, FAILED, or RUNNABLE
again for a retry.

Each attempt is one container of kind ``job`` through the shared runner, limited to
the job's vCPUs and memory, with Batch's environment (``AWS_BATCH_JOB_ID``,
``AWS_BATCH_JOB_ATTEMPT``, ...), its output in CloudWatch Logs ``/aws/batch/job``
under ``<definition>/default/<task id>``. The process that starts a container
watches for its exit on a thread of its own; when it exits the attempt is written
(exit code, reason, log stream, task ARN, times) and the retry strategy decides
what comes next.

An attempt ends early in two ways, both SIGTERM then SIGKILL after a grace (30 s,
as ECS stops a task): TerminateJob (the job FAILS with the reason given, not
retried) and the timeout (``attemptDurationSeconds`` from the attempt's start,
"Job attempt duration exceeded timeout"; the retry strategy applies).

The leader's ``monitor`` finishes what no process watches any more — an attempt
whose starter ended, a container that exited while the emulator was down — and
ends attempts past their timeout. At start, ``reconcile`` adopts containers that
kept running while the emulator was down and fails attempts whose container
vanished.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from computetui.backends.errors import ComputeError, Unavailable
from computetui.backends.local.batch.book import ACTIVE, RUN, JobBook
from computetui.backends.local.containers import ContainerSpec, ImageUnavailable, Ulimit
from computetui.backends.local.processes import alive
from computetui.backends.rules.batch import retry_action
from computetui.models.batch import JobStatusReason

if TYPE_CHECKING:
    from computetui.backends.docker.engine import ManagedContainer
    from computetui.backends.local.emulator import Emulator

log = logging.getLogger(__name__)

KIND = "job"
LOG_GROUP = "/aws/batch/job"
STOP_GRACE_S = 30
"""TerminateJob and a timeout stop the container as ECS's StopTask does: SIGTERM, SIGKILL 30 s later."""
LOG_DRAIN_S = 5
"""How long an ended attempt waits for the last of its output to reach its log stream."""
ORPHAN_START_AFTER_S = 30
"""A job STARTING this long with no container and no starter here goes back to RUNNABLE."""
OOM_REASON = "OutOfMemoryError: Container killed due to memory usage"
VANISHED_REASON = "Host EC2 (instance) terminated: the job's container vanished while the emulator was not running"
PRIVILEGED_OFF = ("CannotStartContainerError: privileged containers are off in the local emulator "
                  "(set batch_privileged = true in the config to allow them on this machine)")


class JobRunner:
    def __init__(self, emulator: Emulator, book: JobBook, kick: Callable[[], None], *,
                 stop_grace_s: float = STOP_GRACE_S, privileged: bool = False) -> None:
        self.emulator = emulator
        self.book = book
        self.kick = kick
        """Asks the scheduler for a pass (an attempt that ends frees capacity)."""
        self.stop_grace_s = stop_grace_s
        self.privileged = privileged
        self._pool = emulator.containers.pool("computetui-batch", what="Batch job work")
        self._watched: set[str] = set()
        """Jobs whose attempt this process starts or watches now."""
        self._again: set[str] = set()
        """Jobs asked to start while still watched; started when let go."""
        self._guard = threading.Lock()
        self.pid = os.getpid()

    # -- starting ---------------------------------------------------------------
    def start(self, arn: str) -> None:
        """Start a STARTING job's attempt in the background."""
        with self._guard:
            if arn in self._watched:
                self._again.add(arn)  # its last attempt is still being settled: start once it is
                return
            self._watched.add(arn)
        self._pool.submit(self._start, arn)

    def _start(self, arn: str) -> None:
        try:
            self._start_attempt(arn)
        except Exception:
            self._release(arn)
            raise

    def _release(self, arn: str) -> None:
        with self._guard:
            self._watched.discard(arn)
            again = arn in self._again
            self._again.discard(arn)
        if again:
            self.start(arn)

    def _start_attempt(self, arn: str) -> None:
        body = self.book.update(arn, self._owned)
        if body is None or body["status"] != "STARTING" or body[RUN].get("owner") != self.pid:
            self._release(arn)
            return
        run = body[RUN]
        if run.get("stopReason"):
            self._end(arn, None, None, None)
            return
        container = body["container"]
        if container.get("privileged") and not self.privileged:
            self._end(arn, None, PRIVILEGED_OFF.split(":")[0], PRIVILEGED_OFF)
            return
        try:
            self.emulator.containers.pull(container["image"])
        except Unavailable as exc:
            # No engine is no capacity: the job waits in RUNNABLE, its attempts untouched.
            log.info("Batch job %s waits for the engine: %s", body["jobId"], exc.message)
            self.book.update(arn, _back_to_runnable)
            self._release(arn)
            return
        except ImageUnavailable as exc:
            reason = f"CannotPullContainerError: {exc.message}"
            self._end(arn, None, reason, reason)
            return
        task_id = self.emulator.ids.hex(32)
        cluster = (run.get("cluster") or "").rsplit("/", 1)[-1] or f"AWSBatch-{run.get('ceName', 'local')}"
        task_arn = self.emulator.ids.arn("ecs", f"task/{cluster}/{task_id}")
        stream = f"{run['definitionName']}/default/{task_id}"
        exit_watch: list[Callable[[], int]] = []
        engine = self.emulator.engine
        try:
            started = self.emulator.containers.run(
                KIND, arn, self._spec(body), before_start=lambda cid: exit_watch.append(engine.watch_exit(cid)))
        except ComputeError as exc:
            reason = f"CannotStartContainerError: {exc.message}"
            self._end(arn, None, reason, reason)
            return
        self.emulator.awslogs.follow(started.id, LOG_GROUP, stream)
        now = self._now_ms()
        timeout = (body.get("timeout") or {}).get("attemptDurationSeconds")

        def running(job: dict[str, Any]) -> dict[str, Any] | None:
            if job["status"] != "STARTING":
                return None
            job["status"] = "RUNNING"
            job["startedAt"] = now
            job["container"].update(taskArn=task_arn, logStreamName=stream)
            job["container"].pop("exitCode", None)
            job["container"].pop("reason", None)
            job[RUN].update(containerId=started.id, taskArn=task_arn, logStream=stream, attemptStartedAt=now,
                            deadline=now + timeout * 1000 if timeout else None)
            return job

        self.book.update(arn, running)
        if self.book.get(arn)[RUN].get("stopReason"):  # type: ignore[index]
            self._stop_container(started.id)
        self._watch(arn, started.id, exit_watch[0] if exit_watch else None)

    def _owned(self, body: dict[str, Any]) -> dict[str, Any] | None:
        if body["status"] != "STARTING" or body[RUN].get("owner") not in (None, self.pid) and \
                alive(body[RUN].get("owner")):
            return None
        body[RUN]["owner"] = self.pid
        return body

    def _spec(self, body: dict[str, Any]) -> ContainerSpec:
        run, container = body[RUN], body["container"]
        env = {e["name"]: e["value"] for e in container.get("environment") or []}
        env.update(AWS_BATCH_JOB_ID=body["jobId"], AWS_BATCH_JOB_ATTEMPT=str(run["attempt"]),
                   AWS_BATCH_CE_NAME=run.get("ceName", ""),
                   AWS_BATCH_JQ_NAME=run["queueArn"].rsplit("/", 1)[-1])
        props = body.get("arrayProperties") or {}
        if props.get("index") is not None:
            env.update(AWS_BATCH_JOB_ARRAY_INDEX=str(props["index"]), AWS_BATCH_JOB_ARRAY_SIZE=str(props["size"]))
        return ContainerSpec(
            image=container["image"],
            command=container.get("command") or None,
            environment=env,
            vcpus=float(run["vcpus"]),
            memory_mib=int(run["memoryMib"]),
            user=container.get("user"),
            ulimits=tuple(Ulimit(u["name"], u["softLimit"], u["hardLimit"]) for u in container.get("ulimits") or []),
            read_only=bool(container.get("readonlyRootFilesystem")),
            privileged=bool(container.get("privileged")) and self.privileged,
            labels={"com.amazonaws.batch.job-id": body["jobId"], "com.amazonaws.batch.attempt": str(run["attempt"])},
        )

    # -- watching -----------------------------------------------------------------
    def _watch(self, arn: str, container_id: str, exit_code: Callable[[], int] | None) -> None:
        def wait() -> None:
            code: int | None = None
            try:
                if exit_code is not None:
                    code = exit_code()
                else:
                    code = self.emulator.engine.wait(container_id)
            except ComputeError as exc:
                log.debug("waiting for job container %s: %s", container_id[:12], exc)
                if self._pool.closed:
                    return  # the emulator is closing: the next start adopts the attempt
                state = self.emulator.containers.state(container_id)
                if state is None or not state.exited:
                    self._release(arn)
                    return  # the leader's monitor picks it up
                code = state.exit_code
            if self._pool.closed:
                return
            self._finish(arn, container_id, code)

        threading.Thread(target=wait, name=f"computetui-batch-wait-{container_id[:12]}", daemon=True).start()

    def _finish(self, arn: str, container_id: str, code: int | None) -> None:
        """The attempt's container exited with ``code``: read why, keep its logs, remove it."""
        state = self.emulator.containers.state(container_id)
        self.emulator.awslogs.drain(container_id, LOG_DRAIN_S)
        self.emulator.awslogs.unfollow(container_id)
        reason = OOM_REASON if state is not None and state.oom_killed else None
        if code is None and state is not None:
            code = state.exit_code
        self._end(arn, code, reason, None, container_id=container_id)
        # Removed once the attempt is written: what it says is known before the engine is done.
        self.emulator.containers.remove(container_id)

    def _end(self, arn: str, exit_code: int | None, reason: str | None, status_reason: str | None, *,
             container_id: str | None = None) -> None:
        """Write the attempt that ended and move the job on: SUCCEEDED, FAILED or RUNNABLE."""
        now = self._now_ms()

        def ended(job: dict[str, Any]) -> dict[str, Any] | None:
            if job["status"] not in ACTIVE:
                return None
            run = job[RUN]
            if container_id is not None and run.get("containerId") != container_id:
                return None  # an earlier attempt's container, or one this attempt no longer has
            stop = run.get("stopReason")
            why = status_reason
            if stop == "timeout":
                why = JobStatusReason.TIMEOUT
            elif stop:
                why = stop
            elif why is None:
                why = JobStatusReason.ESSENTIAL_EXITED
            attempt_container = {k: v for k, v in (
                ("exitCode", exit_code), ("reason", reason), ("logStreamName", run.get("logStream")),
                ("taskArn", run.get("taskArn"))) if v is not None}
            job["attempts"].append({"container": attempt_container, "startedAt": run.get("attemptStartedAt") or now,
                                    "stoppedAt": now, "statusReason": why})
            for key in ("exitCode", "reason"):
                job["container"].pop(key, None)
            job["container"].update({k: v for k, v in attempt_container.items()})
            if exit_code == 0 and not (stop and stop != "timeout"):
                job.update(status="SUCCEEDED", statusReason=why, stoppedAt=now)
            elif stop and stop != "timeout":
                job.update(status="FAILED", statusReason=why, stoppedAt=now)  # terminated: never retried
            else:
                retry = job.get("retryStrategy") or {}
                attempts = retry.get("attempts", 1)
                again = len(job["attempts"]) < attempts and retry_action(
                    retry.get("evaluateOnExit") or [], exit_code, reason, why) == "RETRY"
                if again:
                    job.update(status="RUNNABLE", statusReason=why)
                else:
                    job.update(status="FAILED", statusReason=why, stoppedAt=now)
            for key in ("ce", "containerId", "owner", "deadline", "stopReason", "attemptStartedAt"):
                run.pop(key, None)
            return job

        # Let go first: once the job is RUNNABLE again, a pass may place it and ask this runner
        # to start its next attempt at once, which a job still watched would not get.
        self._release(arn)
        self.book.update(arn, ended)
        self.kick()

    # -- ending early --------------------------------------------------------------
    def terminate(self, arn: str, reason: str) -> None:
        """TerminateJob on a STARTING or RUNNING job: stop its container; the job FAILS with ``reason``."""
        self._request_stop(arn, reason)

    def _request_stop(self, arn: str, why: str) -> None:
        container_id = None

        def asked(job: dict[str, Any]) -> dict[str, Any] | None:
            nonlocal container_id
            if job["status"] not in ACTIVE or job[RUN].get("stopReason"):
                return None
            job[RUN]["stopReason"] = why
            container_id = job[RUN].get("containerId")
            return job

        self.book.update(arn, asked)
        if container_id:
            self._pool.submit(self._stop_container, container_id)

    def _stop_container(self, container_id: str) -> None:
        try:
            self.emulator.engine.stop(container_id, timeout=int(self.stop_grace_s))
        except ComputeError as exc:
            log.debug("stopping job container %s: %s", container_id[:12], exc)

    # -- the leader's watch -------------------------------------------------------
    def monitor(self) -> None:
        """End attempts past their timeout; finish attempts no process watches; start again jobs
        whose starter went away."""
        now = self._now_ms()
        active = self.book.in_states(ACTIVE)
        if not active:
            return
        for job in active:
            run = job[RUN]
            deadline = run.get("deadline")
            if job["status"] == "RUNNING" and deadline and now >= deadline and not run.get("stopReason"):
                self._request_stop(job["jobArn"], "timeout")
        try:
            found = self.emulator.containers.of_kind(KIND)
        except Unavailable:
            return
        self._settle(active, found, at_start=False)

    def reconcile(self, containers: list[ManagedContainer]) -> None:
        """At start: adopt attempts whose containers kept running, finish those whose containers
        exited, fail those whose containers vanished; remove containers of no unfinished job."""
        active = self.book.in_states(ACTIVE)
        found = self.emulator.containers.reconcile([j["jobArn"] for j in active], containers)
        self._settle(active, found.adopted, at_start=True)

    def _settle(self, active: list[dict[str, Any]], found: dict[str, list[ManagedContainer]], *,
                at_start: bool) -> None:
        now = self._now_ms()
        for job in active:
            arn, run = job["jobArn"], job[RUN]
            with self._guard:
                if arn in self._watched:
                    continue
            owner = run.get("owner")
            if owner not in (None, self.pid) and alive(owner):
                continue  # its starter, another process, watches it
            # This attempt's container: the one it noted, else one labelled with its number (a
            # container of an earlier attempt may not be removed yet).
            attempt = str(run.get("attempt", ""))
            mine = [c for c in found.get(arn, []) if c.id == run.get("containerId")] or [
                c for c in found.get(arn, []) if c.labels.get("com.amazonaws.batch.attempt") == attempt]
            if job["status"] == "STARTING" and not mine:
                claimed = run.get("claimedAt") or job.get("createdAt") or 0
                if at_start or now - claimed > ORPHAN_START_AFTER_S * 1000:
                    self.book.update(arn, _back_to_runnable)
                    self.kick()
                continue
            if not mine:
                self._end(arn, None, None, VANISHED_REASON)
                continue
            container = mine[0]
            with self._guard:
                if arn in self._watched:
                    continue
                self._watched.add(arn)
            self.book.update(arn, lambda j, cid=container.id: _adopted(j, self.pid, cid))
            if container.running:
                if run.get("logStream"):
                    self.emulator.awslogs.follow(container.id, LOG_GROUP, run["logStream"])
                try:
                    watch = self.emulator.engine.watch_exit(container.id)
                except ComputeError:
                    self._release(arn)
                    continue
                state = self.emulator.containers.state(container.id)
                if state is not None and state.exited:  # it ended before the watch began
                    self._pool.submit(self._finish, arn, container.id, state.exit_code)
                else:
                    self._watch(arn, container.id, watch)
            else:
                if run.get("logStream"):
                    self.emulator.awslogs.follow(container.id, LOG_GROUP, run["logStream"])
                self._pool.submit(self._finish, arn, container.id, None)

    def _now_ms(self) -> int:
        return int(self.emulator.clock.time() * 1000)

    def close(self) -> None:
        self._pool.close()


def _back_to_runnable(job: dict[str, Any]) -> dict[str, Any] | None:
    if job["status"] != "STARTING":
        return None
    job["status"] = "RUNNABLE"
    run = job[RUN]
    run["attempt"] = max(0, run.get("attempt", 1) - 1)
    for key in ("ce", "owner", "containerId"):
        run.pop(key, None)
    return job


def _adopted(job: dict[str, Any], pid: int, container_id: str) -> dict[str, Any] | None:
    if job["status"] not in ACTIVE:
        return None
    job[RUN].update(owner=pid, containerId=container_id)
    if job["status"] == "STARTING":
        job["status"] = "RUNNING"
    return job
