"""Scheduled assessments record the trend of 符合率 and high risk; the 等保 report charts it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from secops.config import Workspace
from secops.dengbao.systems import get_system, latest_assessment, save_assessment, save_system
from secops.dengbao.trend import open_highrisk, record_run, trend_points
from secops.records.assessment import Assessment
from secops.reporting.build import build_to_file
from secops.scheduler import run_assess_job
from secops.workspace import open_workspace_store

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)


def _add_system(workspace: Workspace, name: str = "学籍管理系统") -> None:
    with open_workspace_store(workspace) as store:
        save_system(store, name=name, level=3, extensions=(), asset_tag="", description="", grading=None, now=NOW)


def test_the_scheduled_job_stores_the_assessment_and_its_trend_point(workspace: Workspace) -> None:
    _add_system(workspace)
    # The job as the scheduler calls it: this machine's host configuration is the automated evidence.
    run_assess_job(str(workspace.path), "学籍管理系统", [], local=True)
    with open_workspace_store(workspace) as store:
        system = get_system(store, "学籍管理系统")
        latest = latest_assessment(store, system)
        points = trend_points(store, system)
    assert latest is not None and latest.targets[0].name == "本机"
    assert len(points) == 1
    point = points[0]
    assert point["source"] == "scheduled" and point["level"] == 3
    assert point["rate"] == latest.rate and point["conclusion"] == latest.conclusion
    assert point["highrisk"] == open_highrisk(latest) and point["score_2019"] == latest.score_2019


def test_a_failing_job_logs_instead_of_raising(workspace: Workspace, caplog: pytest.LogCaptureFixture) -> None:
    run_assess_job(str(workspace.path), "没有这个系统", [], local=True)  # no such system: an error line, no crash
    assert "no system named" in caplog.text


def test_manual_runs_join_the_trend_and_the_report_charts_it(workspace: Workspace, tmp_path: Path) -> None:
    _add_system(workspace)
    template = {
        "level": 3,
        "assessed_at": NOW.isoformat(),
        "conclusion": "不符合",
        "score_2019": 55.0,
        "highrisk": [{"case": "6.4.1.1", "unmitigated": True}, {"case": "6.4.6.1", "unmitigated": False}],
    }
    with open_workspace_store(workspace) as store:
        system = get_system(store, "学籍管理系统")
        # Run 1 by hand (secops dengbao assess stores only the assessment), run 2 scheduled.
        first = Assessment.from_json({**template, "rate": 0.42})
        save_assessment(store, system, first, NOW - timedelta(days=14))
        second = Assessment.from_json({**template, "rate": 0.61, "conclusion": "基本符合", "highrisk": []})
        second_id = save_assessment(store, system, second, NOW)
        record_run(store, system, second, second_id, NOW, "scheduled")
        points = trend_points(store, system)
    assert [(p["source"], p["rate"], p["highrisk"]) for p in points] == [("manual", 0.42, 1), ("scheduled", 0.61, 0)]

    # The report needs a full assessment: run the real one last (it is the latest), then build.
    run_assess_job(str(workspace.path), "学籍管理系统", [], local=True)
    output = tmp_path / "gap.html"
    with open_workspace_store(workspace) as store:
        build_to_file("dengbao", output, workspace, store, NOW, params={"system": "学籍管理系统"})
        assert len(trend_points(store, get_system(store, "学籍管理系统"))) == 3
    html = output.read_text(encoding="utf-8")
    assert "符合率与高风险问题趋势" in html
    trend = html.split("符合率与高风险问题趋势</h2>", 1)[1].split("高风险问题</h2>", 1)[0]
    assert trend.count('<figure class="chart">') == 2 and trend.count("<svg") == 2
    assert "42.0%" in trend and "61.0%" in trend and "计划任务" in trend and "手动" in trend


def test_one_point_gives_no_trend_section(workspace: Workspace, tmp_path: Path) -> None:
    _add_system(workspace)
    run_assess_job(str(workspace.path), "学籍管理系统", [], local=True)
    output = tmp_path / "gap.html"
    with open_workspace_store(workspace) as store:
        build_to_file("dengbao", output, workspace, store, NOW, params={"system": "学籍管理系统"})
    assert "符合率与高风险问题趋势" not in output.read_text(encoding="utf-8")
