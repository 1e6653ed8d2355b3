"""`secops notify list | test`: the configured channels with secrets masked, and a marked test message
through each (robots on 127.0.0.1), one line per channel, exit 1 when any failed."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from secops.config import Workspace
from tests.conftest import Invoke
from tests.unit.notify.servers import RobotServer, robot_server

SECRET = "SEC-not-a-real-secret-0123456789"
TOKEN = "tok-0123456789abcdef"


def _configure(workspace: Workspace, robot: RobotServer) -> None:
    (workspace.path / "notifiers.yaml").write_text(
        f"- type: dingtalk\n"
        f"  name: 值班群\n"
        f"  url: {robot.url}/robot/send?access_token={TOKEN}\n"
        f"  secret: {SECRET}\n"
        f"- {{type: wecom, url: '{robot.url}/cgi-bin/webhook/send?key={TOKEN}'}}\n"
        f"- {{type: log}}\n",
        encoding="utf-8",
    )


@pytest.fixture
def robot() -> Iterator[RobotServer]:
    with robot_server() as server:
        yield server


def test_list_shows_the_template_means_the_local_log(workspace: Workspace, run_cli: Invoke) -> None:
    result = run_cli("notify", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"number": 1, "name": "", "type": "log", "target": "incident-notices.log"}]


def test_list_masks_tokens_and_secrets(workspace: Workspace, run_cli: Invoke, robot: RobotServer) -> None:
    _configure(workspace, robot)
    result = run_cli("notify", "list")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["#", "NAME", "TYPE", "TARGET"]
    assert f"值班群  dingtalk  {robot.url}/robot/send?access_token=*** (signed)" in lines[1]
    assert TOKEN not in result.output and SECRET not in result.output


def test_test_reports_each_channel_and_exits_1_when_one_failed(
    workspace: Workspace, run_cli: Invoke, robot: RobotServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _configure(workspace, robot)
    robot.answer(errcode=0, errmsg="ok")
    robot.answer(errcode=93000, errmsg="invalid webhook url")
    monkeypatch.setenv("SECOPS_NOW", "2026-12-07T10:30:00+08:00")
    result = run_cli("notify", "test", "--format", "jsonl")
    assert result.exit_code == 1, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["number"], r["name"], r["status"]) for r in rows] == [
        (1, "值班群", "ok"),
        (2, "wecom", "failed"),
        (3, "log", "ok"),
    ]
    assert rows[1]["detail"] == "WeCom answered errcode 93000: invalid webhook url (check the key in the url)"
    assert TOKEN not in result.output and SECRET not in result.output
    signed, _wecom = robot.received
    assert "sign" in signed.query and "timestamp" in signed.query
    text = signed.body["text"]["content"]
    assert text.startswith("[secops test message] 测试实验中学") and "2026-12-07 10:30:00+08:00" in text
    logged = json.loads((workspace.path / "incident-notices.log").read_text(encoding="utf-8"))
    assert logged["text"] == text and logged["kind"] == "notify.test"


def test_test_one_channel_by_name_in_chinese(workspace: Workspace, run_cli: Invoke, robot: RobotServer) -> None:
    _configure(workspace, robot)
    result = run_cli("--lang", "zh", "notify", "test", "值班群")
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 2 and "ok" in result.stdout.splitlines()[1]
    (received,) = robot.received
    assert received.body["text"]["content"].startswith("【secops 测试消息】测试实验中学")


def test_test_by_type_and_number(workspace: Workspace, run_cli: Invoke, robot: RobotServer) -> None:
    _configure(workspace, robot)
    assert run_cli("notify", "test", "wecom").exit_code == 0
    assert run_cli("notify", "test", "3").exit_code == 0
    assert len(robot.received) == 1


def test_an_unknown_channel_is_a_usage_error(workspace: Workspace, run_cli: Invoke) -> None:
    result = run_cli("notify", "test", "pager")
    assert result.exit_code == 2
    assert "no notifier 'pager' in notifiers.yaml (choose a name, a type or a number among: 1:log)" in result.stderr


def test_a_broken_notifiers_yaml_names_its_line(workspace: Workspace, run_cli: Invoke) -> None:
    (workspace.path / "notifiers.yaml").write_text("- {type: log}\n- {type: dingtalk, url: ftp://x}\n")
    result = run_cli("notify", "test")
    assert result.exit_code == 2
    assert "notifiers.yaml:2: notifier 2: url must start with http:// or https://" in result.stderr
