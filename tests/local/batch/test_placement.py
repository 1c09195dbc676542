"""Batch's placement decision, without an engine: capacity, queue priority, environment order,
first in first out, fair share."""

from __future__ import annotations

from computetui.backends.local.batch.placement import Candidate, Environment, Queue, Usage, place


def jobs(queue: str, n: int, vcpus: float = 1, share: str | None = None, start: int = 0) -> list[Candidate]:
    return [Candidate(f"{queue}-{share or ''}{i}", queue, vcpus, (start + i, 0), share) for i in range(n)]


def test_an_environment_never_runs_more_vcpus_than_its_max() -> None:
    envs = {"ce": Environment("ce", 4)}
    placed = place([Queue("q", 1, ("ce",))], envs, jobs("q", 10, vcpus=0.25 * 3))
    assert len(placed) == 5 and envs["ce"].used <= 4


def test_sixteen_quarter_vcpu_jobs_fill_four_vcpus() -> None:
    envs = {"ce": Environment("ce", 4)}
    assert len(place([Queue("q", 1, ("ce",))], envs, jobs("q", 1000, vcpus=0.25))) == 16


def test_what_is_already_running_counts() -> None:
    envs = {"ce": Environment("ce", 4, used=3)}
    assert [arn for arn, _ in place([Queue("q", 1, ("ce",))], envs, jobs("q", 3))] == ["q-0"]


def test_a_job_that_fits_nowhere_stays_and_smaller_ones_behind_it_fill_the_gap() -> None:
    envs = {"ce": Environment("ce", 2)}
    big = Candidate("big", "q", 4, (0, 0))
    small = Candidate("small", "q", 1, (1, 0))
    assert place([Queue("q", 1, ("ce",))], envs, [big, small]) == [("small", "ce")]


def test_the_higher_priority_queue_sharing_an_environment_goes_first() -> None:
    envs = {"ce": Environment("ce", 2)}
    low, high = Queue("low", 1, ("ce",)), Queue("high", 9, ("ce",))
    placed = place([low, high], envs, jobs("low", 2, start=0) + jobs("high", 2, start=10))
    assert [arn for arn, _ in placed] == ["high-0", "high-1"]


def test_environments_are_tried_in_the_queues_order() -> None:
    envs = {"first": Environment("first", 1), "second": Environment("second", 8)}
    placed = place([Queue("q", 1, ("first", "second"))], envs, jobs("q", 3))
    assert placed == [("q-0", "first"), ("q-1", "second"), ("q-2", "second")]


def test_first_in_first_out_within_a_queue() -> None:
    envs = {"ce": Environment("ce", 2)}
    later, earlier = Candidate("later", "q", 1, (5, 0)), Candidate("earlier", "q", 1, (1, 0))
    child1, child0 = Candidate("c1", "q", 1, (3, 1)), Candidate("c0", "q", 1, (3, 0))
    placed = place([Queue("q", 1, ("ce",))], envs, [later, child1, earlier, child0])
    assert [arn for arn, _ in placed] == ["earlier", "c0"]


def test_a_disabled_environment_has_no_capacity() -> None:
    assert place([Queue("q", 1, ("ce",))], {"ce": Environment("ce", 0)}, jobs("q", 1)) == []


def test_fair_share_gives_a_share_with_half_the_weight_twice_the_capacity() -> None:
    envs = {"ce": Environment("ce", 12)}
    queue = Queue("q", 1, ("ce",), weights={"a": 0.5, "b": 1.0})
    # b's jobs came first; FIFO would give b everything.
    placed = place([queue], envs, jobs("q", 20, share="b", start=0) + jobs("q", 20, share="a", start=100))
    shares = [arn.split("-")[1][0] for arn, _ in placed]
    assert shares.count("a") == 8 and shares.count("b") == 4


def test_fair_share_counts_what_each_share_already_runs() -> None:
    envs = {"ce": Environment("ce", 4, used=3)}
    usage = Usage()
    usage.by_share[("q", "a")] = 3
    queue = Queue("q", 1, ("ce",), weights={"a": 1.0, "b": 1.0})
    placed = place([queue], envs, jobs("q", 2, share="a") + jobs("q", 2, share="b", start=10), usage)
    assert [arn for arn, _ in placed] == ["q-b0"]


def test_within_a_share_the_higher_scheduling_priority_goes_first() -> None:
    envs = {"ce": Environment("ce", 1)}
    queue = Queue("q", 1, ("ce",), weights={})
    low = Candidate("low", "q", 1, (0, 0), "a", priority=1)
    high = Candidate("high", "q", 1, (9, 0), "a", priority=50)
    assert place([queue], envs, [low, high]) == [("high", "ce")]
