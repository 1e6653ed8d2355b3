"""The commented center.yaml a new center home starts with: valid, and meaning the defaults."""

from __future__ import annotations

import re
from pathlib import Path

from secops.center.context import prepare_home
from secops.center.settings import SETTINGS_FILE, CenterSettings, load_settings
from secops.center.settings_template import CENTER_TEMPLATE, write_center_template


def test_a_new_home_gets_the_template_and_it_loads_to_the_defaults(tmp_path: Path) -> None:
    home = prepare_home(tmp_path / "center")
    assert (home / SETTINGS_FILE).read_text(encoding="utf-8") == CENTER_TEMPLATE
    assert (home / SETTINGS_FILE).stat().st_mode & 0o077 == 0
    assert load_settings(home) == CenterSettings()


def test_every_commented_setting_shows_its_default(tmp_path: Path) -> None:
    # a commented setting is "#key:" or "#  key:"; an explanation is "# text"
    lines = CENTER_TEMPLATE.splitlines()
    enabled = "\n".join(line[1:] if re.match(r"#( {2})?[a-z]", line) else line for line in lines)
    (tmp_path / SETTINGS_FILE).write_text(enabled, encoding="utf-8")
    assert "limits:" in enabled and "\nsilent_after_hours: 24" in enabled
    assert load_settings(tmp_path) == CenterSettings()


def test_an_existing_center_yaml_is_kept(tmp_path: Path) -> None:
    (tmp_path / SETTINGS_FILE).write_text("silent_after_hours: 48\n", encoding="utf-8")
    assert write_center_template(tmp_path) is False
    prepare_home(tmp_path)
    assert load_settings(tmp_path).silent_after_hours == 48
