"""Read-only mode: every mutating operation of every facet is refused before it does anything."""

from __future__ import annotations

import inspect

import pytest

from computetui.backends.base import FACETS, Backend, all_mutating_operations
from computetui.backends.errors import ReadOnly
from computetui.backends.local import LocalBackend
from computetui.clock import FixedClock
from tests.support.fakes import StaticEngine


@pytest.fixture
def read_only_backend() -> LocalBackend:
    backend = LocalBackend(":memory:", clock=FixedClock(), engine=StaticEngine(), controller=False, read_only=True)
    yield backend
    backend.close()


def dummy_arguments(fn) -> dict:  # noqa: ANN001
    """Plausible values for every required parameter; the guard must fire before they matter."""
    values = {}
    for name, parameter in inspect.signature(fn).parameters.items():
        if name == "self" or parameter.kind in (parameter.VAR_KEYWORD, parameter.VAR_POSITIONAL):
            continue
        if parameter.default is inspect.Parameter.empty:
            values[name] = [] if name.endswith("s") and name != "status" else "x"
    return values


def test_every_facet_declares_its_mutating_operations() -> None:
    for name, facet in FACETS.items():
        if name in ("eks", "metrics"):
            assert facet.mutating_operations() == []  # read-only services
        else:
            assert facet.mutating_operations(), name


def test_every_mutating_operation_raises_read_only_and_writes_nothing(read_only_backend: LocalBackend) -> None:
    before = read_only_backend.store.counts()
    operations = list(all_mutating_operations(read_only_backend))
    assert len(operations) > 40
    for facet_name, operation in operations:
        facet = getattr(read_only_backend, facet_name)
        method = getattr(facet, operation)
        with pytest.raises(ReadOnly) as caught:
            method(**dummy_arguments(method))
        assert caught.value.code == "ReadOnlyMode"
        assert operation in str(caught.value)
    assert read_only_backend.store.counts() == before


def test_a_subclass_override_is_guarded_too() -> None:
    class Fake(Backend):
        name = "fake"

    class Ecs(FACETS["ecs"]):  # type: ignore[misc, valid-type]
        def create_cluster(self, cluster_name: str, tags=None):  # noqa: ANN001, ANN201
            raise AssertionError("the guard should have stopped this")

    backend = Fake(read_only=True)
    with pytest.raises(ReadOnly):
        Ecs(backend).create_cluster("c")


def test_seeding_the_demo_is_refused_in_read_only_mode(read_only_backend: LocalBackend) -> None:
    with pytest.raises(ReadOnly):
        read_only_backend.seed_demo()
    assert read_only_backend.store.is_empty()
