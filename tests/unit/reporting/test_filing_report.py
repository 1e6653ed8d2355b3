"""The 备案表 (report ``filing``): what secops prefills from the workspace, the latest assessment,
the 数据摸底调查表 from scanning a real roster, blanks marked 待填写, and the level-1 refusal."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from secops.config import Workspace
from secops.dengbao.assess import Target, assess
from secops.dengbao.calendar import OfficialAssessment, record_filing, record_official
from secops.dengbao.catalog import load_catalog
from secops.dengbao.checks import load_checks
from secops.dengbao.systems import get_system, save_assessment, save_system
from secops.errors import SecopsError
from secops.records.assessment import AssessedSystem
from secops.render.model import Report, Table
from secops.reporting.build import build_report
from secops.reporting.data_source import table_params
from secops.reporting.filing_report import survey_rows
from secops.store import Store
from secops.workspace import open_workspace_store
from tests.conftest import NOW, SCHOOL_CODE, SCHOOL_NAME
from tests.unit.data.test_scan import write_csv
from tests.unit.dengbao.test_assess import EXPOSED
from tests.unit.reporting.test_grading_report import add_demo_systems


def _tables(report: Report) -> dict[str, Table]:
    return {table.title: table for table in report.tables()}


def _fields(table: Table) -> dict[str, Any]:
    return {str(row[0]): row[1] for row in table.rows}


def _text(report: Report) -> str:
    return "\n".join(b.text for s in report.sections for b in s.blocks if hasattr(b, "text"))


def _assess_exposed(store: Store, name: str) -> dict[str, Any]:
    """A real level-3 assessment of a host with Redis open and a weak root password, stored."""
    system = get_system(store, name)
    result = assess(
        system=AssessedSystem(system.name, system.level),
        level=system.level,
        extensions=(),
        catalog=load_catalog(),
        checks=load_checks(),
        targets=[Target("10.20.1.15", "network", json.loads(json.dumps(EXPOSED)))],
        answers={},
        now=NOW,
    )
    save_assessment(store, system, result, NOW)
    return result.to_json()


def test_level_3_filing_prefills_what_secops_knows(workspace: Workspace) -> None:
    with open_workspace_store(workspace) as store:
        add_demo_systems(store)
        result = _assess_exposed(store, "学籍管理系统")
        report = build_report("filing", workspace, store, NOW, params={"system": "学籍管理系统"})
    assert report.title == "网络安全等级保护备案表"
    assert [s.title for s in report.sections] == [
        "填表说明",
        "单位信息",
        "定级对象信息",
        "定级等级",
        "测评情况与建设整改情况",
        "第三级以上定级对象提交材料",
        "数据摸底调查表",
    ]
    tables = _tables(report)
    unit = _fields(tables["表一 单位信息"])
    assert unit["单位名称"] == SCHOOL_NAME and unit["学校标识码"] == SCHOOL_CODE
    assert unit["统一社会信用代码"] == "待填写" and unit["行业类别"] == "教育"
    assert unit["本单位定级对象（secops 登记）"] == "共 3 个：第二级 1 个，第三级 2 个"
    info = _fields(tables["表二 定级对象信息"])
    assert info["定级对象名称"] == "学籍管理系统" and info["定级对象编号"] == "待填写"
    assert info["构成与边界（资产）"] == "资产标签“xueji”，在用资产 1 台（见下表）"
    assert tables["定级对象资产清单"].rows[0][0] == "10.20.1.15"
    grading = _fields(tables["表三 定级等级"])
    assert grading["业务信息安全保护等级"] == "第三级（社会秩序、公共利益，严重损害）"
    assert grading["系统服务安全保护等级"] == "第二级（社会秩序、公共利益，一般损害）"
    assert grading["安全保护等级"] == "第三级" and grading["定级时间"] == NOW.strftime("%Y-%m-%d")
    assert str(grading["专家评审情况"]).startswith("待填写")
    tested = _fields(tables["测评情况"])
    assert tested["评估结论（2025 模板口径）"] == result["conclusion"] == "不符合"
    assert tested["符合率"] == f"{result['rate'] * 100:.1f}%"
    assert "非测评机构" in tested["评估性质"]
    assert str(_fields(tables["等级测评"])["测评机构等级测评"]).startswith("待填写（secops 无等级测评记录")
    assert str(grading["原备案情况"]).startswith("待填写（secops 无备案记录")
    fixes = _fields(tables["建设整改情况"])
    open_cases = [p["case"] for p in result["highrisk"] if p["unmitigated"]]
    assert open_cases and all(case in fixes["未缓解的高风险问题"] for case in open_cases)
    assert fixes["不符合项"] == f"{result['counts']['不符合']} 项"
    assert len(tables["表四 提交材料"].rows) == 7


def test_level_2_without_assessment_or_tables(workspace: Workspace) -> None:
    with open_workspace_store(workspace) as store:
        add_demo_systems(store)
        report = build_report("filing", workspace, store, NOW, params={"system": "学校门户网站"})
    titles = [s.title for s in report.sections]
    assert "第三级以上定级对象提交材料" not in titles
    tables = _tables(report)
    assert _fields(tables["测评情况"])["secops 自查评估"] == "待填写（secops 中没有该系统的评估记录）"
    survey = tables["数据摸底调查表"]
    assert survey.rows[0][0] == 1 and set(survey.rows[0][1:]) == {"待填写"}
    assert "未提供数据表" in _text(report)


def test_system_without_answers_is_filed_with_the_gaps_marked(workspace: Workspace) -> None:
    with open_workspace_store(workspace) as store:
        save_system(store, name="OA", level=2, extensions=(), asset_tag="", description="", grading=None, now=NOW)
        report = build_report("filing", workspace, store, NOW, params={"system": "OA"})
    grading = _fields(_tables(report)["表三 定级等级"])
    assert grading["业务信息安全保护等级"] == "待填写（无定级答卷）"
    assert grading["安全保护等级"] == "第二级（手工登记，无定级答卷）" and grading["定级时间"] == "待填写"
    assert "该定级对象没有定级答卷" in _text(report)


def test_level_1_is_refused_with_the_reason(workspace: Workspace) -> None:
    with open_workspace_store(workspace) as store:
        save_system(store, name="食堂点餐", level=1, extensions=(), asset_tag="", description="", grading=None, now=NOW)
        with pytest.raises(SecopsError, match="level 1: 备案 is required only from level 2") as caught:
            build_report("filing", workspace, store, NOW, params={"system": "食堂点餐"})
    assert "自主保护" in (caught.value.hint or "")


def test_survey_from_a_scanned_roster(workspace: Workspace, tmp_path: Path) -> None:
    roster = tmp_path / "学籍名单.csv"
    write_csv(roster, "gbk")  # 40 students, ID numbers, parents' phones, psychological notes
    params = {"system": "学籍管理系统", **table_params([str(roster)], None)}
    with open_workspace_store(workspace) as store:
        add_demo_systems(store)
        report = build_report("filing", workspace, store, NOW, params=params)
    tables = _tables(report)
    survey = tables["数据摸底调查表（按数据类别）"]
    rows = {row[1]: row for row in survey.rows}
    assert "心理健康" in rows and rows["心理健康"][3] == "是"
    ids = next(row for row in survey.rows if "学籍名单.csv:身份证号" in str(row[5]))
    assert ids[4] == 40 and ids[2] == "一般数据 4 级"
    assert [row[0] for row in survey.rows] == list(range(1, len(survey.rows) + 1))
    assert all(row[6] == "待填写" and row[9] == "待填写（□ 是  □ 否）" for row in survey.rows)
    levels = [int(str(row[2])[5]) for row in survey.rows if str(row[2]).startswith("一般数据")]
    assert levels == sorted(levels, reverse=True)
    scanned = tables["扫描的数据表"].rows
    assert scanned[0][0] == str(roster) and scanned[0][1] == 40 and int(str(scanned[0][6])) >= 1  # minors found
    text = repr(report.tables()) + _text(report)
    assert "13812340001" not in text  # no raw value reaches the form


def test_survey_counts_a_category_once_per_table() -> None:
    def column(name: str, category: str | None, hits: int, *, kind: str | None = "phone") -> dict[str, Any]:
        return {"column": name, "category": category, "level": 3, "sensitive": False, "kind": kind, "hits": hits}

    scans = [
        {"path": "a.csv", "columns": [column("父亲电话", "联系方式", 30), column("母亲电话", "联系方式", 25)]},
        {"path": "sqlite:///x.db#t", "columns": [column("电话", "联系方式", 10), column("备注", None, 0, kind=None)]},
    ]
    rows = survey_rows(scans)
    assert len(rows) == 1
    assert rows[0][1:6] == ["联系方式", "一般数据 3 级", "否", 40, "a.csv:父亲电话、a.csv:母亲电话、t:电话"]


def test_recorded_filing_and_official_assessments_are_shown(workspace: Workspace) -> None:
    with open_workspace_store(workspace) as store:
        add_demo_systems(store)
        system = get_system(store, "招生考试系统")
        record_filing(store, system, date(2023, 6, 1), "41010023060001", NOW)
        for day, conclusion, number in (
            (date(2024, 5, 10), "基本符合", ""),
            (date(2025, 5, 12), "符合", "DJCP-2025-9"),
        ):
            record_official(store, system, OfficialAssessment(day, "某测评中心", conclusion, number), NOW)
        report = build_report("filing", workspace, store, NOW, params={"system": "招生考试系统"})
    tables = _tables(report)
    grading = _fields(tables["表三 定级等级"])
    assert grading["原备案情况"] == "2023-06-01 备案，备案证明编号 41010023060001（本表用于重新备案时核对）"
    assert tables["等级测评"].rows == [
        ["2025-05-12", "某测评中心", "符合", "DJCP-2025-9"],
        ["2024-05-10", "某测评中心", "基本符合", "待填写"],
    ]
