"""The aws backend's own tests: moto's server on 127.0.0.1, calls counted."""

from tests.support.aws import aws_backend, aws_credentials, calls, moto_server  # noqa: F401
