"""The 定级报告 (report ``grading``) of a demo school with systems at levels 2, 3 and 3: structure,
the grading engine's reasoning, the system's tagged assets, and a system without grading answers."""

from __future__ import annotations

import pytest

from secops.config import Workspace
from secops.dengbao.presets import find_preset
from secops.dengbao.systems import save_system
from secops.errors import SecopsError
from secops.render.model import Report, Table
from secops.reporting.build import build_report
from secops.store import Store
from secops.store.schema import assets, services
from secops.workspace import open_workspace_store
from tests.conftest import NOW, SCHOOL_CODE, SCHOOL_NAME

# name -> (preset, asset tag, description); levels 3, 3 and 2 by the shipped presets
DEMO_SYSTEMS = {
    "学籍管理系统": ("student-records", "xueji", "学生学籍、课程与成绩管理"),
    "招生考试系统": ("admissions", "zhaosheng", ""),
    "学校门户网站": ("portal", "", "学校对外信息发布"),
}
SECTIONS = [
    "定级对象描述",
    "业务信息安全保护等级的确定",
    "系统服务安全保护等级的确定",
    "安全保护等级",
    "专家评审意见与主管部门审核意见",
]


def add_demo_systems(store: Store) -> None:
    """Three graded systems (levels 3, 3, 2) from the presets, and one tagged server for 学籍."""
    for name, (preset_id, tag, description) in DEMO_SYSTEMS.items():
        preset = find_preset(preset_id)
        grading = preset.grading()
        save_system(
            store,
            name=name,
            level=grading.level,
            extensions=preset.extensions,
            asset_tag=tag,
            description=description,
            grading=grading.as_dict(),
            now=NOW,
        )
    with store.engine.begin() as conn:
        inserted = conn.execute(
            assets.insert().values(
                key="10.20.1.15",
                ipv4="10.20.1.15",
                hostname="xueji-db",
                asset_type="server",
                owner="信息中心",
                system_tag="xueji",
                first_seen=NOW,
                last_seen=NOW,
            )
        )
        assert inserted.inserted_primary_key is not None
        asset_id = inserted.inserted_primary_key[0]
        conn.execute(
            services.insert().values(
                asset_id=asset_id, port=443, proto="tcp", name="https", cpe=[], first_seen=NOW, last_seen=NOW
            )
        )


def _tables(report: Report) -> dict[str, Table]:
    return {table.title: table for table in report.tables()}


def _fields(table: Table) -> dict[str, object]:
    return {str(row[0]): row[1] for row in table.rows}


def _text(report: Report) -> str:
    parts = [p.text for s in report.sections for p in s.blocks if hasattr(p, "text")]
    return "\n".join(parts)


def test_level_3_report_has_the_officials_structure(workspace: Workspace) -> None:
    with open_workspace_store(workspace) as store:
        add_demo_systems(store)
        report = build_report("grading", workspace, store, NOW, params={"system": "学籍管理系统"})
    assert report.title == "网络安全等级保护定级报告"
    assert [s.title for s in report.sections] == SECTIONS
    meta = dict(report.metadata)
    assert meta["运营使用单位"] == SCHOOL_NAME and meta["安全保护等级"] == "第三级"
    tables = _tables(report)
    described = _fields(tables["定级对象基本情况"])
    assert described["责任主体"] == f"{SCHOOL_NAME}（学校标识码 {SCHOOL_CODE}）"
    assert described["承载的业务"] == "学生学籍、课程与成绩管理"
    assert "xueji" in str(described["构成与边界"]) and "1 台" in str(described["构成与边界"])
    assert str(described["处理的数据"]).startswith("待填写")
    assert tables["构成：在用资产"].rows == [["10.20.1.15", "xueji-db", "server", "443/tcp https", "信息中心"]]
    business = _fields(tables["业务信息安全定级"])
    assert business == {"受侵害的客体": "社会秩序、公共利益", "侵害程度": "严重损害", "业务信息安全保护等级": "第三级"}
    service = _fields(tables["系统服务安全定级"])
    assert service["侵害程度"] == "一般损害" and service["系统服务安全保护等级"] == "第二级"
    level = _fields(tables["安全保护等级"])
    assert level["安全保护等级（取较高者）"] == "第三级"
    text = _text(report)
    assert "定级理由：业务信息安全：受侵害的客体为社会秩序、公共利益，侵害程度为严重损害，对应第三级。" in text
    assert "取两者中的较高者，为第三级" in text and "每年至少开展一次等级测评" in text
    assert "专家组组长签字" in text and "日期：______年____月____日" in text
    assert "待填写" not in " ".join(str(v) for v in (business, service, level))


