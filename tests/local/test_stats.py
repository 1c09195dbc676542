"""Live container stats for ECS metrics: the arithmetic, and the streams against a real engine.

The arithmetic tests use two stats frames written by hand in the engine's
shapes: cgroup v1 (Docker 20.10 on a v1 host: ``percpu_usage``, ``total_*``
memory counters) and cgroup v2 (no ``percpu_usage``; ``anon``/``file``/
``inactive_file`` memory counters). The ``docker`` tests run busybox
containers, each with a unique name and label, removed by a finalizer.
"""

from __future__ import annotations

import copy
import threading
import time
import uuid
from collections.abc import Callable, Iterator

import pytest

from computetui.backends.docker.engine import Engine
from computetui.backends.docker.stats import (
    MIB,
    THREAD_NAME_PREFIX,
    StatsCollector,
    StatsSample,
    cpu_cores,
    is_running_frame,
    memory_usage,
    sample_from_stats,
    utilization,
)
from tests.support.images import BUSYBOX_IMAGE

# -- recorded frames ----------------------------------------------------------

# cgroup v1, Docker 20.10: a container spinning one core of two, 64 MiB limit,
# with 12 MiB of page cache of which 8 MiB inactive.
V1_FRAME = {
    "read": "2026-01-15T09:30:01.004512871Z",
    "preread": "2026-01-15T09:30:00.001233012Z",
    "pids_stats": {"current": 2},
    "blkio_stats": {"io_service_bytes_recursive": [], "io_serviced_recursive": []},
    "num_procs": 0,
    "storage_stats": {},
    "cpu_stats": {
        "cpu_usage": {
            "total_usage": 7_583_974_118,
            "percpu_usage": [2_018_297_715, 5_565_676_403],
            "usage_in_kernelmode": 10_000_000,
            "usage_in_usermode": 7_560_000_000,
        },
        "system_cpu_usage": 15_577_670_000_000,
        "online_cpus": 2,
        "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0},
    },
    "precpu_stats": {
        "cpu_usage": {
            "total_usage": 6_583_974_118,
            "percpu_usage": [2_018_297_715, 4_565_676_403],
            "usage_in_kernelmode": 10_000_000,
            "usage_in_usermode": 6_560_000_000,
        },
        "system_cpu_usage": 15_575_670_000_000,
        "online_cpus": 2,
        "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0},
    },
    "memory_stats": {
        "usage": 20 * MIB,
        "max_usage": 24 * MIB,
        "stats": {
            "active_anon": 4096,
            "active_file": 4 * MIB,
            "cache": 12 * MIB,
            "hierarchical_memory_limit": 64 * MIB,
            "inactive_anon": 8 * MIB,
            "inactive_file": 8 * MIB,
            "rss": 8 * MIB,
            "total_active_file": 4 * MIB,
            "total_cache": 12 * MIB,
            "total_inactive_anon": 8 * MIB,
            "total_inactive_file": 8 * MIB,
            "total_rss": 8 * MIB,
        },
        "limit": 64 * MIB,
    },
    "name": "/ecs-web-1",
    "id": "517eea7e3fb8de3d5a88ede90b30e046d2e209029abc110d3314282795cc2f04",
    "networks": {"eth0": {"rx_bytes": 736, "rx_packets": 8, "tx_bytes": 0, "tx_packets": 0}},
}

# cgroup v2, Docker 24: half a core of four, no memory limit (the host's 8 GiB),
# 30 MiB in use of which 6 MiB inactive file pages.
V2_FRAME = {
    "read": "2026-01-15T09:30:01.000000000Z",
    "preread": "2026-01-15T09:30:00.000000000Z",
    "pids_stats": {"current": 5, "limit": 18446744073709551615},
    "num_procs": 0,
    "cpu_stats": {
        "cpu_usage": {
            "total_usage": 41_000_000_000,
            "usage_in_kernelmode": 1_000_000_000,
            "usage_in_usermode": 40_000_000_000,
        },
        "system_cpu_usage": 904_000_000_000,
        "online_cpus": 4,
        "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0},
    },
    "precpu_stats": {
        "cpu_usage": {
            "total_usage": 40_500_000_000,
            "usage_in_kernelmode": 1_000_000_000,
            "usage_in_usermode": 39_500_000_000,
        },
        "system_cpu_usage": 900_000_000_000,
        "online_cpus": 4,
        "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0},
    },
    "memory_stats": {
        "usage": 30 * MIB,
        "stats": {
            "active_anon": 0,
            "active_file": 2 * MIB,
            "anon": 22 * MIB,
            "file": 8 * MIB,
            "inactive_anon": 22 * MIB,
            "inactive_file": 6 * MIB,
            "kernel_stack": 65536,
            "pgfault": 3300,
            "shmem": 0,
            "slab": 400_000,
        },
        "limit": 8 * 1024 * MIB,
    },
    "name": "/ecs-worker-1",
    "id": "9c1d0e7c6b7f4d3a8e2b1f0a9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c",
}

