"""The compliance calendar and its reminders: a school with systems at levels 2, 3 and 3."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from secops.config import Workspace
from secops.dengbao.calendar import (
    OfficialAssessment,
    add_years,
    compliance_calendar,
    parse_date,
    record_filing,
    record_official,
)
from secops.dengbao.reminders import check_reminders, reminders_sent, window
from secops.dengbao.systems import System, remove_system, save_system
from secops.errors import SecopsError
from secops.notify import LOG_FILE, make_channel
from secops.store import Store
from secops.workspace import open_workspace_store

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.fixture
def store(workspace: Workspace) -> Iterator[Store]:
    with open_workspace_store(workspace) as opened:
        yield opened


def _system(store: Store, name: str, level: int) -> System:
    system, _ = save_system(
        store, name=name, level=level, extensions=(), asset_tag="", description="", grading=None, now=NOW
    )
    return system


@pytest.fixture
def school(store: Store) -> Store:
    portal = _system(store, "门户网站", 2)
    xueji = _system(store, "学籍管理系统", 3)
    card = _system(store, "一卡通系统", 3)
    record_filing(store, portal, date(2024, 3, 1), "41010099001-24001", NOW)
    record_filing(store, xueji, date(2023, 6, 10), "", NOW)
    for day in (date(2024, 6, 1), date(2025, 5, 20)):
        record_official(store, xueji, OfficialAssessment(day, "某某测评中心", "基本符合", ""), NOW)
    record_filing(store, card, date(2025, 12, 20), "41010099001-25007", NOW)
    return store


def _by_name(store: Store, today: date = TODAY) -> dict[str, dict[str, object]]:
    return {entry["system"]: entry for entry in compliance_calendar(store, today)}


def test_yearly_assessments_and_certificate_expiry(school: Store) -> None:
    calendar = _by_name(school)
    portal, xueji, card = calendar["门户网站"], calendar["学籍管理系统"], calendar["一卡通系统"]
    # Level 2 filed in 2024: 3 years from 2025-01-01 (Q6), no assessment yet; no yearly assessment
    # deadline of its own; the extension window opens 3 months before expiry.
    assert portal["certificate_valid_until"] == date(2028, 1, 1)
    assert portal["next_assessment"] is None
    assert [d["kind"] for d in portal["deadlines"]] == ["certificate", "extension"]  # type: ignore[attr-defined]
    # Level 3 filed in 2023: from 2025-01-01, +1 for the 2025 assessment (the 2024 one predates the
    # restart); next assessment a year after the last.
    assert xueji["certificate_valid_until"] == date(2029, 1, 1)
    assert xueji["assessments_counted"] == 1
    assert xueji["last_assessment"]["date"] == date(2025, 5, 20)  # type: ignore[index]
    assert xueji["next_assessment"] == date(2026, 5, 20)
    assert xueji["overdue"] == ["年度等级测评"]
    # Level 3, filed last December, never assessed: the first assessment is due a year after filing.
    assert card["next_assessment"] == date(2026, 12, 20) and card["certificate_valid_until"] == date(2028, 12, 20)
    assert card["overdue"] == [] and card["certificate_no"] == "41010099001-25007"
    # The day after its expiry, the certificate of the level-2 system has expired too.
    later = _by_name(school, date(2028, 1, 2))
    assert later["门户网站"]["overdue"] == ["备案证明到期"]


def test_assessment_before_filing_does_not_extend_the_certificate(store: Store) -> None:
    system = _system(store, "OA", 3)
    record_official(store, system, OfficialAssessment(date(2025, 1, 5), "某测评机构", "符合", "R-1"), NOW)
    record_filing(store, system, date(2025, 3, 1), "", NOW)
    entry = _by_name(store)["OA"]
    assert entry["assessments_counted"] == 0 and entry["certificate_valid_until"] == date(2028, 3, 1)
    assert entry["overdue"] == ["年度等级测评"]
    assert entry["certificate_no"] is None  # unknown stays unknown


def test_level_one_is_not_filed_and_unfiled_systems_are_marked(store: Store) -> None:
    level1 = _system(store, "图书馆门户", 1)
    with pytest.raises(SecopsError, match="only level 2 and above"):
        record_filing(store, level1, date(2025, 1, 1), "", NOW)
    _system(store, "录播系统", 2)
    calendar = _by_name(store)
    assert calendar["图书馆门户"]["filing_required"] is False and calendar["图书馆门户"]["deadlines"] == []
    assert calendar["录播系统"]["filed_on"] is None
    assert any("待填写" in note for note in calendar["录播系统"]["notes"])  # type: ignore[attr-defined]


def test_unfiled_systems_must_be_filed_within_30_days_of_grading(store: Store) -> None:
    system = _system(store, "录播系统", 2)  # graded (added) on 2026-11-23, Beijing time
    filing = compliance_calendar(store, TODAY)[0]["deadlines"][0]
    assert (filing["kind"], filing["name"], filing["due_on"], filing["days_left"]) == (
        "filing",
        "办理备案",
        date(2026, 12, 23),
        30,
    )
    assert compliance_calendar(store, date(2026, 12, 24))[0]["overdue"] == ["办理备案"]
    record_filing(store, system, date(2026, 12, 1), "", NOW)  # once filed, the certificate counts instead
    kinds = [d["kind"] for d in compliance_calendar(store, date(2026, 12, 24))[0]["deadlines"]]
    assert kinds == ["certificate", "extension"]


def test_removing_a_system_removes_its_calendar_facts(school: Store) -> None:
    remove_system(school, "学籍管理系统")
    assert "学籍管理系统" not in _by_name(school)


def test_duplicate_official_assessment_is_refused(school: Store) -> None:
    from secops.dengbao.systems import get_system

    with pytest.raises(SecopsError, match="recorded already"):
        record_official(
            school, get_system(school, "学籍管理系统"), OfficialAssessment(date(2025, 5, 20), "X", "符合", ""), NOW
        )


@pytest.mark.parametrize(
    ("text", "message"),
    [("2026-11-24", "in the future"), ("1999-12-31", "before 2000"), ("2026/03/01", "not a date"), ("", "not a date")],
)
def test_bad_dates_are_refused(text: str, message: str) -> None:
    with pytest.raises(SecopsError, match=message):
        parse_date(text, option="--date", today=TODAY)
    assert parse_date(" 2026-11-23 ", option="--date", today=TODAY) == TODAY


def test_add_years_keeps_the_day_or_falls_back_from_29_february() -> None:
    assert add_years(date(2024, 2, 29), 3) == date(2027, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_reminder_windows() -> None:
    assert [window(d) for d in (31, 30, 8, 7, 2, 1, 0, -3)] == [None, 30, 30, 7, 7, 1, None, None]


def test_reminders_go_out_once_each_at_30_7_and_1_days(school: Store, workspace: Workspace) -> None:
    notifiers = [make_channel("log")]
    log = workspace.path / LOG_FILE

    def check(day: date) -> list[dict[str, object]]:
        moment = datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC)
        return check_reminders(
            school, notifiers, workspace.path, moment, day, school="测试实验中学", sleep=lambda _s: None
        )

    # 2026-11-23: the card system's first assessment is due 2026-12-20, 27 days away.
    sent = check(TODAY)
    assert [(s["system"], s["deadline"], s["days_before"]) for s in sent] == [("一卡通系统", "assessment", 30)]
    assert "一卡通系统" in str(sent[0]["text"]) and "2026-12-20" in str(sent[0]["text"])
    assert sent[0]["channels"] == {"1:log": "sent"}
    assert check(TODAY) == []  # the same day again: nothing
    assert check(TODAY + timedelta(days=5)) == []  # still in the 30-day window, already sent
    assert [s["days_before"] for s in check(date(2026, 12, 13))] == [7]
    assert check(date(2026, 12, 14)) == []
    assert [s["days_before"] for s in check(date(2026, 12, 19))] == [1]
    assert check(date(2026, 12, 20)) == [] and check(date(2026, 12, 21)) == []  # due or past: no reminder
    # Sent exactly three times in all, each recorded with its channels.
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [(line["system"], line["days_before"]) for line in lines] == [("一卡通系统", d) for d in (30, 7, 1)]
    recorded = reminders_sent(school)
    assert [r["days_before"] for r in recorded] == [30, 7, 1]
    assert all(r["due_on"] == date(2026, 12, 20) for r in recorded)
    # The level-2 certificate (valid to 2028-01-01) gets a reminder 30 days before its extension
    # window opens (2027-10-01), and one 30 days before it expires.
    assert [(s["system"], s["deadline"], s["days_before"]) for s in check(date(2027, 9, 1))] == [
        ("门户网站", "extension", 30)
    ]
    assert [(s["system"], s["deadline"], s["days_before"]) for s in check(date(2027, 12, 2))] == [
        ("门户网站", "certificate", 30)
    ]


def test_the_daily_scheduler_check_sends_through_the_workspace_notifiers(store: Store, workspace: Workspace) -> None:
    from zoneinfo import ZoneInfo

    from secops.scheduler import run_compliance_reminders

    # The built-in job uses the real clock: a level-3 system whose yearly assessment is 5 days away.
    today = datetime.now(UTC).astimezone(ZoneInfo(workspace.config.timezone)).date()
    system = _system(store, "智慧校园平台", 3)
    record_filing(store, system, add_years(today + timedelta(days=5), -1), "", NOW)
    (workspace.path / "notifiers.yaml").write_text("- {type: log}\n", encoding="utf-8")
    run_compliance_reminders(str(workspace.path))
    run_compliance_reminders(str(workspace.path))  # the next day's run (or a restart): nothing new
    lines = (workspace.path / LOG_FILE).read_text(encoding="utf-8").splitlines()
    assert [(json.loads(line)["system"], json.loads(line)["days_before"]) for line in lines] == [("智慧校园平台", 7)]
