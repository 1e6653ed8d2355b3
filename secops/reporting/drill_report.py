"""The 应急演练报告 (drill report): what was drilled and why, the timeline, every step and clock met
or missed in drill time, the questions and answers, the gaps found and the improvements.

Everything comes from ``secops.incident.drill.outcome``, so the report and the records agree; the
document says on its first lines that it records a drill, not a real incident.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from secops.config import Workspace
from secops.incident.drill.outcome import MILESTONES, STEP_STATUS, Outcome, span_text
from secops.render.labels import labels_for
from secops.render.model import Cell, Paragraph, Report, Table
from secops.reporting.front_matter import SIGNATURES

CLOCK_STATUS = {
    "met": "按时完成",
    "missed": "超时完成",
    "running": "进行中",
    "overdue": "已超时",
    "not_due": "演练结束时未到期",
}


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if moment is not None else "—"


def _clock_time(moment: datetime, zone: ZoneInfo, day: str) -> str:
    """The time of day, with the date only when it is not the drill's first day."""
    local = moment.astimezone(zone)
    return local.strftime("%H:%M:%S") if local.strftime("%Y-%m-%d") == day else local.strftime("%m-%d %H:%M:%S")


def drill_report(found: Outcome, workspace: Workspace, now: datetime) -> Report:
    zone = ZoneInfo(workspace.config.timezone)
    drill, scenario, incident = found.drill, found.scenario, found.incident
    report = Report(
        id="drill",
        title="网络与数据安全应急演练报告",
        subtitle=f"演练 #{drill.id} {scenario.name.zh}",
        generated_at=now.astimezone(zone),
        lang="zh",
        labels=labels_for("zh"),
        layout="gbt9704",
        signatures=SIGNATURES,
    )
    speed = "实时" if drill.speed == 1 else f"{drill.speed:g} 倍速（演练时间 = 实际用时 × {drill.speed:g}）"
    report.metadata = [
        ("组织单位", workspace.config.school.name),
        ("学校标识码", workspace.config.school.code),
        ("演练编号", f"#{drill.id}"),
        ("演练情景", scenario.name.zh),
        ("演练事件", f"#{incident.id}（{incident.grade}，预案：{_playbook_name(incident.playbook)}）"),
        ("开始时间", _local(drill.started_at, zone)),
        ("结束时间", _local(drill.finished_at, zone) if drill.finished_at else "进行中"),
        ("时钟", speed),
    ]
    overview = report.section("演练概况")
    overview.add(
        Paragraph(
            "本报告记录的是应急演练，不是真实网络安全事件：演练事件不计入事件统计、零报告和向上级的事件报送。",
            "warning",
        )
    )
    summary = found.summary()  # counts what fell due within the drill
    answered = sum(a is not None for _q, a in found.questions)
    overview.add(
        Paragraph(
            f"情景：{scenario.briefing} 涉及系统：{'、'.join(scenario.systems) or '—'}。"
            f"处置步骤按时完成 {summary['steps_met']}/{summary['steps_total']} 个，"
            f"时限达成 {summary['clocks_met']}/{summary['clocks_total']} 项（演练结束时未到期的不计），"
            f"问题作答 {answered}/{len(found.questions)} 个，发现问题 {len(found.gaps)} 项。"
        )
    )
    overview.add(Table("演练目标", ["序号", "目标"], [[n, text] for n, text in enumerate(scenario.objectives, 1)]))
    milestones: list[list[Cell]] = [
        [name, span_text(timedelta(minutes=minutes)) if (minutes := found.milestones[key]) is not None else "未达到"]
        for key, name in MILESTONES.items()
    ]
    overview.add(Table("关键节点（演练时间，自发现起）", ["节点", "用时"], milestones))

    timeline = report.section("演练时间线")
    day = drill.started_at.astimezone(zone).strftime("%Y-%m-%d")
    rows: list[list[Cell]] = [
        [_clock_time(entry.at, zone, day), span_text(entry.offset), entry.who, entry.what] for entry in found.timeline
    ]
    timeline.add(Paragraph(f"演练日期 {day}；演练时间自演练开始计。", "note"))
    timeline.add(Table("时间线", ["实际时间", "演练时间", "人员", "事项"], rows, widths=(1.4, 1.4, 1.6, 5.6)))

    results = report.section("时限达成情况")
    step_rows: list[list[Cell]] = [
        [s.name, s.role, span_text(s.allowed), span_text(s.taken), STEP_STATUS[s.status]] for s in found.steps
    ]
    results.add(Table("处置步骤", ["步骤", "角色", "时限", "实际用时", "结果"], step_rows))
    clock_rows: list[list[Cell]] = [
        [c.name, span_text(c.allowed), span_text(c.taken), CLOCK_STATUS.get(c.status, c.status), c.source]
        for c in found.clocks
    ]
    if clock_rows:
        results.add(Table("报告与处置时限", ["时限", "时限长度", "实际用时", "结果", "依据"], clock_rows))
    else:
        results.add(Paragraph("该级别事件不适用报告或处置时限。", "note"))
    results.add(
        Paragraph("时限与用时均为演练时间：实际用时乘以倍速。步骤结果由系统记录的完成时间判定，不作人工评分。", "note")
    )

    questions = report.section("演练问答")
    question_rows: list[list[Cell]] = [
        [q.text, str(answer["text"]) if answer else "未作答", q.reference] for q, answer in found.questions
    ]
    questions.add(Table("问答", ["问题", "演练中的回答", "参考要点"], question_rows))

    gaps = report.section("发现的问题")
    if found.gaps:
        for number, text in enumerate(found.gaps, 1):
            gaps.add(Paragraph(f"{number}. {text}"))
    else:
        gaps.add(Paragraph("未发现超时、遗漏或未作答的问题。"))
    improvements = report.section("改进措施")
    if found.improvements:
        for number, text in enumerate(found.improvements, 1):
            improvements.add(Paragraph(f"{number}. {text}"))
    else:
        improvements.add(Paragraph("保持现有安排，按计划开展下一次演练。"))
    return report


def _playbook_name(playbook_id: str | None) -> str:
    from secops.incident.playbooks import load_playbooks

    return next((p.name.zh for p in load_playbooks() if p.id == playbook_id), playbook_id or "—")
