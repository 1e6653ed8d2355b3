"""The 等保 差距分析 report of a system's latest assessment: high risk first, then per class."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from secops.dengbao.highrisk import mitigation_state
from secops.dengbao.risks import STATUS_NAMES, decide, load_decisions
from secops.dengbao.systems import get_system, latest_assessment
from secops.dengbao.trend import trend_points
from secops.errors import SecopsError
from secops.records.assessed_item import AssessedItem
from secops.render.model import Cell, Chart, Paragraph, Report, Table
from secops.reporting.build import ReportContext

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


def build(ctx: ReportContext) -> Report:
    name = ctx.params.get("system", "")
    system = get_system(ctx.store, name)
    result = latest_assessment(ctx.store, system)
    if result is None:
        raise SecopsError(
            f"system {system.name!r} has not been assessed yet",
            hint=f"run secops dengbao assess --system {system.name} first",
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

    overview = report.section("评估结论" if not en else "Conclusion")
    overview.add(
        Paragraph(
            f"本次对“{system.name}”按第{result.level}级要求共评估 {counts['total']} 项："
            + "，".join(f"{k} {counts[k]} 项" for k in RESULT_ORDER)
            + f"。符合率 {_pct(result.rate)}（部分符合按 0.5 计为 {_pct(result.weighted_rate)}），"
            f"综合得分（2019 模板）{result.score_2019}，2021 模板评级“{result.grade_2021}”。"
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

    _trend_section(report, trend_points(ctx.store, system), config.timezone, en)

    high = report.section("高风险问题" if not en else "High-risk problems")
    if not result.highrisk:
        high.add(Paragraph("未发现与《高风险判定实施指引》案例相符的问题。", "note"))
    rows: list[list[Cell]] = []
    for problem in result.highrisk:
        state = mitigation_state(problem)
        if problem.candidate:
            decision = problem.decision
            state += f"；重大风险隐患候选：{STATUS_NAMES[decision.decision if decision else None]}"
            if decision:
                when = _local_time(decision.decided_at, config.timezone)
                state += f"（{decision.decided_by}，{when}：{decision.reason}）"
        if problem.mitigation_note:
            state += f"；备注（不作为缓解依据）：{problem.mitigation_note}"
        rows.append(
            [
                problem.case,
                problem.title,
                "、".join(problem.items),
                "；".join(problem.evidence) or "问卷答复为不符合",
                state,
            ]
        )
    high.add(Table("高风险问题", ["案例", "问题", "涉及要求项", "证据", "状态"], rows))

    classes = report.section("各安全类符合情况" if not en else "By class")
    by_class = result.by_class
    class_rows: list[list[Cell]] = []
    for class_name, tally in by_class.items():
        applicable = tally["total"] - tally["不适用"]
        rate = tally["符合"] / applicable if applicable else 1.0
        class_rows.append([class_name, *[tally[k] for k in RESULT_ORDER], _pct(rate)])
    classes.add(Table("各安全类符合情况", ["安全类", *RESULT_ORDER, "符合率"], class_rows))
    if by_class:
        classes.add(
            Chart(
                "各安全类评估结果",
                "bar",
                list(by_class),
                {k: [float(t[k]) for t in by_class.values()] for k in ("符合", "部分符合", "不符合", "未测评")},
                y_label="项数",
            )
        )

    gaps = report.section("不符合项及整改建议" if not en else "Gaps and remediation")
    failing = [i for i in result.items if i.result in ("不符合", "部分符合")]
    order = {"high": 0, "medium": 1, "low": 2, None: 3}
    failing.sort(key=lambda i: (order.get(i.risk, 3), i.id))
    if not failing:
        gaps.add(Paragraph("没有不符合或部分符合的要求项。", "note"))
    gaps.add(
        Table(
            "不符合项",
            ["编号", "控制点", "要求概述", "结果", "风险", "证据", "整改建议"],
            [
                [
                    i.id,
                    i.control_point,
                    i.summary,
                    i.result,
                    RISK_NAMES.get(i.risk, ""),
                    _evidence(i),
                    _remediation(i),
                ]
                for i in failing
            ],
        )
    )

    status = report.section("问卷状态" if not en else "Questionnaire")
    answered = sum(1 for i in result.items if i.answer)
    automated = sum(1 for i in result.items if i.automated in ("pass", "fail"))
    status.add(
        Paragraph(
            f"问卷已答复 {answered} 项，自动取证覆盖 {automated} 项，未测评 {counts['未测评']} 项；"
            f"答卷与自动检查冲突 {result.conflicts} 项。"
        )
    )
    conflicts = [i for i in result.items if i.conflict]
    if conflicts:
        status.add(
            Table(
                "答卷冲突",
                ["编号", "控制点", "冲突"],
                [[i.id, i.control_point, i.conflict] for i in conflicts],
            )
        )
    if system.grading:
        grading = report.section("定级情况" if not en else "Grading")
        for line in system.grading.get("reasoning", []):
            grading.add(Paragraph(line))

    items = report.section("全部要求项" if not en else "All items")
    items.add(
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
    return report