def test_matrix_marks_the_chosen_cell_only(workspace: Workspace) -> None:
    with open_workspace_store(workspace) as store:
        add_demo_systems(store)
        report = build_report("grading", workspace, store, NOW, params={"system": "学校门户网站"})
    matrices = [t for t in report.tables() if t.title.startswith("定级矩阵")]
    assert len(matrices) == 2
    for matrix in matrices:  # portal: 社会秩序、公共利益 × 一般损害 in both dimensions
        marked = [(row[0], col) for row in matrix.rows for col, cell in enumerate(row) if str(cell).startswith("■")]
        assert marked == [("社会秩序、公共利益", 1)]
    described = _fields(_tables(report)["定级对象基本情况"])
    assert str(described["构成与边界"]).startswith("待填写（未登记资产标签")
    assert dict(report.metadata)["安全保护等级"] == "第二级"


def test_system_without_answers_says_what_is_missing(workspace: Workspace) -> None:
    with open_workspace_store(workspace) as store:
        save_system(
            store, name="图书馆系统", level=2, extensions=(), asset_tag="lib", description="", grading=None, now=NOW
        )
        report = build_report("grading", workspace, store, NOW, params={"system": "图书馆系统"})
    assert [s.title for s in report.sections] == ["缺少的定级依据", *SECTIONS]
    warning = report.sections[0].blocks[0]
    assert "没有定级答卷" in warning.text and "受侵害的客体与侵害程度" in warning.text  # type: ignore[union-attr]
    assert "--answers answers.yaml --asset-tag lib --replace" in _text(report)
    tables = _tables(report)
    assert set(_fields(tables["业务信息安全定级"]).values()) == {"待填写"}
    assert set(_fields(tables["系统服务安全定级"]).values()) == {"待填写"}
    level = _fields(tables["安全保护等级"])
    assert level["业务信息安全保护等级"] == "待填写" and "手工登记" in str(level["安全保护等级（登记值）"])
    assert _fields(tables["定级对象基本情况"])["构成与边界"] == "待填写（资产清单中没有标签为“lib”的在用资产）"
    assert "（手工登记，无定级答卷）" in dict(report.metadata)["安全保护等级"]
    for matrix in (t for t in report.tables() if t.title.startswith("定级矩阵")):
        assert not any(str(c).startswith("■") for row in matrix.rows for c in row)


def test_level_recorded_differently_from_the_answers_is_flagged(workspace: Workspace) -> None:
    grading = find_preset("portal").grading().as_dict()
    with open_workspace_store(workspace) as store:
        save_system(store, name="门户", level=3, extensions=(), asset_tag="", description="", grading=grading, now=NOW)
        report = build_report("grading", workspace, store, NOW, params={"system": "门户"})
    assert "登记等级（第三级）与定级答卷得出的等级不一致" in _text(report)


def test_unknown_system_is_a_clear_error(workspace: Workspace) -> None:
    with open_workspace_store(workspace) as store:
        add_demo_systems(store)
        with pytest.raises(SecopsError, match="no system named '财务'"):
            build_report("grading", workspace, store, NOW, params={"system": "财务"})
        with pytest.raises(SecopsError, match="needs --system"):
            build_report("grading", workspace, store, NOW)
