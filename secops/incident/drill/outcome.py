"""How a drill went, from what was recorded: each playbook step and each clock met or missed (in
drill time: at 10x, a step done 3 real minutes after detection took 30 minutes), the milestones,
the questions answered, the gaps found and the improvements they call for, and the timeline.

Nothing here is judged by hand: a step's result follows from the time its completion was recorded,
so the report and the records always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from secops.incident.audit import entries
from secops.incident.clocks import Clock, clocks_for
from secops.incident.drill.run import DRILL_MARK, INJECT_KINDS
from secops.incident.drill.scenarios import DrillScenario, Question
from secops.incident.drill.store import Drill
from secops.incident.model import Incident
from secops.incident.playbooks import Playbook
from secops.incident.policy import IncidentPolicy
from secops.store import Store

STEP_STATUS = {
    "met": "按时完成",
    "missed": "超时完成",
    "open": "待完成",
    "overdue": "已超时",
    "not_done": "未完成",
    "not_due": "演练结束时未到期",
}
MILESTONES = {
    "acknowledged": "确认",
    "reported": "首次报告",
    "contained": "遏制",
    "recovered": "恢复",
    "closed": "关闭",
}


@dataclass(frozen=True)
class StepResult:
    id: str
    name: str
    role: str
    allowed: timedelta  # drill time from detection
    due_at: datetime  # real time
    done_at: datetime | None
    taken: timedelta | None  # drill time from detection to completion
    status: str  # met | missed | open | overdue | not_done | not_due

    def as_dict(self) -> dict[str, Any]:
        return {
            "step": self.id,
            "name": self.name,
            "role": self.role,
            "allowed_minutes": round(self.allowed.total_seconds() / 60, 1),
            "taken_minutes": round(self.taken.total_seconds() / 60, 1) if self.taken is not None else None,
            "status": self.status,
        }


@dataclass(frozen=True)
class ClockResult:
    id: str
    name: str
    source: str
    allowed: timedelta  # drill time
    taken: timedelta | None
    status: str  # met | missed | running | overdue | not_due (still running when the drill ended)

    def as_dict(self) -> dict[str, Any]:
        return {
            "deadline": self.id,
            "name": self.name,
            "allowed_minutes": round(self.allowed.total_seconds() / 60, 1),
            "taken_minutes": round(self.taken.total_seconds() / 60, 1) if self.taken is not None else None,
            "status": self.status,
        }


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime  # real time
    offset: timedelta  # drill time since the start
    who: str
    what: str


@dataclass
class Outcome:
    drill: Drill
    scenario: DrillScenario
    incident: Incident
    steps: list[StepResult]
    clocks: list[ClockResult]
    milestones: dict[str, float | None]  # milestone -> drill minutes after detection
    questions: list[tuple[Question, dict[str, Any] | None]]
    gaps: list[str]
    improvements: list[str]
    timeline: list[TimelineEntry]

    def summary(self) -> dict[str, Any]:
        """What leaves the school (the center compares schools on it): times and counts, no text."""
        return {
            "scenario": self.scenario.id,
            "speed": self.drill.speed,
            "started_at": self.drill.started_at.isoformat(),
            "finished_at": self.drill.finished_at.isoformat() if self.drill.finished_at else None,
            "milestones": self.milestones,
            # what fell due within the drill (or was done): a deadline beyond its end is no failure
            "steps_met": sum(s.status == "met" for s in self.steps),
            "steps_total": sum(s.status != "not_due" for s in self.steps),
            "clocks_met": sum(c.status == "met" for c in self.clocks),
            "clocks_total": sum(c.status in ("met", "missed", "overdue") for c in self.clocks),
            "questions_answered": sum(answer is not None for _q, answer in self.questions),
            "questions_total": len(self.questions),
            "gaps": len(self.gaps),
            "steps": [s.as_dict() for s in self.steps],
            "clocks": [c.as_dict() for c in self.clocks],
        }


def span_text(span: timedelta | None) -> str:
    """30天, 1小时, 6分2秒: a deadline or a time taken, without the zero parts."""
    if span is None:
        return "—"
    seconds = int(span.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [(days, "天"), (hours, "小时"), (minutes, "分"), (seconds, "秒")]
    return "".join(f"{n}{unit}" for n, unit in parts if n) or "0分"


def _minutes(span: timedelta | None) -> float | None:
    return round(span.total_seconds() / 60, 1) if span is not None else None


def _step_results(drill: Drill, incident: Incident, playbook: Playbook, now: datetime) -> list[StepResult]:
    results = []
    ended = not drill.running
    for step in playbook.steps:
        due = incident.detected_at + step.offset / drill.speed
        done = incident.steps.get(step.id, {}).get("done_at")
        if done is not None and drill.finished_at is not None and done > drill.finished_at:
            done = None  # recorded after the drill ended: not part of it
        taken = (done - incident.detected_at) * drill.speed if done is not None else None
        if done is not None:
            status = "met" if done <= due else "missed"
        elif ended:  # a deadline beyond the drill's end (the 30-day final report) is no gap
            status = "not_done" if drill.finished_at is None or due <= drill.finished_at else "not_due"
        else:
            status = "open" if now < due else "overdue"
        results.append(StepResult(step.id, step.name, step.role, step.offset, due, done, taken, status))
    return results


def _clock_results(clocks: list[Clock], speed: float, end: datetime | None) -> list[ClockResult]:
    """Each clock as it stood when the drill ended (``end``): what was recorded later does not count,
    and a clock still running then was not due within the drill (``not_due``)."""
    results = []
    for clock in clocks:
        stopped = clock.stopped_at if end is None or clock.stopped_at is None or clock.stopped_at <= end else None
        taken = (stopped - clock.started_at) * speed if stopped is not None else None
        if stopped is not None:
            status = "met" if stopped <= clock.due_at else "missed"
        elif end is not None:
            status = "overdue" if end >= clock.due_at else "not_due"
        else:
            status = clock.status
        allowed = clock.total * speed
        results.append(ClockResult(clock.deadline_id, clock.name, clock.source, allowed, taken, status))
    return results


def _milestones(incident: Incident, speed: float, end: datetime | None) -> dict[str, float | None]:
    found: dict[str, float | None] = {}
    for key in MILESTONES:
        if key == "reported":
            moment = incident.reported_at
        else:
            stamp = incident.state_times.get(key)
            moment = datetime.fromisoformat(stamp) if stamp else None
        if moment is not None and end is not None and moment > end:
            moment = None  # after the drill ended
        found[key] = _minutes((moment - incident.detected_at) * speed) if moment is not None else None
    return found


def _gaps(
    drill: Drill, steps: list[StepResult], clocks: list[ClockResult], questions: list[tuple[Question, Any]]
) -> tuple[list[str], list[str]]:
    gaps, improvements = [], []
    for step in steps:
        if step.status in ("missed", "overdue", "not_done"):
            late = f"超时 {span_text(step.taken - step.allowed)}" if step.taken is not None else "未按时完成"
            gaps.append(f"步骤「{step.name}」（{step.role}）{late}，时限 {span_text(step.allowed)}。")
            improvements.append(
                f"为「{step.role}」明确 A/B 角和联系方式，把「{step.name}」写成可照做的操作卡并单独演练，"
                f"目标在 {span_text(step.allowed)} 内完成。"
            )
    for clock in clocks:
        if clock.status in ("missed", "overdue"):
            gaps.append(f"{clock.name}：未在时限内完成（时限 {span_text(clock.allowed)}）。")
            improvements.append(f"把「{clock.name}」的报告对象、方式和报告模板放进值班手册，值班人员可直接报送。")
    for question, answer in questions:
        if answer is None:
            gaps.append(f"问题「{question.text}」未作答。")
    for finding in drill.findings:
        (gaps if finding["kind"] == "gap" else improvements).append(str(finding["text"]))
    return gaps, improvements


def outcome(
    store: Store,
    drill: Drill,
    scenario: DrillScenario,
    incident: Incident,
    playbook: Playbook,
    policy: IncidentPolicy,
    now: datetime,
) -> Outcome:
    steps = _step_results(drill, incident, playbook, now)
    clocks = _clock_results(clocks_for(incident, policy, now), drill.speed, drill.finished_at)
    questions = [(q, drill.answers.get(q.id)) for q in scenario.questions]  # answers close with the drill
    gaps, improvements = _gaps(drill, steps, clocks, questions)
    return Outcome(
        drill,
        scenario,
        incident,
        steps,
        clocks,
        _milestones(incident, drill.speed, drill.finished_at),
        questions,
        gaps,
        improvements,
        timeline(store, drill, scenario, incident),
    )


ACTIONS = {
    "open": "登记演练事件",
    "acknowledged": "确认",
    "contained": "遏制",
    "eradicated": "根除",
    "recovered": "恢复",
    "closed": "关闭",
    "reopen": "重新打开",
    "step": "完成处置步骤",
    "note": "记录",
    "attach": "附加证据",
    "assign": "指派负责人",
    "grade": "调整级别",
    "reported": "首次报告",
    "final-report": "总结报告",
    "followup-report": "续报",
    "set": "补充报告信息",
}


def timeline(store: Store, drill: Drill, scenario: DrillScenario, incident: Incident) -> list[TimelineEntry]:
    """The injects as they went out and every audited action on the drill's incident, in time order."""
    found = []
    for index, sent in drill.injected.items():
        inject = scenario.injects[int(index)]
        due, delivered = drill.real_time_of(inject.offset), datetime.fromisoformat(sent)
        source = f"（{inject.source}）" if inject.source else ""
        what = f"注入{INJECT_KINDS[inject.kind]}{source}：{inject.title}"
        if (delivered - due).total_seconds() > 30:  # sent late (no scheduler, or it was down)
            what += f"（实际送达时为演练时间 {span_text(drill.drill_elapsed(delivered))}）"
        found.append(TimelineEntry(due, inject.offset, "演练导调", what))
    steps = {}
    from secops.incident.playbooks import load_playbooks

    for playbook in load_playbooks():
        if playbook.id == incident.playbook:
            steps = {s.id: s.name for s in playbook.steps}
    for entry in entries(store, incident.id):
        at = datetime.fromisoformat(entry["at"])
        if drill.finished_at is not None and at > drill.finished_at:
            continue  # recorded after the drill ended: not part of it
        action, detail = entry["action"], entry["detail"]
        what = ACTIONS.get(action, action)
        if action == "step":
            what = f"完成步骤「{steps.get(detail.get('step', ''), detail.get('step', ''))}」"
        elif action == "note":
            what = str(detail.get("text", "")).removeprefix(DRILL_MARK)
        elif action in ("acknowledged", "contained", "eradicated", "recovered", "closed") and detail.get("note"):
            what = f"{what}：{str(detail['note']).removeprefix(DRILL_MARK)}"
        found.append(TimelineEntry(at, drill.drill_elapsed(at), entry["actor"], what))
    found.sort(key=lambda e: e.at)
    return found
