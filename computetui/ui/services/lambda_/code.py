"""The Code tab: a function's files in an editor; ``ctrl+s`` deploys them.

Like the console, only zip packages under 3 MB are edited inline. Files keep
their executable bit when deployed again (a ``bootstrap`` must stay runnable).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static, TextArea
from textual.widgets.option_list import Option

from computetui.blueprints import zip_files
from computetui.models.lambda_ import INLINE_EDIT_MAX_BYTES
from computetui.ui.format import describe_error
from computetui.ui.widgets.editor import Editor

LANGUAGES = {
    ".py": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".json": "json",
    ".sh": "bash",
    ".md": "markdown",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".toml": "toml",
    ".html": "html",
    ".css": "css",
}


def language_for(name: str) -> str | None:
    path = PurePosixPath(name)
    if path.name == "bootstrap":
        return "bash"
    return LANGUAGES.get(path.suffix.lower())


@dataclass
class SourceFile:
    name: str
    original: bytes
    text: str | None
    """The file as text, or None for a binary file (shown, not edited)."""
    executable: bool
    edited: str | None = None

    @property
    def dirty(self) -> bool:
        return self.edited is not None and self.edited != self.text

    def content(self) -> bytes:
        if self.edited is not None:
            return self.edited.encode()
        return self.original


def read_package(data: bytes) -> list[SourceFile]:
    files = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            raw = archive.read(info)
            try:
                text: str | None = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = None
            files.append(SourceFile(info.filename, raw, text, bool((info.external_attr >> 16) & 0o111)))
    return sorted(files, key=lambda f: (f.name.count("/"), f.name))


class CodeEditor(Vertical):
    """The function's package: a file list (when there are several) and the editor."""

    DEFAULT_CSS = """
    CodeEditor { height: 1fr; }
    CodeEditor > #code-status { height: auto; padding: 0 1; color: $muted; }
    CodeEditor > #code-status.-dirty { color: $warning; }
    CodeEditor > #code-status.-error { color: $error; }
    CodeEditor > #code-status.-done { color: $success; }
    CodeEditor Horizontal { height: 1fr; }
    CodeEditor #files { width: 28; height: 1fr; border: round $panel-lighten-2; display: none; }
    CodeEditor.-several #files { display: block; }
    CodeEditor #editor { height: 1fr; width: 1fr; border: round $panel-lighten-2; }
    CodeEditor #editor:focus { border: round $primary; }
    """

    class Deployed(Message):
        """The edited code went out; the screen refreshes."""

    def __init__(self, function_name: str) -> None:
        super().__init__(id="code")
        self.function_name = function_name
        self.files: list[SourceFile] = []
        self.current: SourceFile | None = None
        self.deploying = False

    def compose(self) -> ComposeResult:
        yield Static("Loading the code…", id="code-status")
        with Horizontal():
            yield OptionList(id="files")
            yield Editor.code_editor("", id="editor", read_only=True)

    def on_mount(self) -> None:
        editor = self.query_one("#editor", TextArea)
        editor.cursor_blink = getattr(self.app, "blink", True)
        editor.theme = "vscode_dark" if self.app.current_theme.dark else "github_light"
        self.load()

    @property
    def dirty(self) -> bool:
        return any(f.dirty for f in self.files)

    # -- loading -------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="code-load")
    def load(self) -> None:
        backend = self.app.backend  # type: ignore[attr-defined]
        try:
            config = backend.lambda_.get_function_configuration(self.function_name)
            if config.package_type.value == "Image":
                self.app.call_from_thread(
                    self._say,
                    "This function is a container image: change the image and deploy it with update_function_code.",
                    "",
                )
                return
            data = backend.lambda_.download_function_code(self.function_name)
        except Exception as exc:
            self.app.call_from_thread(self._say, describe_error(exc), "-error")
            return
        if len(data) > INLINE_EDIT_MAX_BYTES:
            self.app.call_from_thread(
                self._say,
                f"The deployment package of {self.function_name} is too large to edit inline "
                f"({len(data) / 1024 / 1024:.1f} MB; the limit is 3 MB).",
                "",
            )
            return
        self.app.call_from_thread(self._show_files, read_package(data))

    def _say(self, text: str, state: str) -> None:
        status = self.query_one("#code-status", Static)
        status.update(Content(text))
        status.set_classes(state)

    def _show_files(self, files: list[SourceFile]) -> None:
        self.files = files
        listing = self.query_one("#files", OptionList)
        listing.clear_options()
        listing.add_options(Option(self._file_label(f), id=f.name) for f in files)
        self.set_class(len(files) > 1, "-several")
        if files:
            first = next((f for f in files if f.text is not None), files[0])
            self._open(first)
            listing.highlighted = files.index(first)
        self._update_status()

    @staticmethod
    def _file_label(source: SourceFile) -> Content:
        mark = "● " if source.dirty else "  "
        return Content(mark + source.name + (" (binary)" if source.text is None else ""))

    def _open(self, source: SourceFile) -> None:
        editor = self.query_one("#editor", TextArea)
        self.current = source
        editor.read_only = source.text is None
        editor.language = language_for(source.name)
        text = source.edited if source.edited is not None else source.text
        editor.load_text(text if text is not None else f"(binary file, {len(source.original)} bytes)")

    @on(OptionList.OptionSelected, "#files")
    def _pick(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        chosen = next((f for f in self.files if f.name == event.option.id), None)
        if chosen is not None:
            self._open(chosen)
            self.query_one("#editor", TextArea).focus()

    @on(TextArea.Changed, "#editor")
    def _edited(self, event: TextArea.Changed) -> None:
        source = self.current
        if source is None or source.text is None:
            return
        source.edited = event.text_area.text
        listing = self.query_one("#files", OptionList)
        listing.replace_option_prompt(source.name, self._file_label(source))
        self._update_status()

    def _update_status(self) -> None:
        if self.deploying:
            return
        dirty = [f.name for f in self.files if f.dirty]
        if dirty:
            self._say(f"● Unsaved changes in {', '.join(dirty)} — ctrl+s deploys", "-dirty")
        else:
            names = ", ".join(f.name for f in self.files) or "no files"
            self._say(f"{self.function_name}: {names}", "")

    # -- deploying -----------------------------------------------------------
    def deploy(self) -> None:
        if not self.files or self.deploying:
            return
        if not self.dirty:
            self._say("Nothing to deploy: no unsaved changes.", "")
            return
        if self.app.refuse_if_read_only(f"deploying {self.function_name}"):  # type: ignore[attr-defined]
            return
        self.deploying = True
        self._say("Deploying…", "-dirty")
        package = zip_files(
            {f.name: f.content() for f in self.files}, executable={f.name for f in self.files if f.executable}
        )
        self._deploy(package)

    @work(thread=True, exclusive=True, exit_on_error=False, group="code-deploy")
    def _deploy(self, package: bytes) -> None:
        backend = self.app.backend  # type: ignore[attr-defined]
        try:
            config = backend.lambda_.update_function_code(self.function_name, zip_file=package)
        except Exception as exc:
            self.app.call_from_thread(self._deploy_failed, describe_error(exc))
            return
        self.app.call_from_thread(self._deployed, config.last_modified or "")

    def _deploy_failed(self, problem: str) -> None:
        self.deploying = False
        self._say(f"Deploy failed: {problem}", "-error")

    def _deployed(self, when: str) -> None:
        self.deploying = False
        for source in self.files:
            if source.edited is not None:
                source.text = source.edited
                source.original = source.edited.encode()
        listing = self.query_one("#files", OptionList)
        for source in self.files:
            listing.replace_option_prompt(source.name, self._file_label(source))
        self._say(f"✓ Deployed ({when}). The next test runs the new code.", "-done")
        self.post_message(self.Deployed())
