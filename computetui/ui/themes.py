"""Theme files -> Textual themes.

A theme is a TOML file: Textual's theme fields (``primary``, ``background`` ...)
plus a ``[variables]`` table for the console's own colours (``header-background``,
``nav-background``, ``muted``, ``badge-readonly``). The shipped themes live in
``themes/``; users add theirs to ``<config dir>/themes/``. A broken file is
reported and skipped, never fatal.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from textual.color import Color, ColorParseError
from textual.theme import BUILTIN_THEMES, Theme

from computetui.locations import shipped_themes_dir, user_themes_dir

DEFAULT_THEME = "aws-dark"
COLOUR_FIELDS = (
    "primary",
    "secondary",
    "warning",
    "error",
    "success",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)
# The console's own colours, and the Textual colour each falls back to when a
# theme (Textual's built-in ones, or a user's) does not set it.
CONSOLE_VARIABLES = {
    "header-background": "panel",
    "header-foreground": "foreground",
    "nav-background": "surface",
    "muted": "foreground-muted",
    "badge-readonly": "error",
}


class ThemeError(Exception):
    """A theme that cannot be used; the text names the file or theme and the problem."""


@dataclass
class LoadedThemes:
    themes: list[Theme] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def theme_from_file(path: Path) -> Theme:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ThemeError(f"theme file {path}: cannot read it: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(f"theme file {path}: not valid TOML: {exc}") from None
    known = {f.name for f in fields(Theme)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ThemeError(f"theme file {path}: unknown key {unknown[0]!r}")
    if "primary" not in data:
        raise ThemeError(f"theme file {path}: 'primary' colour is required")
    data.setdefault("name", path.stem)
    for key in COLOUR_FIELDS:
        if key in data:
            _check_colour(path, key, data[key])
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ThemeError(f"theme file {path}: [variables] must be a table")
    for key, value in variables.items():
        _check_colour(path, f"variables.{key}", value)
    try:
        return Theme(**data)
    except TypeError as exc:
        raise ThemeError(f"theme file {path}: {exc}") from None


def _check_colour(path: Path, key: str, value: object) -> None:
    if not isinstance(value, str):
        raise ThemeError(f'theme file {path}: {key} must be a colour string like "#ff9900"')
    try:
        Color.parse(value)
    except ColorParseError:
        raise ThemeError(f"theme file {path}: {key} = {value!r} is not a colour") from None


def with_console_variables(variables: dict[str, str]) -> dict[str, str]:
    """Fill in the console's own colours the theme left out."""
    filled = dict(variables)
    for name, fallback in CONSOLE_VARIABLES.items():
        if name not in filled:
            filled[name] = variables.get(fallback, variables.get("foreground", "#ffffff"))
    return filled


def load_themes(*directories: Path) -> LoadedThemes:
    """Every theme in the directories, in order; later files win a name clash."""
    loaded = LoadedThemes()
    by_name: dict[str, Theme] = {}
    for directory in directories or (shipped_themes_dir(), user_themes_dir()):
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.toml")):
            try:
                theme = theme_from_file(path)
            except ThemeError as exc:
                loaded.problems.append(str(exc))
                continue
            by_name[theme.name] = theme
    loaded.themes = list(by_name.values())
    return loaded


def theme_names() -> list[str]:
    """Names the console accepts for ``--theme``: ours, the user's and Textual's own."""
    names = {t.name for t in load_themes().themes}
    return sorted(names) + sorted(set(BUILTIN_THEMES) - names)


def check_theme_name(name: str) -> None:
    names = theme_names()
    if name not in names:
        raise ThemeError(f"unknown theme {name!r} (available: {', '.join(names)})")
