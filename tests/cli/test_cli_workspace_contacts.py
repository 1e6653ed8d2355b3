"""``secops workspace contacts``: add, update, remove, list as table/json/jsonl, check for gaps, the
duty roster with who is on duty now; and the playbook steps that name the person for their role."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SCHOOL_CODE, SCHOOL_NAME, Invoke

INIT = ["init", "--school-code", SCHOOL_CODE, "--school-name", SCHOOL_NAME, "--scope", "10.20.0.0/16"]
NOTIFIERS = "- {type: log, name: 值班群}\n"


@pytest.fixture
def cli(run_cli: Invoke) -> Invoke:
    assert run_cli(*INIT).exit_code == 0
    return run_cli


def _people(cli: Invoke) -> dict[str, dict[str, object]]:
    return {row["name"]: row for row in json.loads(cli("workspace", "contacts", "list", "--format", "json").stdout)}


def test_add_update_list_and_remove(cli: Invoke) -> None:
    empty = cli("workspace", "contacts")
    assert empty.exit_code == 0 and empty.stdout == "" and "No contacts yet" in empty.stderr
    added = cli(
        "workspace", "contacts", "add", "网络安全第一责任人", "王建国", "--phone", "13800138001", "--title", "校长"
    )
    assert added.exit_code == 0 and "Added 王建国 as 网络安全第一责任人" in added.stdout
    assert cli("workspace", "contacts", "add", "security-admin", "张伟", "--phone", "13900139000").exit_code == 0
    updated = cli("workspace", "contacts", "add", "值班人员", "张伟", "--email", "zw@example.edu.cn")
    assert updated.exit_code == 0 and "Updated 张伟" in updated.stdout
    people = _people(cli)
    assert people["张伟"]["roles"] == ["security-admin", "on-duty"]
    assert people["张伟"]["role_names"] == ["网络安全管理员", "值班人员"]
    assert people["张伟"]["email"] == "zw@example.edu.cn" and people["张伟"]["phone"] == "13900139000"
    table = cli("workspace", "contacts").stdout  # the group alone lists, as a table
    assert "王建国" in table and "网络安全管理员、值班人员" in table
    lines = cli("workspace", "contacts", "list", "--format", "jsonl", "--role", "值班人员").stdout.splitlines()
    assert [json.loads(line)["name"] for line in lines] == ["张伟"]
    assert cli("workspace", "contacts", "remove", "张伟", "--role", "值班人员").exit_code == 0
    assert _people(cli)["张伟"]["roles"] == ["security-admin"]
    removed = cli("workspace", "contacts", "remove", "张伟")
    assert removed.exit_code == 0 and "Removed 张伟 and 0 duty shift(s)" in removed.stdout
    assert list(_people(cli)) == ["王建国"]


def test_bad_input_is_refused_with_exit_2(cli: Invoke) -> None:
    for args, message in (
        (["add", "校医", "某人", "--phone", "13800138001"], "unknown role '校医'"),
        (["add", "值班人员", "某人", "--phone", "55555"], "--phone is not a mobile number"),
        (["add", "值班人员", "某人"], "a new contact needs --phone"),
        (["add", "值班人员", "某人", "--phone", "13800138001", "--email", "x"], "--email is not an e-mail"),
        (["add", "值班人员", "某人", "--phone", "13800138001", "--channel", "值班群"], "no notifier named '值班群'"),
        (["remove", "无此人"], "no contact named '无此人'"),
        (["duty", "add", "无此人", "--days", "daily"], "no contact named '无此人'"),
    ):
        result = cli("workspace", "contacts", *args)
        assert result.exit_code == 2 and message in result.stderr, (args, result.output)
        assert "55555" not in result.stderr  # a personal value is never echoed


def test_channels_must_be_named_notifiers(cli: Invoke, tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    (workspace / "notifiers.yaml").write_text(NOTIFIERS, encoding="utf-8")
    ok = cli("workspace", "contacts", "add", "值班人员", "张伟", "--phone", "13900139000", "--channel", "值班群")
    assert ok.exit_code == 0
    (workspace / "notifiers.yaml").write_text("- {type: log, name: 另一个}\n", encoding="utf-8")
    broken = cli("workspace", "contacts", "check")
    assert broken.exit_code == 2 and f"{workspace / 'contacts.yaml'}:" in broken.stderr
    assert "not a named notifier" in broken.stderr and "13900139000" not in broken.stderr


def test_check_warns_about_the_gaps_and_exits_1(cli: Invoke) -> None:
    gaps = cli("workspace", "contacts", "check")
    assert gaps.exit_code == 1 and "nobody holds the role 网络安全第一责任人 (first-responsible)" in gaps.stderr
    assert "the duty roster (值班表) is empty" in gaps.stderr
    for role, name, phone in (
        ("first-responsible", "王建国", "13800138001"),
        ("leader", "李红", "13800138002"),
        ("security-admin", "张伟", "13900139000"),
        ("system-admin", "刘洋", "13800138004"),
        ("on-duty", "张伟", "13900139000"),
        ("education-bureau", "示例区教育局", "0571-87000001"),
        ("police", "示例区公安分局网安大队", "0571-87000110"),
    ):
        assert cli("workspace", "contacts", "add", role, name, "--phone", phone).exit_code == 0
    assert (
        cli("workspace", "contacts", "duty", "add", "张伟", "--days", "mon-fri", "--time", "08:00-17:30").exit_code == 0
    )
    still = cli("workspace", "contacts", "check")
    assert still.exit_code == 1 and "no shift covers the important periods" in still.stderr
    assert cli("workspace", "contacts", "duty", "add", "刘洋", "--important").exit_code == 0
    done = cli("workspace", "contacts", "check")
    assert done.exit_code == 0 and "0 gap(s)" in done.stdout


def test_duty_roster_shows_who_is_on_duty_now(cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("workspace", "contacts", "add", "值班人员", "张伟", "--phone", "13900139000").exit_code == 0
    assert cli("workspace", "contacts", "add", "值班人员", "刘洋", "--phone", "13800138004").exit_code == 0
    assert (
        cli("workspace", "contacts", "duty", "add", "张伟", "--days", "weekdays", "--time", "08:00-17:30").exit_code
        == 0
    )
    night = cli("workspace", "contacts", "duty", "add", "刘洋", "--days", "mon-fri", "--time", "17:30-08:00")
    assert night.exit_code == 0 and "周一至周五 17:30-08:00" in night.stdout
    assert cli("workspace", "contacts", "duty", "add", "刘洋", "--dates", "2026-10-01..2026-10-07").exit_code == 0
    monkeypatch.setenv("SECOPS_NOW", "2026-11-24T02:00:00+08:00")  # a Tuesday night
    rows = json.loads(cli("workspace", "contacts", "duty", "--format", "json").stdout)
    assert [(r["who"], r["now"]) for r in rows] == [("张伟", False), ("刘洋", True), ("刘洋", False)]
    assert rows[2]["when"] == {"who": "刘洋", "dates": "2026-10-01..2026-10-07", "time": "00:00-24:00"}
    table = cli("workspace", "contacts", "duty", "list").stdout
    assert "2026-10-01 至 2026-10-07" in table
    for args, message in (
        (["add", "张伟"], "exactly one of --days, --dates or --important"),
        (["add", "张伟", "--days", "daily", "--time", "8-17"], "HH:MM-HH:MM"),
        (["add", "张伟", "--dates", "2026-12-10..2026-12-08"], "end before they start"),
        (["remove", "张伟", "--number", "2"], "no such shift of 张伟"),
    ):
        result = cli("workspace", "contacts", "duty", *args)
        assert result.exit_code == 2 and message in result.stderr, (args, result.output)
    assert cli("workspace", "contacts", "duty", "remove", "刘洋", "--number", "3").exit_code == 0
    assert len(json.loads(cli("workspace", "contacts", "duty", "list", "--format", "json").stdout)) == 2
    gone = cli("workspace", "contacts", "remove", "刘洋")
    assert gone.exit_code == 0 and "1 duty shift(s)" in gone.stdout


def test_roles_are_listed_with_the_mandatory_ones_marked(cli: Invoke) -> None:
    rows = {r["id"]: r for r in json.loads(cli("workspace", "contacts", "roles", "--format", "json").stdout)}
    assert rows["first-responsible"]["name"] == "网络安全第一责任人" and rows["first-responsible"]["mandatory"]
    assert rows["police"]["external"] and not rows["vendor"]["mandatory"]


def test_playbook_steps_name_the_person_for_their_role(cli: Invoke) -> None:
    assert cli("workspace", "contacts", "add", "系统管理员", "刘洋", "--phone", "13800138004").exit_code == 0
    opened = cli(
        "incident",
        "open",
        "--title",
        "门户网站被植入网页后门",
        "--category",
        "02",
        "--subcategory",
        "网页篡改",
        "--playbook",
        "webshell",
    )
    assert opened.exit_code == 0, opened.output
    steps = json.loads(cli("incident", "step", "list", "--incident", "1", "--format", "json").stdout)
    contacts = {s["role"]: s["contact"] for s in steps}
    assert contacts["系统管理员"] == "刘洋 13800138004" and contacts.get("安全管理员", "") == ""
