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

    [keymap]                   # binding id = keys (? in the console lists the ids)
    filter = "slash,f"

Anything wrong gives a :class:`SettingsError` whose text is one line that
names the file, the setting and the rule: an unknown setting, and a
``[keymap]`` id that no binding has, are refused alike.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from computetui.binding_ids import BINDING_IDS
from computetui.locations import config_file

ENV_PREFIX = "COMPUTETUI_"
DEFAULT_REFRESH = {"local": 2.0, "aws": 10.0}
BACKENDS = ("local", "aws")
LAMBDA_SANDBOXES = ("auto", "process", "container")


class SettingsError(Exception):
    """A bad flag, environment variable or config file; the text is one line for the user."""


class InvalidSetting(ValueError):
    """One setting breaks its rule; ``load_settings`` adds where it came from."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name}: {problem}")
        self.name = name
        self.problem = problem


# Plain dataclasses rather than pydantic: the settings are read before the first
# frame is painted, and pydantic's import alone costs about 100 ms there.
@dataclass
class Settings:
    """Everything the console is started with."""

    backend: str = "local"
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
    refresh: float | None = None
    """Seconds between refreshes of the visible page; 0 turns polling off."""
    keymap: dict[str, str] = field(default_factory=dict)
    """Binding id -> keys, e.g. ``{"filter": "slash,f"}``."""
    lambda_sandbox: str = "auto"
    """Where local Lambda functions run: ``container`` (Docker), ``process`` (host), or ``auto``
    (containers when the engine is reachable)."""
    lambda_idle_timeout: float = 600.0
    """Seconds an idle execution environment stays warm before it is stopped."""
    lambda_images: dict[str, str] = field(default_factory=dict)
    """Runtime -> container image for the container sandbox (default: AWS's public base images)."""
    lightsail_images: dict[str, str] = field(default_factory=dict)
    """Lightsail blueprint id -> container image its instances run (default: the catalogue's public
    images), e.g. ``nginx = "my/local:image"`` in a ``[lightsail_images]`` table."""
    sample_image: str = ""
    """The image the sample workload's task definitions and job definition name; empty: one the
    engine has (busybox) or the emulator makes from the host's static busybox, else busybox:stable."""
    ecs_pause_image: str = "registry.k8s.io/pause:3.10"
    batch_privileged: bool = False
    """Whether a Batch job definition's ``privileged`` is honoured on this machine (off: such a job's
    attempt fails, saying so; a privileged container is root over the host)."""
    """The image that holds an awsvpc task's network when its first container is one meant to finish."""
    config_path: Path | None = None
    """The config file that was read, if any."""
    sources: dict[str, str] = field(default_factory=dict)
    """Where each setting that was given came from (``--theme``, ``COMPUTETUI_THEME``, ``config
    file PATH``), for a check made later (the theme's name) to say where to put it right."""

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise InvalidSetting("backend", f"must be one of {', '.join(BACKENDS)} (got {self.backend!r})")
        if isinstance(self.state_dir, str):
            self.state_dir = None if self.state_dir == "" else Path(self.state_dir).expanduser()
        elif self.state_dir is not None and not isinstance(self.state_dir, Path):
            raise InvalidSetting("state_dir", f"must be a path (got {self.state_dir!r})")
        for name in ("demo", "read_only"):
            if not isinstance(getattr(self, name), bool):
                raise InvalidSetting(name, f"must be true or false (got {getattr(self, name)!r})")
        for name in ("theme", "profile", "region", "endpoint_url"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise InvalidSetting(name, f"must be a string (got {value!r})")
        if self.endpoint_url and not self.endpoint_url.startswith(("http://", "https://")):
            raise InvalidSetting("endpoint_url", f"must start with http:// or https:// (got {self.endpoint_url!r})")
        if self.refresh is not None:
            try:
                self.refresh = float(self.refresh)
            except (TypeError, ValueError):
                raise InvalidSetting("refresh", f"must be a number of seconds (got {self.refresh!r})") from None
            if self.refresh < 0:
                raise InvalidSetting("refresh", f"must be 0 (off) or more seconds (got {self.refresh:g})")
        if self.lambda_sandbox not in LAMBDA_SANDBOXES:
            raise InvalidSetting(
                "lambda_sandbox", f"must be one of {', '.join(LAMBDA_SANDBOXES)} (got {self.lambda_sandbox!r})"
            )
        try:
            self.lambda_idle_timeout = float(self.lambda_idle_timeout)
        except (TypeError, ValueError):
            raise InvalidSetting(
                "lambda_idle_timeout", f"must be a number of seconds (got {self.lambda_idle_timeout!r})"
            ) from None
        if self.lambda_idle_timeout <= 0:
            raise InvalidSetting(
                "lambda_idle_timeout", f"must be more than 0 seconds (got {self.lambda_idle_timeout:g})"
            )
        if not isinstance(self.lambda_images, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.lambda_images.items()
        ):
            raise InvalidSetting("lambda_images", 'must be a table of runtime = "image"')
        if not isinstance(self.lightsail_images, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.lightsail_images.items()
        ):
            raise InvalidSetting("lightsail_images", 'must be a table of blueprint = "image"')
        if not isinstance(self.sample_image, str):
            raise InvalidSetting("sample_image", f"must be an image reference (got {self.sample_image!r})")
        if not isinstance(self.batch_privileged, bool):
            raise InvalidSetting("batch_privileged", f"must be true or false (got {self.batch_privileged!r})")
        if not isinstance(self.ecs_pause_image, str) or not self.ecs_pause_image:
            raise InvalidSetting("ecs_pause_image", f"must be an image reference (got {self.ecs_pause_image!r})")
        if not isinstance(self.keymap, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.keymap.items()
        ):
            raise InvalidSetting("keymap", 'must be a table of binding id = "keys"')
        for binding_id in self.keymap:
            if binding_id not in BINDING_IDS:
                raise InvalidSetting("keymap", unknown_binding(binding_id))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Settings:
        known = {f.name for f in fields(cls)}
        for name in data:
            if name not in known:
                public = ", ".join(n for n in known if n not in ("config_path", "sources", "demo"))
                raise InvalidSetting(name, f"unknown setting '{name}' (known: {public})")
        return cls(**data)

    def source_of(self, name: str) -> str | None:
        """Where setting ``name`` was given (a flag, a variable, the config file); None for a default."""
        return self.sources.get(name)

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

    def destination(self) -> list[str]:
        """Where the backend being opened will talk to, for the header while it connects: the
        profile and the region on aws; nothing for the local emulator, which is this machine."""
        if self.backend != "aws":
            return []
        return [part for part in (self.profile and f"profile {self.profile}", self.effective_region) if part]

    def backend_options(self) -> dict[str, Any]:
        """Keyword arguments for ``open_backend(self.backend, ...)``."""
        if self.backend == "local":
            options: dict[str, Any] = {
                "region": self.effective_region or "us-east-1",
                "read_only": self.read_only,
                "lambda_sandbox": self.lambda_sandbox,
                "lambda_images": self.lambda_images,
                "lightsail_images": self.lightsail_images,
                "lambda_idle_timeout": self.lambda_idle_timeout,
                "ecs_pause_image": self.ecs_pause_image,
                "sample_image": self.sample_image or None,
                "batch_privileged": self.batch_privileged,
            }
            if self.state_dir is not None:
                options["state_dir"] = self.state_dir
            return options
        return {
            "profile": self.profile or os.environ.get("AWS_PROFILE") or None,
            "region": self.effective_region,
            "endpoint_url": self.endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None,
            "read_only": self.read_only,
        }


_ENV_FIELDS = (
    "backend",
    "state_dir",
    "read_only",
    "theme",
    "profile",
    "region",
    "endpoint_url",
    "refresh",
    "lambda_sandbox",
)


def unknown_binding(binding_id: str) -> str:
    """What is wrong with a ``[keymap]`` entry whose id no binding has, with the ids close to it."""
    close = difflib.get_close_matches(binding_id, sorted(BINDING_IDS), n=3, cutoff=0.6)
    hint = f"close: {', '.join(close)}" if close else "? in the console lists every key with its id"
    return f"unknown binding id '{binding_id}' in [keymap] ({hint})"


def _describe(error: InvalidSetting) -> str:
    if error.problem.startswith("unknown "):
        return error.problem
    return f"'{error.name}' {error.problem}"


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
        Settings.from_mapping(data)
    except InvalidSetting as exc:
        raise SettingsError(f"config file {path}: {_describe(exc)}") from None
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
    sources: dict[str, str] = {}
    layers = (
        (read_config_file(path), lambda name: f"config file {path}"),
        (read_environment(environ), lambda name: f"{ENV_PREFIX}{name.upper()}"),
        ({k: v for k, v in (flags or {}).items() if v is not None}, lambda name: f"--{name.replace('_', '-')}"),
    )
    for values, where in layers:  # later layers win
        merged.update(values)
        sources.update({name: where(name) for name in values})
    if path.exists():
        merged["config_path"] = path
    try:
        return Settings.from_mapping({**merged, "sources": sources})
    except InvalidSetting as exc:
        source = sources.get(exc.name, f"config file {path}")
        raise SettingsError(f"{source}: {_describe(exc)}") from None
