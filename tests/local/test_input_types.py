"""Wrong types for every argument of every operation that changes something: each is refused as
a ComputeError naming the argument, before anything is stored.

Each case starts from arguments the operation takes (tests/support/operations.py) and puts one
wrong value in one argument: a list, a number too wide for AWS's integers, a map, None.
"""

from __future__ import annotations

from typing import Any

import pytest

from computetui.backends.errors import ComputeError, InvalidParameter
from computetui.backends.rules.validation import AnyValue, lower_camel
from tests.support import operations as ops

LIST = [1]
HUGE = 10**30
MAP = {"unexpected": [1]}


def _cases() -> list[Any]:
    backend = ops.make_backend()
    try:
        cases = []
        for facet, operation in ops.operations():
            if not ops.offered(backend, facet, operation):
                continue
            _, shapes = ops.members(backend, facet, operation)
            for name in shapes:
                for label, value in (("list", LIST), ("huge", HUGE), ("map", MAP), ("none", None)):
                    cases.append(pytest.param(facet, operation, name, value, id=f"{facet}.{operation}.{name}-{label}"))
        return cases
    finally:
        backend.close()


CASES = _cases()


def test_every_offered_operation_that_changes_something_is_checked() -> None:
    backend = ops.make_backend()
    try:
        unchecked = [f"{facet}.{operation}" for facet, operation in ops.operations()
                     if ops.offered(backend, facet, operation) and not ops.members(backend, facet, operation)[1]]
        missing = [f"{facet}.{operation}" for facet, operation in ops.operations()
                   if (facet, operation) not in ops.ARGUMENTS]
    finally:
        backend.close()
    assert unchecked == []
    assert missing == []


@pytest.mark.parametrize(("facet", "operation", "name", "value"), CASES)
def test_a_wrong_type_is_refused_naming_the_argument(facet: str, operation: str, name: str, value: Any) -> None:
    with ops.prepared_backend() as (backend, prepared):
        _, shapes = ops.members(backend, facet, operation)
        shape = shapes[name]
        arguments = {**ops.ARGUMENTS[facet, operation](prepared), name: value}
        before = ops.snapshot(backend)
        try:
            getattr(getattr(backend, facet), operation)(**arguments)
        except ComputeError as exc:
            refused: ComputeError | None = exc
        else:
            refused = None
        must_refuse = not isinstance(shape, AnyValue) and (
            (value is None and name in ops.required(backend, facet, operation))
            or (value is not None and not shape.accepts(value))
            or value is LIST or value == HUGE
        )
        if must_refuse:
            assert isinstance(refused, InvalidParameter), f"{operation}({name}={value!r}) was not refused"
            assert refused.field is not None and refused.field.startswith(lower_camel(name)), refused
            assert lower_camel(name) in refused.message
            assert ops.snapshot(backend) == before
        ops.assert_store_readable(backend)
