"""五、后期处置 and 六、保障措施 of the 应急预案: the final report and 通报 feedback within the policy's
deadlines, evidence and records, then people, technology, money, training and drills."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from secops.incident.playbooks import parse_duration
from secops.render.model import Cell, Paragraph, Report, Section, Table
from secops.reporting.plan_facts import PlanFacts
from secops.reporting.plan_response import span_text

ZONE = ZoneInfo("Asia/Shanghai")

SAFEGUARDS = (
    ("人员保障", "明确各岗位网络安全职责，网络安全管理员和系统管理员保持通讯畅通；人员变动时及时更新通讯录和值班表。"),
    (
        "技术保障",
        "重要系统和数据定期备份并离线保存一份，定期检验备份可恢复；使用 secops 持续开展资产、日志和恶意文件监测；"
        "与技术支撑单位签订应急支援约定。",
    ),
    ("经费保障", "将网络安全日常运维、等级保护测评、应急处置和演练所需经费纳入学校年度预算。"),
    (
        "培训与演练",
        "每年至少组织一次网络安全应急演练（secops drill）和面向全体教职工的网络安全培训，"
        "重点演练勒索软件、网页篡改和学生数据泄露处置，演练后评估并修订本预案。",
    ),
    ("监督检查", "领导小组定期检查本预案落实情况，对迟报、漏报、瞒报和处置不力的依规追究责任。"),
)


def after(report: Report, facts: PlanFacts) -> None:
    section = report.section("后期处置")
    rules = {rule.id: rule for rule in facts.policy.deadlines}
    final = rules.get("final-report")
    notified = rules.get("handle-notified")
    section.add(Paragraph("（一）总结报告", "heading"))
    within = f"{span_text(parse_duration(final.offset))}内" if final else "按上级要求"
    grades = "、".join(final.grades) if final and final.grades else "各级"
    section.add(
        Paragraph(
            f"{grades}事件处置结束（事件恢复或关闭）后 {within}，网络安全管理员编写总结报告"
            "（secops incident report 编号 --kind final），写明事件原因、处置措施、危害、责任追究、整改措施和教训，"
            "经第一责任人审定后报区县教育局；一般事件的总结纳入学校网络安全工作台账。"
            + (f"（依据：{final.source}）" if final else "")
        )
    )
    section.add(Paragraph("（二）安全通报的处置与反馈", "heading"))
    hours = span_text(parse_duration(notified.offset)) if notified else "规定时限"
    section.add(
        Paragraph(
            f"收到上级安全通报后（监测中心下发的通报由 secops 自动登记为事件），{hours}内完成处置并反馈处置结果；"
            "通报另有期限的，按通报要求执行。逾期未完成的，说明原因和计划完成时间。"
        )
    )
    section.add(Paragraph("（三）证据保全与记录留存", "heading"))
    section.add(
        Paragraph(
            "处置全过程记录在 secops 防篡改审计链中（secops incident verify-audit 可校验），证据文件保存 SHA-256 摘要；"
            "网络日志留存不少于六个月（《网络安全法》第二十一条）；事件报告、处置记录和证据随事件归档备查。"
        )
    )
    section.add(Paragraph("（四）恢复与整改", "heading"))
    section.add(
        Paragraph(
            "事件处置后全面排查同类隐患，修补漏洞、加固配置，必要时重新开展等级保护评估；"
            "涉及个人信息泄露的，依法告知受影响的学生、家长和教职工并报告主管部门。"
        )
    )


def safeguards(report: Report, facts: PlanFacts) -> None:
    section = report.section("保障措施")
    for number, (name, text) in enumerate(SAFEGUARDS, 1):
        section.add(Paragraph(f"（{'一二三四五六'[number - 1]}）{name}", "heading"))
        section.add(Paragraph(text))
        if name == "培训与演练":
            _drills(section, facts)


def _drills(section: Section, facts: PlanFacts) -> None:
    """The drill scenarios secops can run, and the drills this school has run (the last ten)."""
    from secops.incident.drill.scenarios import load_scenarios

    scenarios: list[list[Cell]] = [[s.name.zh, s.grade, f"secops drill start {s.id}"] for s in load_scenarios()]
    section.add(Table("可用的演练情景", ["情景", "级别", "命令"], scenarios))
    done = [d for d in facts.drills if not d.running][-10:]
    if not done:
        section.add(
            Paragraph("本校尚无演练记录：请按上述情景组织首次演练，演练报告用 secops drill report 生成。", "note")
        )
        return
    rows: list[list[Cell]] = []
    for drill in done:
        result = drill.result or {}
        steps = f"{result.get('steps_met', 0)}/{result.get('steps_total', 0)}" if result else "—"
        day = drill.started_at.astimezone(ZONE).strftime("%Y-%m-%d")
        rows.append(
            [day, drill.title.removeprefix("【演练】"), f"{drill.speed:g} 倍速", steps, result.get("gaps", "—")]
        )
    section.add(Table("近期演练", ["日期", "情景", "时钟", "步骤按时", "发现问题"], rows))
