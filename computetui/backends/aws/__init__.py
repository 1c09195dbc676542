"""The aws backend: real AWS (or LocalStack, or moto) through boto3.

This module holds the session, the clients and the translation of botocore's
errors into the contract's. The service adapters (one module per facet) plug
in here; until a facet has its adapter, it is ``None`` and its pane says so.
"""

from __future__ import annotations

import threading
from typing import Any

from computetui import __version__
from computetui.backends.aws.errors import translate
from computetui.backends.base import Backend, Capabilities
from computetui.backends.errors import ComputeError
from computetui.models.common import BackendInfo

DEFAULT_REGION = "us-east-1"

ADAPTERS: dict[str, tuple[str, str]] = {
    "ecs": ("ecs", "AwsEcs"),
    "ecr": ("ecr", "AwsEcr"),
    "lambda_": ("lambda_", "AwsLambda"),
    "logs": ("logs", "AwsLogs"),
    "metrics": ("metrics", "AwsMetrics"),
    "autoscaling": ("autoscaling", "AwsAutoScaling"),
    "batch": ("batch", "AwsBatch"),
    "lightsail": ("lightsail", "AwsLightsail"),
    "apigateway": ("apigateway", "AwsApiGateway"),
    "eks": ("eks", "AwsEks"),
}
"""Facet attribute -> (module in this package, adapter class). Each adapter takes the backend."""


def _adapter(module: str, cls: str) -> Any:
    import importlib

    try:
        found = importlib.import_module(f"{__name__}.{module}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{module}":
            raise
        return lambda backend: None  # no adapter yet: the facet is None and its pane says so
    return getattr(found, cls)


class AwsBackend(Backend):
    """Real AWS. ``endpoint_url`` points every client at LocalStack or moto instead."""

    name = "aws"
    capabilities = Capabilities(switches_account=True)

    def __init__(
        self,
        profile: str | None = None,
        region: str | None = None,
        endpoint_url: str | None = None,
        read_only: bool = False,
        connect_timeout: float = 5,
        read_timeout: float = 30,
        max_attempts: int = 5,
    ) -> None:
        import boto3
        import botocore.config

        try:
            self.session = boto3.Session(profile_name=profile, region_name=region)
        except Exception as exc:  # ProfileNotFound and kin: say which profile
            raise translate(exc, profile=profile) from None
        super().__init__(read_only=read_only, region=self.session.region_name or DEFAULT_REGION)
        self.profile = profile or self.session.profile_name
        self.endpoint_url = endpoint_url
        self.config = botocore.config.Config(
            region_name=self.region,
            retries={"mode": "adaptive", "max_attempts": max_attempts},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            user_agent_extra=f"computetui/{__version__}",
        )
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._account: str | None = None
        for attribute, (module, cls) in ADAPTERS.items():
            setattr(self, attribute, _adapter(module, cls)(self))

    @classmethod
    def profiles(cls) -> list[str]:
        """The profiles in ``~/.aws/config`` and ``~/.aws/credentials``, as boto3 reads them."""
        import boto3

        try:
            return sorted(boto3.Session().available_profiles)
        except Exception:  # an unreadable config: no profiles to offer, the rest still works
            return []

    def client(self, service: str) -> Any:
        """A boto3 client, created on first use and shared afterwards (clients are thread-safe)."""
        with self._lock:
            if service not in self._clients:
                self._clients[service] = self.session.client(
                    service, config=self.config, endpoint_url=self.endpoint_url
                )
            return self._clients[service]

    def info(self) -> BackendInfo:
        problem = None
        if self._account is None:
            try:
                self._account = self.client("sts").get_caller_identity()["Account"]
            except Exception as exc:
                error = translate(exc, profile=self.profile)
                problem = f"{error.code}: {error.message}"
        return BackendInfo(
            name=self.name,
            account=self._account,
            region=self.region,
            endpoint=self.endpoint_url,
            profile=self.profile,
            read_only=self.read_only,
            problem=problem,
        )

    def close(self) -> None:
        for attribute in ADAPTERS:  # what an adapter opened beside its clients (ECR's Docker engine)
            close = getattr(getattr(self, attribute, None), "close", None)
            if callable(close):
                try:
                    close()
                except Exception:
                    pass
        with self._lock:
            for client in self._clients.values():
                try:
                    client.close()
                except Exception:
                    pass
            self._clients.clear()

    def call(self, service: str, operation: str, **params: Any) -> Any:
        """One API call with errors translated: ``call("ecs", "list_clusters")``."""
        try:
            return getattr(self.client(service), operation)(**params)
        except ComputeError:
            raise
        except Exception as exc:
            raise translate(exc, profile=self.profile) from None