# What the engine sends once the container stopped.
NOT_RUNNING_FRAME = {
    "read": "0001-01-01T00:00:00Z",
    "preread": "0001-01-01T00:00:00Z",
    "pids_stats": {},
    "blkio_stats": {},
    "num_procs": 0,
    "storage_stats": {},
    "cpu_stats": {
        "cpu_usage": {"total_usage": 0, "usage_in_kernelmode": 0, "usage_in_usermode": 0},
        "throttling_data": {},
    },
    "precpu_stats": {"cpu_usage": {"total_usage": 0}, "throttling_data": {}},
    "memory_stats": {},
    "name": "/ecs-web-1",
    "id": "517eea7e3fb8de3d5a88ede90b30e046d2e209029abc110d3314282795cc2f04",
}


# -- arithmetic ----------------------------------------------------------------


def test_cpu_cores_v1_is_cpu_delta_over_system_delta_times_online_cpus() -> None:
    # 1e9 ns of container CPU while the host's 2 CPUs ran 2e9 ns: one core of two.
    assert cpu_cores(V1_FRAME) == pytest.approx(1.0)


def test_cpu_cores_v2() -> None:
    # 0.5e9 / 4e9 * 4 CPUs
    assert cpu_cores(V2_FRAME) == pytest.approx(0.5)


def test_cpu_cores_counts_percpu_usage_when_online_cpus_is_missing() -> None:
    frame = copy.deepcopy(V1_FRAME)
    del frame["cpu_stats"]["online_cpus"]
    assert cpu_cores(frame) == pytest.approx(1.0)


def test_cpu_cores_is_none_without_a_baseline_and_zero_without_progress() -> None:
    first = copy.deepcopy(V1_FRAME)
    first["precpu_stats"] = {"cpu_usage": {"total_usage": 0}, "throttling_data": {}}
    assert cpu_cores(first) is None
    idle = copy.deepcopy(V1_FRAME)
    idle["precpu_stats"]["cpu_usage"]["total_usage"] = idle["cpu_stats"]["cpu_usage"]["total_usage"]
    assert cpu_cores(idle) == 0.0


def test_memory_usage_v1_subtracts_total_inactive_file() -> None:
    assert memory_usage(V1_FRAME["memory_stats"]) == 12 * MIB


def test_memory_usage_v2_subtracts_inactive_file() -> None:
    assert memory_usage(V2_FRAME["memory_stats"]) == 24 * MIB


def test_memory_usage_falls_back_to_cache_and_never_goes_negative() -> None:
    assert memory_usage({"usage": 10 * MIB, "stats": {"cache": 3 * MIB}}) == 7 * MIB
    assert memory_usage({"usage": 10 * MIB, "stats": {"total_inactive_file": 11 * MIB}}) == 10 * MIB
    assert memory_usage({"usage": 10 * MIB}) == 10 * MIB


def test_sample_from_stats() -> None:
    sample = sample_from_stats("abc", V1_FRAME, at=12.5)
    assert sample == StatsSample("abc", 12.5, pytest.approx(1.0), 12 * MIB, 64 * MIB, rx_bytes=736, tx_bytes=0)
    v2 = sample_from_stats("def", V2_FRAME, at=1.0)
    assert v2 is not None and v2.memory_limit_bytes == 8 * 1024 * MIB and v2.memory_bytes == 24 * MIB


