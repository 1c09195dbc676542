"""Which RUNNABLE jobs start now, and where: Batch's scheduling decision as a pure function.

* A job runs only on an ENABLED, VALID compute environment of an ENABLED queue, and
  only where it fits: the vCPUs of the jobs an environment runs never exceed its
  ``maxvCpus`` (an UNMANAGED environment's capacity is the ``unmanagedvCpus`` its
  owner gives it, none by default). A job that fits nowhere stays RUNNABLE.
* Queues are served highest ``priority`` first; each queue tries its environments in
  its ``computeEnvironmentOrder``.
* Within a queue jobs go first in, first out — or, under a fair-share policy, the
  share that uses the least capacity for its weight goes next (``weightFactor``:
  a share with half the weight gets twice the capacity), then by scheduling priority,
  then first in first out.
* A job that does not fit is passed over for smaller ones behind it, as Batch
  fills an environment's spare capacity.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

SMALLEST_VCPUS = 0.25
"""No job asks for less (Fargate's smallest size)."""


@dataclass(frozen=True)
class Candidate:
    """A RUNNABLE job, as placement reads it."""

    arn: str
    queue: str
    vcpus: float
    order: tuple[int, int]
    """First in, first out: (created at, index in its array)."""
    share: str | None = None
    priority: int = 0
    """The scheduling priority under a fair-share policy: higher goes first within its share."""


@dataclass(frozen=True)
class Queue:
    arn: str
    priority: int
    environments: tuple[str, ...]
    """In the queue's computeEnvironmentOrder."""
    weights: Mapping[str | None, float] | None = None
    """A fair-share policy's weight per share; None for first in, first out."""
    default_weight: float = 1.0

    def weight(self, share: str | None) -> float:
        if self.weights is None:
            return 1.0
        return self.weights.get(share, self.default_weight)


@dataclass
class Environment:
    arn: str
    capacity: float
    """vCPUs it can run at once (0 when it cannot run anything now)."""
    used: float = 0.0

    def free(self) -> float:
        return self.capacity - self.used


@dataclass
class Usage:
    """vCPUs in use per (queue, share), for fair share."""

    by_share: dict[tuple[str, str | None], float] = field(default_factory=lambda: defaultdict(float))


def place(queues: Iterable[Queue], environments: Mapping[str, Environment], candidates: Iterable[Candidate],
          usage: Usage | None = None) -> list[tuple[str, str]]:
    """``(job ARN, environment ARN)`` for each job to start now; ``environments`` is changed in
    place (what is placed is counted as used)."""
    usage = usage or Usage()
    by_queue: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        by_queue[candidate.queue].append(candidate)
    placed: list[tuple[str, str]] = []
    for queue in sorted(queues, key=lambda q: -q.priority):
        mine = [environments[arn] for arn in queue.environments if arn in environments]
        if not mine or not by_queue.get(queue.arn):
            continue
        for candidate in _in_turn(queue, by_queue[queue.arn], usage):
            if all(env.free() < SMALLEST_VCPUS for env in mine):
                break
            target = next((env for env in mine if env.free() >= candidate.vcpus), None)
            if target is None:
                continue
            target.used += candidate.vcpus
            usage.by_share[(queue.arn, candidate.share)] += candidate.vcpus
            placed.append((candidate.arn, target.arn))
    return placed


def _in_turn(queue: Queue, candidates: list[Candidate], usage: Usage) -> Iterable[Candidate]:
    """A queue's jobs in the order they are offered capacity."""
    if queue.weights is None:
        yield from sorted(candidates, key=lambda c: c.order)
        return
    shares: dict[str | None, list[tuple[int, tuple[int, int], int, Candidate]]] = defaultdict(list)
    for arrival, c in enumerate(candidates):  # ties go in the order the store lists them: oldest first
        shares[c.share].append((-c.priority, c.order, arrival, c))
    for waiting in shares.values():
        heapq.heapify(waiting)
    while shares:
        # The share using the least for its weight; a lower weight factor gets more.
        share = min(shares, key=lambda s: (usage.by_share[(queue.arn, s)] * queue.weight(s), str(s)))
        waiting = shares[share]
        *_, candidate = heapq.heappop(waiting)
        if not waiting:
            del shares[share]
        before = usage.by_share[(queue.arn, share)]
        yield candidate
        if usage.by_share[(queue.arn, share)] == before:
            # It did not fit: the share's others may be as big, so the share waits this pass.
            shares.pop(share, None)
