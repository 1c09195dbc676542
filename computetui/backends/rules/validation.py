"""AWS's request validation in one place: the rules a request's members obey, and their wording.

A service's operations each have a :class:`Request`: the shape of every argument it takes
(:class:`String`, :class:`Integer`, :class:`ListOf`, :class:`Structure` ...), with the
lengths, patterns, ranges and enums of AWS's service models, and the service's
:class:`Dialect` (its error code and how it words a broken rule). ``@validated(request)``
on a facet's operation checks the arguments before the operation runs, so a refused call
stores nothing, and every bad argument is an :class:`InvalidParameter` naming the member
(``containerDefinitions.1.member.portMappings.1.member.containerPort``) and the rule.

``None`` is "not given", as everywhere in the contract: a member that is required is
refused as null, an optional one takes the operation's default.
"""

from __future__ import annotations

import functools
import inspect
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from computetui.backends.errors import InvalidParameter

F = TypeVar("F", bound=Callable[..., Any])

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
"""AWS's ``Integer``: a 32-bit number; anything wider does not reach the service as one."""
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1
SHOWN_MAX = 100
"""How much of a refused value a message repeats: a 1 MB handler is not echoed whole."""


def constraint_error(field: str, value: Any, constraint: str) -> InvalidParameter:
    """The ``ValidationException`` AWS's request validator returns."""
    return InvalidParameter(
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {constraint}",
        code="ValidationException",
        field=field,
    )


