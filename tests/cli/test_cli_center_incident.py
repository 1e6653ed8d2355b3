"""`secops center incident` and `secops center user --role`: a real center home (center.db with
automatic cases opened from school alerts and cases opened through the incident model), driven
through the root CLI, with the real clock and with SECOPS_NOW fixing it."""

from __future__ import annotations

import getpass
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from secops.center import auto_incidents
from secops.center.cases import claimed_alert_ids
from secops.center.context import open_state
from secops.center.open import open_center
from secops.center.staff import ROLES, add_user, disable_user, get_user
from secops.center.stores.base import StoredAlert
from secops.cli.center_user_cmd import ROLE_CHOICES
from secops.cli.main import cli
from secops.incident import model
from secops.incident.audit import audit_key, entries, verify
from secops.protocol.alerts import alert_id

SCHOOL = "4111010001"
OTHER_SCHOOL = "4111010002"
FIXED = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
PASSWORD = "correct horse battery"


@dataclass
class Center:
    home: Path
    tmp: Path
    now: datetime
    ids: dict[str, int]

    def run(self, *args: str, stdin: str | None = None, lang: str | None = None) -> Result:
        """Run ``secops center ARGS`` (English, the tests' default, unless ``lang`` says otherwise)."""
        chosen = ["--lang", lang] if lang else []
        root = ["--workspace", str(self.tmp / "ws"), *chosen, "center", "--home", str(self.home)]
        return CliRunner().invoke(cli, [*root, *args], input=stdin, catch_exceptions=False)

    def json(self, *args: str) -> object:
        result = self.run(*args, "--format", "json")
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    def case(self, incident_id: int) -> model.Incident:
        state = open_state(self.home)
        try:
            return model.get_incident(state, incident_id)
        finally:
            state.dispose()

    def audit(self, incident_id: int) -> list[tuple[str, str]]:
        state = open_state(self.home)
        try:
            return [(e["actor"], e["action"]) for e in entries(state, incident_id)]
        finally:
            state.dispose()


def _alert(now: datetime, n: int, title: str, school: str = SCHOOL) -> StoredAlert:
    doc = {
        "@timestamp": (now - timedelta(minutes=n)).isoformat(),
        "message": title,
        "rule": {"name": title},
        "host": {"ip": ["10.20.0.5"]},
        "secops": {"severity": "high", "source": "sigma", "alert_id": n},
        "organization": {"id": school, "name": "测试实验中学"},
    }
    return StoredAlert(alert_id(school, doc), school, now - timedelta(minutes=n), now, "high", title, doc)


def build(tmp: Path, now: datetime) -> Center:
    """Two automatic cases (3 and 2 alerts), three cases opened by hand (overdue, running, no
    clock) and a closed one; staff zhang (duty), li (analyst), wang (admin) and gone (disabled)."""
    home = tmp / "center"
    ctx = open_center(home, now=lambda: now)
    try:
        ctx.alerts.insert(
            [
                *(_alert(now, n, "Webshell upload to /upload/x.php") for n in (1, 2, 3)),
                *(_alert(now, n, "Files encrypted") for n in (4, 5)),
            ]
        )
        assert auto_incidents.tick(ctx) == 2
        auto = {i.facts["group"]: i.id for i in model.list_incidents(ctx.state)}
        session = model.Session(ctx.state, audit_key(ctx.home, ctx.state), "center", now)
        ids = {"webshell": auto["10.20.0.5|playbook:webshell"], "crypt": auto["10.20.0.5|title:Files encrypted"]}
        ids["overdue"] = model.open_incident(
            session, title="第一实验中学 网页篡改", category="02", subcategory="网页篡改", grade="重大",
            detected_at=now - timedelta(hours=3), facts={"school": SCHOOL},
        ).id  # fmt: skip
        ids["running"] = model.open_incident(
            session, title="第二中学 挖矿", category="02", subcategory="网页篡改", grade="较大",
            detected_at=now - timedelta(minutes=30), facts={"school": OTHER_SCHOOL},
        ).id  # fmt: skip
        ids["plain"] = model.open_incident(
            session, title="一般事件 无时限", category="02", subcategory="网页篡改", grade="一般",
            detected_at=now - timedelta(minutes=10), facts={"school": SCHOOL},
        ).id  # fmt: skip
        closed = model.open_incident(
            session, title="已处理完的事件", category="02", subcategory="网页篡改", grade="一般",
            detected_at=now - timedelta(days=3), facts={"school": SCHOOL},
        )  # fmt: skip
        model.transition(session, closed.id, "closed")
        ids["closed"] = closed.id
        add_user(ctx.state, "zhang", PASSWORD, now, role="duty")
        add_user(ctx.state, "li", PASSWORD, now, role="analyst")
        add_user(ctx.state, "wang", PASSWORD, now, role="admin")
        add_user(ctx.state, "gone", PASSWORD, now, role="admin")
        disable_user(ctx.state, "gone", now)
    finally:
        ctx.close()
    return Center(home, tmp, now, ids)


