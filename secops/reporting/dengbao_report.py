"""The 等保 差距分析 report of a system's latest assessment, laid out like a 2025 等级测评报告:
cover and 声明, 测评结论 (综合得分 and 结论) first, 被测对象描述, 安全问题 (each with its 风险等级 and
the items it affects), 整改建议, and every item in 附录A (landscape; also the XLSX sheet 要求项)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from secops.dengbao.risks import decide, load_decisions
from secops.dengbao.systems import System, get_system, latest_assessment
from secops.dengbao.trend import trend_points
from secops.errors import SecopsError
from secops.i18n import _
from secops.records.assessed_item import AssessedItem
from secops.records.assessment import Assessment
from secops.render.model import Cell, Chart, FrontMatter, Paragraph, Report, Table
from secops.reporting.build import ReportContext
from secops.reporting.dengbao_problems import problem_rows
from secops.reporting.front_matter import CLASSIFICATION, SIGNATURES, official_date, report_number

RESULT_ORDER = ("符合", "部分符合", "不符合", "不适用", "未测评")
RISK_NAMES = {"high": "高", "medium": "中", "low": "低", None: ""}
SOURCE_NAMES = {"automated": "自动检查", "questionnaire": "问卷", "both": "自动检查+问卷", "none": "—"}
EN = {"符合": "compliant", "部分符合": "partial", "不符合": "non-compliant", "不适用": "n/a", "未测评": "unassessed"}


def _local_time(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _remediation(item: AssessedItem) -> str:
    # a failed check's own advice first (it names what was found), then the catalog's steps for the item
    advice = [c.remediation for c in item.checks if c.status == "fail" and c.remediation]
    if item.remediation:
        advice.append(item.remediation)
    if advice:
        return "；".join(dict.fromkeys(advice))
    return f"按要求整改：{item.summary}"  # only for an item the catalog has no advice for


def _evidence(item: AssessedItem) -> str:
    lines = [f"{c.title}（{c.evidence}）" for c in item.checks if c.status == "fail"]
    if item.note:
        lines.append(f"问卷：{item.note}")
    if item.conflict:
        lines.append(f"冲突：{item.conflict}")
    return "；".join(lines) or ("问卷答复" if item.answer else "")


def _trend_section(report: Report, points: list[dict[str, Any]], zone: str, en: bool) -> None:
    """符合率 and open high-risk problems over the runs (scheduled and by hand); a chart from 2 points."""
    if len(points) < 2:
        return
    section = report.section("符合率与高风险问题趋势" if not en else "Trend")
    labels: list[str] = []
    for point in points:
        label = point["at"].astimezone(ZoneInfo(zone)).strftime("%m-%d %H:%M")
        while label in labels:  # the chart's x axis is categorical: equal labels would merge points
            label += "＋"
        labels.append(label)
    section.add(
        Chart(
            "符合率趋势" if not en else "Compliance rate",
            "line",
            labels,
            {"符合率(%)": [round(p["rate"] * 100, 1) for p in points]},
            y_label="%",
        )
    )
    section.add(
        Chart(
            "未缓解高风险问题数" if not en else "Open high-risk problems",
            "line",
            labels,
            {"高风险问题": [float(p["highrisk"]) for p in points]},
            y_label="个",
        )
    )
    sources = {"scheduled": "计划任务", "manual": "手动"}
    section.add(
        Table(
            "历次评估",
            ["时间", "来源", "等级", "符合率", "综合得分(2019)", "未缓解高风险", "结论"],
            [
                [
                    p["at"].astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M"),
                    sources.get(p["source"], p["source"]),
                    f"第{p['level']}级",
                    _pct(p["rate"]),
                    p["score_2019"],
                    p["highrisk"],
                    p["conclusion"],
                ]
                for p in points
            ],
            sheet_name="趋势",
        )
    )


def _front(ctx: ReportContext, report: Report, system: System, assessed_at: datetime) -> None:
    school = ctx.workspace.config.school
    report.front = FrontMatter(
        number=report_number("DJBH-CJFX", school.code, ctx.now),
        fields=[
            ("被测单位", school.name),
            ("委托单位", f"{school.name}（自评估）"),
            ("定级对象", system.name),
            ("编制单位", school.name),
        ],
        issuer=school.name,
        date=official_date(ctx.now),
        classification=CLASSIFICATION,
        statement=[
            f"本报告是{school.name}依据 GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》和 "
            f"GB/T 28448-2019《信息安全技术 网络安全等级保护测评要求》，对“{system.name}”所作差距分析"
            "（自评估）的结果，不是等级测评机构出具的等级测评报告，不能代替等级测评。",
            "本报告结论的有效性建立在被测单位提供的问卷答复和相关材料真实、准确的基础上；"
            f"自动检查结果反映评估时（{_local_time(assessed_at, ctx.workspace.config.timezone)}）被测对象的状态。",
            "本报告的结论仅对评估时被测对象的安全状态有效；被测对象发生变更的，应重新评估。",
            "本报告供被测单位内部整改使用，未经被测单位同意，不得向第三方提供。",
        ],
    )
    report.signatures = SIGNATURES


def build(ctx: ReportContext) -> Report:
    name = ctx.params.get("system", "")
    system = get_system(ctx.store, name)
    result = latest_assessment(ctx.store, system)
    if result is None:
        raise SecopsError(
            _("system {name!r} has not been assessed yet").format(name=system.name),
            hint=_("run secops dengbao assess --system {name} first").format(name=system.name),
        )
    # the assessor's decisions on 重大风险隐患 candidates, as they stand now (also those made since the run)
    result = decide(result, load_decisions(ctx.store, system.id))
    en = ctx.lang == "en"
    report: Report = ctx.new_report()
    config = ctx.workspace.config
    counts = result.counts
    report.metadata = [
        ("学校名称" if not en else "School", config.school.name),
        ("学校标识码" if not en else "School code", config.school.code),
        ("定级对象" if not en else "System", system.name),
        ("安全保护等级" if not en else "Level", f"第{result.level}级"),
        ("评估时间" if not en else "Assessed at", _local_time(result.assessed_at, config.timezone)),
        ("结论" if not en else "Conclusion", result.conclusion),
        ("符合率" if not en else "Compliance rate", _pct(result.rate)),
    ]
    _front(ctx, report, system, result.assessed_at)

    overview = report.section("测评结论" if not en else "Conclusion")
    overview.add(
        Table(
            "测评结论",
            ["项目", "内容"],
            [
                ["被测对象", system.name],
                ["安全保护等级", f"第{result.level}级"],
                ["综合得分（2019 模板）", result.score_2019],
                ["符合率", f"{_pct(result.rate)}（部分符合按 0.5 计为 {_pct(result.weighted_rate)}）"],
                ["2021 模板评级", result.grade_2021],
                ["未缓解的高风险问题", f"{len(result.unmitigated)} 个"],
                ["测评结论", result.conclusion],
            ],
            sheet_name="测评结论",
            widths=(1, 3),
        )
    )
    confirmed = f"经评估人确认的重大风险隐患：{'、'.join(result.major_risks)}。" if result.major_risks else ""
    undecided = (
        f"尚有 {len(result.undecided)} 个重大风险隐患候选待评估人确认或否定（{'、'.join(result.undecided)}）。"
        if result.undecided
        else ""
    )
    overview.add(
        Paragraph(
            f"评估结论：{result.conclusion}。依据：{result.conclusion_rule}。{confirmed}{undecided}",
            "warning" if result.conclusion != "符合" else "body",
        )
    )
    overview.add(
        Paragraph(
            f"本次对“{system.name}”按第{result.level}级要求共评估 {counts['total']} 项："
            + "，".join(f"{k} {counts[k]} 项" for k in RESULT_ORDER)
            + "。"
        )
    )
    if result.provisional:
        overview.add(
            Paragraph(
                f"尚有 {counts['未测评']} 项未测评（问卷未答复且无自动证据），以上为预评估结论；补全问卷后重新评估。",
                "warning",
            )
        )
    overview.add(
        Paragraph(
            "计算口径："
            + result.rate_rule
            + "。2025 模板（公安部十一局答复第 19、20 问）：符合率高于 90% 且无重大风险隐患为符合；"
            "60%–90%（含 60% 与 90%）为基本符合，不论是否存在高风险问题或重大风险隐患；"
            "高于 90% 但存在经确认的重大风险隐患亦为基本符合；低于 60% 为不符合。"
            "未缓解的高风险问题是重大风险隐患的候选，由评估人结合关联性、严重程度和出现频率确认或否定，仅经确认者影响结论。"
            "自动检查发现的问题优先于问卷答复。",
            "note",
        )
    )

    _describe(report, system, result.by_class, en)
    _questionnaire(report, result, en)
    _trend_section(report, trend_points(ctx.store, system), config.timezone, en)
    _problems(report, result, config.timezone, en)
    _remediations(report, result, en)
    _appendix(report, result, en)
    return report


def _describe(report: Report, system: System, by_class: Mapping[str, Mapping[str, int]], en: bool) -> None:
    section = report.section("被测对象描述" if not en else "System under assessment")
    section.add(
        Table(
            "被测对象基本情况",
            ["项目", "内容"],
            [
                ["被测对象", system.name],
                ["安全保护等级", f"第{system.level}级"],
                ["扩展要求", "、".join(system.extensions) or "无（通用要求）"],
                ["承载的业务", system.description or "未登记（secops dengbao system add --description）"],
                ["资产标签", system.asset_tag or "未登记"],
            ],
            widths=(1, 3),
        )
    )
    for line in (system.grading or {}).get("reasoning", []):
        section.add(Paragraph(f"定级情况：{line}"))
    class_rows: list[list[Cell]] = []
    for class_name, tally in by_class.items():
        applicable = tally["total"] - tally["不适用"]
        rate = tally["符合"] / applicable if applicable else 1.0
        class_rows.append([class_name, *[tally[k] for k in RESULT_ORDER], _pct(rate)])
    section.add(Table("各安全类符合情况", ["安全类", *RESULT_ORDER, "符合率"], class_rows, sheet_name="各安全类"))
    if by_class:
        chart = Chart(
            "各安全类评估结果",
            "bar",
            list(by_class),
            {k: [float(t[k]) for t in by_class.values()] for k in ("符合", "部分符合", "不符合", "未测评")},
            y_label="项数",
        )
        # one class or one result says nothing a sentence does not
        section.add(chart if chart.informative else Paragraph(chart.fact()))


def _questionnaire(report: Report, result: Assessment, en: bool) -> None:
    section = report.section("测评方法与问卷状态" if not en else "Method and questionnaire")
    counts = result.counts
    answered = sum(1 for i in result.items if i.answer)
    automated = sum(1 for i in result.items if i.automated in ("pass", "fail"))
    section.add(
        Paragraph(
            "测评采用自动检查（网络与主机取证）与问卷访谈相结合的方式。"
            f"问卷已答复 {answered} 项，自动取证覆盖 {automated} 项，未测评 {counts['未测评']} 项；"
            f"答卷与自动检查冲突 {result.conflicts} 项。"
        )
    )
    conflicts = [i for i in result.items if i.conflict]
    if conflicts:
        section.add(
            Table(
                "答卷冲突",
                ["编号", "控制点", "冲突"],
                [[i.id, i.control_point, i.conflict] for i in conflicts],
            )
        )


def _problems(report: Report, result: Assessment, zone: str, en: bool) -> None:
    section = report.section("安全问题" if not en else "Security problems")
    rows = problem_rows(result, zone)
    if not rows:
        section.add(Paragraph("没有不符合或部分符合的要求项，未发现安全问题。", "note"))
        return
    tally = {level: sum(1 for row in rows if row[2] == level) for level in ("高", "中", "低")}
    section.add(
        Paragraph(
            f"共发现安全问题 {len(rows)} 个，其中高风险 {tally['高']} 个、"
            f"中风险 {tally['中']} 个、低风险 {tally['低']} 个。"
            "高风险问题依据《网络安全等级保护测评高风险判定实施指引》判定；其余问题按所涉要求项的风险等级排列。"
        )
    )
    if not result.highrisk:
        section.add(Paragraph("未发现与《高风险判定实施指引》案例相符的问题。", "note"))
    section.add(
        Table(
            "安全问题及风险等级（含高风险问题）",
            ["序号", "安全问题", "风险等级", "涉及要求项", "证据", "状态"],
            rows,
            sheet_name="安全问题",
        )
    )


def _remediations(report: Report, result: Assessment, en: bool) -> None:
    section = report.section("整改建议" if not en else "Remediation")
    failing = [i for i in result.items if i.result in ("不符合", "部分符合")]
    order = {"high": 0, "medium": 1, "low": 2, None: 3}
    failing.sort(key=lambda i: (order.get(i.risk, 3), i.id))
    if not failing:
        section.add(Paragraph("没有不符合或部分符合的要求项，无需整改。", "note"))
        return
    section.add(Paragraph("按风险等级由高到低列出各不符合、部分符合要求项的整改建议；高风险问题应优先整改。"))
    section.add(
        Table(
            "不符合项及整改建议",
            # 结果 is in 安全问题 and 附录A: the advice gets the width
            ["编号", "控制点", "风险", "整改建议"],
            [[i.id, i.control_point, RISK_NAMES.get(i.risk, ""), _remediation(i)] for i in failing],
            sheet_name="整改建议",
        )
    )


def _appendix(report: Report, result: Assessment, en: bool) -> None:
    section = report.section("全部要求项" if not en else "All items")
    section.appendix = True
    section.landscape = True
    section.add(
        Table(
            "全部要求项",
            ["编号", "安全类", "控制点", "条款", "要求概述", "结果", "来源", "风险", "高风险案例", "证据/说明"],
            [
                [
                    i.id,
                    i.class_name,
                    i.control_point,
                    f"{i.clause} {i.item})" if i.item else i.clause,
                    i.summary,
                    i.result,
                    SOURCE_NAMES.get(i.source, i.source),
                    RISK_NAMES.get(i.risk, ""),
                    "、".join(i.highrisk_cases),
                    _evidence(i),
                ]
                for i in result.items
            ],
            sheet_name="要求项",
        )
    )
