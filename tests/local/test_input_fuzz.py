"""Random arguments to every operation the local backend offers, reads too: only
ComputeErrors come out, and the store stays readable (every list and describe still answers).

Hypothesis draws each argument either from the valid arguments in tests/support/operations.py,
from values shaped like what the argument takes (strings, numbers at and past its limits,
structures with its members) or from anything at all. It is derandomized: the same examples
on every run, a bounded number of them.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from computetui.backends.errors import ComputeError
from computetui.backends.rules import validation as v
from tests.support import operations as ops

EXAMPLES = 30

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.binary(max_size=12)
)
ANYTHING = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


def shaped(shape: v.Shape, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values near what ``shape`` takes: the right type at and past its limits, and anything else."""
    if isinstance(shape, v.String):
        near = st.text(max_size=(shape.max or 40) + 2)
        if shape.enum:
            near = near | st.sampled_from(list(shape.enum))
    elif isinstance(shape, v.Integer):
        near = st.integers(min_value=max(shape.min, -(2**40)) - 2, max_value=min(shape.max, 2**40) + 2) | \
            st.sampled_from([shape.min, shape.max, shape.max + 1, 0, -1])
    elif isinstance(shape, v.Number):
        near = st.floats(allow_nan=True, allow_infinity=True)
    elif isinstance(shape, v.Boolean):
        near = st.booleans()
    elif isinstance(shape, v.Blob):
        near = st.binary(max_size=40)
    elif isinstance(shape, v.Folder):
        # Never a folder that exists: the operation would zip it.
        near = st.text(max_size=8).map(lambda name: f"/nonexistent-computetui-test/{name}")
        return near | SCALARS.filter(lambda value: not isinstance(value, str))
    elif isinstance(shape, v.OneOf):
        near = st.one_of([shaped(s, depth) for s in shape.shapes])
        return near
    elif isinstance(shape, v.ListOf) and depth < 4:
        near = st.lists(shaped(shape.member, depth + 1), max_size=3)
    elif isinstance(shape, v.MapOf) and depth < 4:
        keys = st.text(max_size=12) | SCALARS  # hashable ones only
        if isinstance(shape.key, v.String) and shape.key.max:
            keys = keys | st.text(min_size=shape.key.max, max_size=shape.key.max + 2)
        near = st.dictionaries(keys, shaped(shape.value, depth + 1), max_size=3)
    elif isinstance(shape, v.Structure) and depth < 4:
        near = st.fixed_dictionaries({}, optional={name: shaped(s, depth + 1) for name, s in shape.members.items()})
    else:
        near = ANYTHING
    return near | ANYTHING


def arguments(facet: str, operation: str, valid: dict[str, Any], shapes: dict[str, v.Shape]) -> Any:
    """Each argument the valid one or a drawn one, or left out when the operation has a default."""
    drawn: dict[str, st.SearchStrategy[Any]] = {}
    for name in {*valid, *shapes}:
        choices = shaped(shapes[name]) if name in shapes else ANYTHING
        if name in valid:
            choices = st.just(valid[name]) | choices
        drawn[name] = choices
    if (facet, operation) == ("lambda_", "invoke"):
        # Only a function that does not exist is named: no code runs here.
        drawn["function_name"] = st.just("absent") | SCALARS.filter(lambda value: not isinstance(value, str))
    return st.fixed_dictionaries({}, optional=drawn)


def _offered() -> list[tuple[str, str]]:
    """The operations the local backend offers (the others raise Unsupported, whatever they get)."""
    backend = ops.make_backend()
    try:
        changing = [(f, o) for f, o in ops.operations() if ops.offered(backend, f, o)]
    finally:
        backend.close()
    return changing + list(ops.READ_ARGUMENTS)


@pytest.mark.parametrize(("facet", "operation"), _offered(), ids=lambda part: part)
def test_random_arguments_come_out_as_compute_errors(facet: str, operation: str) -> None:
    with ops.prepared_backend() as (backend, prepared):
        _, shapes = ops.members(backend, facet, operation)
        call = getattr(getattr(backend, facet), operation)
        outcomes: dict[str, int] = {}
        valid = {**ops.ARGUMENTS, **ops.READ_ARGUMENTS}[facet, operation](prepared)

        @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None, print_blob=False,
                  suppress_health_check=list(HealthCheck))
        @given(arguments(facet, operation, valid, shapes))
        def run(kwargs: dict[str, Any]) -> None:
            try:
                call(**kwargs)
            except ComputeError as exc:
                outcomes[exc.code] = outcomes.get(exc.code, 0) + 1
            else:
                outcomes["ok"] = outcomes.get("ok", 0) + 1

        run()
        ops.assert_store_readable(backend)
        assert sum(outcomes.values()) >= EXAMPLES
