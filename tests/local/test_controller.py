"""The controller thread: ticks, start and stop hooks, one per state dir."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from computetui.backends.local import LocalBackend
from computetui.backends.local.controller import Controller, LockBusy
from tests.support.fakes import FakeEngine, StaticEngine


def wait_until(condition, timeout: float = 5) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_ticks_run_in_order_after_the_start_hook_and_stop_runs_the_stop_hook() -> None:
    events: list[str] = []
    controller = Controller()
    controller.on_start(lambda: events.append("start"))
    controller.every(0.05, "tick", lambda: events.append("tick"))
    controller.on_stop(lambda: events.append("stop"))
    assert controller.start()
    assert wait_until(lambda: events.count("tick") >= 3)
    controller.stop()
    assert events[0] == "start" and events[-1] == "stop"
    assert not controller.running


def test_a_failing_tick_does_not_kill_the_controller() -> None:
    calls = {"bad": 0, "good": 0}

    def bad() -> None:
        calls["bad"] += 1
        raise RuntimeError("tick went wrong")

    controller = Controller()
    controller.every(0.03, "bad", bad)
    controller.every(0.03, "good", lambda: calls.__setitem__("good", calls["good"] + 1))
    controller.start()
    assert wait_until(lambda: calls["bad"] >= 3 and calls["good"] >= 3)
    assert controller.running
    controller.stop()


def test_a_slow_tick_never_overlaps_itself() -> None:
    running = threading.Semaphore(1)
    overlaps = []

    def slow() -> None:
        if not running.acquire(blocking=False):
            overlaps.append(True)
            return
        time.sleep(0.1)
        running.release()

    controller = Controller()
    controller.every(0.01, "slow", slow)
    controller.start()
    time.sleep(0.5)
    controller.stop()
    assert overlaps == []


def test_coroutines_run_on_the_controller_loop() -> None:
    controller = Controller()
    controller.start()

    async def answer() -> str:
        return threading.current_thread().name

    assert controller.call(answer) == "computetui-controller"
    controller.stop()


def test_one_leader_per_state_dir(tmp_path: Path) -> None:
    first = LocalBackend(tmp_path, engine=StaticEngine(), controller=True)
    assert first.controller.running and first.controller.leader
    second = LocalBackend(tmp_path, engine=StaticEngine(), controller=True)
    # The second process still runs its own loop (its servers live there), but not the shared work.
    assert second.controller.running and not second.controller.leader
    assert second.controller.busy is not None
    assert "already runs the controller" in (second.info().problem or "")
    second.controller.stop()
    with pytest.raises(LockBusy):
        second.controller.start(require_lock=True)
    # Both can still read and write the state.
    second.ecs.create_cluster(cluster_name="shared")
    assert [c.cluster_name for c in first.ecs.describe_clusters()] == ["shared"]
    first.close()
    assert second.controller.start()  # the lock is free again: it leads now
    second.close()


def test_a_follower_runs_only_the_ticks_every_process_needs(tmp_path: Path) -> None:
    holder = Controller(tmp_path / "controller.lock")
    assert holder.start()
    events: list[str] = []
    follower = Controller(tmp_path / "controller.lock")
    follower.on_start(lambda: events.append("start"))
    follower.every(0.03, "shared", lambda: events.append("shared"))
    follower.every(0.03, "local", lambda: events.append("local"), leader_only=False)
    assert follower.start() is False
    assert wait_until(lambda: events.count("local") >= 3)
    follower.stop()
    holder.stop()
    assert "start" not in events and "shared" not in events


def test_a_follower_takes_over_when_the_leader_ends(tmp_path: Path) -> None:
    holder = Controller(tmp_path / "controller.lock")
    assert holder.start()
    events: list[str] = []
    follower = Controller(tmp_path / "controller.lock", failover_poll=0.05)
    follower.on_start(lambda: events.append("start"))
    follower.every(0.03, "shared", lambda: events.append("shared"))
    assert follower.start() is False
    time.sleep(0.3)  # several tries of the lock while the holder lives: nothing taken
    assert events == [] and not follower.leader and follower.busy is not None
    holder.stop()  # as when its process ends: the kernel drops the lock the same way
    assert wait_until(lambda: events.count("shared") >= 2)
    assert events[0] == "start"  # the reconcile first, then the leader's ticks
    assert follower.leader and follower.busy is None and follower.took_over == 1
    follower.stop()


def test_a_second_console_replaces_a_killed_task_once_the_first_has_exited(tmp_path: Path) -> None:
    engine = FakeEngine()  # one engine, as two consoles on one machine share one
    first = LocalBackend(tmp_path, engine=engine, controller=True, tick_seconds=0.05)
    ecs = first.ecs
    ecs.create_cluster(cluster_name="c")
    ecs.register_task_definition(family="web", container_definitions=[
        {"name": "web", "image": "busybox:stable", "essential": True}], requires_compatibilities=["FARGATE"],
        network_mode="awsvpc", cpu="256", memory="512")
    ecs.create_service("c", "web", "web:1", desired_count=1, launch_type="FARGATE")

    def running(backend: LocalBackend) -> list[str]:
        arns = backend.ecs.list_tasks("c", service_name="web")
        return [t.task_arn for t in backend.ecs.describe_tasks("c", arns) if t.last_status.value == "RUNNING"]

    assert wait_until(lambda: len(running(first)) == 1)
    [original] = running(first)
    second = LocalBackend(tmp_path, engine=engine, controller=True, tick_seconds=0.05)
    second.controller.failover_poll = 0.05
    assert not second.controller.leader
    first.close()  # its service's task lives on, as an AWS task does
    [container] = [c for c in engine.containers(kind="task") if c.status == "running"]
    engine.kill(container.id)
    assert wait_until(lambda: second.controller.leader and running(second) and running(second) != [original],
                      timeout=10)
    assert "controller" not in (second.info().problem or "")
    [stopped] = second.ecs.describe_tasks("c", [original])
    assert stopped.last_status.value == "STOPPED"
    second.close()


def test_a_follower_sees_the_engine_go_and_come_back_and_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    import computetui.backends.local.backend as backend_module
    from computetui.models.common import EngineState, EngineStatus

    monkeypatch.setattr(backend_module, "ENGINE_RECHECK_SECONDS", 0.05)
    leader = LocalBackend(tmp_path, engine=StaticEngine(), controller=True)
    engine = StaticEngine()
    follower = LocalBackend(tmp_path, engine=engine, controller=True)
    assert not follower.controller.leader
    caplog.set_level("WARNING", logger="computetui.backends.local.backend")
    engine._fixed = EngineStatus(state=EngineState.STOPPED, host=engine.host, reason="engine stopped")
    assert wait_until(lambda: "Docker engine lost: engine stopped" in caplog.text)
    assert follower.info().engine.state is EngineState.STOPPED
    engine._fixed = EngineStatus(state=EngineState.READY, host=engine.host, version="27.5.1")
    assert wait_until(lambda: "Docker engine back (27.5.1)" in caplog.text)
    follower.close()
    leader.close()


LEADER_SCRIPT = """
import sys, time
from computetui.backends.local import LocalBackend
from tests.support.fakes import StaticEngine
backend = LocalBackend(sys.argv[1], engine=StaticEngine(), controller=True)
print("leader" if backend.controller.leader else "follower", flush=True)
time.sleep(60)
"""


def test_a_follower_takes_over_from_a_leader_killed_with_sigkill(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    leader = subprocess.Popen([sys.executable, "-c", LEADER_SCRIPT, str(tmp_path)], stdout=subprocess.PIPE,
                              text=True, cwd=Path(__file__).resolve().parents[2])
    try:
        assert leader.stdout is not None and leader.stdout.readline().strip() == "leader"
        follower = LocalBackend(tmp_path, engine=StaticEngine(), controller=True)
        follower.controller.failover_poll = 0.05
        assert not follower.controller.leader and f"process {leader.pid}" in (follower.info().problem or "")
        leader.send_signal(signal.SIGKILL)
        leader.wait(10)
        assert wait_until(lambda: follower.controller.leader, timeout=5)
        assert follower.info().problem is None
        follower.close()
    finally:
        if leader.poll() is None:
            leader.kill()
            leader.wait(10)
