"""A repository's Lifecycle policy tab: the policy's JSON in an editor, saved with ctrl+s.

ECR validates a policy when it is put; its error (``InvalidParameterException``
naming the rule and field) shows under the editor. The tab never reloads the
editor over unsaved changes.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static, TextArea

from computetui.backends.base import Backend
from computetui.backends.errors import NotFound
from computetui.models.ecr import LifecyclePolicy
from computetui.ui.format import describe_error, when
from computetui.ui.services.ecr.views import KEEP_TAGGED, UNTAGGED_DAYS, lifecycle_template, pretty_policy
from computetui.ui.widgets.editor import Editor

KEYS = "e edits · ctrl+s saves · t loads a template · x deletes the policy"


class LifecyclePanel(Vertical):
    """Fetches the repository's policy (None when it has none) and shows it in the editor."""

    DEFAULT_CSS = """
    LifecyclePanel { height: 1fr; }
    LifecyclePanel #policy-status { height: auto; padding: 0 1; }
    LifecyclePanel #policy { height: 1fr; border: round $panel-lighten-2; }
    LifecyclePanel #policy:focus { border: round $primary; }
    LifecyclePanel #policy-message { height: auto; padding: 0 1; color: $muted; }
    LifecyclePanel #policy-message.-error { color: $error; }
    LifecyclePanel #policy-message.-done { color: $success; }
    """

    class Changed(Message):
        """The policy was saved or deleted: the page refreshes."""

    def __init__(self, repository_name: str) -> None:
        super().__init__()
        self.repository_name = repository_name
        self.policy: LifecyclePolicy | None = None
        self.loaded = False
        self._loaded_text = ""

    def compose(self) -> ComposeResult:
        yield Static("Loading…", id="policy-status")
        yield Editor.code_editor("", language="json", id="policy")
        yield Static(KEYS, id="policy-message")

    def on_mount(self) -> None:
        editor = self.editor
        editor.cursor_blink = getattr(self.app, "blink", True)
        editor.theme = "vscode_dark" if self.app.current_theme.dark else "github_light"

    @property
    def editor(self) -> TextArea:
        return self.query_one("#policy", TextArea)

    @property
    def dirty(self) -> bool:
        return self.editor.text != self._loaded_text

    # -- data (PanelWidget) ------------------------------------------------------
    def fetch(self, backend: Backend) -> LifecyclePolicy | None:
        assert backend.ecr is not None
        try:
            return backend.ecr.get_lifecycle_policy(self.repository_name)
        except NotFound as exc:
            if exc.code == "LifecyclePolicyNotFoundException":
                return None
            raise

    def show(self, policy: LifecyclePolicy | None) -> None:
        first = not self.loaded
        self.loaded = True
        self.policy = policy
        self._show_status()
        if first or not self.dirty:
            text = pretty_policy(policy.lifecycle_policy_text) if policy else ""
            self._loaded_text = text
            if self.editor.text != text:
                self.editor.load_text(text)

    def _show_status(self) -> None:
        status = self.query_one("#policy-status", Static)
        policy = self.policy
        if policy is None:
            status.update(
                Content.from_markup(
                    "[b]No lifecycle policy[/]: every image stays until it is deleted. "
                    "[$muted]Press t for one that expires untagged images after $d days "
                    "and keeps the newest $n tagged.[/]",
                    d=str(UNTAGGED_DAYS),
                    n=str(KEEP_TAGGED),
                )
            )
            return
        if policy.last_evaluated_at is None:
            note = "not evaluated yet: ECR applies it on its next sweep"
        else:
            note = f"last evaluated {when(policy.last_evaluated_at)}"
        status.update(Content.from_markup("[b $success]● Lifecycle policy active[/]  [$muted]$note[/]", note=note))

    def message(self, text: str, state: str = "") -> None:
        message = self.query_one("#policy-message", Static)
        message.update(Content(text))
        message.set_classes(state)

    # -- actions (the page's keys call these) ----------------------------------------
    def load_template(self) -> None:
        self.editor.load_text(lifecycle_template())
        self.message("Template loaded: change the numbers if you like, then ctrl+s saves it.")

    def save(self) -> None:
        text = self.editor.text
        if not text.strip():
            self.message("The policy is empty: write one, or press t for a template.", "-error")
            return
        if self.app.refuse_if_read_only(  # type: ignore[attr-defined]
            f"changing the lifecycle policy of {self.repository_name}"
        ):
            return
        self.message("Saving…")
        self._put(text)

    @work(thread=True, exclusive=True, exit_on_error=False, group="ecr-lifecycle")
    def _put(self, text: str) -> None:
        try:
            self.app.backend.ecr.put_lifecycle_policy(self.repository_name, text)  # type: ignore[attr-defined]
        except Exception as exc:
            self.app.call_from_thread(self.message, describe_error(exc), "-error")
            return
        self.app.call_from_thread(self._saved, text)

    def _saved(self, text: str) -> None:
        self._loaded_text = text  # what is in the editor is what is stored: not dirty
        self.message("Saved. ECR applies it on its next sweep.", "-done")
        self.post_message(self.Changed())

    def delete(self) -> None:
        """Delete the policy (the page asks first)."""
        self._delete()

    @work(thread=True, exclusive=True, exit_on_error=False, group="ecr-lifecycle")
    def _delete(self) -> None:
        try:
            self.app.backend.ecr.delete_lifecycle_policy(self.repository_name)  # type: ignore[attr-defined]
        except Exception as exc:
            self.app.call_from_thread(self.message, describe_error(exc), "-error")
            return
        self.app.call_from_thread(self._deleted)

    def _deleted(self) -> None:
        self._loaded_text = self.editor.text  # the next fetch (no policy) empties the editor
        self.message("Lifecycle policy deleted: every image now stays until it is deleted.", "-done")
        self.post_message(self.Changed())
