"""七、附件 of the 应急预案: the 通讯录, the 值班表, the report forms (with a blank 事件信息报告表 built
from the incident reports' own field list) and the 等保 systems."""

from __future__ import annotations

from secops.contacts import ROLES
from secops.incident.report_data import FIELDS, KINDS
from secops.render.model import Cell, Paragraph, Report, Section, Table
from secops.reporting.grading_report import PENDING, level_name
from secops.reporting.plan_facts import PlanFacts

FORMS = (
    ("网络安全事件首次报告", "发现后按报告时限报送", "secops incident report 编号 --kind initial -o 首报.docx"),
    ("网络安全事件续报", "事态变化或上级要求时", "secops incident report 编号 --kind followup -o 续报.docx"),
    ("网络安全事件总结报告", "处置结束后 30 日内", "secops incident report 编号 --kind final -o 总结.docx"),
    ("网络安全事件日报（零报告）", "重要时期每日", "secops incident zero-report -o 零报告.docx"),
    ("事件处置指标", "按月统计", "secops incident metrics -o 指标.xlsx"),
)
# the blank form: the CAC report items in their order, then who reports
BLANK = ("单位名称", "涉及系统", "发现时间", "发生地点", "事件类型（GB/T 20986-2023）", "事件级别")
BLANK_FACTS = ("impact", "measures", "ransom", "trend", "cause", "trace", "plan", "scene", "other", "reporter")


def annexes(report: Report, facts: PlanFacts) -> None:
    section = report.section("附件")
    _contacts(section, facts)
    _roster(section, facts)
    _forms(section, facts)
    _systems(section, facts)


def _contacts(section: Section, facts: PlanFacts) -> None:
    section.add(Paragraph("附件1 应急通讯录", "heading"))
    rows: list[list[Cell]] = []
    for role in ROLES:
        people = facts.contacts.holding(role)
        for person in people:
            rows.append(
                [role.zh, person.name, person.title or "—", person.phone, person.email or "—", person.channel or "—"]
            )
        if not people and role.mandatory:
            rows.append([role.zh, PENDING, PENDING, PENDING, "—", "—"])
    section.add(
        Table(
            "应急通讯录",
            ["角色", "姓名/单位", "职务/联系人", "电话", "电子邮件", "通知渠道"],
            rows,
            widths=(2, 1.8, 1.4, 1.6, 2, 1.2),
        )
    )


def _roster(section: Section, facts: PlanFacts) -> None:
    section.add(Paragraph("附件2 值班表", "heading"))
    rows: list[list[Cell]] = []
    for number, shift in enumerate(facts.contacts.duty, 1):
        person = facts.contacts.person(shift.who)
        rows.append([number, shift.when_text(), shift.time_text, shift.who, person.phone if person else "—"])
    if not rows:
        rows = [[1, PENDING, PENDING, PENDING, PENDING]]
    section.add(
        Table("值班表", ["序号", "值班时段", "时间", "值班人员", "电话"], rows, widths=(0.6, 2.4, 1.4, 1.4, 1.6))
    )
    section.add(Paragraph("值班表以 secops workspace contacts duty 查看和维护，当前值班人员随时可查。", "note"))


def _forms(section: Section, facts: PlanFacts) -> None:
    section.add(Paragraph("附件3 事件报告表单", "heading"))
    section.add(Paragraph("下列表单由 secops 按事件记录自动生成（DOCX/PDF），报送前核对并签章："))
    section.add(
        Table("报告表单", ["表单", "报送时机", "生成命令"], [list(form) for form in FORMS], widths=(2, 1.6, 3.6))
    )
    section.add(Paragraph("系统不可用时，使用下面的空白表手工填报（栏目与 secops 生成的报告一致）：", "note"))
    rows: list[list[Cell]] = [[name, ""] for name in BLANK]
    rows[0][1] = facts.school
    rows += [[FIELDS[key], ""] for key in BLANK_FACTS]
    rows.append(["报告类型", "　".join(f"□ {kind}" for kind in KINDS.values())])
    rows.append(["报告时间", "______年____月____日____时____分"])
    section.add(Table("网络安全事件信息报告表（空白）", ["项目", "内容"], rows, widths=(2, 5)))


def _systems(section: Section, facts: PlanFacts) -> None:
    section.add(Paragraph("附件4 等级保护对象一览", "heading"))
    rows: list[list[Cell]] = []
    for number, (system, filing) in enumerate(facts.systems, 1):
        filed = f"{filing.filed_on.isoformat()} 备案（{filing.certificate_no or '编号待填写'}）" if filing else "未备案"
        if system.level < 2:
            filed = "第一级无需备案"
        rows.append([number, system.name, level_name(system.level), filed, system.asset_tag or "—"])
    if not rows:
        rows = [[1, PENDING, PENDING, PENDING, PENDING]]
    section.add(
        Table(
            "等级保护对象",
            ["序号", "系统名称", "安全保护等级", "备案情况", "资产标签"],
            rows,
            widths=(0.6, 2.4, 1.4, 2.6, 1.2),
        )
    )
