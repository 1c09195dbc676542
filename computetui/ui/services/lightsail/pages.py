"""What Lightsail's rows open (an instance's page, a container service's page) and the forms ``c``
opens: create instances, create a container service, deploy to one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from computetui.ui.screens.opening import FormOpener, PageMaker, want
from computetui.ui.views import ResourceView, Row

if TYPE_CHECKING:
    from computetui.ui.console import Console


def _instance(app: Console, page_id: str, crumbs: list[str], view: ResourceView, row: Row) -> Screen[Any]:
    from computetui.ui.services.lightsail.instance import InstanceScreen

    return InstanceScreen(row.name)


def _container_service(app: Console, page_id: str, crumbs: list[str], view: ResourceView, row: Row) -> Screen[Any]:
    from computetui.ui.services.lightsail.container_service import ContainerServiceScreen

    return ContainerServiceScreen(row.name)


def _lightsail_form(kind: str) -> FormOpener:
    """Open a Lightsail form; refresh the page it was opened on after, with the cursor on what was made."""

    def open_form(app: Console, context: dict[str, Any]) -> None:
        from computetui.ui.services.lightsail import forms

        screen = app.screen
        form: Any
        if kind == "lightsail-deployment":
            form = forms.DeploymentForm(context["service"])
        else:
            form = {"lightsail-instance": forms.CreateInstancesForm,
                    "lightsail-container-service": forms.CreateContainerServiceForm}[kind]()

        def done(changed: bool | None) -> None:
            if changed and hasattr(screen, "reload"):
                want(screen, getattr(form, "created", None))
                screen.reload()

        app.push_screen(form, done)

    return open_form


PAGES: dict[str, PageMaker] = {
    "lightsail-instance": _instance,
    "lightsail-container-service": _container_service,
}

FORMS: dict[str, FormOpener] = {
    "lightsail-instance": _lightsail_form("lightsail-instance"),
    "lightsail-container-service": _lightsail_form("lightsail-container-service"),
    "lightsail-deployment": _lightsail_form("lightsail-deployment"),
}
