"""Where computetui keeps its files (platformdirs), in one place."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir, user_log_dir

APP = "computetui"


def config_dir() -> Path:
    return Path(os.environ.get("COMPUTETUI_CONFIG_DIR") or user_config_dir(APP))


def config_file() -> Path:
    """``COMPUTETUI_CONFIG`` names another file; default ``<config dir>/config.toml``."""
    explicit = os.environ.get("COMPUTETUI_CONFIG")
    return Path(explicit).expanduser() if explicit else config_dir() / "config.toml"


def user_themes_dir() -> Path:
    return config_dir() / "themes"


def default_state_dir() -> Path:
    return Path(user_data_dir(APP)) / "local"


def shipped_themes_dir() -> Path:
    """The ``themes/`` folder beside the package (the repository's top level)."""
    return Path(__file__).resolve().parent.parent / "themes"


def log_file() -> Path:
    """Where the console writes its log (it cannot write to the terminal it draws on)."""
    explicit = os.environ.get("COMPUTETUI_LOG_FILE")
    return Path(explicit).expanduser() if explicit else Path(user_log_dir(APP)) / "computetui.log"
