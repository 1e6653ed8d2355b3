"""一、总则 of the 应急预案: purpose, basis, scope (the school's 等保 systems), grading, principles."""

from __future__ import annotations

from secops.incident.policy import Threshold
from secops.render.model import Cell, Paragraph, Report, Section, Table
from secops.reporting.grading_report import PENDING, level_name
from secops.reporting.plan_facts import PlanFacts

BASIS = (
    "《中华人民共和国网络安全法》",
    "《中华人民共和国数据安全法》",
    "《中华人民共和国个人信息保护法》",
    "《未成年人网络保护条例》",
    "《国家网络安全事件应急预案》",
    "教育系统网络安全事件应急预案及教育行政部门关于网络安全事件报告与处置的要求",
    "《国家网络安全事件报告管理办法》",
    "GB/T 20986-2023《网络安全事件分类分级指南》",
    "GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》",
    "GB/T 22240-2020《信息安全技术 网络安全等级保护定级指南》",
)
# What each grade means for a school; the quantified thresholds come from the incident policy.
GRADE_MEANING = {
    "特别重大": (
        "红色（Ⅰ级）",
        "区域性教育网络或省级以上系统大面积瘫痪、海量个人信息泄露；学校通常作为受影响单位配合处置。",
    ),
    "重大": ("橙色（Ⅱ级）", "全校核心业务系统长时间中断，或大规模学生、教职工个人信息泄露，造成严重社会影响。"),
    "较大": ("黄色（Ⅲ级）", "门户网站被篡改或长时间无法访问、关键业务系统中断、较多个人信息泄露。"),
    "一般": (
        "蓝色（Ⅳ级）",
        "单台服务器或终端感染病毒、勒索软件，钓鱼邮件得手、少量账号被盗，收到漏洞通报等；学校绝大多数事件属于此级。",
    ),
}
PRINCIPLES = (
    "统一领导、分级负责：在网络安全第一责任人领导下，按“谁主管谁负责、谁运行谁负责”落实各岗位责任。",
    "预防为主、快速反应：日常监测与预警并重，事件发生后按时限先期处置、及时报告，不迟报、漏报、瞒报。",
    "依法处置、保护数据：处置中依法保全证据，保护学生和教职工个人信息，防止次生泄露。",
    "协同联动、持续改进：与上级教育行政部门、公安网安和技术支撑单位协同，事后总结整改并定期演练。",
)


def general(report: Report, facts: PlanFacts) -> None:
    section = report.section("总则")
    section.add(Paragraph("（一）编制目的", "heading"))
    section.add(
        Paragraph(
            f"为建立健全{facts.school}网络与数据安全事件应急工作机制，提高应对网络安全事件的能力，"
            "预防和减少事件造成的损失和危害，保障教育教学和管理工作正常开展，保护师生个人信息安全，"
            "维护校园网络安全和稳定，制定本预案。"
        )
    )
    section.add(Paragraph("（二）编制依据", "heading"))
    section.add(Paragraph("依据下列法律法规、预案和标准，结合本校实际编制：" + "；".join(BASIS) + "。"))
    sources = sorted({rule.source for rule in facts.policy.deadlines})
    section.add(Paragraph("处置和报告时限另依据：" + "；".join(sources) + "。", "note"))
    _scope(section, facts)
    _grades(section, facts)
    section.add(Paragraph("（五）工作原则", "heading"))
    for number, text in enumerate(PRINCIPLES, 1):
        section.add(Paragraph(f"（{number}）{text}"))


def _scope(section: Section, facts: PlanFacts) -> None:
    section.add(Paragraph("（三）适用范围", "heading"))
    section.add(
        Paragraph(
            f"本预案适用于{facts.school}（学校标识码 {facts.code}）所属网络、信息系统和数据发生的网络安全事件"
            "和数据安全事件的预防、监测、报告和处置工作，包括下列已定级的等级保护对象："
        )
    )
    rows: list[list[Cell]] = [
        [number, system.name, level_name(system.level), system.description or "—"]
        for number, (system, _filing) in enumerate(facts.systems, 1)
    ]
    if not rows:
        facts.lack("等保定级对象：secops dengbao system add 名称 --answers 定级答卷.yaml（或 --level 等级）")
        rows = [[1, PENDING, PENDING, PENDING]]
    section.add(Table("本预案覆盖的等级保护对象", ["序号", "系统名称", "安全保护等级", "说明"], rows))


def threshold_text(threshold: Threshold) -> str:
    parts = []
    if threshold.pi_leaked:
        parts.append(f"泄露个人信息 {threshold.pi_leaked:,} 人以上")
    if threshold.loss_yuan:
        parts.append(f"直接经济损失 {threshold.loss_yuan / 10000:,.0f} 万元以上")
    for level, hours in threshold.portal_down_hours.items():
        name = {"provincial": "省级以上", "prefecture": "地市级", "other": "其他"}.get(level, level)
        parts.append(f"{name}门户网站无法访问 {hours:g} 小时以上")
    if threshold.cii_down_hours:
        parts.append(f"关键信息基础设施整体中断 {threshold.cii_down_hours:g} 小时以上")
    status = "" if threshold.source.status == "final" else "（部分数值依据征求意见稿，待核实）"
    return "；".join(parts) + status


def _grades(section: Section, facts: PlanFacts) -> None:
    section.add(Paragraph("（四）事件分级", "heading"))
    section.add(
        Paragraph(
            "依据 GB/T 20986-2023 和《国家网络安全事件报告管理办法》所附分级指南，网络安全事件分为特别重大、"
            "重大、较大和一般四级，达到任一量化标准即定为该级（就高不就低）："
        )
    )
    thresholds = {t.grade: t for t in facts.policy.grading}
    rows: list[list[Cell]] = []
    for grade in ("特别重大", "重大", "较大", "一般"):
        color, meaning = GRADE_MEANING[grade]
        found = thresholds.get(grade)
        rows.append([grade, color, meaning, threshold_text(found) if found else "未达到较大及以上标准"])
    section.add(Table("事件分级", ["级别", "预警颜色", "对学校而言", "量化标准（任一）"], rows, widths=(1, 1.2, 3, 3)))
