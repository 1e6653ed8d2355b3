"""The 应急预案 (report source ``plan``): the school's network and data security incident response
plan, in the structure officials expect (总则, 组织机构与职责, 监测与预警, 应急处置, 后期处置,
保障措施, 附件), built from what the workspace records: the school, its people and 值班表
(contacts.yaml), its 等保 systems, its notifiers, the playbooks and the incident policy.

A fact the workspace lacks is printed as 待填写 where it belongs, and a first part 待填写事项 lists
each with the command that supplies it (it disappears once nothing is missing, so a complete plan
is numbered 一 to 七 as officials expect). The body is Chinese in either language: it is an
official document.
"""

from __future__ import annotations

from secops.render.model import FrontMatter, Paragraph, Report
from secops.reporting.build import ReportContext
from secops.reporting.front_matter import CLASSIFICATION, official_date, report_number
from secops.reporting.grading_report import PENDING
from secops.reporting.plan_annex import annexes
from secops.reporting.plan_closing import after, safeguards
from secops.reporting.plan_facts import gather
from secops.reporting.plan_general import general
from secops.reporting.plan_monitor import monitoring
from secops.reporting.plan_org import organisation
from secops.reporting.plan_response import response


def build(ctx: ReportContext) -> Report:
    facts = gather(ctx)
    report: Report = ctx.new_report()
    title = f"{facts.school}网络与数据安全事件应急预案"
    report.title = title if ctx.lang == "zh" else f"{facts.school}: {ctx.definition.title.en}"
    report.layout = "gbt9704"
    first = facts.who("first-responsible", phone=False)
    report.front = FrontMatter(
        number=report_number("YJYA", facts.code, ctx.now),
        fields=[("编制单位", facts.school), ("学校标识码", facts.code), ("网络安全第一责任人", first)],
        issuer=facts.school,
        date=official_date(ctx.now),
        classification=CLASSIFICATION,
    )
    general(report, facts)
    organisation(report, facts)
    monitoring(report, facts)
    response(report, facts)
    after(report, facts)
    safeguards(report, facts)
    annexes(report, facts)
    report.metadata = [
        ("编制单位", facts.school),
        ("学校标识码", facts.code),
        ("等级保护对象", f"{len(facts.systems)} 个"),
        ("处置流程", f"{len(facts.playbooks)} 类"),
        ("缺少的信息", f"{len(facts.missing)} 项（见“待填写事项”）" if facts.missing else "无"),
    ]
    if facts.missing:
        _to_fill(report, facts.missing)
    return report


def _to_fill(report: Report, missing: list[str]) -> None:
    """The gaps first, so the officer sees them before printing; built last, when all are known."""
    report.section("待填写事项")
    section = report.sections.pop()
    report.sections.insert(0, section)
    section.add(
        Paragraph(
            f"本预案由 secops 依据工作区登记的信息生成。下列信息尚未登记，正文中相应位置标为“{PENDING}”；"
            "登记后重新生成本预案（secops report build plan -o 应急预案.docx），本部分即不再出现：",
            "warning",
        )
    )
    for number, item in enumerate(missing, 1):
        section.add(Paragraph(f"{number}. {item}"))
