"""四、应急处置 of the 应急预案: first assessment and reporting under the policy's clocks (the 1-hour
rule, the reporting chain with its contacts), the general procedure, and one part per playbook:
its GB/T 20986 type, default grade and steps with roles, deadlines and evidence."""

from __future__ import annotations

from datetime import timedelta

from secops.contacts import find_role
from secops.incident.playbooks import Playbook, parse_duration
from secops.incident.policy import DeadlineRule
from secops.incident.taxonomy import load_taxonomy
from secops.render.model import Cell, Paragraph, Report, Section, Table, chinese_numeral
from secops.reporting.grading_report import PENDING
from secops.reporting.plan_facts import PlanFacts

PROCEDURE = (
    ("研判定级", "核实告警或通报，判断事件类型（GB/T 20986-2023）和级别，在 secops incident open 中登记，计时开始。"),
    ("先期处置", "按对应处置流程遏制事态：隔离受影响主机、封堵攻击来源、停止受影响服务，保护现场和证据。"),
    ("报告", "按本节报告时限和报告链报告，首报写明单位及系统概况、发现时间、事件类型、级别、影响和已采取措施。"),
    ("根除与恢复", "清除恶意程序和后门、修补漏洞、重置口令，从可信备份恢复业务，确认正常后解除隔离。"),
    ("续报与结束", "事态变化时续报；处置完成后报告结果，进入后期处置。"),
)


def span_text(span: timedelta) -> str:
    """A deadline in words: 10 分钟, 1 小时, 60 小时, 30 日."""
    seconds = int(span.total_seconds())
    if seconds % 86400 == 0 and seconds >= 86400 * 2:
        return f"{seconds // 86400} 日"
    if seconds % 3600 == 0:
        return f"{seconds // 3600} 小时"
    if seconds >= 3600:
        return f"{seconds // 3600} 小时 {seconds % 3600 // 60} 分钟"
    return f"{seconds // 60} 分钟"


def _applies(rule: DeadlineRule, facts: PlanFacts) -> bool:
    return not rule.operator_types or facts.policy.operator_type in rule.operator_types


def response(report: Report, facts: PlanFacts) -> None:
    section = report.section("应急处置")
    _first_report(section, facts)
    section.add(Paragraph("（三）响应流程", "heading"))
    section.add(Paragraph("各类事件按以下通用流程处置，具体步骤、责任人和时限见后续各类事件处置流程："))
    for number, (name, text) in enumerate(PROCEDURE, 1):
        section.add(Paragraph(f"{number}. {name}：{text}"))
    for index, playbook in enumerate(facts.playbooks, 4):
        _playbook(section, facts, playbook, index)


