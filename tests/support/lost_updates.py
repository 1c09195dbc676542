"""Two processes on one state dir, each calling from several threads at once: what each
acknowledged call left behind, so a test (or a longer run by hand) can tell whether any update
was lost. Mostly one Lambda function updated at once; also one ECR image tagged at once and one
ECS instance filled at once.

Two ways to lose nothing are exercised:

* ``owned_fields``: each thread owns one configuration field and sets it to a new value per
  call with plain ``update_function_configuration``. Nobody else sets that field, so its value
  may only ever be the owner's last acknowledged one; before each call the owner reads the
  function and counts a *revert* when the field holds anything else (another writer wrote a
  copy of the function it had read before the owner's update).
* ``revision_keys``: each thread adds keys of its own to the environment variables by a read,
  a merge and a conditional update (``revision_id``), retrying on
  ``PreconditionFailedException`` as an AWS client does. Every acknowledged key must be there
  at the end.

Run by hand for AWS's figures from the finding (2 x 1,500 updates)::

    python -m tests.support.lost_updates 1500
"""

from __future__ import annotations

import multiprocessing
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

FUNCTION = "contended"
THREADS = 3
MAX_ATTEMPTS = 500
"""A conditional update gives up after this many revision conflicts in a row."""
WAIT_S = 120.0
"""How long anything here waits: a process to start and finish, the others at a barrier."""

# (field, value for the k-th call, the value as get_function_configuration reads it)
FIELDS: tuple[tuple[str, Any, Any], ...] = (
    ("description", lambda k: f"description {k}", lambda c: c.description),
    ("timeout", lambda k: 1 + k % 900, lambda c: c.timeout),
    ("memory_size", lambda k: 128 + k, lambda c: c.memory_size),
    ("handler", lambda k: f"handler_{k}.handler", lambda c: c.handler),
    ("role", lambda k: f"arn:aws:iam::000000000000:role/role-{k}", lambda c: c.role),
    ("environment", lambda k: {"Variables": {"OWNER": f"value {k}"}},
     lambda c: {"Variables": dict(c.environment.variables)} if c.environment else None),
)


IMAGE = "app:1"
REPOSITORY = "shared"
CLUSTER = "shared"
TASK_MEMORY = 390
FITS = 10
"""Tasks of TASK_MEMORY MiB that fit on one t3.medium (3,968 MiB)."""


def open_backend(state_dir: str):  # noqa: ANN201 - a LocalBackend
    from computetui.backends.local import LocalBackend
    from tests.support.fakes import FakeEngine

    # Every process's engine has the same image under the same id (FakeEngine counts them).
    return LocalBackend(state_dir, engine=FakeEngine({IMAGE: 1000}), controller=False, lambda_sandbox="process")


def make_function(state_dir: str) -> None:
    from computetui.blueprints import zip_files

    backend = open_backend(state_dir)
    try:
        backend.lambda_.create_function(
            function_name=FUNCTION, runtime="python3.12", handler="lambda_function.handler",
            code={"ZipFile": zip_files({"lambda_function.py": "def handler(e, c):\n    return e\n"})},
        )
    finally:
        backend.close()


def _threads(barrier: Any, work: list[Any]) -> None:
    """Run each of ``work`` in a thread once every process has its threads ready; wait for all."""
    ready = threading.Barrier(len(work) + 1)
    failures: list[BaseException] = []

    def run(fn: Any) -> None:
        ready.wait(WAIT_S)
        try:
            fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the parent
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(fn,)) for fn in work]
    for thread in threads:
        thread.start()
    barrier.wait(WAIT_S)  # every process is ready: start together
    ready.wait(WAIT_S)
    for thread in threads:
        thread.join(WAIT_S)
    if failures:
        raise failures[0]


def owned_fields_worker(state_dir: str, process: int, calls: int, barrier: Any, results: Any) -> None:
    backend = open_backend(state_dir)
    lam = backend.lambda_
    last: dict[str, Any] = {}
    reverts: dict[str, int] = {}

    def owner(field: str, value: Any, read: Any) -> Any:
        def run() -> None:
            reverts[field] = 0
            for k in range(calls):
                seen = read(lam.get_function_configuration(FUNCTION))
                if field in last and seen != last[field]:
                    reverts[field] += 1
                lam.update_function_configuration(FUNCTION, **{field: value(k)})
                last[field] = value(k)  # acknowledged
        return run

    try:
        mine = FIELDS[process * THREADS:(process + 1) * THREADS]
        _threads(barrier, [owner(*spec) for spec in mine])
        results.put((process, "ok", {"last": last, "reverts": reverts}))
    except BaseException as exc:  # noqa: BLE001
        results.put((process, "error", repr(exc)))
    finally:
        backend.close()