def check_range(field: str, value: Any, low: int, high: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise constraint_error(field, value, "Member must be a whole number")
    if value < low:
        raise constraint_error(field, value, f"Member must have value greater than or equal to {low}")
    if value > high:
        raise constraint_error(field, value, f"Member must have value less than or equal to {high}")


def check_pattern(field: str, value: str, pattern: str, max_length: int | None = None) -> None:
    if max_length is not None and len(value) > max_length:
        raise constraint_error(field, value, f"Member must have length less than or equal to {max_length}")
    if not re.fullmatch(pattern, value):
        raise constraint_error(field, value, f"Member must satisfy regular expression pattern: {pattern}")


# -- how a service words a broken rule ------------------------------------------------------


def shown(value: Any) -> str:
    """A value as a message repeats it: strings as they are, lists and maps as AWS prints
    them, cut to ``SHOWN_MAX`` characters."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        text = f"<{len(value)} bytes>"
    elif isinstance(value, Mapping):
        text = "{" + ", ".join(f"{k}={shown(v)}" for k, v in list(value.items())[:10]) + "}"
    elif isinstance(value, (list, tuple)):
        text = "[" + ", ".join(shown(v) for v in value[:10]) + "]"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = str(value)
    return text if len(text) <= SHOWN_MAX else text[: SHOWN_MAX - 3] + "..."


@dataclass(frozen=True)
class Dialect:
    """A service's error code for bad input and how its messages read.

    ``coral`` is the validator most AWS services share ("1 validation error detected: Value
    'x' at 'handler' failed to satisfy constraint: ..."); ``ecr`` is ECR's own ("Invalid
    parameter at 'imageTag' failed to satisfy constraint: '...'").
    """

    code: str
    style: str = "coral"

    def error(self, path: str, value: Any, rule: str, *, show: bool = True) -> InvalidParameter:
        if self.style == "ecr":
            message = f"Invalid parameter at '{path}' failed to satisfy constraint: '{rule}'"
        elif value is None:
            message = f"1 validation error detected: Value null at '{path}' failed to satisfy constraint: {rule}"
        elif not show:
            message = f"1 validation error detected: Value at '{path}' failed to satisfy constraint: {rule}"
        else:
            message = (
                f"1 validation error detected: Value '{shown(value)}' at '{path}' "
                f"failed to satisfy constraint: {rule}"
            )
        return InvalidParameter(message, code=self.code, field=path)

    def null(self, path: str) -> InvalidParameter:
        return self.error(path, None, "Member must not be null")


VALIDATION = Dialect("ValidationException")


def lower_camel(name: str) -> str:
    """A member's name as AWS's validator writes it in a path: ``memory_size``, ``MemorySize``
    -> ``memorySize``."""
    if "_" in name:
        head, *rest = name.split("_")
        return head + "".join(part[:1].upper() + part[1:] for part in rest)
    return name[:1].lower() + name[1:]


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


# -- shapes ---------------------------------------------------------------------------


class Shape:
    """What one member accepts. ``check`` raises the dialect's error for the first broken rule."""

    kind = "a value"
    """The type in words, for "Member must be ..."."""

    def accepts(self, value: Any) -> bool:
        """The value is of this shape's type (its rules aside)."""
        return True

    def problem(self, value: Any) -> str | None:
        """The first rule a value of the right type breaks, in AWS's words; None when it keeps them."""
        return None

    def check(self, value: Any, path: str, dialect: Dialect) -> None:
        if not self.accepts(value):
            raise dialect.error(path, value, f"Member must be {self.kind}")
        rule = self.problem(value)
        if rule is not None:
            raise dialect.error(path, value, rule, show=self.show_value)

    def clean(self, value: Any) -> Any:
        """The value as the operation is given it once checked: null members of a structure
        left out, as AWS reads a JSON null (``{"types": None}`` is no ``types``)."""
        return value

    show_value = True


@dataclass(frozen=True)
class AnyValue(Shape):
    """A member this layer leaves to the operation (it checks the value itself)."""


@dataclass(frozen=True)
class String(Shape):
    min: int = 0
    max: int | None = None
    pattern: str | None = None
    enum: Sequence[str] | None = None
    sensitive: bool = False
    """The value is not repeated in messages (an environment variable's value, a secret)."""

    kind = "a string"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, str)

    @property
    def show_value(self) -> bool:  # type: ignore[override]
        return not self.sensitive

    def problem(self, value: Any) -> str | None:
        if len(value) < self.min:
            return f"Member must have length greater than or equal to {self.min}"
        if self.max is not None and len(value) > self.max:
            return f"Member must have length less than or equal to {self.max}"
        if self.enum is not None and value not in self.enum:
            return f"Member must satisfy enum value set: [{', '.join(self.enum)}]"
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            return f"Member must satisfy regular expression pattern: {self.pattern}"
        return None


@dataclass(frozen=True)
class Integer(Shape):
    min: int = INT_MIN
    max: int = INT_MAX

    kind = "a whole number"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    def problem(self, value: Any) -> str | None:
        if value < self.min:
            return f"Member must have value greater than or equal to {self.min}"
        if value > self.max:
            return f"Member must have value less than or equal to {self.max}"
        return None


def Long(min: int = LONG_MIN, max: int = LONG_MAX) -> Integer:  # noqa: N802 - a shape, named as AWS's
    return Integer(min, max)


@dataclass(frozen=True)
class Number(Shape):
    """AWS's ``Double``: a finite number."""

    min: float | None = None
    max: float | None = None

    kind = "a number"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool)

    def problem(self, value: Any) -> str | None:
        if not math.isfinite(value) or abs(value) > 1e300:
            return "Member must be a finite number"
        if self.min is not None and value < self.min:
            return f"Member must have value greater than or equal to {self.min}"
        if self.max is not None and value > self.max:
            return f"Member must have value less than or equal to {self.max}"
        return None


@dataclass(frozen=True)
class Boolean(Shape):
    kind = "a boolean"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, bool)


@dataclass(frozen=True)
class Blob(Shape):
    max: int | None = None

    kind = "binary data (bytes)"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, (bytes, bytearray, memoryview))

    def problem(self, value: Any) -> str | None:
        if self.max is not None and len(value) > self.max:
            return f"Member must have length less than or equal to {self.max}"
        return None


@dataclass(frozen=True)
class Timestamp(Shape):
    """A time: a datetime, or seconds since the epoch."""

    kind = "a timestamp"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, datetime) or (isinstance(value, (int, float)) and not isinstance(value, bool))

    def problem(self, value: Any) -> str | None:
        if not isinstance(value, datetime) and not (math.isfinite(value) and 0 <= value < 1e11):
            return "Member must be a time from 1970 to the year 5000"
        return None


@dataclass(frozen=True)
class Folder(Shape):
    """A folder on this machine, named by a string or a path."""

    kind = "a folder path"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, (str, os.PathLike))


