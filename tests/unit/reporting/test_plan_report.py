"""The 应急预案 (report ``plan``) of a school with systems, contacts, a duty roster and a notifier: the
official structure in Chinese, its real systems, levels and people, every playbook's steps and the
1-hour rule; and of an empty workspace: 待填写 where facts are missing, listed first, never a failure."""

from __future__ import annotations

from datetime import date

import pytest

from secops.config import Workspace
from secops.contacts import Contacts
from secops.contacts.save import save_contacts
from secops.demo.contacts import DUTY, NOTIFIERS, PEOPLE
from secops.dengbao.calendar import record_filing
from secops.dengbao.systems import get_system
from secops.incident.playbooks import load_playbooks
from secops.render.docx import render_docx
from secops.render.model import Paragraph, Report, Table
from secops.reporting.build import build_report
from secops.workspace import open_workspace_store
from tests.conftest import NOW, SCHOOL_CODE, SCHOOL_NAME
from tests.unit.reporting.test_grading_report import add_demo_systems

SECTIONS = ["总则", "组织机构与职责", "监测与预警", "应急处置", "后期处置", "保障措施", "附件"]


def _text(report: Report) -> str:
    parts = [report.title, *(f for pair in report.metadata for f in pair)]
    for section in report.sections:
        parts.append(section.title)
        for block in section.blocks:
            if isinstance(block, Paragraph):
                parts.append(block.text)
            elif isinstance(block, Table):
                parts += [block.title, *block.columns, *(str(c) for row in block.rows for c in row)]
    return "\n".join(parts)


def _build(workspace: Workspace, lang: str = "zh") -> Report:
    with open_workspace_store(workspace) as store:
        return build_report("plan", workspace, store, NOW, lang)


@pytest.fixture
def school(workspace: Workspace) -> Workspace:
    with open_workspace_store(workspace) as store:
        add_demo_systems(store)
        record_filing(store, get_system(store, "学籍管理系统"), date(2024, 3, 1), "41110013001-24001", NOW)
    save_contacts(workspace.path, Contacts(PEOPLE, DUTY))
    (workspace.path / "notifiers.yaml").write_text(NOTIFIERS, encoding="utf-8")
    return workspace


def test_a_complete_plan_has_the_official_structure_and_the_schools_facts(school: Workspace) -> None:
    report = _build(school)
    assert report.title == f"{SCHOOL_NAME}网络与数据安全事件应急预案"
    assert [s.title for s in report.sections] == SECTIONS  # nothing missing: no 待填写事项 first
    assert report.headings()[0] == "一、总则" and report.headings()[-1] == "七、附件"
    assert report.layout == "gbt9704" and report.front is not None
    assert ("网络安全第一责任人", "王建国（校长、党委书记）") in report.front.fields
    text = _text(report)
    assert "待填写" not in text
    for name, level in (("学籍管理系统", "第三级"), ("招生考试系统", "第三级"), ("学校门户网站", "第二级")):
        assert name in text and level in text
    assert "2024-03-01 备案（41110013001-24001）" in text
    for person in ("王建国", "李红", "张伟（信息中心主任，13800000003）", "刘洋", "陈静", "示例区教育局信息中心"):
        assert person in text
    assert "0571-87000001" in text and "重要时期（7×24 小时值守）" in text and "值班记录" in text
    assert "《中华人民共和国网络安全法》" in text and "GB/T 20986-2023" in text and "GB/T 22239-2019" in text
    assert "必须在发现后 1 小时内处置完成（1 小时规则）" in text
    assert "安全通报事件 60 小时内处置完成" in text and "30 日内提交总结报告" in text
    assert "学校 → 区县教育局 → 市教育局 → 省教育厅 → 教育部" in text


def test_every_playbook_is_a_procedure_with_its_steps_roles_and_people(school: Workspace) -> None:
    report = _build(school)
    response = next(s for s in report.sections if s.title == "应急处置")
    headings = [b.text for b in response.blocks if isinstance(b, Paragraph) and b.style == "heading"]
    playbooks = load_playbooks()
    assert len(headings) == 3 + len(playbooks)
    ransomware = next(p for p in playbooks if p.id == "ransomware")
    assert any(h.endswith(ransomware.name.zh) for h in headings)
    table = next(b for b in response.blocks if isinstance(b, Table) and b.title == "勒索软件感染处置步骤")
    assert len(table.rows) == len(ransomware.steps)
    first = table.rows[0]
    assert (
        first[0] == "1. 确认感染范围并留存勒索信" and first[1] == "值班人员（张伟、刘洋）" and first[2] == "10 分钟内"
    )
    assert "勒索信原件及截图" in str(first[4])
    assert table.rows[-1][2] == "30 日内"
    assert "01 恶意程序事件 / 勒索软件（GB/T 20986-2023）" in _text(report)


def test_an_empty_workspace_gets_a_plan_that_says_what_to_fill_in(workspace: Workspace) -> None:
    report = _build(workspace)
    assert report.sections[0].title == "待填写事项" and report.headings()[1] == "二、总则"
    todo = _text(report)
    assert todo.count("待填写") > 10
    for gap in (
        "网络安全第一责任人：secops workspace contacts add first-responsible 姓名 --phone 号码",
        "等保定级对象：secops dengbao system add",
        "值班表：secops workspace contacts duty add",
        "通知渠道：在 notifiers.yaml 中启用",
    ):
        assert gap in todo
    assert ("缺少的信息", f"{len(report.sections[0].blocks) - 1} 项（见“待填写事项”）") in report.metadata
    assert render_docx(report)[:2] == b"PK"  # renders, gaps and all


def test_english_keeps_the_chinese_body_of_an_official_document(school: Workspace) -> None:
    report = _build(school, "en")
    assert report.title.startswith(SCHOOL_NAME) and "response plan" in report.title
    assert [s.title for s in report.sections] == SECTIONS
    assert report.headings()[0] == "1. 总则" and SCHOOL_CODE in _text(report)


def test_training_and_drills_list_the_scenarios_and_the_drills_run(school: Workspace) -> None:
    from secops.incident.audit import audit_key
    from secops.incident.drill import run
    from secops.incident.drill.scenarios import load_scenarios, scenario_named
    from secops.incident.model import Session
    from secops.workspace import open_workspace_store

    text = _text(_build(school))
    assert "可用的演练情景" in text and "本校尚无演练记录" in text
    assert all(f"secops drill start {s.id}" in text for s in load_scenarios())
    with open_workspace_store(school) as store:
        session = Session(store, audit_key(school.path, store), "值班员", NOW)
        drill, _files = run.start(session, school.path, scenario_named("exam-ddos"), speed=10)
        run.finish(session, drill, {"steps_met": 3, "steps_total": 7, "gaps": 4})
    text = _text(_build(school))
    assert "近期演练" in text and "考试期间考试系统遭受 DDoS 攻击" in text and "3/7" in text and "10 倍速" in text
