"""``secops incident`` speaks Chinese by default and follows the CLI's one set of conventions:
empty listings say so, checks exit 1 on findings, completion offers ids from the workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from secops.cli.main import cli as secops_cli
from tests.conftest import SCHOOL_CODE, SCHOOL_NAME, Invoke

INIT = ["init", "--school-code", SCHOOL_CODE, "--school-name", SCHOOL_NAME, "--scope", "127.0.0.1/32"]
NOW = "2026-11-23T10:00:00+08:00"
OPEN = (
    "incident", "open", "--title", "门户网站被植入后门", "--playbook", "webshell", "--grade", "重大",
    "--detected-at", "2026-11-23T09:05:00+08:00",
)  # fmt: skip


@pytest.fixture
def cli(run_cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    monkeypatch.setenv("SECOPS_NOW", NOW)
    assert run_cli(*INIT).exit_code == 0
    return run_cli


def test_chinese_by_default(cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECOPS_LANG")
    empty = cli("incident", "list")
    assert empty.exit_code == 0 and empty.stdout == "" and "没有未关闭的事件" in empty.stderr
    opened = cli(*OPEN)
    assert opened.exit_code == 0 and "已登记事件 #1" in opened.stdout
    assert "新建 · 负责人 —" in opened.stdout and "发现于 2026-11-23 09:05 · 预案 webshell" in opened.stdout
    listed = cli("incident", "list").stdout
    assert listed.splitlines()[0].split()[:4] == ["编号", "标题", "类别", "子类"] and "新建" in listed
    assert "事件 #1 现为已确认" in cli("incident", "ack", "1").stdout
    assert "审计链完整：共 2 条记录" in cli("incident", "verify-audit").stdout
    missing = cli("incident", "show", "9")
    assert missing.exit_code == 2
    assert missing.stderr.strip() == "secops：错误：没有事件 #9（见 secops incident list）"
    bad_state = cli("incident", "reopen", "1")
    assert bad_state.exit_code == 2 and "不能变为 acknowledged" in bad_state.stderr
    assert "登记事件；其时限从发现时间起算。" in cli("incident", "--help").stdout


def test_english_with_lang_en(cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECOPS_LANG")
    opened = cli("--lang", "en", *OPEN)
    assert opened.exit_code == 0 and "Opened incident #1" in opened.stdout and "New · owner —" in opened.stdout
    assert cli("--lang", "en", "incident", "list").stdout.startswith("ID")
    missing = cli("--lang", "en", "incident", "show", "9")
    assert missing.stderr.strip() == "secops: error: no incident #9 (see secops incident list)"
    assert "Open an incident; its clocks start" in cli("--lang", "en", "incident", "--help").stdout


def test_empty_listings_say_so_and_json_is_an_empty_list(cli: Invoke) -> None:
    for args, message in (
        (("incident", "list"), "No open incidents"),
        (("incident", "list", "--all"), "No incidents"),
        (("incident", "status"), "No running clocks"),
        (("incident", "check-clocks"), "No escalation notice fell due"),
        (("incident", "metrics"), "No incidents yet"),
    ):
        table = cli(*args)
        assert table.exit_code == 0 and table.stdout == "" and message in table.stderr, args
        assert json.loads(cli(*args, "--format", "json").stdout) == [], args
        assert cli(*args, "--format", "jsonl").stdout == "", args
    assert "No open incidents" not in cli("-q", "incident", "list").stderr
    opened = cli("incident", "open", "--title", "x", "--category", "02", "--subcategory", "网页篡改")
    assert opened.exit_code == 0
    steps = cli("incident", "step", "list", "--incident", "1")
    assert steps.stdout == "" and "has no playbook, so no steps" in steps.stderr


def test_check_clocks_exits_1_while_a_clock_has_run_out(cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli(*OPEN).exit_code == 0
    assert cli("incident", "check-clocks", "--format", "json").exit_code == 0  # 5 minutes left
    monkeypatch.setenv("SECOPS_NOW", "2026-11-23T10:20:00+08:00")
    late = cli("incident", "check-clocks", "--format", "json")
    assert late.exit_code == 1
    assert {n["fraction"] for n in json.loads(late.stdout)} == {1.0}  # the overdue notices, sent once
    again = cli("incident", "check-clocks")
    assert again.exit_code == 1 and "have run out" in again.stderr  # still overdue: still a finding
    for args in (("ack", "1"), ("recover", "1"), ("reported", "1")):
        assert cli("incident", *args).exit_code == 0
    assert cli("incident", "check-clocks").exit_code == 0  # stopped (late): nothing runs out any more


def test_status_lines_are_silent_with_quiet(cli: Invoke) -> None:
    assert cli(*OPEN).exit_code == 0
    acked = cli("-q", "incident", "ack", "1")
    assert acked.exit_code == 0 and acked.output == ""
    assert cli("-q", "incident", "verify-audit").stdout.startswith("Audit trail intact")  # a check's verdict stays


def test_text_outputs_take_dash_and_refuse_to_overwrite(cli: Invoke, tmp_path: Path) -> None:
    exported = cli("incident", "export-playbook", "webshell", "-o", "-")
    assert exported.exit_code == 0 and json.loads(exported.stdout)["spec_version"] == "cacao-2.0"
    source = tmp_path / "webshell.json"
    source.write_text(exported.stdout, encoding="utf-8")
    refused = cli("incident", "export-playbook", "webshell", "-o", str(source))
    assert refused.exit_code == 2 and "already exists" in refused.stderr
    assert cli("incident", "export-playbook", "webshell", "-o", str(source), "--force").exit_code == 0
    imported = cli("incident", "import-playbook", str(source), "-o", "-")
    assert imported.exit_code == 0 and imported.stdout.startswith("id: webshell")
    target = tmp_path / "webshell.yml"
    target.write_text("keep me", encoding="utf-8")
    assert cli("incident", "import-playbook", str(source), "-o", str(target)).exit_code == 2
    assert target.read_text(encoding="utf-8") == "keep me"


def _complete(tmp_path: Path, words: str) -> list[str]:
    env = {
        "_SECOPS_COMPLETE": "bash_complete",
        "COMP_WORDS": f"secops --workspace {tmp_path / 'ws'} {words}",
        "COMP_CWORD": str(len(words.split(" ")) + 2),
    }
    result = CliRunner().invoke(secops_cli, [], prog_name="secops", env=env)
    assert result.exit_code == 0
    return [line.split(",", 1)[1] for line in result.stdout.splitlines() if line]


def test_completion_offers_incident_playbook_and_step_ids(cli: Invoke, tmp_path: Path) -> None:
    assert cli(*OPEN).exit_code == 0
    assert _complete(tmp_path, "incident show ") == ["1"]
    assert "webshell" in _complete(tmp_path, "incident open --playbook w")
    assert _complete(tmp_path, "incident step done --incident 1 is") == ["isolate"]
    assert _complete(tmp_path / "nowhere", "incident show ") == []  # no workspace: nothing, no error