@dataclass(frozen=True)
class OneOf(Shape):
    """A member that takes one of several types (``payload``: bytes or text)."""

    shapes: tuple[Shape, ...] = ()

    @property
    def kind(self) -> str:  # type: ignore[override]
        return " or ".join(s.kind for s in self.shapes)

    def accepts(self, value: Any) -> bool:
        return any(s.accepts(value) for s in self.shapes)

    def check(self, value: Any, path: str, dialect: Dialect) -> None:
        for shape in self.shapes:
            if shape.accepts(value):
                shape.check(value, path, dialect)
                return
        raise dialect.error(path, value, f"Member must be {self.kind}")

    def clean(self, value: Any) -> Any:
        shape = next((s for s in self.shapes if s.accepts(value)), None)
        return shape.clean(value) if shape is not None else value


@dataclass(frozen=True)
class ListOf(Shape):
    member: Shape = field(default_factory=AnyValue)
    min: int = 0
    max: int | None = None

    kind = "a list"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, (list, tuple))

    def check(self, value: Any, path: str, dialect: Dialect) -> None:
        super().check(value, path, dialect)
        for index, item in enumerate(value, start=1):
            at = f"{path}.{index}.member"
            if item is None:
                raise dialect.null(at)
            self.member.check(item, at, dialect)

    def problem(self, value: Any) -> str | None:
        if len(value) < self.min:
            return f"Member must have length greater than or equal to {self.min}"
        if self.max is not None and len(value) > self.max:
            return f"Member must have length less than or equal to {self.max}"
        return None

    def clean(self, value: Any) -> Any:
        return [self.member.clean(item) for item in value] if isinstance(value, (list, tuple)) else value


@dataclass(frozen=True)
class MapOf(Shape):
    key: Shape = field(default_factory=String)
    value: Shape = field(default_factory=AnyValue)
    max: int | None = None

    kind = "a map"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, Mapping)

    def check(self, value: Any, path: str, dialect: Dialect) -> None:
        if not self.accepts(value):
            raise dialect.error(path, value, f"Member must be {self.kind}")
        if self.max is not None and len(value) > self.max:
            raise dialect.error(path, value, f"Member must have length less than or equal to {self.max}", show=False)
        for key, item in value.items():
            rule = f"Member must be {self.key.kind}" if not self.key.accepts(key) else self.key.problem(key)
            if rule is not None:
                raise dialect.error(path, value, f"Map keys must satisfy constraint: [{rule}]", show=False)
            if isinstance(self.value, (String, Integer, Number, Boolean, Blob)):
                if item is None:
                    raise dialect.error(path, value, "Map value must satisfy constraint: [Member must not be null]",
                                        show=False)
                rule = f"Member must be {self.value.kind}" if not self.value.accepts(item) else \
                    self.value.problem(item)
                if rule is not None:
                    raise dialect.error(path, value, f"Map value must satisfy constraint: [{rule}]", show=False)
            elif item is not None:
                self.value.check(item, f"{path}.{key}", dialect)

    def clean(self, value: Any) -> Any:
        return {k: self.value.clean(item) for k, item in value.items()} if isinstance(value, Mapping) else value


def as_json(value: Any) -> Any:
    """A model as its AWS JSON (the contract takes either); anything else as it is."""
    to_aws = getattr(value, "to_aws", None)
    if callable(to_aws):
        return to_aws()
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(by_alias=True, exclude_none=True)
    return value


def spellings(name: str) -> tuple[str, ...]:
    """A member's name as AWS spells it and as a model also takes it (snake_case, the first
    letter's other case)."""
    return name, snake(name), name[:1].lower() + name[1:], name[:1].upper() + name[1:]


def member(data: Mapping[str, Any], name: str) -> Any:
    """A structure's member by any of its spellings; None when absent."""
    for key in spellings(name):
        if key in data:
            return data[key]
    return None


