"""``secops dengbao system filed|assessed``, ``dengbao calendar`` and ``scheduler add assess`` through the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SCHOOL_CODE, SCHOOL_NAME, Invoke


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    """A command run with --lang (or a workspace language) leaves its choice in this process."""
    from secops.i18n import set_language

    yield
    set_language(None)


INIT = ["init", "--school-code", SCHOOL_CODE, "--school-name", SCHOOL_NAME, "--scope", "127.0.0.1/32"]


@pytest.fixture
def school(run_cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    monkeypatch.setenv("SECOPS_NOW", "2026-11-23T10:00:00+08:00")
    assert run_cli(*INIT).exit_code == 0
    for name, level in (("门户网站", "2"), ("学籍管理系统", "3"), ("一卡通系统", "3")):
        assert run_cli("dengbao", "system", "add", name, "--level", level).exit_code == 0
    steps = [
        ("system", "filed", "门户网站", "--date", "2024-03-01", "--number", "41010099001-24001"),
        ("system", "filed", "学籍管理系统", "--date", "2023-06-10"),
        (
            "system",
            "assessed",
            "学籍管理系统",
            "--date",
            "2024-06-01",
            "--org",
            "某某测评中心",
            "--conclusion",
            "基本符合",
        ),
        ("system", "assessed", "学籍管理系统", "--date", "2025-05-20", "--org", "某某测评中心", "--conclusion", "符合"),
        ("system", "filed", "一卡通系统", "--date", "2025-12-20", "--number", "41010099001-25007"),
    ]
    for step in steps:
        result = run_cli("dengbao", *step)
        assert result.exit_code == 0, result.stderr
    return run_cli


def test_calendar_json_and_table_exit_1_when_overdue(school: Invoke) -> None:
    result = school("dengbao", "calendar", "--format", "json")
    assert result.exit_code == 1  # 学籍管理系统's yearly assessment was due 2026-05-20
    entries = {e["system"]: e for e in json.loads(result.stdout)}
    # filed before 2025: 3 years from 2025-01-01 (Q6); 学籍管理系统's 2025 assessment adds one
    assert entries["门户网站"]["certificate_valid_until"] == "2028-01-01"
    assert entries["门户网站"]["extension_window"] == {
        "opens_on": "2027-10-01",
        "closes_on": "2028-01-01",
        "open": False,
    }
    extension = next(d for d in entries["门户网站"]["deadlines"] if d["kind"] == "extension")
    assert extension["due_on"] == "2027-10-01" and "所在地公安机关网安部门" in extension["basis"]
    assert entries["学籍管理系统"]["certificate_valid_until"] == "2029-01-01"
    assert entries["学籍管理系统"]["next_assessment"] == "2026-05-20"
    assert entries["学籍管理系统"]["last_assessment"]["conclusion"] == "符合"
    assert entries["一卡通系统"]["next_assessment"] == "2026-12-20"
    assert entries["学籍管理系统"]["overdue"] == ["年度等级测评"]

    english = school("dengbao", "calendar")
    assert english.exit_code == 1
    header = english.stdout.splitlines()[0]
    assert "VALID UNTIL" in header and "EXTENSION" in header and "NEXT ASSESSMENT" in header
    assert "to be filled in" in english.stdout and "2026-05-20 (overdue)" in english.stdout
    assert "2026-12-20 (27 days)" in english.stdout
    table = school("--lang", "zh", "dengbao", "calendar")  # Chinese is the default outside the tests
    assert table.exit_code == 1
    lines = table.stdout.splitlines()
    assert "有效期至" in lines[0] and "延续申请" in lines[0] and "下次测评" in lines[0]
    xueji = next(line for line in lines if line.startswith("学籍管理系统"))
    assert "2026-05-20（已逾期）" in xueji and "2029-01-01" in xueji and "2028-10-01" in xueji and "待填写" in xueji
    card = next(line for line in lines if line.startswith("一卡通系统"))
    assert "2026-12-20（27 天）" in card

    only = school("dengbao", "calendar", "--system", "一卡通系统", "--format", "json")
    assert only.exit_code == 0 and [e["system"] for e in json.loads(only.stdout)] == ["一卡通系统"]


def test_notify_sends_each_reminder_once(school: Invoke, tmp_path: Path) -> None:
    log = tmp_path / "ws" / "incident-notices.log"
    first = school("dengbao", "calendar", "--system", "一卡通系统", "--notify")
    assert first.exit_code == 0 and "sent: 【等保提醒】" in first.stderr and "2026-12-20" in first.stderr
    again = school("dengbao", "calendar", "--notify", "--format", "json")
    assert "no reminders due today" in again.stderr
    sent = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [(s["system"], s["days_before"]) for s in sent] == [("一卡通系统", 30)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["filed", "一卡通系统", "--date", "2026-12-01"], "in the future"),
        (["filed", "一卡通系统", "--date", "1998-01-01"], "before 2000"),
        (["filed", "一卡通系统", "--date", "01.03.2026"], "not a date"),
        (["assessed", "一卡通系统", "--date", "2027-01-01", "--org", "X", "--conclusion", "符合"], "in the future"),
        (["filed", "无此系统", "--date", "2026-01-01"], "no system named"),
    ],
)
def test_bad_dates_and_names_exit_2(school: Invoke, args: list[str], message: str) -> None:
    result = school("dengbao", "system", *args)
    assert result.exit_code == 2 and message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_level_one_filing_is_refused(school: Invoke) -> None:
    assert school("dengbao", "system", "add", "图书馆门户", "--level", "1").exit_code == 0
    result = school("dengbao", "system", "filed", "图书馆门户", "--date", "2025-01-01")
    assert result.exit_code == 2 and "only level 2 and above" in result.stderr


def test_scheduler_add_assess(school: Invoke) -> None:
    refused = school("scheduler", "add", "assess", "--system", "门户网站", "--cron", "0 3 * * 1")
    assert refused.exit_code == 2 and "nothing to assess automatically" in refused.stderr
    unknown = school("scheduler", "add", "assess", "--system", "无此系统", "--cron", "0 3 * * 1", "--local")
    assert unknown.exit_code == 2 and "no system named" in unknown.stderr
    missing = school("scheduler", "add", "assess", "--cron", "0 3 * * 1")
    assert missing.exit_code == 2 and "--system" in missing.stderr
    outside = school(
        "scheduler", "add", "assess", "--system", "门户网站", "--cron", "0 3 * * 1", "--target", "10.9.9.9"
    )
    assert outside.exit_code == 2 and "outside the workspace scope" in outside.stderr
    added = school("scheduler", "add", "assess", "--system", "学籍管理系统", "--cron", "0 3 * * 1", "--local")
    assert added.exit_code == 0, added.stderr
    jobs = json.loads(school("scheduler", "list", "--format", "json").stdout)
    assert [(j["kind"], j["system"], j["local"], j["cron"]) for j in jobs] == [
        ("assess", "学籍管理系统", True, "0 3 * * 1")
    ]
    assert jobs[0]["id"].startswith("assess-")


def test_scheduled_assess_keeps_its_vantage(school: Invoke) -> None:
    """6.4.3.1 needs the scan's vantage: a scheduled run keeps the one it was added with."""
    added = school(
        "scheduler", "add", "assess", "--system", "学籍管理系统", "--cron", "0 3 * * 1", "--local",
        "--scanned-from", "outside",
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    jobs = json.loads(school("scheduler", "list", "--format", "json").stdout)
    assert [(j["system"], j["scanned_from"]) for j in jobs] == [("学籍管理系统", "outside")]
    wrong = school(
        "scheduler", "add", "assess", "--system", "学籍管理系统", "--cron", "0 3 * * 1", "--local",
        "--scanned-from", "internet",
    )  # fmt: skip
    assert wrong.exit_code == 2 and "--scanned-from" in wrong.stderr