@pytest.fixture(params=["real-clock", "fixed-clock"])
def center(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Center:
    if request.param == "fixed-clock":
        monkeypatch.setenv("SECOPS_NOW", FIXED.isoformat())
        return build(tmp_path, FIXED)
    monkeypatch.delenv("SECOPS_NOW", raising=False)
    return build(tmp_path, datetime.now(UTC).replace(microsecond=0))


def _one_error_line(result: Result) -> str:
    assert result.exit_code == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(("secops: error: ", "secops：错误：")), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_list_puts_overdue_clocks_first_and_shows_beijing_time(center: Center) -> None:
    rows = center.json("incident", "list")
    assert isinstance(rows, list)
    ids = [row["id"] for row in rows]
    assert ids[0] == center.ids["overdue"] and center.ids["closed"] not in ids
    assert set(ids) == {v for k, v in center.ids.items() if k != "closed"}
    rank = {"overdue": 0, "running": 1, None: 2}
    assert [rank[row["clock_status"]] for row in rows] == sorted(rank[row["clock_status"]] for row in rows)
    status = {row["id"]: row["clock_status"] for row in rows}
    assert (status[center.ids["running"]], status[center.ids["plain"]]) == ("running", None)  # 一般: no clock
    first = rows[0]
    assert first["school"] == SCHOOL and first["grade"] == "重大" and first["state"] == "new"
    assert first["left"].startswith("已超时") and first["detected_at"].endswith("+08:00")
    detected = datetime.fromisoformat(first["detected_at"])
    assert detected == center.now - timedelta(hours=3)
    # Table: Beijing time with its offset, the Chinese state name, the most urgent clock.
    table = center.run("incident", "list")
    assert table.exit_code == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split()[:3] == ["ID", "TITLE", "SCHOOL"]
    assert lines[1].split()[0] == str(center.ids["overdue"]) and "新建" in lines[1] and "已超时" in lines[1]
    shown = (center.now - timedelta(hours=3)).astimezone(UTC) + timedelta(hours=8)
    assert shown.strftime("%Y-%m-%d %H:%M+08:00") in lines[1]


def test_list_all_and_by_school(center: Center) -> None:
    everything = center.json("incident", "list", "--all")
    assert isinstance(everything, list)
    assert everything[-1]["id"] == center.ids["closed"] and everything[-1]["state"] == "closed"
    other = center.json("incident", "list", "--school", OTHER_SCHOOL)
    assert [row["id"] for row in other] == [center.ids["running"]]  # type: ignore[union-attr]
    empty = center.run("incident", "list", "--school", "4111019999")
    assert empty.exit_code == 0 and empty.stdout == "" and "No open cases" in empty.stderr


def test_show_has_facts_clocks_center_alerts_and_audit(center: Center) -> None:
    webshell = center.ids["webshell"]
    found = center.json("incident", "show", str(webshell))
    assert isinstance(found, dict)
    assert found["id"] == webshell and found["school"] == SCHOOL
    assert found["groups"] == ["10.20.0.5|playbook:webshell"]
    assert found["facts"]["opened_by"] == "center-auto"
    assert found["center_alerts"] == 3 and len(found["center_alert_ids"]) == 3
    assert [(e["actor"], e["action"]) for e in found["audit"]] == [("center-auto", "open")]
    assert found["audit"][0]["at"].endswith("+08:00")
    assert all(clock["due_at"].endswith("+08:00") for clock in found["clocks"])
    overdue = center.json("incident", "show", str(center.ids["overdue"]))
    assert isinstance(overdue, dict)
    assert overdue["clocks"][0]["status"] == "overdue" and overdue["center_alerts"] == 0
    table = center.run("incident", "show", str(webshell))
    assert table.exit_code == 0, table.stderr
    assert "center_alerts" in table.stdout and "10.20.0.5|playbook:webshell" in table.stdout
    assert "+08:00" in table.stdout and "center-auto" in table.stdout and "\naudit\n" in table.stdout


def test_a_missing_case_is_one_line(center: Center) -> None:
    running = str(center.ids["running"])
    for args in (["show", "999"], ["ack", "999", "--as", "zhang"], ["merge", running, "999", "--reason", "x"]):
        line = _one_error_line(center.run("incident", *args))
        assert "no case #999" in line and "secops center incident list" in line


def test_duty_may_acknowledge_and_note_but_not_close(center: Center) -> None:
    case = center.ids["webshell"]
    acked = center.run("incident", "ack", str(case), "--as", "zhang", "--note", "电话已通知学校", lang="zh")
    assert acked.exit_code == 0, acked.stderr
    assert acked.stdout.strip() == f"事件 #{case} 已确认（值班员 zhang）"
    noted = center.run("incident", "note", str(case), "学校回电：已断网", "--as", "zhang")
    assert noted.exit_code == 0 and noted.stdout.strip() == f"Note added to case #{case} (duty officer zhang)"
    line = _one_error_line(center.run("incident", "close", str(case), "--as", "zhang", "--reason", "误报", lang="zh"))
    assert "值班员 zhang 无权关闭事件" in line and "分析员" in line
    assert center.case(case).state == "acknowledged"
    assert center.audit(case)[1:] == [("zhang", "acknowledged"), ("zhang", "note")]


def test_analyst_grades_with_a_reason_and_assigns(center: Center) -> None:
    case = center.ids["running"]
    line = _one_error_line(center.run("incident", "grade", str(case), "重大", "--as", "li", lang="zh"))
    assert "需要填写理由" in line
    done = center.run("incident", "grade", str(case), "重大", "--as", "li", "--reason", "涉及学生个人信息", lang="zh")
    assert done.exit_code == 0 and done.stdout.strip() == f"事件 #{case} 已定级为重大（分析员 li）"
    bad = _one_error_line(center.run("incident", "grade", str(case), "超大", "--as", "li", "--reason", "x"))
    assert "超大" in bad
    assigned = center.run("incident", "assign", str(case), "李工", "--as", "li")
    assert assigned.exit_code == 0 and assigned.stdout.strip() == f"Case #{case} assigned to 李工 (analyst li)"
    found = center.case(case)
    assert (found.grade, found.owner, found.facts["grade_reason"]) == ("重大", "李工", "涉及学生个人信息")
    assert center.audit(case)[1:] == [("li", "grade"), ("li", "assign")]


def test_merge_moves_the_alerts_and_closes_the_other_case(center: Center) -> None:
    into, other = center.ids["webshell"], center.ids["crypt"]
    line = _one_error_line(center.run("incident", "merge", str(into), str(other), "--as", "li", lang="zh"))
    assert "需要填写理由" in line
    merged = center.run("incident", "merge", str(into), str(other), "--as", "li", "--reason", "同一次入侵", lang="zh")
    assert merged.exit_code == 0, merged.stderr
    assert merged.stdout.strip() == f"事件 #{other} 已合并到 #{into}（分析员 li）"
    state = open_state(center.home)
    try:
        assert len(claimed_alert_ids(state, into)) == 5 and claimed_alert_ids(state, other) == []
    finally:
        state.dispose()
    source = center.case(other)
    assert source.state == "closed" and source.facts["close_reason"] == f"合并到 #{into}：同一次入侵"
    found = center.json("incident", "show", str(into))
    assert isinstance(found, dict)
    assert found["center_alerts"] == 5 and found["merged"] == [other] and len(found["groups"]) == 2
    assert ("li", "merge") in center.audit(into)
    assert center.audit(other)[-2:] == [("li", "merged-into"), ("li", "closed")]
    listed = center.json("incident", "list")
    assert other not in [row["id"] for row in listed]  # type: ignore[union-attr]


def test_close_then_reopen_and_the_host_user_acts_as_administrator(center: Center) -> None:
    case = center.ids["overdue"]
    _one_error_line(center.run("incident", "close", str(case), "--as", "li"))  # no reason
    closed = center.run("incident", "close", str(case), "--as", "li", "--reason", "误报：扫描器的正常探测", lang="zh")
    assert closed.exit_code == 0 and closed.stdout.strip() == f"事件 #{case} 已关闭（分析员 li）"
    assert center.case(case).facts["close_reason"] == "误报：扫描器的正常探测"
    again = _one_error_line(center.run("incident", "close", str(case), "--as", "li", "--reason", "x", lang="zh"))
    assert "已经关闭" in again
    reopened = center.run("incident", "reopen", str(case), "--reason", "学校报告仍有异常外联", lang="zh")
    host = f"host:{getpass.getuser()}"
    assert reopened.exit_code == 0 and reopened.stdout.strip() == f"事件 #{case} 已重新打开（管理员 {host}）"
    assert center.case(case).state == "acknowledged"
    assert center.audit(case)[1:] == [("li", "close-reason"), ("li", "closed"), (host, "reopen")]
    audit = center.json("incident", "show", str(case))["audit"]  # type: ignore[index]
    assert audit[-1]["detail"]["to"] == "acknowledged" and audit[-1]["actor"] == host
    state = open_state(center.home)
    try:  # every action went into the center's chain, which still verifies with its key
        count, problem = verify(state, audit_key(center.home, state))
    finally:
        state.dispose()
    assert problem is None and count == 6 + 1 + 3  # opened, one closed by hand, then these


def test_unknown_or_disabled_staff_and_a_stale_version_are_refused(center: Center) -> None:
    case = str(center.ids["plain"])
    assert "no center staff account 'nobody'" in _one_error_line(center.run("incident", "ack", case, "--as", "nobody"))
    assert "is disabled" in _one_error_line(center.run("incident", "ack", case, "--as", "gone"))
    version = center.case(center.ids["plain"]).version
    ok = center.run("incident", "assign", case, "王工", "--as", "wang", "--version", str(version), lang="zh")
    assert ok.exit_code == 0 and "管理员 wang" in ok.stdout
    stale = center.run("incident", "assign", case, "赵工", "--as", "wang", "--version", str(version))
    _one_error_line(stale)
    assert center.case(center.ids["plain"]).owner == "王工"


def test_user_roles(center: Center) -> None:
    assert ROLE_CHOICES == ROLES
    added = center.run("user", "add", "zhao", "--role", "analyst", "--password-stdin", stdin=PASSWORD + "\n", lang="zh")
    assert added.exit_code == 0, added.stderr
    assert "分析员（analyst）" in added.stdout
    plain = center.run("user", "add", "qian", "--password-stdin", stdin=PASSWORD + "\n")
    assert plain.exit_code == 0 and "duty officer (duty)" in plain.stdout
    changed = center.run("user", "role", "zhang", "--role", "analyst", lang="zh")
    assert changed.exit_code == 0 and changed.stdout.strip() == "zhang 现在的角色是分析员（analyst）。"
    assert "no user 'nobody'" in _one_error_line(center.run("user", "role", "nobody", "--role", "admin"))
    assert center.run("user", "role", "zhang", "--role", "boss").exit_code == 2  # click's choice
    users = center.json("user", "list")
    assert isinstance(users, list)
    roles = {u["username"]: (u["role"], u["role_name"]) for u in users}
    assert roles["zhao"] == ("analyst", "analyst") and roles["qian"] == ("duty", "duty officer")
    assert roles["zhang"] == ("analyst", "analyst") and roles["wang"] == ("admin", "administrator")
    table = center.run("user", "list")
    assert "ROLE_NAME" in table.stdout and "administrator" in table.stdout
    table = center.run("user", "list", lang="zh")
    assert "角色" in table.stdout.splitlines()[0] and "管理员" in table.stdout and "有效" in table.stdout
    # The new role applies at once: zhang may close now.
    state = open_state(center.home)
    try:
        account = get_user(state, "zhang")
    finally:
        state.dispose()
    assert account is not None and account.role == "analyst"
    case = str(center.ids["plain"])
    done = center.run("incident", "close", case, "--as", "zhang", "--reason", "重复上报", lang="zh")
    assert done.exit_code == 0 and "分析员 zhang" in done.stdout


def test_chinese_by_default_english_with_lang_en(center: Center, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECOPS_LANG", "zh")  # what a person gets without --lang
    table = center.run("incident", "list")
    assert table.exit_code == 0 and table.stdout.splitlines()[0].split()[:3] == ["编号", "标题", "学校"]
    empty = center.run("incident", "list", "--school", "4111019999")
    assert empty.exit_code == 0 and empty.stdout == "" and empty.stderr.strip() == "没有未关闭的事件。"
    missing = _one_error_line(center.run("incident", "show", "999"))
    assert missing.startswith("secops：错误：本中心没有事件 #999") and "见 secops center incident list" in missing
    shown = center.run("incident", "show", str(center.ids["webshell"]))
    assert "\n审计记录\n" in shown.stdout and "中心告警数" in shown.stdout
    english = center.run("incident", "list", "--school", "4111019999", lang="en")
    assert english.stderr.strip() == "No open cases."


def test_jsonl_lists_one_case_a_line(center: Center) -> None:
    result = center.run("incident", "list", "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    listed = center.json("incident", "list")
    assert isinstance(listed, list) and [row["id"] for row in rows] == [row["id"] for row in listed]
    shown = center.run("incident", "show", str(center.ids["webshell"]), "--format", "jsonl")
    assert len(shown.stdout.splitlines()) == 1 and json.loads(shown.stdout)["id"] == center.ids["webshell"]
    assert center.run("incident", "list", "--format", "text").exit_code == 2


def test_case_ids_and_staff_accounts_complete_from_the_center(center: Center) -> None:
    from click.shell_completion import ShellComplete

    def complete(args: list[str], incomplete: str) -> list[str]:
        completion = ShellComplete(cli, {}, "secops", "_SECOPS_COMPLETE")
        return [item.value for item in completion.get_completions(args, incomplete)]

    home = ["center", "--home", str(center.home)]
    cases = complete([*home, "incident", "show"], "")
    assert set(cases) == {str(i) for i in center.ids.values()}
    assert complete([*home, "incident", "ack", "1", "--as"], "zh") == ["zhang"]
    assert complete(["center", "--home", str(center.tmp / "nowhere"), "incident", "show"], "") == []
