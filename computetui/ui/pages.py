"""Which page a row opens and which form ``c`` opens, by name.

A ``ResourceView`` names what enter on its rows opens (``opens``) and what
``c`` creates (``creates``); the names map here to the screens, imported only
when first used so the first frame stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from computetui.ui.views import ResourceView, Row

if TYPE_CHECKING:
    from computetui.app import ComputeApp

PageMaker = Callable[["ComputeApp", str, list[str], ResourceView, Row], Screen[Any]]
FormOpener = Callable[["ComputeApp", dict[str, Any]], None]


def _function(app: ComputeApp, page_id: str, crumbs: list[str], view: ResourceView, row: Row) -> Screen[Any]:
    from computetui.ui.services.lambda_.function import FunctionScreen

    return FunctionScreen(row.name)


def _create_function(app: ComputeApp, context: dict[str, Any]) -> None:
    from computetui.ui.services.lambda_.create_function import CreateFunctionScreen

    def created(name: str | None) -> None:
        if name:
            app.notify(f"Created function {name}.")
            app.open_function(name)

    app.push_screen(CreateFunctionScreen(), created)


def _want(screen: Any, name: str | None) -> None:
    """After a create, the cursor goes to the new resource once the page shows it."""
    table = getattr(screen, "table", None)
    if name and table is not None and hasattr(table, "want"):
        table.want(name)


def _cluster(app: ComputeApp, page_id: str, crumbs: list[str], view: ResourceView, row: Row) -> Screen[Any]:
    from computetui.ui.services.ecs.screens import ClusterScreen

    return ClusterScreen(row.name)


def _ecs_form(kind: str) -> FormOpener:
    """Open an ECS form with the cluster from the page it was opened on; refresh that page after."""

    def open_form(app: ComputeApp, context: dict[str, Any]) -> None:
        from computetui.ui.services.ecs import forms as ecs_forms

        form_class = {
            "cluster": ecs_forms.CreateClusterForm,
            "ecs-task": ecs_forms.RunTaskForm,
            "ecs-service": ecs_forms.CreateServiceForm,
            "ecs-instance": ecs_forms.RegisterInstanceForm,
        }[kind]
        screen = app.screen
        form = form_class(context.get("cluster", "default"))

        def done(changed: bool | None) -> None:
            if changed and hasattr(screen, "reload"):
                _want(screen, getattr(form, "created", None))
                screen.reload()

        app.push_screen(form, done)

    return open_form


def _repository(app: ComputeApp, page_id: str, crumbs: list[str], view: ResourceView, row: Row) -> Screen[Any]:
    from computetui.ui.services.ecr.repository import RepositoryScreen

    return RepositoryScreen(row.name)


def _create_repository(app: ComputeApp, context: dict[str, Any]) -> None:
    from computetui.ui.services.ecr.forms import CreateRepositoryScreen

    info = app.overview.info
    registry = f"{info.account}.dkr.ecr.{info.region}.amazonaws.com" if info and info.account else None
    screen = app.screen

    def created(name: object) -> None:
        if name:
            app.notify(f"Created repository {name}.")
            if hasattr(screen, "reload"):
                _want(screen, str(name))
                screen.reload()

    app.push_screen(CreateRepositoryScreen(registry), created)


def _push_image(app: ComputeApp, context: dict[str, Any]) -> None:
    from computetui.ui.services.ecr.forms import PushImageScreen
    from computetui.ui.services.ecr.views import short_digest

    repository = context["repository"]
    screen = app.screen

    def pushed(result: object) -> None:
        if isinstance(result, tuple):
            tag, image = result
            app.notify(f"Pushed {repository}:{tag} ({short_digest(image.image_digest)})")
            if hasattr(screen, "reload"):
                screen.reload()

    app.push_screen(PushImageScreen(repository), pushed)


def _task_family(app: ComputeApp, page_id: str, crumbs: list[str], view: ResourceView, row: Row) -> Screen[Any]:
    from computetui.ui.services.ecs.task_family import TaskFamilyScreen

    # A family with no ACTIVE revision opens on all of them: its ACTIVE list would be empty.
    return TaskFamilyScreen(row.extra.get("family", row.name), show_inactive=row.state == "INACTIVE")


def _register_task_definition(app: ComputeApp, context: dict[str, Any]) -> None:
    """A new family from the template, or (``{"family": name}``) the family's next revision."""
    from computetui.ui.services.ecs.register_task_definition import RegisterTaskDefinitionScreen
    from computetui.ui.services.ecs.task_family import TaskFamilyScreen

    def registered(td: Any) -> None:
        if td is None:
            return
        app.notify(f"Registered task definition {td.family}:{td.revision}")
        screen = app.screen
        if isinstance(screen, TaskFamilyScreen) and screen.family == td.family:
            screen.focus_revision(td.task_definition_arn)
            screen.reload()
        else:
            app.push_screen(TaskFamilyScreen(td.family, focus_key=td.task_definition_arn))

    app.push_screen(RegisterTaskDefinitionScreen(context.get("family")), registered)


RESOURCE_PAGES: dict[str, PageMaker] = {
    "function": _function,
    "repository": _repository,
    "cluster": _cluster,
    "task-family": _task_family,
}
"""``ResourceView.opens`` -> the screen for one row; ``json`` (the default) is not here."""

CREATE_FORMS: dict[str, FormOpener] = {
    "function": _create_function,
    "repository": _create_repository,
    "ecr-image": _push_image,
    "cluster": _ecs_form("cluster"),
    "ecs-task": _ecs_form("ecs-task"),
    "ecs-service": _ecs_form("ecs-service"),
    "ecs-instance": _ecs_form("ecs-instance"),
    "task-definition": _register_task_definition,
}
"""``ResourceView.creates`` -> opens the form (a modal whose result is handled here)."""
