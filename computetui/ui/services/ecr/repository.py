"""One ECR repository, as the console shows it: its URI and settings over the tabs
Images (push with ``p``, delete with ctrl+d) and Lifecycle policy (a JSON editor)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content

from computetui.backends.base import Backend
from computetui.models.ecr import Repository, TagMutability
from computetui.ui.screens.confirm import ConfirmScreen
from computetui.ui.screens.tabs import Facts, PanelView, TabbedScreen
from computetui.ui.services.ecr.lifecycle import LifecyclePanel
from computetui.ui.services.ecr.views import enabled, images_view, push_hint

POLICY_ACTIONS = ("save_policy", "policy_template", "delete_policy", "edit_policy")


class RepositoryScreen(TabbedScreen):
    """A repository's page; ``repository_name`` as ECR names it (``team/web``)."""

    page_id = "ecr"

    BINDINGS = [
        Binding("e", "edit_policy", "Edit", id="ecr-edit-policy", tooltip="Into the policy editor (esc comes back)"),
        Binding("p", "push", "Push image", id="ecr-push", tooltip="Push a local image to this repository"),
        # c on Images pushes too (an image comes into a repository no other way); p says so in the footer.
        Binding("c", "create", "Push image", id="create", show=False, tooltip="Push a local image"),
        Binding("ctrl+s", "save_policy", "Save policy", id="ecr-save-policy", tooltip="Save the lifecycle policy"),
        Binding(
            "t",
            "policy_template",
            "Template",
            id="ecr-policy-template",
            tooltip="Load a policy: expire untagged images after N days, keep the newest N tagged",
        ),
        Binding(
            "x", "delete_policy", "Delete policy", id="ecr-delete-policy", tooltip="Delete the lifecycle policy"
        ),
    ]

    MUTATING = TabbedScreen.MUTATING | {"push", "save_policy", "delete_policy"}

    def __init__(self, repository_name: str, view: str | None = None) -> None:
        self.repository_name = repository_name
        super().__init__(
            [
                images_view(repository_name),
                PanelView("lifecycle", "Lifecycle policy", lambda: LifecyclePanel(repository_name)),
            ],
            view,
        )

    @property
    def crumbs(self) -> list[str]:
        return ["Console", "ECR", "Repositories", self.repository_name, self.view.title]

    def compose_header(self) -> ComposeResult:
        yield Facts(Content.from_markup("[b]Repository[/] [b $primary]$n[/]", n=self.repository_name), id="facts")

    def on_mount(self) -> None:
        super().on_mount()
        self.table_of("images").sort_by("pushed", reverse=True)  # newest push first, as the console lists them

    @property
    def lifecycle(self) -> LifecyclePanel:
        return self.query_one(LifecyclePanel)

    # -- data --------------------------------------------------------------------
    def fetch_header(self, backend: Backend) -> tuple[Repository, bool]:
        assert backend.ecr is not None
        return backend.ecr.describe_repositories([self.repository_name])[0], backend.ecr.docker_push

    def show_header(self, header: tuple[Repository, bool]) -> None:
        repository, docker_push = header
        immutable = repository.image_tag_mutability == TagMutability.IMMUTABLE
        self.query_one(Facts).update(
            Content.from_markup(
                "[b]Repository[/] [b $primary]$n[/]  [$muted]·[/]  tag immutability [b]$i[/]  [$muted]·[/]  "
                "scan on push [b]$s[/]\n[$muted]URI[/] [b]$uri[/]\n[$muted]$hint[/]",
                n=repository.repository_name,
                i=enabled(immutable),
                s=enabled(repository.image_scanning_configuration.scan_on_push),
                uri=repository.repository_uri,
                hint=push_hint(docker_push),
            )
        )

    # -- keys ----------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in POLICY_ACTIONS:
            return self.view.id == "lifecycle"
        return super().check_action(action, parameters)

    def action_push(self) -> None:
        if self.console.refuse_if_read_only(f"pushing an image to {self.repository_name}"):
            return
        self.console.open_create("ecr-image", {"repository": self.repository_name})

    def action_create(self) -> None:
        self.action_push()

    def action_edit_policy(self) -> None:
        self.lifecycle.editor.focus()

    def action_save_policy(self) -> None:
        self.lifecycle.save()

    def action_policy_template(self) -> None:
        self.lifecycle.load_template()
        self.lifecycle.editor.focus()

    def action_delete_policy(self) -> None:
        panel = self.lifecycle
        if panel.policy is None:
            self.notify(f"{self.repository_name} has no lifecycle policy.", severity="warning", markup=False)
            return
        if self.console.refuse_if_read_only(f"deleting the lifecycle policy of {self.repository_name}"):
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                panel.delete()

        self.app.push_screen(
            ConfirmScreen(
                Content.from_markup("Delete the lifecycle policy of [b]$n[/b]?", n=self.repository_name),
                "No image is expired by it any more; images it already expired stay gone.",
                "Delete",
            ),
            confirmed,
        )

    @on(LifecyclePanel.Changed)
    def _policy_changed(self, message: LifecyclePanel.Changed) -> None:
        message.stop()
        self.reload()
