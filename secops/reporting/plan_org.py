"""二、组织机构与职责 of the 应急预案: the leadership and working groups from contacts.yaml, the outside
bodies, and the duty arrangements (值班表)."""

from __future__ import annotations

from secops.contacts import ROLES, find_role
from secops.render.model import Cell, Paragraph, Report, Section, Table
from secops.reporting.grading_report import PENDING
from secops.reporting.plan_facts import PlanFacts

LEADERSHIP = (("组长", "first-responsible"), ("副组长", "leader"), ("成员", "security-admin"), ("成员", "data-officer"))
WORKING = ("security-admin", "system-admin", "data-officer", "on-duty")
EXTERNAL = tuple(role.id for role in ROLES if role.external)


def organisation(report: Report, facts: PlanFacts) -> None:
    section = report.section("组织机构与职责")
    section.add(Paragraph("（一）网络安全和信息化领导小组（应急领导小组）", "heading"))
    first = facts.who("first-responsible", phone=False)
    section.add(
        Paragraph(
            f"学校成立网络安全和信息化领导小组，统一领导本校网络安全事件应急工作。"
            f"学校主要负责人为网络安全第一责任人（{first}），任组长；分管领导任副组长。"
            "领导小组负责批准本预案，决定启动和终止应急响应，组织较大及以上事件的报告和处置，"
            "协调人员、经费和技术资源。"
        )
    )
    section.add(_role_table("应急领导小组", [(post, role_id) for post, role_id in LEADERSHIP], facts))
    section.add(Paragraph("（二）应急处置工作组", "heading"))
    section.add(
        Paragraph(
            "领导小组下设应急处置工作组（设在学校信息中心或网络安全管理部门），由网络安全管理员牵头，"
            "负责日常监测预警、事件研判、先期处置、报告和总结。"
        )
    )
    section.add(_role_table("应急处置工作组", [("组员", role_id) for role_id in WORKING], facts))
    section.add(Paragraph("（三）外部联络单位", "heading"))
    section.add(Paragraph("事件报告、报案和技术支援的外部单位如下，联系方式见附件1："))
    section.add(_role_table("外部联络单位", [("联络单位", role_id) for role_id in EXTERNAL], facts))
    _duty(section, facts)


def _role_table(title: str, posts: list[tuple[str, str]], facts: PlanFacts) -> Table:
    rows: list[list[Cell]] = []
    for post, role_id in posts:
        role = find_role(role_id)
        assert role is not None  # the ids above are the roles' own
        rows.append([post, role.zh, facts.who(role_id, phone=False), role.duties])
    return Table(title, ["职务", "角色", "人员", "职责"], rows, widths=(1, 1.6, 1.6, 4))


def _duty(section: Section, facts: PlanFacts) -> None:
    section.add(Paragraph("（四）值班制度", "heading"))
    periods = "、".join(f"{p['name']}（{p['start']} 至 {p['end']}）" for p in facts.policy.important_periods)
    section.add(
        Paragraph(
            "学校实行网络安全值班制度，值班人员按值班表值守，保持通讯畅通，接收告警和通报后立即核实并报告"
            "网络安全管理员。重要时期"
            + (f"（{periods}，以及上级通知的其他重要时期）" if periods else "（以上级通知为准）")
            + "实行 7×24 小时值班和每日报告制度（无事件时报送零报告）。"
        )
    )
    shifts = facts.contacts.duty
    if not shifts:
        facts.lack(
            "值班表：secops workspace contacts duty add 姓名 --days mon-fri --time 08:00-17:30（及 --important）"
        )
        section.add(Paragraph(f"值班表：{PENDING}（见附件2）。", "warning"))
        return
    if not any(shift.important for shift in shifts):
        facts.lack("重要时期 7×24 小时值班：secops workspace contacts duty add 姓名 --important")
    section.add(Paragraph("值班安排见附件2 值班表。"))