def revision_keys_worker(state_dir: str, process: int, calls: int, barrier: Any, results: Any) -> None:
    from computetui.backends.errors import ComputeError

    backend = open_backend(state_dir)
    lam = backend.lambda_
    acknowledged: list[str] = []
    conflicts = [0]

    def adder(thread: int) -> Any:
        def run() -> None:
            for k in range(calls):
                key = f"P{process}T{thread}K{k}"
                for _attempt in range(MAX_ATTEMPTS):
                    config = lam.get_function_configuration(FUNCTION)
                    variables = dict(config.environment.variables) if config.environment else {}
                    variables[key] = "1"
                    try:
                        lam.update_function_configuration(
                            FUNCTION, environment={"Variables": variables}, revision_id=config.revision_id)
                    except ComputeError as exc:
                        if exc.code != "PreconditionFailedException":
                            raise
                        conflicts[0] += 1
                        continue
                    acknowledged.append(key)
                    break
                else:
                    raise AssertionError(f"{key}: {MAX_ATTEMPTS} revision conflicts in a row")
        return run

    try:
        _threads(barrier, [adder(t) for t in range(THREADS)])
        results.put((process, "ok", {"acknowledged": acknowledged, "conflicts": conflicts[0]}))
    except BaseException as exc:  # noqa: BLE001
        results.put((process, "error", repr(exc)))
    finally:
        backend.close()


def make_repository(state_dir: str) -> None:
    backend = open_backend(state_dir)
    try:
        backend.ecr.create_repository(REPOSITORY)
    finally:
        backend.close()


def ecr_tags_worker(state_dir: str, process: int, calls: int, barrier: Any, results: Any) -> None:
    """Each thread pushes the one image under tags of its own: put_image adds each to the
    image's record, a read-modify-write in the facet."""
    backend = open_backend(state_dir)
    acknowledged: list[str] = []

    def pusher(thread: int) -> Any:
        def run() -> None:
            for k in range(calls):
                tag = f"p{process}-t{thread}-{k}"
                backend.ecr.put_image(REPOSITORY, IMAGE, tag)
                acknowledged.append(tag)
        return run

    try:
        _threads(barrier, [pusher(t) for t in range(THREADS)])
        results.put((process, "ok", {"acknowledged": acknowledged}))
    except BaseException as exc:  # noqa: BLE001
        results.put((process, "error", repr(exc)))
    finally:
        backend.close()


def make_cluster(state_dir: str) -> None:
    backend = open_backend(state_dir)
    try:
        ecs = backend.ecs
        ecs.create_cluster(CLUSTER)
        ecs.register_container_instance(cluster=CLUSTER, instance_type="t3.medium")
        ecs.register_task_definition({"family": "small", "containerDefinitions": [
            {"name": "w", "image": IMAGE, "cpu": 64, "memory": TASK_MEMORY}]})
    finally:
        backend.close()


def ecs_placement_worker(state_dir: str, process: int, calls: int, barrier: Any, results: Any) -> None:
    """Each thread runs EC2 tasks on the cluster's one instance until one does not fit. The tasks
    are recorded, not started (they hold their room while PROVISIONING), so none frees room."""
    from computetui.backends.local.ecs.tasks import TaskRunner

    backend = open_backend(state_dir)
    backend.part(TaskRunner).launch = lambda task_arn: None
    placed: list[str] = []

    def runner() -> None:
        for _ in range(calls):
            result = backend.ecs.run_task(cluster=CLUSTER, task_definition="small", launch_type="EC2")
            placed.extend(t.task_arn for t in result.tasks)
            if result.failures:
                return

    try:
        _threads(barrier, [runner for _ in range(THREADS)])
        results.put((process, "ok", {"placed": placed}))
    except BaseException as exc:  # noqa: BLE001
        results.put((process, "error", repr(exc)))
    finally:
        backend.close()


def run_two(worker: Any, state_dir: str, calls: int) -> list[dict[str, Any]]:
    """Run ``worker`` in two spawned processes on ``state_dir``; each one's report, in order."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    processes = [context.Process(target=worker, args=(state_dir, p, calls, barrier, results)) for p in range(2)]
    for process in processes:
        process.start()
    try:
        reports = [results.get(timeout=WAIT_S) for _ in processes]
    finally:
        for process in processes:
            process.join(WAIT_S)
            if process.is_alive():
                process.kill()
                process.join(WAIT_S)
    errors = [r for r in reports if r[1] != "ok"]
    if errors:
        raise AssertionError(f"a worker failed: {errors}")
    return [body for _p, _status, body in sorted(reports)]


def final_configuration(state_dir: str) -> Any:
    backend = open_backend(state_dir)
    try:
        return backend.lambda_.get_function_configuration(FUNCTION)
    finally:
        backend.close()


def main(calls: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        state_dir = str(Path(folder) / "owned")
        make_function(state_dir)
        per_thread = calls // THREADS
        reports = run_two(owned_fields_worker, state_dir, per_thread)
        final = final_configuration(state_dir)
        reverts = sum(n for r in reports for n in r["reverts"].values())
        wrong = [f for f, _value, read in FIELDS if read(final) != {**reports[0]["last"], **reports[1]["last"]}[f]]
        print(f"owned fields: {2 * THREADS * per_thread} updates, {reverts} reverted meanwhile, "
              f"final fields not the last acknowledged: {wrong or 'none'}")

        state_dir = str(Path(folder) / "keys")
        make_function(state_dir)
        per_thread = max(1, min(calls, 100) // THREADS)  # environment variables cap at 4 KB
        reports = run_two(revision_keys_worker, state_dir, per_thread)
        final = final_configuration(state_dir)
        acknowledged = {k for r in reports for k in r["acknowledged"]}
        present = set(final.environment.variables) if final.environment else set()
        print(f"revision keys: {len(acknowledged)} acknowledged, {len(acknowledged - present)} lost, "
              f"{sum(r['conflicts'] for r in reports)} PreconditionFailedException retried")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1500)
