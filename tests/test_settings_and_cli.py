"""Settings layering, and a command line that fails in one clear line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from computetui.settings import Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_flags_beat_environment_beat_config_file_beat_defaults(tmp_path: Path) -> None:
    config = write(tmp_path / "config.toml", 'theme = "aws-light"\nrefresh = 5\nregion = "eu-west-1"\n')
    env = {"COMPUTETUI_REFRESH": "7", "COMPUTETUI_REGION": "eu-central-1"}
    settings = load_settings({"region": "ap-south-1"}, env, config)
    assert settings.region == "ap-south-1"  # flag
    assert settings.refresh == 7  # environment over the file
    assert settings.theme == "aws-light"  # file over the default
    assert settings.backend == "local"  # default
    assert settings.config_path == config


def test_refresh_defaults_differ_by_backend(tmp_path: Path) -> None:
    missing = tmp_path / "none.toml"
    assert load_settings({}, {}, missing).refresh_seconds == 2
    assert load_settings({"backend": "aws"}, {}, missing).refresh_seconds == 10
    assert load_settings({"refresh": 0.0}, {}, missing).refresh_seconds == 0


def test_aws_variables_are_honoured_by_the_aws_backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "dev")
    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")
    options = load_settings({"backend": "aws"}, {}, tmp_path / "none.toml").backend_options()
    assert options == {
        "profile": "dev",
        "region": "eu-west-3",
        "endpoint_url": "http://127.0.0.1:5000",
        "read_only": False,
    }
    local = load_settings({}, {}, tmp_path / "none.toml").backend_options()
    assert local["region"] == "us-east-1"


def test_the_sample_image_setting_reaches_the_local_backend(tmp_path: Path) -> None:
    config = write(tmp_path / "config.toml", 'sample_image = "mirror.local/busybox:1"')
    assert load_settings({}, {}, config).backend_options()["sample_image"] == "mirror.local/busybox:1"
    assert load_settings({}, {}, tmp_path / "none.toml").backend_options()["sample_image"] is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("refresh = -1", "'refresh'"),
        ("backend = 'gcp'", "'backend'"),
        ("colour = 'red'", "unknown setting 'colour'"),
        ("theme = [", "not valid TOML"),
        ("endpoint_url = 'localhost:5000'", "http:// or https://"),
        ("sample_image = 1", "'sample_image' must be an image reference"),
    ],
)
def test_a_bad_config_file_names_the_file_and_the_setting(tmp_path: Path, text: str, expected: str) -> None:
    config = write(tmp_path / "config.toml", text)
    with pytest.raises(SettingsError) as caught:
        load_settings({}, {}, config)
    message = str(caught.value)
    assert str(config) in message and expected in message
    assert "\n" not in message


def test_a_bad_environment_variable_names_itself(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="COMPUTETUI_REFRESH"):
        load_settings({}, {"COMPUTETUI_REFRESH": "soon"}, tmp_path / "none.toml")
    with pytest.raises(SettingsError, match="COMPUTETUI_READ_ONLY"):
        load_settings({}, {"COMPUTETUI_READ_ONLY": "perhaps"}, tmp_path / "none.toml")


def test_keymap_comes_from_the_config_file(tmp_path: Path) -> None:
    config = write(tmp_path / "config.toml", '[keymap]\nfilter = "slash,f"\n')
    assert load_settings({}, {}, config).keymap == {"filter": "slash,f"}


def test_an_unknown_keymap_binding_id_is_refused_naming_the_file_and_close_ids(tmp_path: Path) -> None:
    config = write(tmp_path / "config.toml", '[keymap]\nfliter = "f"\n')
    with pytest.raises(SettingsError) as caught:
        load_settings({}, {}, config)
    message = str(caught.value)
    assert str(config) in message and "'fliter'" in message and "[keymap]" in message
    assert "filter" in message.replace("'fliter'", "")  # the close match is offered
    assert "\n" not in message


def test_a_keymap_id_with_nothing_close_says_where_the_ids_are_listed(tmp_path: Path) -> None:
    config = write(tmp_path / "config.toml", '[keymap]\nzzzzqqq = "f"\n')
    with pytest.raises(SettingsError, match=r"unknown binding id 'zzzzqqq' in \[keymap\].*\?"):
        load_settings({}, {}, config)


def test_the_keymap_knows_every_binding_id_the_console_has() -> None:
    """The settings are read before any screen is imported, so the ids are listed in
    computetui/binding_ids.py; this keeps the list and the bindings the same."""
    import importlib
    import inspect
    import pkgutil

    from textual.binding import Binding

    import computetui.app
    import computetui.ui
    from computetui.binding_ids import BINDING_IDS

    modules = [computetui.app, *(importlib.import_module(info.name)
                                 for info in pkgutil.walk_packages(computetui.ui.__path__, "computetui.ui."))]
    found = {binding.id for module in modules for cls in vars(module).values()
             if inspect.isclass(cls) and cls.__module__ == module.__name__
             for binding in cls.__dict__.get("BINDINGS", []) if isinstance(binding, Binding) and binding.id}
    assert sorted(found - BINDING_IDS) == [], "add these to computetui/binding_ids.py"
    assert sorted(BINDING_IDS - found) == [], "no binding has these ids any more"


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("COMPUTETUI_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "computetui", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=full_env,
        timeout=timeout,
    )


def test_version_flag() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("computetui 0.")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--refresh", "soon"], "--refresh"),
        (["--backend", "gcp"], "--backend"),
        (["--no-such-flag"], "--no-such-flag"),
        (["--theme", "purple-rain"], "unknown theme 'purple-rain'"),
    ],
)
def test_a_bad_flag_is_one_line_without_a_traceback(tmp_path: Path, args: list[str], expected: str) -> None:
    result = run_cli(*args, env={"COMPUTETUI_CONFIG": str(tmp_path / "none.toml")})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.stderr


def test_a_bad_theme_in_the_config_file_names_the_file(tmp_path: Path) -> None:
    config = write(tmp_path / "config.toml", 'theme = "purple-rain"\n')
    result = run_cli(env={"COMPUTETUI_CONFIG": str(config)})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(config) in lines[0] and "unknown theme 'purple-rain'" in lines[0]


def test_a_bad_theme_flag_names_the_flag(tmp_path: Path) -> None:
    result = run_cli("--theme", "purple-rain", env={"COMPUTETUI_CONFIG": str(tmp_path / "none.toml")})
    assert result.returncode == 2
    assert result.stderr.startswith("computetui: --theme: unknown theme 'purple-rain'")


def test_a_bad_config_file_stops_the_cli_in_one_line(tmp_path: Path) -> None:
    config = write(tmp_path / "config.toml", "refresh = 'often'\n")
    result = run_cli("--version-check-is-not-a-flag", env={"COMPUTETUI_CONFIG": str(config)})
    assert result.returncode == 2  # the flag error comes first
    result = run_cli("serve", env={"COMPUTETUI_CONFIG": str(config)})
    assert result.returncode == 2
    assert str(config) in result.stderr and len(result.stderr.strip().splitlines()) == 1


def start_serve(tmp_path: Path, *extra: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPUTETUI_")}
    env["COMPUTETUI_CONFIG"] = str(tmp_path / "none.toml")
    env["DOCKER_HOST"] = "unix:///nonexistent/docker.sock"  # the controller runs without an engine too
    return subprocess.Popen(
        [sys.executable, "-m", "computetui", "serve", "--state-dir", str(tmp_path / "state"), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )


def wait_for_line(process: subprocess.Popen[str], needle: str, timeout: float = 20) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen += line
        if needle in line:
            return seen
    raise AssertionError(f"never saw {needle!r}; got {seen!r}")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_serve_runs_the_controller_and_stops_cleanly_on_a_signal(tmp_path: Path, signum: int) -> None:
    process = start_serve(tmp_path, "--demo")
    try:
        seen = wait_for_line(process, "controller running")
        assert "Sample workload: Lambda function hello-world" in seen
        process.send_signal(signum)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "stopped" in out
    assert "Traceback" not in err
    lock = tmp_path / "state" / "controller.lock"
    assert lock.exists() and lock.read_text() == ""  # released: the pid is gone


def test_a_second_serve_on_the_same_state_dir_is_refused(tmp_path: Path) -> None:
    first = start_serve(tmp_path)
    try:
        wait_for_line(first, "controller running")
        second = start_serve(tmp_path)
        out, err = second.communicate(timeout=20)
        assert second.returncode == 2
        assert f"process {first.pid} already runs the controller" in err
        assert len(err.strip().splitlines()) == 1
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=20)


def test_settings_reject_unknown_fields_and_bad_values() -> None:
    from computetui.settings import InvalidSetting

    with pytest.raises(InvalidSetting, match="unknown setting 'colour'"):
        Settings.from_mapping({"colour": "red"})
    with pytest.raises(InvalidSetting, match="true or false"):
        Settings(read_only="yes")  # type: ignore[arg-type]
    assert Settings(state_dir="~/x").state_dir == Path("~/x").expanduser()  # type: ignore[arg-type]


def test_the_console_logs_to_a_file_not_to_the_terminal_it_draws_on(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    import logging

    from computetui.cli import log_to_file

    monkeypatch.setenv("COMPUTETUI_LOG_FILE", str(tmp_path / "logs" / "console.log"))
    saved = logging.getLogger().handlers[:]
    try:
        log_to_file()
        logging.getLogger("computetui.test").warning("into the file")
        for handler in logging.getLogger().handlers:
            handler.flush()
        assert "into the file" in (tmp_path / "logs" / "console.log").read_text()
        assert not any(
            isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler)
            for h in logging.getLogger().handlers
        )
    finally:
        logging.getLogger().handlers[:] = saved


def test_lightsail_images_table_reaches_the_local_backend(tmp_path: Path) -> None:
    assert load_settings({}, {}, tmp_path / "none.toml").backend_options()["lightsail_images"] == {}
    config = write(tmp_path / "config.toml", '[lightsail_images]\nnginx = "my/local:image"\n')
    assert load_settings({}, {}, config).backend_options()["lightsail_images"] == {"nginx": "my/local:image"}
    wrong = write(tmp_path / "wrong.toml", 'lightsail_images = "nginx"')
    with pytest.raises(SettingsError, match="lightsail_images"):
        load_settings({}, {}, wrong)


def test_batch_privileged_is_off_unless_the_config_says_so(tmp_path: Path) -> None:
    assert load_settings({}, {}, tmp_path / "none.toml").backend_options()["batch_privileged"] is False
    config = write(tmp_path / "config.toml", "batch_privileged = true")
    assert load_settings({}, {}, config).backend_options()["batch_privileged"] is True
    wrong = write(tmp_path / "wrong.toml", 'batch_privileged = "yes"')
    with pytest.raises(SettingsError, match="batch_privileged"):
        load_settings({}, {}, wrong)
