"""The demo's compliance step: the school's three 等保 systems at levels 2, 3 and 3, with the facts a
compliance officer records (filings, an official 等级测评), and the compliance calendar they give.

The portal (level 2) was graded and assessed in step 3; 学籍与成绩管理系统 and 招生考试系统 are graded
from the education presets, as ``secops dengbao grade --preset`` suggests. The 学籍 system was filed
three years ago and assessed twice since, so its certificate runs on and its next yearly 等级测评 is
close; the portal was filed two years ago; 招生考试系统 has just been graded and is not filed yet.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Shanghai")
PRESET_SYSTEMS = (("student-records", "学籍与成绩管理系统", "xueji"), ("admissions", "招生考试系统", "zhaosheng"))
RECORDS_SYSTEM = "学籍与成绩管理系统"  # the one whose 定级报告 and 备案表 the demo builds
ASSESSOR = "示例网络安全测评中心（演示）"


def _years_ago(today: date, years: int, days: int = 0) -> date:
    from secops.dengbao.calendar import add_years

    return add_years(today, -years) - timedelta(days=days)


def _line(entry: dict[str, Any]) -> str:
    from secops.dengbao.calendar import deadline_text

    filed = f"备案 {entry['filed_on']}" if entry["filed_on"] else f"未备案，期限 {deadline_text(entry, 'filing')}"
    parts = [f"{entry['system']} 第{entry['level']}级", filed]
    if entry["filed_on"]:
        parts.append(f"备案证明有效期至 {deadline_text(entry, 'certificate')}")
    if assessment := deadline_text(entry, "assessment"):
        parts.append(f"下次等级测评 {assessment}")
    return " · ".join(parts)


def run_compliance_step(
    workspace_dir: Path, portal: str, *, now: datetime, progress: Callable[[str], None]
) -> list[str]:
    """Grade the two preset systems, record filings and assessments, return the calendar lines."""
    from secops.config import load_workspace
    from secops.dengbao.calendar import OfficialAssessment, compliance_calendar, record_filing, record_official
    from secops.dengbao.presets import find_preset
    from secops.dengbao.systems import get_system, save_system
    from secops.workspace import open_workspace_store

    today = now.astimezone(ZONE).date()
    with open_workspace_store(load_workspace(workspace_dir)) as store:
        for preset_id, name, tag in PRESET_SYSTEMS:
            preset = find_preset(preset_id)
            grading = preset.grading()
            save_system(
                store,
                name=name,
                level=grading.level,
                extensions=preset.extensions,
                asset_tag=tag,
                description=preset.description,
                grading=grading.as_dict(),
                now=now,
                replace=True,
            )
        record_filing(store, get_system(store, portal), _years_ago(today, 2), "41330013001-24001", now)
        records = get_system(store, RECORDS_SYSTEM)
        record_filing(store, records, _years_ago(today, 3), "41330013001-23002", now)
        for years, days, conclusion in ((2, 0, "基本符合"), (1, -20, "符合")):  # the last one 11 months ago
            assessed = OfficialAssessment(_years_ago(today, years, days), ASSESSOR, conclusion, "")
            record_official(store, records, assessed, now)
        lines = [_line(entry) for entry in compliance_calendar(store, today)]
    for line in lines:
        progress(f"      {line}")
    return lines