@dataclass(frozen=True)
class Structure(Shape):
    """A structure: its members by AWS's JSON names. Members it does not name are left alone,
    as AWS leaves them (a task definition as ``describe`` printed it registers again)."""

    members: Mapping[str, Shape] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    rules: tuple[Callable[[Mapping[str, Any], str, Dialect], None], ...] = ()
    """Rules across the members, run once each member keeps its own: ``(value, path, dialect)``."""

    kind = "a structure"

    def accepts(self, value: Any) -> bool:
        return isinstance(as_json(value), Mapping)

    def check(self, value: Any, path: str, dialect: Dialect) -> None:
        value = as_json(value)
        if not isinstance(value, Mapping):
            raise dialect.error(path, value, f"Member must be {self.kind}")
        prefix = f"{path}." if path else ""
        for name in self.required:
            if member(value, name) is None:
                raise dialect.null(prefix + lower_camel(name))
        for name, shape in self.members.items():
            item = member(value, name)
            if item is not None:
                shape.check(item, prefix + lower_camel(name), dialect)
        for rule in self.rules:
            rule(value, path, dialect)

    def clean(self, value: Any) -> Any:
        if not isinstance(value, Mapping):  # a model: the operation reads it as it is
            return value
        shapes = {spelling: shape for name, shape in self.members.items() for spelling in spellings(name)}
        return {key: shapes[key].clean(item) if key in shapes else item
                for key, item in value.items() if item is not None}


# -- operations -----------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """What one operation takes: each argument's shape (by the facet's keyword name), the ones
    AWS requires, and rules across them (``check(arguments)``, run after the shapes)."""

    operation: str
    dialect: Dialect
    members: Mapping[str, Shape] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    checks: tuple[Callable[[Mapping[str, Any]], None], ...] = ()

    def check(self, arguments: Mapping[str, Any]) -> None:
        """Refuse the first argument that breaks a rule; arguments it does not name pass."""
        for name in self.required:
            if arguments.get(name) is None:
                raise self.dialect.null(lower_camel(name))
        for name, value in arguments.items():
            shape = self.members.get(name)
            if shape is not None and value is not None:
                shape.check(value, lower_camel(name), self.dialect)
        for check in self.checks:
            check(arguments)

    def clean(self, name: str, value: Any) -> Any:
        """An argument as the operation is given it (see :meth:`Shape.clean`)."""
        shape = self.members.get(name)
        return shape.clean(value) if shape is not None and value is not None else value


REQUEST_ATTRIBUTE = "__computetui_request__"


def request_of(operation: Callable[..., Any]) -> Request | None:
    """The :class:`Request` an operation is validated against, or None."""
    return getattr(operation, REQUEST_ATTRIBUTE, None)


def validated(request: Request) -> Callable[[F], F]:
    """Check an operation's arguments against ``request`` before it runs.

    Keyword arguments gathered by ``**kwargs`` are checked as the members they name. An
    argument given as None takes the operation's default (or is refused, when required).
    """

    def decorate(fn: F) -> F:
        signature = inspect.signature(fn)
        params = signature.parameters

        @functools.wraps(fn)
        def checked(*args: Any, **kwargs: Any) -> Any:
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError as exc:
                missing = re.search(r"missing a required argument: '(\w+)'", str(exc))
                if missing:
                    raise request.dialect.null(lower_camel(missing.group(1))) from None
                raise InvalidParameter(f"{request.operation}: {exc}", code=request.dialect.code) from None
            given: dict[str, Any] = {}
            for name, value in bound.arguments.items():
                if value is None and params[name].default is inspect.Parameter.empty:
                    raise request.dialect.null(lower_camel(name))
                kind = params[name].kind
                if kind is inspect.Parameter.VAR_KEYWORD:
                    given.update(value)
                elif kind is not inspect.Parameter.VAR_POSITIONAL and name != "self":
                    given[name] = value
            request.check(given)
            for name, value in list(bound.arguments.items()):
                default = params[name].default
                if value is None and default is not inspect.Parameter.empty and default is not None:
                    bound.arguments[name] = default
                elif params[name].kind is inspect.Parameter.VAR_KEYWORD:
                    bound.arguments[name] = {k: request.clean(k, item) for k, item in value.items()}
                else:
                    bound.arguments[name] = request.clean(name, value)
            return fn(*bound.args, **bound.kwargs)

        setattr(checked, REQUEST_ATTRIBUTE, request)
        return checked  # type: ignore[return-value]

    return decorate
