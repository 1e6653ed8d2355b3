"""备案证明 validity after the 2025 answers (Q6), its extension window, level 5 (Q9, Q11).

Pure tests of ``system_calendar`` (the facts are passed in) plus the reminders through a workspace.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from secops.config import Workspace
from secops.dengbao.calendar import (
    Filing,
    OfficialAssessment,
    add_months,
    filing_authority,
    record_filing,
    record_official,
    system_calendar,
)
from secops.dengbao.reminders import check_reminders
from secops.dengbao.systems import System, save_system
from secops.notify import LOG_FILE, make_channel
from secops.store import Store
from secops.workspace import open_workspace_store

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def _system(level: int) -> System:
    return System(
        id=1,
        name="学籍管理系统",
        level=level,
        extensions=(),
        asset_tag="",
        description="",
        grading=None,
        created_at=NOW,
        updated_at=NOW,
    )


def _assessed(*days: date) -> list[OfficialAssessment]:
    return [OfficialAssessment(day, "某某测评中心", "基本符合", "") for day in days]


def _entry(filed: date, assessed: tuple[date, ...] = (), today: date = date(2026, 11, 23), level: int = 3) -> Any:
    return system_calendar(_system(level), Filing(filed, ""), _assessed(*assessed), None, today)


def _kinds(entry: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["kind"]: d for d in entry["deadlines"]}


def test_filed_2018_assessed_2020_is_valid_into_2028_with_an_extension_deadline() -> None:
    entry = _entry(date(2018, 5, 10), (date(2020, 6, 1),), level=2)
    # the 3 years count from 2025-01-01; the 2020 assessment predates that start and adds nothing
    assert entry["certificate_valid_until"] == date(2028, 1, 1)
    assert entry["assessments_counted"] == 0 and entry["overdue"] == []
    deadlines = _kinds(entry)
    assert deadlines["certificate"]["due_on"] == date(2028, 1, 1) and not deadlines["certificate"]["overdue"]
    assert "自 2025-01-01 起" in deadlines["certificate"]["basis"]
    extension = deadlines["extension"]
    assert extension["due_on"] == date(2027, 10, 1)  # three months before expiry
    assert extension["name"] == "备案证明延续申请期开始" and "2027-10-01 至 2028-01-01" in extension["basis"]
    assert entry["extension_window"] == {"opens_on": date(2027, 10, 1), "closes_on": date(2028, 1, 1), "open": False}


@pytest.mark.parametrize(
    ("filed", "assessed", "valid_until", "counted"),
    [
        # the day before 2025: restarts on 2025-01-01; an assessment the same day predates the start
        (date(2024, 12, 31), (), date(2028, 1, 1), 0),
        (date(2024, 12, 31), (date(2024, 12, 31),), date(2028, 1, 1), 0),
        (date(2024, 12, 31), (date(2025, 1, 1),), date(2029, 1, 1), 1),
        # the first day of 2025: from the filing date, which is the same day
        (date(2025, 1, 1), (), date(2028, 1, 1), 0),
        (date(2025, 1, 1), (date(2025, 1, 1),), date(2029, 1, 1), 1),
        # after: from the filing date; an assessment before the filing does not count
        (date(2025, 1, 2), (), date(2028, 1, 2), 0),
        (date(2025, 3, 1), (date(2025, 2, 28),), date(2028, 3, 1), 0),
        # each completed assessment on or after the start adds a year
        (date(2025, 3, 1), (date(2025, 3, 1), date(2026, 2, 1)), date(2030, 3, 1), 2),
        (date(2019, 7, 1), (date(2023, 5, 1), date(2025, 5, 1), date(2026, 5, 1)), date(2030, 1, 1), 2),
        # 29 February: 28 February in a common year
        (date(2028, 2, 29), (), date(2031, 2, 28), 0),
    ],
)
def test_validity_at_the_edges(filed: date, assessed: tuple[date, ...], valid_until: date, counted: int) -> None:
    entry = _entry(filed, assessed, today=max(filed, date(2026, 11, 23)))
    assert (entry["certificate_valid_until"], entry["assessments_counted"]) == (valid_until, counted)
    assert _kinds(entry)["extension"]["due_on"] == add_months(valid_until, -3)


def test_extension_deadline_runs_until_its_window_opens_then_the_expiry_counts() -> None:
    filed = date(2018, 5, 10)
    on_opening = _entry(filed, today=date(2027, 10, 1), level=2)
    assert _kinds(on_opening)["extension"]["days_left"] == 0 and on_opening["extension_window"]["open"]
    inside = _entry(filed, today=date(2027, 10, 2), level=2)
    assert "extension" not in _kinds(inside) and inside["extension_window"]["open"] is True
    assert inside["overdue"] == [] and any("延续申请期内" in note for note in inside["notes"])
    expired = _entry(filed, today=date(2028, 1, 2), level=2)
    assert expired["overdue"] == ["备案证明到期"] and expired["extension_window"]["open"] is False


def test_add_months_falls_back_to_the_month_end() -> None:
    assert add_months(date(2028, 1, 1), -3) == date(2027, 10, 1)
    assert add_months(date(2028, 5, 31), -3) == date(2028, 2, 29)
    assert add_months(date(2029, 5, 31), -3) == date(2029, 2, 28)
    assert add_months(date(2028, 12, 31), 2) == date(2029, 2, 28)


@pytest.mark.parametrize("level", [3, 4, 5])
def test_levels_3_to_5_are_assessed_every_year(level: int) -> None:
    entry = _entry(date(2025, 3, 1), (date(2025, 9, 1),), level=level)
    assert entry["next_assessment"] == date(2026, 9, 1)
    assert "第三级至第五级每年测评" in _kinds(entry)["assessment"]["basis"]


def test_level_2_has_no_yearly_assessment_deadline() -> None:
    assert "assessment" not in _kinds(_entry(date(2025, 3, 1), level=2))


def test_level_5_files_with_the_provincial_authority() -> None:
    assert filing_authority(5) == "省级公安机关网安部门"
    assert filing_authority(2) == filing_authority(4) == "所在地公安机关网安部门"
    filed = _entry(date(2025, 3, 1), level=5)
    assert filed["filing_authority"] == "省级公安机关网安部门"
    assert "省级公安机关网安部门" in _kinds(filed)["extension"]["basis"]
    unfiled = system_calendar(_system(5), None, [], None, date(2026, 11, 23))
    assert "省级公安机关网安部门" in _kinds(unfiled)["filing"]["basis"]
    assert _entry(date(2025, 3, 1), level=3)["filing_authority"] == "所在地公安机关网安部门"


@pytest.fixture
def store(workspace: Workspace) -> Iterator[Store]:
    with open_workspace_store(workspace) as opened:
        yield opened


def test_the_2018_filing_is_reminded_before_its_extension_window(store: Store, workspace: Workspace) -> None:
    system, _ = save_system(
        store, name="门户网站", level=2, extensions=(), asset_tag="", description="", grading=None, now=NOW
    )
    record_filing(store, system, date(2018, 5, 10), "41010099001-18001", NOW)
    record_official(store, system, OfficialAssessment(date(2020, 6, 1), "某某测评中心", "符合", ""), NOW)

    def check(day: date) -> list[tuple[str, int]]:
        moment = datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC)
        sent = check_reminders(store, [make_channel("log")], workspace.path, moment, day, sleep=lambda _s: None)
        return [(str(s["deadline"]), int(s["days_before"])) for s in sent]

    assert check(date(2026, 11, 23)) == []  # nothing due: not "expired 2022-05-10"
    assert check(date(2027, 9, 1)) == [("extension", 30)]
    assert check(date(2027, 9, 24)) == [("extension", 7)]
    assert check(date(2027, 9, 30)) == [("extension", 1)]
    assert check(date(2027, 10, 1)) == []  # the window is open: the expiry's reminders follow
    assert check(date(2027, 12, 2)) == [("certificate", 30)]
    lines = [json.loads(line) for line in (workspace.path / LOG_FILE).read_text(encoding="utf-8").splitlines()]
    first = lines[0]
    assert first["deadline"] == "extension" and first["due_on"] == "2027-10-01"
    assert "申请延续" in first["text"] and "2028-01-01" in first["text"]


def test_grading_consequences_name_the_authority_and_the_2025_start() -> None:
    from secops.dengbao.grading import grade

    level5 = grade(("nation", "especially_serious"), ("society", "general")).consequences()
    assert any("向省级公安机关网安部门办理备案" in step for step in level5)
    level3 = " ".join(grade(("society", "serious"), ("citizen", "general")).consequences())
    assert "向所在地公安机关网安部门办理备案" in level3 and "2025 年 1 月 1 日" in level3