def test_not_running_frames_give_no_sample() -> None:
    assert is_running_frame(V1_FRAME) and is_running_frame(V2_FRAME)
    assert not is_running_frame(NOT_RUNNING_FRAME)
    assert sample_from_stats("abc", NOT_RUNNING_FRAME, at=1.0) is None


def _sample(cores: float, memory_mib: float) -> StatsSample:
    return StatsSample("c", 0.0, cores, int(memory_mib * MIB), 0)


def test_utilization_of_one_task() -> None:
    # a 0.25 vCPU / 512 MiB task using a quarter core and 128 MiB
    assert utilization([_sample(0.25, 128)], 256, 512) == pytest.approx((100.0, 25.0))


def test_utilization_sums_the_samples_and_skips_missing_ones() -> None:
    # a service of two 512-unit / 1024 MiB tasks: reserved 1024 units and 2048 MiB
    samples = [_sample(0.3, 200), _sample(0.2, 312), None]
    assert utilization(samples, 1024, 2048) == pytest.approx((50.0, 25.0))


def test_utilization_can_exceed_100_percent() -> None:
    assert utilization([_sample(2.0, 900)], 1024, 512) == pytest.approx((200.0, 900 / 512 * 100))


def test_utilization_of_nothing_is_zero_and_of_no_reservation_an_error() -> None:
    assert utilization([], 1024, 512) == (0.0, 0.0)
    with pytest.raises(ValueError):
        utilization([_sample(1, 1)], 0, 512)
    with pytest.raises(ValueError):
        utilization([_sample(1, 1)], 1024, 0)


# -- threads -------------------------------------------------------------------


def _stats_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(THREAD_NAME_PREFIX)]


def _wait_for(predicate: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.02)


@pytest.fixture
def stray_exceptions(monkeypatch: pytest.MonkeyPatch) -> list[threading.ExceptHookArgs]:
    """Exceptions that escape any thread during the test."""
    caught: list[threading.ExceptHookArgs] = []
    monkeypatch.setattr(threading, "excepthook", caught.append)
    return caught


def test_an_unreachable_engine_ends_the_thread_quietly(stray_exceptions: list) -> None:
    collector = StatsCollector(Engine("unix:///nonexistent/docker.sock", timeout=2))
    collector.watch("0123456789abcdef")
    _wait_for(lambda: not collector.is_streaming("0123456789abcdef"), 5, "the stream thread to end")
    assert collector.latest("0123456789abcdef") is None
    assert collector.watched() == {"0123456789abcdef"}
    collector.close()
    assert not stray_exceptions
    assert not _stats_threads()


# -- against the engine ----------------------------------------------------------


@pytest.fixture
def run_busybox(docker_client, request: pytest.FixtureRequest) -> Iterator[Callable[..., str]]:  # noqa: ANN001
    """Run a busybox container with a unique name and label; removed when the test ends."""
    label = f"stats-{uuid.uuid4().hex[:10]}"

    def run(command: str, **options: object) -> str:
        name = f"computetui-stats-test-{uuid.uuid4().hex[:10]}"
        container = docker_client.containers.run(
            BUSYBOX_IMAGE, ["sh", "-c", command], name=name, labels={"computetui.test": label}, detach=True, **options
        )
        return container.id

    yield run
    import docker.errors

    for container in docker_client.containers.list(all=True, filters={"label": f"computetui.test={label}"}):
        try:
            container.remove(force=True)
        except docker.errors.NotFound:
            pass


@pytest.fixture
def collector() -> Iterator[StatsCollector]:
    c = StatsCollector(Engine())
    yield c
    c.close()


def _samples(collector: StatsCollector, container_id: str, count: int, timeout: float = 15) -> list[StatsSample]:
    """``count`` successive samples (the engine sends one a second)."""
    got: list[StatsSample] = []
    deadline = time.monotonic() + timeout
    while len(got) < count:
        sample = collector.latest(container_id)
        if sample is not None and (not got or sample.at > got[-1].at):
            got.append(sample)
        if time.monotonic() > deadline:
            pytest.fail(f"only {len(got)} of {count} samples in {timeout}s")
        time.sleep(0.05)
    return got


