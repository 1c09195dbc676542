"""The aws backend's session against moto's server on 127.0.0.1, and its error translation."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from computetui.backends import open_backend
from computetui.backends.aws.errors import translate
from computetui.backends.errors import AccessDenied, Conflict, InvalidParameter, NotFound, Throttled, Unavailable


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(autouse=True)
def fake_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # noqa: ANN001
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def test_info_names_account_region_and_endpoint(moto_endpoint: str) -> None:
    backend = open_backend("aws", region="eu-west-1", endpoint_url=moto_endpoint)
    info = backend.info()
    assert (info.name, info.account, info.region, info.endpoint) == ("aws", "123456789012", "eu-west-1", moto_endpoint)
    assert info.problem is None and info.engine is None
    backend.close()


def test_the_client_carries_the_retry_mode_and_user_agent(moto_endpoint: str) -> None:
    backend = open_backend("aws", region="us-east-1", endpoint_url=moto_endpoint)
    client = backend.client("ecs")
    assert client is backend.client("ecs")  # created once
    assert client.meta.config.retries["mode"] == "adaptive"
    assert "computetui/" in client.meta.config.user_agent_extra
    backend.close()


def test_an_unreachable_endpoint_is_a_problem_not_a_crash() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: nothing listens
    backend = open_backend(
        "aws", region="us-east-1", endpoint_url=f"http://127.0.0.1:{port}", connect_timeout=1, max_attempts=1
    )
    info = backend.info()
    assert info.account is None
    assert info.problem and info.problem.startswith("ServiceUnavailable")
    with pytest.raises(Unavailable):
        backend.call("ecs", "list_clusters")
    backend.close()


def test_a_missing_profile_says_which(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(AccessDenied, match="'nosuch'"):
        open_backend("aws", profile="nosuch", region="us-east-1")


def client_error(code: str, message: str = "m"):  # noqa: ANN201
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": code, "Message": message}}, "Op")


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("ResourceNotFoundException", NotFound),
        ("ClusterNotFoundException", NotFound),
        ("AccessDeniedException", AccessDenied),
        ("ExpiredTokenException", AccessDenied),
        ("TooManyRequestsException", Throttled),
        ("ClientException", InvalidParameter),
        ("ResourceConflictException", Conflict),
        ("RepositoryAlreadyExistsException", Conflict),
    ],
)
def test_client_errors_keep_their_aws_code(code: str, kind: type) -> None:
    error = translate(client_error(code))
    assert isinstance(error, kind) and error.code == code


def test_an_expired_sso_session_says_what_to_run() -> None:
    from botocore.exceptions import UnauthorizedSSOTokenError

    error = translate(UnauthorizedSSOTokenError(), profile="dev")
    assert isinstance(error, AccessDenied)
    assert "aws sso login --profile dev" in error.message


def test_no_credentials_says_what_to_run() -> None:
    from botocore.exceptions import NoCredentialsError

    assert "aws configure" in translate(NoCredentialsError()).message


def test_an_html_error_page_becomes_one_line() -> None:
    import botocore.exceptions as be

    page = "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>"
    exc = be.ClientError({"Error": {"Code": "500", "Message": page}, "ResponseMetadata": {"HTTPStatusCode": 500}},
                         "GetInstances")
    error = translate(exc)
    assert error.message == "Internal Server Error: the endpoint does not offer this service or operation"
    assert error.code == "500"
    assert "\n" not in error.message
