"""Every service the console shows, gathered from each service's ``views.py``.

Adding a service to the UI: a ``ui/services/<svc>/views.py`` with its ``SPEC``,
and a line here.
"""

from __future__ import annotations

from computetui.backends.base import Backend
from computetui.ui.services.apigateway import views as apigateway
from computetui.ui.services.batch import views as batch
from computetui.ui.services.ecr import views as ecr
from computetui.ui.services.ecs import views as ecs
from computetui.ui.services.eks import views as eks
from computetui.ui.services.lambda_ import views as lambda_
from computetui.ui.services.lightsail import views as lightsail
from computetui.ui.views import ServiceSpec

SERVICES: tuple[ServiceSpec, ...] = (
    ecs.SPEC,
    ecr.SPEC,
    lambda_.SPEC,
    apigateway.SPEC,
    batch.SPEC,
    lightsail.SPEC,
    eks.SPEC,
)
"""In the order of the navigation and the home page's cards."""

BY_ID: dict[str, ServiceSpec] = {spec.id: spec for spec in SERVICES}


def find_service(name: str) -> ServiceSpec | None:
    """A service by id or alias, as typed on the command line."""
    name = name.lower()
    for spec in SERVICES:
        if name == spec.id or name in spec.aliases:
            return spec
    return None


def not_offered(spec: ServiceSpec, backend: Backend) -> str:
    """Why a service's page is empty on this backend."""
    return backend.unavailable_reason(spec.facet) or f"The {backend.name} backend does not offer {spec.title} yet."
