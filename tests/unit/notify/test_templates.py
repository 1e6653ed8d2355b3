"""The commented notifiers.yaml ``secops init`` writes: valid, meaning the local log only, and every
example in it a valid entry once uncommented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from secops.config import Workspace
from secops.notify import load_notifiers, make_channel
from secops.notify.templates import NOTIFIERS_TEMPLATE, write_notifiers_template


def _enabled(template: str) -> str:
    """The template with every example entry uncommented ("#- key:" and "#  key:"; "# text" stays)."""
    return "\n".join(line[1:] if re.match(r"#(- | {2,}[a-zA-Z])", line) else line for line in template.splitlines())


def test_the_template_means_the_local_log_only(tmp_path: Path) -> None:
    assert write_notifiers_template(tmp_path) is True
    assert (tmp_path / "notifiers.yaml").stat().st_mode & 0o077 == 0  # robot keys and passwords go in here
    assert load_notifiers(tmp_path) == [make_channel("log")]


def test_every_example_loads_once_uncommented(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "notifiers.yaml").write_text(_enabled(NOTIFIERS_TEMPLATE), encoding="utf-8")
    channels = load_notifiers(tmp_path)
    assert [(c.name, c.settings.name) for c in channels] == [
        ("dingtalk", "值班群"),
        ("wecom", "网络中心群"),
        ("smtp", "值班邮箱"),
        ("webhook", "值班系统"),
        ("log", None),
    ]


def test_every_channel_type_is_explained() -> None:
    for kind in ("dingtalk", "wecom", "smtp", "webhook", "log"):
        assert f"#- type: {kind}" in NOTIFIERS_TEMPLATE
    for key in ("secret", "at_mobiles", "mentioned_mobile_list", "security", "password_env", "cafile", "headers"):
        assert f"# {key}：" in NOTIFIERS_TEMPLATE, key


def test_an_existing_file_is_kept(tmp_path: Path) -> None:
    (tmp_path / "notifiers.yaml").write_text("- {type: log}\n", encoding="utf-8")
    assert write_notifiers_template(tmp_path) is False
    assert (tmp_path / "notifiers.yaml").read_text(encoding="utf-8") == "- {type: log}\n"


def test_a_new_workspace_has_the_template(workspace: Workspace) -> None:
    assert (workspace.path / "notifiers.yaml").read_text(encoding="utf-8") == NOTIFIERS_TEMPLATE
    assert load_notifiers(workspace.path) == [make_channel("log")]
