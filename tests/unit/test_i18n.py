"""The message catalog: complete, consistent, compiled; and the language chosen per command."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from secops.i18n import _, language, ngettext, set_language, speaking

ROOT = Path(__file__).resolve().parents[2]


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("secops_i18n_tool", ROOT / "scripts" / "i18n.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_message_a_person_reads_has_a_chinese_translation() -> None:
    pytest.importorskip("babel", reason="Babel (a dev dependency, scripts/install.sh --dev) reads the .po")
    problems = _tool().problems()
    assert not problems, f"{len(problems)} catalog problem(s); fix with scripts/i18n.py:\n" + "\n".join(problems[:40])


def test_placeholders_are_compared_by_name() -> None:
    tool = _tool()
    assert tool.placeholders("Wrote {path}: {count!r} items, {rate:.1f}/s") == {"path", "count", "rate"}
    assert tool.placeholders("%(prog)s, version %(version)s") == {"%(prog)s", "%(version)s"}
    assert tool.placeholders("写入 {path}") != tool.placeholders("Wrote {path}: {count} items")


def test_chinese_is_the_default_and_english_is_the_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECOPS_LANG")
    set_language(None)
    assert language() == "zh"
    assert _("Usage:") == "用法:"
    assert ngettext("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})", 2)
    with speaking("en"):
        assert _("Usage:") == "Usage:"
    monkeypatch.setenv("SECOPS_LANG", "en_US.UTF-8")
    assert language() == "en"
    set_language("zh-CN")
    assert language() == "zh"
    set_language(None)


def test_an_unknown_message_reads_as_written() -> None:
    with speaking("zh"):
        assert _("a message nobody catalogued") == "a message nobody catalogued"
        assert _("") == ""


def _secops(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    full = {k: v for k, v in os.environ.items() if k != "SECOPS_LANG"} | (env or {})
    return subprocess.run(
        [sys.executable, "-m", "secops", *args], capture_output=True, text=True, env=full, cwd=ROOT, check=False
    )


def test_the_command_line_speaks_chinese_by_default_and_english_on_request(tmp_path: Path) -> None:
    workspace = str(tmp_path / "ws")
    chinese = _secops("-w", workspace, "--help")
    assert chinese.returncode == 0 and "用法:" in chinese.stdout and "选项" in chinese.stdout
    english = _secops("-w", workspace, "--lang", "en", "--help")
    assert "Usage:" in english.stdout and "Options:" in english.stdout and "用法" not in english.stdout
    by_env = _secops("-w", workspace, "assets", "--help", env={"SECOPS_LANG": "en"})
    assert "Usage:" in by_env.stdout
    typo = _secops("-w", workspace, "assets", "lisst")
    assert typo.returncode == 2 and "没有命令 'lisst'" in typo.stderr
    refused = _secops("-w", workspace, "--lang", "fr", "version")
    assert refused.returncode == 2 and "zh" in refused.stderr and "Traceback" not in refused.stderr


def test_the_workspace_language_applies_unless_a_command_chooses(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "secops.yaml").write_text("language: en\n", encoding="utf-8")
    assert "Usage:" in _secops("-w", str(workspace), "assets", "--help").stdout
    assert "用法:" in _secops("-w", str(workspace), "--lang", "zh", "assets", "--help").stdout


def test_a_damaged_catalog_falls_back_to_the_source_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import secops.i18n as i18n

    damaged = tmp_path / "zh_CN" / "LC_MESSAGES"
    damaged.mkdir(parents=True)
    (damaged / "secops.mo").write_bytes((i18n.LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "secops.mo").read_bytes()[:30])
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n._catalog.cache_clear()
    try:
        with speaking("zh"):
            assert _("Usage:") == "Usage:"
    finally:
        monkeypatch.undo()
        i18n._catalog.cache_clear()
