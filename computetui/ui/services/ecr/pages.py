"""What ECR's rows open (a repository's page) and the forms ``c`` opens (create a repository, push an image)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from computetui.ui.screens.opening import FormOpener, PageMaker, want
from computetui.ui.views import ResourceView, Row

if TYPE_CHECKING:
    from computetui.ui.console import Console


def _repository(app: Console, page_id: str, crumbs: list[str], view: ResourceView, row: Row) -> Screen[Any]:
    from computetui.ui.services.ecr.repository import RepositoryScreen

    return RepositoryScreen(row.name)


def _create_repository(app: Console, context: dict[str, Any]) -> None:
    from computetui.ui.services.ecr.forms import CreateRepositoryScreen

    info = app.overview.info
    registry = f"{info.account}.dkr.ecr.{info.region}.amazonaws.com" if info and info.account else None
    screen = app.screen

    def created(name: object) -> None:
        if name:
            app.notify(f"Created repository {name}.", markup=False)
            if hasattr(screen, "reload"):
                want(screen, str(name))
                screen.reload()

    app.push_screen(CreateRepositoryScreen(registry), created)


def _push_image(app: Console, context: dict[str, Any]) -> None:
    from computetui.ui.services.ecr.forms import PushImageScreen
    from computetui.ui.services.ecr.views import short_digest

    repository = context["repository"]
    screen = app.screen

    def pushed(result: object) -> None:
        if isinstance(result, tuple):
            tag, image = result
            app.notify(f"Pushed {repository}:{tag} ({short_digest(image.image_digest)})", markup=False)
            if hasattr(screen, "reload"):
                screen.reload()

    app.push_screen(PushImageScreen(repository), pushed)


PAGES: dict[str, PageMaker] = {
    "repository": _repository,
}

FORMS: dict[str, FormOpener] = {
    "repository": _create_repository,
    "ecr-image": _push_image,
}