@pytest.mark.docker
@pytest.mark.alone
def test_a_spinning_container_uses_about_one_core(run_busybox, collector: StatsCollector) -> None:  # noqa: ANN001
    container = run_busybox("while :; do :; done")
    collector.watch(container)
    samples = _samples(collector, container, 3)
    cores = sorted(s.cpu_cores for s in samples)[1]  # the median: one slow tick on a loaded machine is noise
    assert 0.5 <= cores <= 1.3, samples


@pytest.mark.docker
def test_a_sleeping_container_uses_almost_nothing(run_busybox, collector: StatsCollector) -> None:  # noqa: ANN001
    container = run_busybox("sleep 60")
    collector.watch(container)
    samples = _samples(collector, container, 2)
    assert all(s.cpu_cores < 0.05 for s in samples), samples
    assert all(0 < s.memory_bytes < 64 * MIB for s in samples), samples


@pytest.mark.docker
def test_the_memory_limit_is_reported(run_busybox, collector: StatsCollector) -> None:  # noqa: ANN001
    container = run_busybox("sleep 60", mem_limit="64m")
    collector.watch(container)
    (sample,) = _samples(collector, container, 1)
    assert sample.memory_limit_bytes == 64 * MIB
    assert 0 < sample.memory_bytes < 64 * MIB


@pytest.mark.docker
def test_watch_is_idempotent_and_unwatch_ends_the_thread(
    run_busybox, collector: StatsCollector  # noqa: ANN001
) -> None:
    container = run_busybox("sleep 60")
    before = len(_stats_threads())
    collector.watch(container)
    collector.watch(container)
    assert len(_stats_threads()) == before + 1
    _samples(collector, container, 1)
    collector.unwatch(container)
    assert collector.watched() == set() and collector.latest(container) is None
    _wait_for(lambda: len(_stats_threads()) == before, 2, "the stream thread to end after unwatch")


@pytest.mark.docker
def test_unwatch_right_after_watch(run_busybox, collector: StatsCollector) -> None:  # noqa: ANN001
    container = run_busybox("sleep 60")
    collector.watch(container)
    collector.unwatch(container)
    _wait_for(lambda: not _stats_threads(), 2, "the stream thread to end")
    assert collector.latest(container) is None


@pytest.mark.docker
def test_close_leaves_no_threads(run_busybox, stray_exceptions: list) -> None:  # noqa: ANN001
    containers = [run_busybox("sleep 60") for _ in range(3)]
    collector = StatsCollector(Engine())
    for container in containers:
        collector.watch(container)
    for container in containers:
        _samples(collector, container, 1)
    assert len(_stats_threads()) == 3
    collector.close()
    assert not _stats_threads()
    assert collector.watched() == set()
    assert not stray_exceptions


@pytest.mark.docker
def test_a_removed_container_ends_its_stream_quietly(
    docker_client, run_busybox, collector: StatsCollector, stray_exceptions: list  # noqa: ANN001
) -> None:
    container = run_busybox("sleep 60")
    collector.watch(container)
    (last,) = _samples(collector, container, 1)
    docker_client.containers.get(container).remove(force=True)
    _wait_for(lambda: not collector.is_streaming(container), 5, "the stream to end")
    _wait_for(lambda: not _stats_threads(), 2, "the stream thread to end")
    assert not stray_exceptions
    assert collector.watched() == {container}
    assert collector.latest(container) is not None and collector.latest(container).at >= last.at


@pytest.mark.docker
def test_a_stopped_container_keeps_its_last_sample(
    docker_client, run_busybox, collector: StatsCollector, stray_exceptions: list  # noqa: ANN001
) -> None:
    container = run_busybox("sleep 60")
    collector.watch(container)
    _samples(collector, container, 1)
    docker_client.containers.get(container).kill()
    _wait_for(lambda: not collector.is_streaming(container), 5, "the stream to end")
    last = collector.latest(container)
    assert last is not None and last.memory_bytes > 0
    assert collector.watched() == {container}
    assert not stray_exceptions
    collector.unwatch(container)
    assert collector.latest(container) is None


@pytest.mark.docker
def test_an_unknown_container_ends_its_stream_quietly(collector: StatsCollector, stray_exceptions: list) -> None:
    collector.watch("computetui-no-such-container-" + uuid.uuid4().hex)
    _wait_for(lambda: not _stats_threads(), 5, "the stream thread to end")
    assert not stray_exceptions
