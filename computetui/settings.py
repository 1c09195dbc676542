"""Settings: flags > ``COMPUTETUI_*`` environment > config file > defaults.

The config file is TOML, ``config.toml`` in the platformdirs config dir (or
the file ``COMPUTETUI_CONFIG`` names)::

    backend = "local"          # or "aws"
    theme = "aws-dark"
    refresh = 2                # seconds; 0 turns polling off
    read_only = false
    state_dir = "~/computetui-state"
    profile = "dev"            # aws backend
    region = "eu-west-1"
    endpoint_url = "http://127.0.0.1:5000"

    [keymap]                   # binding id = keys
    filter = "slash,f"

Anything wrong gives a :class:`SettingsError` whose text is one line that
names the file, the setting and the rule.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from computetui.locations import config_file

ENV_PREFIX = "COMPUTETUI_"
DEFAULT_REFRESH = {"local": 2.0, "aws": 10.0}


class SettingsError(Exception):
    """A bad flag, environment variable or config file; the text is one line for the user."""


class Settings(BaseModel):
    """Everything the console is started with."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    backend: Literal["local", "aws"] = "local"
    """Where resources live: the local emulator or real AWS."""
    state_dir: Path | None = None
    """The local emulator's state dir; platformdirs' user data dir when unset."""
    demo: bool = False
    """Seed the sample workload at start (local backend)."""
    read_only: bool = False
    """Refuse every change; browse only."""
    theme: str = "aws-dark"
    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    refresh: float | None = Field(default=None, ge=0)
    """Seconds between refreshes of the visible page; 0 turns polling off."""
    keymap: dict[str, str] = Field(default_factory=dict)
    """Binding id -> keys, e.g. ``{"filter": "slash,f"}``."""
    config_path: Path | None = None
    """The config file that was read, if any."""

    @field_validator("state_dir", mode="before")
    @classmethod
    def _expand(cls, value: Any) -> Any:
        if isinstance(value, str) and value not in ("", ":memory:"):
            return Path(value).expanduser()
        return value

    @field_validator("endpoint_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @property
    def refresh_seconds(self) -> float:
        """The refresh interval, with the backend's default when unset."""
        return DEFAULT_REFRESH[self.backend] if self.refresh is None else self.refresh

    @property
    def effective_region(self) -> str | None:
        """The region to use; for the aws backend ``AWS_REGION`` fills in, then boto3 decides."""
        if self.region:
            return self.region
        if self.backend == "aws":
            return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        return "us-east-1"

    def backend_options(self) -> dict[str, Any]:
        """Keyword arguments for ``open_backend(self.backend, ...)``."""
        if self.backend == "local":
            options: dict[str, Any] = {"region": self.effective_region or "us-east-1", "read_only": self.read_only}
            if self.state_dir is not None:
                options["state_dir"] = self.state_dir
            return options
        return {
            "profile": self.profile or os.environ.get("AWS_PROFILE") or None,
            "region": self.effective_region,
            "endpoint_url": self.endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None,
            "read_only": self.read_only,
        }


_ENV_FIELDS = ("backend", "state_dir", "read_only", "theme", "profile", "region", "endpoint_url", "refresh")


def _describe(error: dict[str, Any]) -> str:
    where = ".".join(str(p) for p in error.get("loc", ())) or "value"
    message = error.get("msg", "is not valid")
    if error.get("type") == "extra_forbidden":
        known = ", ".join(f for f in Settings.model_fields if f not in ("config_path", "demo"))
        return f"unknown setting '{where}' (known: {known})"
    if error.get("type") == "literal_error":
        return f"'{where}' {message.lower()} (got {error.get('input')!r})"
    return f"'{where}': {message} (got {error.get('input')!r})"


def read_config_file(path: Path) -> dict[str, Any]:
    """The config file's settings; ``{}`` when there is no file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise SettingsError(f"config file {path}: cannot read it: {exc.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"config file {path}: not valid TOML: {exc}") from None
    try:
        Settings.model_validate(data)
    except ValidationError as exc:
        raise SettingsError(f"config file {path}: {_describe(exc.errors()[0])}") from None
    return data


def read_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in _ENV_FIELDS:
        raw = environ.get(ENV_PREFIX + name.upper())
        if raw is None or raw == "":
            continue
        if name == "read_only":
            lowered = raw.strip().lower()
            if lowered not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise SettingsError(f"{ENV_PREFIX}READ_ONLY must be true or false (got {raw!r})")
            values[name] = lowered in ("1", "true", "yes", "on")
        else:
            values[name] = raw
    return values


def load_settings(
    flags: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    path: Path | None = None,
) -> Settings:
    """Merge the layers. ``flags`` holds only what was given on the command line."""
    environ = os.environ if environ is None else environ
    path = path or config_file()
    merged: dict[str, Any] = {}
    merged.update(read_config_file(path))
    env_values = read_environment(environ)
    merged.update(env_values)
    merged.update({k: v for k, v in (flags or {}).items() if v is not None})
    if path.exists():
        merged["config_path"] = path
    try:
        return Settings.model_validate(merged)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error.get("loc", ("?",))[0])
        if field in (flags or {}):
            source = f"--{field.replace('_', '-')}"
        elif field in env_values:
            source = f"{ENV_PREFIX}{field.upper()}"
        else:
            source = f"config file {path}"
        raise SettingsError(f"{source}: {_describe(error)}") from None
