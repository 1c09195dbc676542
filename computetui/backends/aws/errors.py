"""botocore's exceptions -> the contract's errors, keeping AWS's error code.

Credentials problems get a message that says what to run. An adapter's view of its
service's errors (what botocore's own parameter checks are called, which codes are a
conflict or a bad parameter) is passed in, so this is the one place the mapping lives.
"""

from __future__ import annotations

import re

from computetui.backends.errors import (
    AccessDenied,
    ComputeError,
    Conflict,
    InvalidParameter,
    NotFound,
    Throttled,
    Unavailable,
)

_ACCESS = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
}
_THROTTLE = {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded"}
_INVALID = {
    "ValidationException",
    "InvalidParameterException",
    "InvalidParameterValueException",
    "InvalidParameterCombination",
    "ClientException",
    "BadRequestException",
}
_KINDS: dict[str, type[ComputeError]] = {
    "invalid": InvalidParameter,
    "conflict": Conflict,
    "not_found": NotFound,
}
_FIELD_IN_MESSAGE = re.compile(r"\b(?:at|for parameter) '?([A-Za-z][\w.\[\]]*)'?")


def _login_hint(profile: str | None) -> str:
    return f"aws sso login --profile {profile}" if profile else "aws sso login"


def _one_line(message: str, response: dict) -> str:
    """An endpoint that answers with an HTML error page (a proxy, LocalStack or moto without the
    service) gets one line naming the HTTP status, not the page."""
    if "<html" not in message.lower() and "<!doctype" not in message.lower():
        return message
    status = (response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
    title = re.search(r"<title>(.*?)</title>", message, re.IGNORECASE | re.DOTALL)
    what = re.sub(r"^\d+\s*", "", title.group(1).strip()) if title else f"HTTP {status or '?'}"
    return f"{what or f'HTTP {status}'}: the endpoint does not offer this service or operation"


def _field(message: str) -> str | None:
    """The parameter a message points at: ``... at 'memorySize' ...``, ``for parameter name``."""
    match = _FIELD_IN_MESSAGE.search(message)
    return match.group(1) if match else None


def translate(
    exc: BaseException,
    *,
    profile: str | None = None,
    invalid_code: str = "InvalidParameterException",
    kinds: dict[str, str] | None = None,
) -> ComputeError:
    """The contract's error for a botocore (or boto3) exception.

    ``invalid_code`` is the code botocore's own parameter checks get (they fail before anything
    is sent), as the service would name them; ``kinds`` files error codes left generic here under
    a contract error class (``{"RepositoryNotEmptyException": "conflict"}``). A bad parameter
    names its field when the message points at one.
    """
    error = _classify(exc, profile, invalid_code)
    kind = _KINDS.get((kinds or {}).get(error.code, ""))
    if kind is not None and not isinstance(error, kind):
        error = kind(error.message, code=error.code)
    if isinstance(error, InvalidParameter) and error.field is None:
        error.field = _field(error.message)
    return error


def _classify(exc: BaseException, profile: str | None, invalid_code: str) -> ComputeError:
    if isinstance(exc, ComputeError):
        return exc
    import botocore.exceptions as be

    if isinstance(exc, be.ParamValidationError):
        report = str(exc.kwargs.get("report") or exc).strip()
        return InvalidParameter(report, code=invalid_code)
    if isinstance(exc, be.ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or "ServiceException")
        message = _one_line(str(error.get("Message") or exc), exc.response)
        if code in _ACCESS:
            if code.startswith("Expired"):
                message += f" (credentials expired: refresh them, e.g. {_login_hint(profile)})"
            return AccessDenied(message, code=code)
        if code in _THROTTLE:
            return Throttled(message, code=code, reason=error.get("Reason"))
        if code in _INVALID:
            return InvalidParameter(message, code=code)
        if code.endswith(("NotFoundException", "NotFound")) or code == "NoSuchEntity":
            return NotFound(message, code=code)
        if "Conflict" in code or "AlreadyExists" in code or code.endswith("InUseException"):
            return Conflict(message, code=code)
        return ComputeError(message, code=code)
    if isinstance(exc, (be.SSOTokenLoadError, be.UnauthorizedSSOTokenError, be.TokenRetrievalError)):
        return AccessDenied(
            f"the SSO session has expired or was never started: run {_login_hint(profile)}",
            code="ExpiredToken",
        )
    if isinstance(exc, be.NoCredentialsError):
        return AccessDenied(
            "no AWS credentials found: run 'aws configure' or 'aws sso login', or set AWS_PROFILE",
            code="NoCredentials",
        )
    if isinstance(exc, be.ProfileNotFound):
        return AccessDenied(f"the AWS profile '{profile}' is not in ~/.aws/config", code="ProfileNotFound")
    if isinstance(exc, (be.EndpointConnectionError, be.ConnectTimeoutError, be.ReadTimeoutError)):
        return Unavailable(str(exc), reason=str(exc))
    if isinstance(exc, be.NoRegionError):
        return InvalidParameter("no AWS region: pass --region or set AWS_REGION", code="NoRegion", field="region")
    if isinstance(exc, be.BotoCoreError):
        return ComputeError(str(exc), code=type(exc).__name__)
    return ComputeError(f"{type(exc).__name__}: {exc}", code="InternalError")
