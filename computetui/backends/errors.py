"""The errors every backend raises.

A backend never lets a docker, botocore or sqlite exception escape: it turns
it into a :class:`ComputeError` whose ``code`` is the error code the real AWS
service would return (``ResourceNotFoundException``, ``ClientException``,
``TooManyRequestsException`` ...). The UI shows the code and the message; it
never needs to know which backend raised it.
"""

from __future__ import annotations


class ComputeError(Exception):
    """An error from a backend, named with AWS's error code."""

    default_code = "ServiceException"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code or self.default_code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class NotFound(ComputeError):
    """The resource does not exist (``ResourceNotFoundException`` and kin)."""

    default_code = "ResourceNotFoundException"


class InvalidParameter(ComputeError):
    """A parameter breaks one of AWS's rules; the message names the field and the rule."""

    default_code = "InvalidParameterValueException"

    def __init__(self, message: str, code: str | None = None, *, field: str | None = None) -> None:
        super().__init__(message, code)
        self.field = field


class Conflict(ComputeError):
    """The resource exists already, or is in a state that forbids the call."""

    default_code = "ResourceConflictException"


class Throttled(ComputeError):
    """Over a rate or concurrency limit (``TooManyRequestsException``)."""

    default_code = "TooManyRequestsException"

    def __init__(
        self,
        message: str,
        code: str | None = None,
        *,
        reason: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, code)
        self.reason = reason
        self.retry_after = retry_after


class AccessDenied(ComputeError):
    """Credentials are missing, expired or lack a permission."""

    default_code = "AccessDeniedException"


class ReadOnly(ComputeError):
    """A mutating call in read-only mode. Raised before anything is sent."""

    default_code = "ReadOnlyMode"

    def __init__(self, operation: str) -> None:
        super().__init__(
            f"{operation} changes resources and the console is in read-only mode (started with --read-only)",
        )
        self.operation = operation


class Unavailable(ComputeError):
    """The Docker engine or the AWS endpoint cannot be reached; ``reason`` says why."""

    default_code = "ServiceUnavailable"

    def __init__(self, message: str, code: str | None = None, *, reason: str | None = None) -> None:
        super().__init__(message, code)
        self.reason = reason or message


class Unsupported(ComputeError):
    """The backend does not offer this operation (yet)."""

    default_code = "UnsupportedOperation"


__all__ = [
    "AccessDenied",
    "ComputeError",
    "Conflict",
    "InvalidParameter",
    "NotFound",
    "ReadOnly",
    "Throttled",
    "Unavailable",
    "Unsupported",
]
