"""Read-only mode on the aws backend: every mutating operation of every facet that has an adapter is
refused before a single request leaves the process.

The facets come from the backend itself (``all_mutating_operations``), so an adapter added later is
covered the moment its module exists."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from computetui.backends import open_backend
from computetui.backends.aws import ADAPTERS, AwsBackend
from computetui.backends.base import FACETS, all_mutating_operations
from computetui.backends.errors import ReadOnly
from tests.local.test_read_only import dummy_arguments
from tests.support.aws import CallCounter, reset_moto


@pytest.fixture
def read_only(moto_server: str, aws_credentials: None) -> Iterator[tuple[AwsBackend, CallCounter]]:
    reset_moto(moto_server)
    backend = open_backend("aws", region="us-east-1", endpoint_url=moto_server, read_only=True)
    assert isinstance(backend, AwsBackend)
    counter = CallCounter(backend)  # before any client exists: each copies the hooks when made
    yield backend, counter
    backend.close()


def test_every_facet_of_the_backend_has_its_adapter_or_is_none() -> None:
    assert set(ADAPTERS) == set(FACETS)


@pytest.mark.parametrize("facet_name", sorted(FACETS))
def test_every_mutating_operation_is_refused_before_anything_is_sent(
    read_only: tuple[AwsBackend, CallCounter], facet_name: str
) -> None:
    backend, counter = read_only
    facet = getattr(backend, facet_name)
    assert facet is not None, f"the aws backend has no {facet_name} adapter (computetui/backends/aws/" \
        f"{ADAPTERS[facet_name][0]}.py)"
    operations = [op for name, op in all_mutating_operations(backend) if name == facet_name]
    assert operations == type(facet).mutating_operations()
    if facet_name not in ("eks", "metrics"):  # read-only services have nothing to refuse
        assert operations, facet_name
    for operation in operations:
        method = getattr(facet, operation)
        with pytest.raises(ReadOnly) as caught:
            method(**dummy_arguments(method))
        assert caught.value.code == "ReadOnlyMode"
        assert operation in str(caught.value)
    assert counter.sent == [], f"{facet_name} sent requests in read-only mode"
    assert counter.total() == 0
    assert backend._clients == {}, "not even a client is made for a refused call"


def test_all_facets_at_once_send_nothing_and_reads_still_work(read_only: tuple[AwsBackend, CallCounter]) -> None:
    backend, counter = read_only
    operations = list(all_mutating_operations(backend))
    assert {"ecs", "ecr", "autoscaling"} <= {name for name, _ in operations}
    for facet_name, operation in operations:
        method = getattr(getattr(backend, facet_name), operation)
        with pytest.raises(ReadOnly):
            method(**dummy_arguments(method))
    assert counter.sent == [] and counter.total() == 0
    # The counter sees what does go out: a read is answered in read-only mode.
    assert backend.ecs.list_clusters() == []
    assert counter.of("ecs", "ListClusters") == 1 and counter.sent