def _first_report(section: Section, facts: PlanFacts) -> None:
    section.add(Paragraph("（一）初判与报告时限", "heading"))
    security = facts.who("security-admin")
    section.add(
        Paragraph(
            f"值班人员或任何人员发现网络安全事件后，立即报告网络安全管理员（{security}）。网络安全管理员初步研判"
            "事件类型和级别，报告分管领导和网络安全第一责任人，并在 secops 中登记事件（secops incident open），"
            "各项时限自发现时起自动计时，到 50%、80% 和超时时经预警通知渠道提醒。"
        )
    )
    rules = [rule for rule in facts.policy.deadlines if _applies(rule, facts)]
    major = [r for r in rules if r.id == "handle-major"]
    if major:
        section.add(
            Paragraph(
                f"重大及以上网络安全事件，必须在发现后 {span_text(parse_duration(major[0].offset))}内处置完成"
                "（1 小时规则），同时立即逐级报告。",
                "warning",
            )
        )
    rows: list[list[Cell]] = []
    for rule in rules:
        grades = "、".join(rule.grades) or ("安全通报事件" if rule.notified else "全部")
        start = "处置结束（恢复或关闭）后" if rule.starts == "end_of_handling" else "自发现起"
        rows.append([rule.name, grades, f"{start} {span_text(parse_duration(rule.offset))}", rule.source])
    section.add(Table("处置与报告时限", ["时限", "适用事件", "计时", "依据"], rows, widths=(3, 1.6, 1.6, 2.4)))
    section.add(Paragraph("（二）报告链", "heading"))
    section.add(
        Paragraph(
            "事件按“学校 → 区县教育局 → 市教育局 → 省教育厅 → 教育部”逐级报告，不得越级迟报；"
            "较大及以上事件同时报属地省级网信部门；涉嫌违法犯罪的向属地公安网安部门报案。"
        )
    )
    chain: list[list[Cell]] = [
        [1, "分管领导、网络安全第一责任人", f"{facts.who('leader')}；{facts.who('first-responsible')}", "发现后立即"],
        [2, "上级主管部门（区县教育局）", facts.who("education-bureau"), _deadline(rules, "report-education")],
        [3, "市教育局、省教育厅、教育部", "由区县教育局逐级上报", "按上级要求"],
        [4, "属地省级网信部门", facts.who("cac"), _deadline(rules, "report-cac")],
        [5, "属地公安网安部门", facts.who("police"), "涉嫌违法犯罪时立即报案"],
        [6, "技术支撑单位（服务商）", facts.who("vendor"), "需要技术支援时"],
    ]
    section.add(Table("报告链", ["顺序", "报告对象", "联系人及电话", "时限"], chain, widths=(0.6, 2, 3.4, 2.2)))
    section.add(
        Paragraph(
            "报告内容：单位及设施概况；事件发现时间、地点、类型、级别、影响和危害、已采取的措施及效果"
            "（勒索事件另写明赎金金额、方式和日期）；事态发展趋势；原因初步分析；溯源线索；拟采取的措施及请求支援；"
            "现场保护情况。首报至少写明前两项，其余在续报中补充。报告表单用 secops incident report 生成（见附件3）。",
            "note",
        )
    )


def _deadline(rules: list[DeadlineRule], rule_id: str) -> str:
    rule = next((r for r in rules if r.id == rule_id), None)
    if rule is None:
        return "按属地要求"
    return f"{'、'.join(rule.grades) or '全部'}事件 {span_text(parse_duration(rule.offset))}内"


def _holder(facts: PlanFacts, role_name: str) -> str:
    """A playbook step's role with the people who fill it (or 待填写)."""
    role = find_role(role_name)
    if role is None:  # a playbook role the contacts do not know: printed as the playbook says
        return role_name
    people = facts.people(role.id)
    names = "、".join(p.name for p in people) if people else PENDING
    return f"{role_name}（{names}）"


def _playbook(section: Section, facts: PlanFacts, playbook: Playbook, index: int) -> None:
    category = load_taxonomy().category(playbook.category)
    section.add(Paragraph(f"（{chinese_numeral(index)}）{playbook.name.zh}", "heading"))
    notified = (
        "通常由上级安全通报触发，须在通报要求的期限内（默认 60 小时）处置完成并反馈。" if playbook.notified else ""
    )
    section.add(
        Paragraph(
            f"事件类型：{category.code} {category.name} / {playbook.subcategory}（GB/T 20986-2023）；"
            f"默认级别：{playbook.default_grade}（按实际影响调整级别）。{notified}各步骤时限自发现时起算。"
        )
    )
    rows: list[list[Cell]] = [
        [
            f"{number}. {step.name}",
            _holder(facts, step.role),
            f"{span_text(step.offset)}内",
            step.instructions,
            "；".join(step.evidence) or "—",
        ]
        for number, step in enumerate(playbook.steps, 1)
    ]
    section.add(
        Table(
            f"{playbook.name.zh}步骤",
            ["步骤", "责任人", "时限", "操作要点", "留存证据"],
            rows,
            widths=(1.6, 1.4, 1, 4, 1.8),
        )
    )
