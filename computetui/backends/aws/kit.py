"""What the ECS, ECR and Application Auto Scaling adapters share: calls with errors translated,
every page of a list, describes in batches, boto3 parameters from the contract's keywords, and
AWS's JSON read into the contract's models without letting a surprise in it break the console.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from computetui.backends.aws.errors import translate
from computetui.backends.errors import ComputeError, Unsupported

if TYPE_CHECKING:
    from computetui.backends.aws import AwsBackend

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
R = TypeVar("R")

FAN_OUT_WORKERS = 8
"""The most calls one operation makes at once (per-resource APIs such as DescribeTargetHealth)."""


class Caller:
    """One AWS service's calls for an adapter, with the adapter's view of its errors.

    ``invalid_code`` and ``kinds`` are this service's view of its errors, handed to ``translate``:
    the code botocore's own parameter checks get, and codes filed under a contract error class
    (``{"RepositoryNotEmptyException": "conflict"}``).
    """

    def __init__(
        self,
        backend: AwsBackend,
        service: str,
        *,
        invalid_code: str = "InvalidParameterException",
        kinds: dict[str, str] | None = None,
    ) -> None:
        self.backend = backend
        self.service = service
        self.invalid_code = invalid_code
        self.kinds = kinds or {}

    @property
    def client(self) -> Any:
        return self.backend.client(self.service)

    # -- errors ------------------------------------------------------------
    def error(self, exc: BaseException) -> ComputeError:
        """The contract's error for anything a call raised."""
        return translate(exc, profile=self.backend.profile, invalid_code=self.invalid_code, kinds=self.kinds)

    # -- calls ---------------------------------------------------------------
    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        """One call (boto3's snake_case operation name, AWS's parameter names); errors translated."""
        try:
            response = getattr(self.client, operation)(**_present(params))
        except ComputeError:
            raise
        except Exception as exc:
            raise self.error(exc) from None
        response.pop("ResponseMetadata", None)
        return response

    def pages(self, operation: str, key: str, page_size: int | None = None, **params: Any) -> list[Any]:
        """Every item under ``key`` of every page, through botocore's paginator."""
        config = {"PageSize": page_size} if page_size else {}
        items: list[Any] = []
        try:
            paginator = self.client.get_paginator(operation)
            for page in paginator.paginate(**_present(params), PaginationConfig=config):
                items.extend(page.get(key) or [])
        except ComputeError:
            raise
        except Exception as exc:
            raise self.error(exc) from None
        return items

    def batched_pages(
        self, operation: str, key: str, names_param: str, names: Sequence[str], batch: int, **params: Any
    ) -> list[Any]:
        """``pages`` for an operation that takes at most ``batch`` names at once."""
        found: list[Any] = []
        for chunk in batches(names, batch):
            found.extend(self.pages(operation, key, **{names_param: chunk}, **params))
        return found

    def member_names(self, operation: str) -> dict[str, str]:
        """The operation's input members, keyed by their name folded (``role_arn`` -> ``RoleARN``)."""
        model = self.client.meta.service_model.operation_model(_operation_name(operation))
        return {fold(name): name for name in model.input_shape.members}

    def params(self, operation: str, keywords: dict[str, Any]) -> dict[str, Any]:
        """boto3's parameters for the contract's snake_case keywords (AWS's names pass as they are).

        A keyword that names no member of the operation keeps its name, so botocore reports it.
        Models become their AWS JSON.
        """
        members = self.member_names(operation)
        return {members.get(fold(name), name): aws_json(value) for name, value in keywords.items()
                if value is not None}


def _operation_name(operation: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in operation.split("_"))


def fold(name: str) -> str:
    """A parameter name with case and underscores folded away: ``role_arn``, ``RoleARN`` -> ``rolearn``."""
    return name.replace("_", "").lower()


def _present(params: dict[str, Any]) -> dict[str, Any]:
    """boto3 refuses None for a parameter: leave those out."""
    return {name: value for name, value in params.items() if value is not None}


def aws_json(value: Any) -> Any:
    """A model (or models, anywhere in a list or dict) as AWS's JSON; anything else as it is."""
    if isinstance(value, BaseModel):
        to_aws = getattr(value, "to_aws", None)
        return to_aws() if callable(to_aws) else value.model_dump(by_alias=True, exclude_none=True, mode="json")
    if isinstance(value, list):
        return [aws_json(v) for v in value]
    if isinstance(value, dict):
        return {k: aws_json(v) for k, v in value.items()}
    return value


def batches(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size``."""
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def fan_out(fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``fn`` over ``items``, at most FAN_OUT_WORKERS at once, results in order.

    Each call runs in a copy of the caller's context (its context variables, such as the
    Textual worker it is part of, follow it into the pool). The first failure, in order, is
    raised once the calls already under way have ended; the calls not yet started are not made.
    """
    items = list(items)
    if len(items) <= 1:
        return [fn(item) for item in items]
    pool = ThreadPoolExecutor(max_workers=min(FAN_OUT_WORKERS, len(items)))
    try:
        futures = [pool.submit(contextvars.copy_context().run, fn, item) for item in items]
        return [future.result() for future in futures]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def parse(model: type[M], data: dict[str, Any]) -> M:
    """``model.model_validate(data)``; a value AWS filled in a way the model does not know (a new
    enum value, an empty string) is left out, rather than failing the whole answer."""
    for _ in range(50):
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            trimmed = data
            for error in exc.errors():
                loc = tuple(error.get("loc", ()))
                # The value itself, else what holds it (an item missing a required field).
                while len(loc) > 1 and _without(trimmed, loc) is trimmed:
                    loc = loc[:-1]
                trimmed = _without(trimmed, loc)
            if trimmed is data:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first.get("loc", ()))
                raise ComputeError(
                    f"AWS answered with a {model.__name__} this console cannot read ({where}: {first.get('msg')})",
                    code="UnreadableResponse",
                ) from None
            data = trimmed
    return model.model_validate(data)


def _without(data: Any, loc: Sequence[Any]) -> Any:
    """A copy of ``data`` without the value at ``loc`` (its innermost dict key)."""
    if not loc:
        return data
    head, rest = loc[0], loc[1:]
    if isinstance(data, dict) and head in data:
        if not rest:
            return {k: v for k, v in data.items() if k != head}
        inner = _without(data[head], rest)
        return {**data, head: inner} if inner is not data[head] else data
    if isinstance(data, list) and isinstance(head, int) and 0 <= head < len(data):
        if not rest:
            return [*data[:head], *data[head + 1 :]]
        inner = _without(data[head], rest)
        if inner is data[head]:
            return data
        return [*data[:head], inner, *data[head + 1 :]]
    return data


def refuse_beyond_endpoint(backend: AwsBackend, address: str, what: str, code: str) -> None:
    """With an endpoint set (moto, LocalStack), send nothing to an AWS host it named: moto answers
    with real S3 and registry hosts that it does not serve. ``address``: a URL or host[:port]/path."""
    endpoint = backend.endpoint_url
    host = urlsplit(address if "//" in address else f"//{address}").hostname or ""
    if endpoint and (host == "amazonaws.com" or host.endswith(".amazonaws.com")):
        raise Unsupported(f"the endpoint {endpoint} gave an AWS address for {what} ({host}); computetui sends "
                          "nothing beyond the endpoint it was given", code=code)
