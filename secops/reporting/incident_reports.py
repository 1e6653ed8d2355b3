"""Official incident reports in Chinese: the CAC report (initial / follow-up / final), the school's
three-stage form, the timeline from the audit trail, the clocks met or missed; the daily 零报告;
and the monthly metrics.

Report fields the tools cannot know (cause, trend, trace, ...) come from ``secops incident set``
and are stored in the incident's facts; an initial report carries items 1-2 and whatever else is
already known, as the CAC rules allow. What the reports carry as data (kinds, fields, the JSON
form, metrics) is the incident feature's, in ``secops.incident.report_data``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from secops.config import Workspace
from secops.incident.audit import entries
from secops.incident.clocks import clocks_for, format_left, pending_clocks
from secops.incident.model import STATE_NAMES, Incident
from secops.incident.policy import IncidentPolicy
from secops.incident.report_data import KINDS, day_incidents, timed
from secops.incident.taxonomy import load_taxonomy
from secops.render.labels import labels_for
from secops.render.model import Cell, Paragraph, Report, Table
from secops.reporting.front_matter import SIGNATURES
from secops.store import Store

_ACTIONS = {
    "open": "登记事件",
    "acknowledged": "确认",
    "contained": "遏制",
    "eradicated": "根除",
    "recovered": "恢复",
    "closed": "关闭",
    "reopen": "重新打开",
    "step": "完成处置步骤",
    "note": "备注",
    "attach": "附加证据",
    "assign": "指派负责人",
    "grade": "调整级别",
    "reported": "向主管部门报告",
    "final-report": "提交总结报告",
    "followup-report": "提交续报",
    "set": "补充报告信息",
}


def _local(moment: datetime | str | None, zone: ZoneInfo) -> str:
    if moment is None:
        return "—"
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _detail_text(action: str, detail: dict[str, Any], zone: ZoneInfo) -> str:
    if action == "open":
        return f"{detail.get('title', '')}（{detail.get('grade', '')}）"
    if action in ("acknowledged", "contained", "eradicated", "recovered", "closed", "reopen"):
        return str(detail.get("note", ""))
    if action == "step":
        files = "，".join(f"{e['file']} SHA-256 {e['sha256'][:16]}…" for e in detail.get("evidence", []))
        return f"{detail.get('step', '')}" + (f"；证据 {files}" if files else "")
    if action == "attach":
        return f"{detail.get('file')} SHA-256 {str(detail.get('sha256', ''))[:16]}…"
    if action == "note":
        return str(detail.get("text", ""))
    if "new" in detail:
        shown = {k: _local(v, zone) if isinstance(v, datetime) else v for k, v in timed(detail["new"]).items()}
        return "；".join(f"{k}: {v}" for k, v in shown.items() if k != "facts") or "更新"
    return ""


def incident_report(
    incident: Incident, store: Store, workspace: Workspace, policy: IncidentPolicy, kind: str, now: datetime
) -> Report:
    zone = ZoneInfo(workspace.config.timezone)
    category = load_taxonomy().category(incident.category)
    facts = incident.facts
    title = f"网络安全事件{KINDS[kind]}" if not incident.is_drill else f"【演练】网络安全事件{KINDS[kind]}"
    report = Report(
        id=f"incident-{kind}",
        title=title,
        subtitle=f"#{incident.id} {incident.title}",
        generated_at=now.astimezone(zone),
        lang="zh",
        labels=labels_for("zh"),
        layout="gbt9704",  # forms: the GB/T 9704 page and 仿宋 body, no cover
        signatures=SIGNATURES,
    )
    report.metadata = [
        ("报送单位", workspace.config.school.name),
        ("学校标识码", workspace.config.school.code),
        ("事件编号", f"#{incident.id}"),
        ("报告类型", KINDS[kind]),
        ("报告时间", _local(now, zone)),
    ]
    if incident.is_drill:
        report.metadata.append(("性质", "应急演练（非真实事件，不得报送）"))
    basics = report.section("单位及设施概况")
    basics.add(
        Table(
            "单位及设施",
            ["项目", "内容"],
            [
                ["单位", workspace.config.school.name],
                ["涉及系统", "、".join(incident.systems) or "—"],
                ["涉及资产", "、".join(incident.assets) or "—"],
            ],
        )
    )
    event = report.section("事件基本情况")
    rows: list[list[Cell]] = [
        ["发现时间", _local(incident.detected_at, zone)],
        ["发生地点", str(facts.get("location", workspace.config.school.name))],
        ["事件类型", f"{category.code} {category.name} / {incident.subcategory}（GB/T 20986-2023）"],
        ["事件级别", incident.grade],
        ["当前状态", STATE_NAMES[incident.state]],
        ["影响和危害", str(facts.get("impact", "待补充"))],
        ["已采取措施及效果", str(facts.get("measures", "见处置时间线"))],
    ]
    if incident.subcategory == "勒索软件" or "ransom" in facts:
        rows.append(["赎金金额、方式、日期", str(facts.get("ransom", "待补充"))])
    if facts.get("grading_reasons"):
        rows.append(["定级依据", "；".join(map(str, facts["grading_reasons"]))])
    event.add(Table("事件基本情况", ["项目", "内容"], rows))
    numbered = (
        ("事态发展趋势", "trend"),
        ("原因初步分析", "cause"),
        ("溯源线索", "trace"),
        ("拟采取措施及请求支援", "plan"),
        ("现场保护情况", "scene"),
        ("其他", "other"),
    )
    for heading, key in numbered:
        value = facts.get(key)
        if key == "scene" and not value:
            files = [e for s in incident.steps.values() for e in s["evidence"]]
            value = "；".join(f"{e['file']}（SHA-256 {e['sha256']}）" for e in files) or None
        if value is None and kind == "initial":
            continue  # an initial report may carry only what is known
        report.section(heading).add(Paragraph(str(value) if value else "待补充"))
    if kind == "final":
        final = report.section("总结")
        final.add(
            Table(
                "总结报告要素",
                ["项目", "内容"],
                [
                    ["原因", str(facts.get("cause", "待补充"))],
                    ["处置措施", str(facts.get("measures", "见处置时间线"))],
                    ["危害", str(facts.get("impact", "待补充"))],
                    ["责任追究", str(facts.get("responsibility", "待补充"))],
                    ["整改措施", str(facts.get("rectification", "待补充"))],
                    ["教训及防范", str(facts.get("lessons", "待补充"))],
                ],
            )
        )
    stage = report.section("学校事件报告表")
    stage_rows: list[list[Cell]] = [
        ["首次报告", "报告时间", _local(incident.reported_at or incident.created_at, zone)],
        ["首次报告", "事件情况", incident.title],
        ["首次报告", "报告人", str(facts.get("reporter", incident.owner or "—"))],
    ]
    if kind in ("followup", "final"):
        stage_rows += [
            ["处理过程报告", "是否已恢复", "是" if "recovered" in incident.state_times else "否"],
            ["处理过程报告", "日志是否留存", "是" if any(s["evidence"] for s in incident.steps.values()) else "待确认"],
            ["处理过程报告", "原因", str(facts.get("cause", "待补充"))],
            ["处理过程报告", "恶意程序是否留存", str(facts.get("malware_kept", "待确认"))],
        ]
    if kind == "final":
        stage_rows += [
            ["结束报告", "经过及处理", str(facts.get("measures", "见处置时间线"))],
            ["结束报告", "原因及责任", f"{facts.get('cause', '待补充')}；{facts.get('responsibility', '待补充')}"],
            ["结束报告", "教训及防范", str(facts.get("lessons", "待补充"))],
            ["结束报告", "遗留问题", str(facts.get("leftover", "无"))],
        ]
    stage.add(Table("学校事件报告表", ["阶段", "项目", "内容"], stage_rows))
    clocks = report.section("处置时限")
    clock_rows: list[list[Cell]] = []
    for clock in clocks_for(incident, policy, now):
        state = {"met": "按时完成", "missed": "超时完成", "running": "进行中", "overdue": "已超时"}[clock.status]
        margin = {"met": f"提前 {format_left(clock.left)}", "missed": f"超出 {format_left(-clock.left)}"}
        spare = margin.get(clock.status) or clock.outcome_text()  # the result is in its own column
        clock_rows.append([clock.name, _local(clock.due_at, zone), state, spare, clock.source])
    for waiting in pending_clocks(incident, policy):  # e.g. the final report before handling ends
        clock_rows.append([waiting.name, "—", "未开始", waiting.outcome_text(), waiting.source])
    if not clock_rows:
        clocks.add(Paragraph("该级别事件不适用处置或报告时限。", "note"))
    clocks.add(Table("处置时限", ["时限", "截止时间", "结果", "剩余/超出", "依据"], clock_rows))
    timeline = report.section("处置时间线（审计记录）")
    timeline.add(
        Table(
            "处置时间线",
            ["序号", "时间", "操作人", "操作", "内容"],
            [
                [
                    e["seq"],
                    _local(e["at"], zone),
                    e["actor"],
                    _ACTIONS.get(e["action"], e["action"]),
                    _detail_text(e["action"], e["detail"], zone),
                ]
                for e in entries(store, incident.id)
            ],
        )
    )
    return report


def zero_report(
    store: Store, workspace: Workspace, policy: IncidentPolicy, day: date, now: datetime
) -> tuple[Report, dict[str, Any]]:
    """The day's 零报告, or the day's incidents when there were any."""
    zone = ZoneInfo(workspace.config.timezone)
    todays, still_open = day_incidents(store, zone, day)
    period = policy.important_period(day)
    report = Report(
        id="zero-report",
        title="网络安全事件日报（零报告）" if not todays else "网络安全事件日报",
        subtitle=f"{day.isoformat()}" + (f"（{period}）" if period else ""),
        generated_at=now.astimezone(zone),
        lang="zh",
        labels=labels_for("zh"),
        layout="gbt9704",  # forms: the GB/T 9704 page and 仿宋 body, no cover
        signatures=SIGNATURES,
    )
    report.metadata = [
        ("报送单位", workspace.config.school.name),
        ("学校标识码", workspace.config.school.code),
        ("日期", day.isoformat()),
        ("重要时段", period or "否"),
    ]
    section = report.section("当日情况")
    if not todays:
        section.add(Paragraph(f"{day.isoformat()} 本单位未发生网络安全事件，特此零报告。"))
    section.add(
        Table(
            "当日事件",
            ["编号", "事件", "类型", "级别", "状态", "发现时间"],
            [
                [f"#{i.id}", i.title, i.subcategory, i.grade, STATE_NAMES[i.state], _local(i.detected_at, zone)]
                for i in todays
            ],
        )
    )
    if still_open:
        report.section("此前未关闭的事件").add(
            Table(
                "未关闭事件",
                ["编号", "事件", "级别", "状态"],
                [[f"#{i.id}", i.title, i.grade, STATE_NAMES[i.state]] for i in still_open],
            )
        )
    data = {
        "date": day.isoformat(),
        "important_period": period,
        "zero": not todays,
        "incidents": [{"id": i.id, "title": i.title, "grade": i.grade, "state": i.state} for i in todays],
        "still_open": [i.id for i in still_open],
    }
    return report, data


def metrics_report(rows: list[dict[str, Any]], workspace: Workspace, now: datetime) -> Report:
    zone = ZoneInfo(workspace.config.timezone)
    report = Report(
        id="incident-metrics",
        title="网络安全事件处置指标",
        subtitle="按月统计：确认、遏制、关闭用时与时限达标率",
        generated_at=now.astimezone(zone),
        lang="zh",
        labels=labels_for("zh"),
        layout="gbt9704",  # forms: the GB/T 9704 page and 仿宋 body, no cover
        signatures=SIGNATURES,
    )
    report.metadata = [("单位", workspace.config.school.name), ("学校标识码", workspace.config.school.code)]

    def shown(value: Any) -> Cell:
        return "—" if value is None else value

    report.section("月度指标").add(
        Table(
            "月度指标",
            [
                "月份",
                "事件数",
                "平均确认用时（分）",
                "平均遏制用时（分）",
                "平均关闭用时（分）",
                "已判定时限",
                "按时完成",
                "达标率",
            ],
            [
                [
                    r["month"],
                    r["incidents"],
                    shown(r["minutes_to_acknowledge"]),
                    shown(r["minutes_to_contain"]),
                    shown(r["minutes_to_close"]),
                    r["clocks_decided"],
                    r["clocks_met"],
                    "—" if r["compliance"] is None else f"{r['compliance'] * 100:.0f}%",
                ]
                for r in rows
            ],
            sheet_name="月度指标",
        )
    )
    return report
