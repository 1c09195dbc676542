"""Theme files: shipped ones load, user ones join them, a broken one is reported and skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from computetui.locations import shipped_themes_dir
from computetui.ui.themes import ThemeError, check_theme_name, load_themes, theme_from_file


def test_the_shipped_themes_load_without_problems() -> None:
    loaded = load_themes(shipped_themes_dir())
    assert {t.name for t in loaded.themes} == {"aws-dark", "aws-light", "high-contrast"}
    assert loaded.problems == []
    dark = next(t for t in loaded.themes if t.name == "aws-dark")
    assert dark.primary == "#ff9900" and dark.dark


def test_a_broken_user_theme_is_reported_and_the_rest_still_load(tmp_path: Path) -> None:
    (tmp_path / "good.toml").write_text('name = "mine"\nprimary = "#123456"\n')
    (tmp_path / "bad-colour.toml").write_text('primary = "not-a-colour"\n')
    (tmp_path / "bad-toml.toml").write_text("primary = \n")
    (tmp_path / "no-primary.toml").write_text('background = "#000000"\n')
    loaded = load_themes(shipped_themes_dir(), tmp_path)
    names = {t.name for t in loaded.themes}
    assert "mine" in names and "aws-dark" in names
    assert len(loaded.problems) == 3
    joined = "\n".join(loaded.problems)
    assert "bad-colour.toml" in joined and "is not a colour" in joined
    assert "bad-toml.toml" in joined and "not valid TOML" in joined
    assert "'primary' colour is required" in joined


def test_unknown_keys_are_named(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text('primary = "#fff"\nprimery = "#000"\n')
    with pytest.raises(ThemeError, match="unknown key 'primery'"):
        theme_from_file(path)


def test_user_themes_come_from_the_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPUTETUI_CONFIG_DIR", str(tmp_path))
    (tmp_path / "themes").mkdir()
    (tmp_path / "themes" / "sunset.toml").write_text('primary = "#ff5500"\n')
    check_theme_name("sunset")
    with pytest.raises(ThemeError, match="unknown theme 'sunrise'"):
        check_theme_name("sunrise")


@pytest.mark.asyncio
async def test_a_broken_theme_is_notified_in_the_app_not_fatal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPUTETUI_CONFIG_DIR", str(tmp_path))
    (tmp_path / "themes").mkdir()
    (tmp_path / "themes" / "broken.toml").write_text("primary = [\n")
    from tests.ui.helpers import SIZE, make_app, settle

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "aws-dark"
        assert any("broken.toml" in n.message for n in app._notifications)
