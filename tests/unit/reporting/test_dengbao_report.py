"""The 差距分析 report (``dengbao``) in the order of a 2025 等级测评报告, from a real assessment."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from secops.config import Workspace
from secops.dengbao.systems import get_system, latest_assessment
from secops.records.assessment import Assessment
from secops.render.formats import render_bytes
from secops.render.model import Chart, Paragraph, Report, Table
from secops.reporting.build import build_report
from secops.reporting.dengbao_report import _remediation
from secops.workspace import open_workspace_store
from tests.conftest import NOW, SCHOOL_CODE, SCHOOL_NAME
from tests.unit.reporting.test_filing_report import _assess_exposed
from tests.unit.reporting.test_grading_report import add_demo_systems

SYSTEM = "学籍管理系统"


def _build(workspace: Workspace) -> tuple[Report, Assessment]:
    with open_workspace_store(workspace) as store:
        add_demo_systems(store)
        _assess_exposed(store, SYSTEM)
        result = latest_assessment(store, get_system(store, SYSTEM))
        assert result is not None
        return build_report("dengbao", workspace, store, NOW, params={"system": SYSTEM}), result


def _tables(report: Report) -> dict[str, Table]:
    return {t.title: t for t in report.tables()}


def test_structure_follows_the_2025_assessment_report(workspace: Workspace) -> None:
    report, _ = _build(workspace)
    assert report.headings()[:2] == ["一、测评结论", "二、被测对象描述"]
    titles = [s.title for s in report.sections]
    assert titles.index("安全问题") < titles.index("整改建议") < titles.index("全部要求项") == len(titles) - 1
    appendix = report.sections[-1]
    assert appendix.appendix and appendix.landscape and report.headings()[-1] == "附录A　全部要求项"
    conclusion = _tables(report)["测评结论"]
    fields = {row[0]: row[1] for row in conclusion.rows}
    assert {"综合得分（2019 模板）", "测评结论", "符合率"} <= set(fields)


def test_front_matter_and_signoff(workspace: Workspace) -> None:
    report, _ = _build(workspace)
    front = report.front
    assert front is not None
    assert front.number.startswith(f"DJBH-CJFX-{SCHOOL_CODE}-")
    assert dict(front.fields)["被测单位"] == SCHOOL_NAME and dict(front.fields)["定级对象"] == SYSTEM
    assert front.issuer == SCHOOL_NAME and front.date.endswith("日") and front.classification
    assert any("不能代替等级测评" in line for line in front.statement)
    assert report.signatures == ("编制", "审核", "批准")


def test_each_problem_has_a_risk_level_and_its_items(workspace: Workspace) -> None:
    report, result = _build(workspace)
    problems = _tables(report)["安全问题及风险等级（含高风险问题）"]
    assert problems.columns[:4] == ["序号", "安全问题", "风险等级", "涉及要求项"]
    levels = [str(row[2]) for row in problems.rows]
    assert set(levels) <= {"高", "中", "低"} and "高" in levels
    order = {"高": 0, "中": 1, "低": 2}
    assert levels == sorted(levels, key=order.__getitem__)  # high risk first
    failing = {i.id for i in result.items if i.result in ("不符合", "部分符合")}
    listed = {item for row in problems.rows for item in str(row[3]).split("、")}
    assert failing <= listed  # every failing item belongs to a problem
    high = [row for row in problems.rows if "高风险案例" in str(row[1])]
    assert {case for p in result.highrisk for case in [p.case]} == {
        str(r[1]).split("高风险案例 ")[1].rstrip("）") for r in high
    }


def test_remediation_comes_from_the_one_place(workspace: Workspace) -> None:
    report, result = _build(workspace)
    table = _tables(report)["不符合项及整改建议"]
    by_id = {i.id: i for i in result.items}
    assert table.columns == ["编号", "控制点", "风险", "整改建议"]
    assert table.rows and all(row[3] == _remediation(by_id[str(row[0])]) for row in table.rows)


def test_charts_only_where_they_compare(workspace: Workspace) -> None:
    report, _ = _build(workspace)
    assert all(chart.informative for chart in report.charts())
    describe = next(s for s in report.sections if s.title == "被测对象描述")
    assert any(isinstance(b, Chart) for b in describe.blocks) or any(
        isinstance(b, Paragraph) and b.text.startswith("各安全类评估结果：") for b in describe.blocks
    )


def test_xlsx_keeps_every_item(workspace: Workspace) -> None:
    report, result = _build(workspace)
    book = load_workbook(io.BytesIO(render_bytes(report, "xlsx")), read_only=True)
    rows = list(book["要求项"].iter_rows(values_only=True))
    assert len(rows) == 1 + len(result.items)
    assert {"测评结论", "安全问题", "整改建议"} <= set(book.sheetnames)
