"""Running clocks: every open incident's deadlines, time left, and escalation notices.

A deadline runs from the detection time, or (the 30-day final report, CAC art. 8) from the end of
handling: the state the policy names (recovered; closed when the incident never recovered). Until
then it has not started: it is no running clock (no countdown, no notices) but a ``PendingClock``
that ``incident show`` and the reports list as 未开始. A clock stops when what it asks for happened
(the incident recovered, was reported, closed, or the final report was filed). Notices go out at each
escalation fraction (50%, 80%, 100% = overdue by default) exactly once: the notices table is the
memory, so a check after downtime sends every notice that fell due meanwhile, and none twice.
Time is always passed in, never read from the system clock here. A drill's incident runs its
clocks faster by its speed (secops.drill): at 10x the 1-hour report is due 6 real minutes after
detection, and every time stays a real time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

import sqlalchemy as sa

from secops.incident.model import Incident
from secops.incident.policy import Deadline, IncidentPolicy
from secops.store import Store
from secops.store.schema import clock_notices


@dataclass(frozen=True)
class Clock:
    incident_id: int
    deadline_id: str
    name: str
    source: str
    started_at: datetime
    due_at: datetime
    stopped_at: datetime | None  # when what it asked for happened
    now: datetime

    @property
    def total(self) -> timedelta:
        return self.due_at - self.started_at

    @property
    def left(self) -> timedelta:
        end = self.stopped_at or self.now
        return self.due_at - end

    @property
    def status(self) -> str:
        if self.stopped_at is not None:
            return "met" if self.stopped_at <= self.due_at else "missed"
        return "running" if self.now < self.due_at else "overdue"

    @property
    def fraction(self) -> float:
        """How much of the allowed time has passed (1.0 = due)."""
        end = self.stopped_at or self.now
        total = self.total.total_seconds()
        return (end - self.started_at).total_seconds() / total if total > 0 else 1.0

    def outcome_text(self) -> str:
        """What a person reads: 剩余 …/已超时 … while it runs, 按时完成/超时完成 once it stopped."""
        if self.status == "met":
            return f"按时完成（提前 {format_left(self.left)}）"
        if self.status == "missed":
            return f"超时完成（超出 {format_left(-self.left)}）"
        return left_text(self.left)

    def as_dict(self) -> dict[str, Any]:
        left = self.left
        return {
            "incident": self.incident_id,
            "deadline": self.deadline_id,
            "name": self.name,
            "due_at": self.due_at,
            "status": self.status,
            "left_seconds": int(left.total_seconds()),
            "left": format_left(left),
            "left_text": self.outcome_text(),
            "elapsed": round(self.fraction, 3),
            "source": self.source,
        }


def format_left(left: timedelta) -> str:
    seconds = int(left.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{sign}{days}天{hours}小时"
    if hours:
        return f"{sign}{hours}小时{minutes}分"
    return f"{sign}{minutes}分{rest % 60}秒" if minutes < 10 else f"{sign}{minutes}分"


def left_text(left: timedelta) -> str:
    """What a person reads: 剩余 50分, or 已超时 16天13小时 once the time has run out."""
    return f"剩余 {format_left(left)}" if left.total_seconds() >= 0 else f"已超时 {format_left(-left)}"


def _stopped_at(incident: Incident, met_by: str) -> datetime | None:
    if met_by == "reported":
        return incident.reported_at
    if met_by == "final_report":
        value = incident.facts.get("final_report_at")
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    if met_by == "recovered":
        stamp = incident.state_times.get("recovered") or incident.state_times.get("closed")
    else:
        stamp = incident.state_times.get("closed")
    return datetime.fromisoformat(stamp) if stamp else None


def end_of_handling(incident: Incident, policy: IncidentPolicy) -> datetime | None:
    """When handling ended: the policy's end state (recovered, else closed), None while it goes on.

    An incident reopened after closing is handled again: the clock waits until it ends again."""
    if incident.state == "closed":
        stamp = incident.state_times.get("closed")
        if policy.end_of_handling == "recovered":
            stamp = incident.state_times.get("recovered") or stamp
    elif incident.state == "recovered" and policy.end_of_handling == "recovered":
        stamp = incident.state_times.get("recovered")
    else:
        return None
    return datetime.fromisoformat(stamp) if stamp else None


def _started_at(incident: Incident, policy: IncidentPolicy, deadline: Deadline) -> datetime | None:
    if deadline.starts == "end_of_handling":
        return end_of_handling(incident, policy)
    return incident.detected_at


def _notice_due(incident: Incident) -> datetime | None:
    """The deadline a received 通报 set (secops.forward.inbox keeps it in the facts)."""
    value = incident.facts.get("notice_due_at")
    if not isinstance(value, str):
        return None
    try:
        due = datetime.fromisoformat(value)
    except ValueError:
        return None
    return due if due.tzinfo else due.replace(tzinfo=UTC)


def _short(moment: datetime) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%m-%d %H:%M")


def clocks_for(incident: Incident, policy: IncidentPolicy, now: datetime) -> list[Clock]:
    """The clocks that run (or ran): a clock that has not started yet is not among them."""
    found = []
    for deadline in policy.deadlines_for(incident.grade, notified=incident.notified):
        started = _started_at(incident, policy, deadline)
        if started is None:
            continue
        due = started + deadline.offset / incident.drill_speed  # a drill at 10x: 1 hour becomes 6 minutes
        name = deadline.name
        given = _notice_due(incident) if deadline.notified else None
        if given is not None and given != due:  # the 通报 named its own deadline: that one holds
            due, name = given, f"{deadline.name.split(' ')[0]} 按通报要求于 {_short(given)} 前处置完成"
        found.append(
            Clock(
                incident_id=incident.id,
                deadline_id=deadline.id,
                name=name,
                source=deadline.source,
                started_at=started,
                due_at=due,
                stopped_at=_stopped_at(incident, deadline.met_by),
                now=now,
            )
        )
    return found


@dataclass(frozen=True)
class PendingClock:
    """A deadline that applies but has not started (the final report before handling ends)."""

    incident_id: int
    deadline_id: str
    name: str
    source: str
    offset: timedelta
    starts_when: str  # the state that starts it, e.g. 恢复

    status = "not_started"

    def outcome_text(self) -> str:
        days, rest = divmod(int(self.offset.total_seconds()), 86400)
        span = f"{days}天" if days and not rest else format_left(self.offset)
        return f"未开始（处置结束即事件{self.starts_when}后起算 {span}）"

    def as_dict(self) -> dict[str, Any]:
        return {
            "incident": self.incident_id,
            "deadline": self.deadline_id,
            "name": self.name,
            "status": self.status,
            "starts_when": self.starts_when,
            "offset_seconds": int(self.offset.total_seconds()),
            "left_text": self.outcome_text(),
            "source": self.source,
        }


def pending_clocks(incident: Incident, policy: IncidentPolicy) -> list[PendingClock]:
    """The deadlines that apply to the incident but wait for the end of handling."""
    starts_when = "恢复或关闭" if policy.end_of_handling == "recovered" else "关闭"
    return [
        PendingClock(
            incident.id,
            deadline.id,
            deadline.name,
            deadline.source,
            deadline.offset / incident.drill_speed,
            starts_when,
        )
        for deadline in policy.deadlines_for(incident.grade, notified=incident.notified)
        if _started_at(incident, policy, deadline) is None
    ]


@dataclass(frozen=True)
class Notice:
    clock: Clock
    fraction: float  # the escalation point reached

    @property
    def due_at(self) -> datetime:
        return self.clock.started_at + self.clock.total * self.fraction

    def text(self, incident: Incident, zone: tzinfo = UTC) -> str:
        head = "【已超时】" if self.fraction >= 1.0 else f"【时限提醒 {int(self.fraction * 100)}%】"
        due = self.clock.due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        return (
            f"{head}事件 #{incident.id}“{incident.title}”（{incident.grade}）：{self.clock.name}，"
            f"截止 {due}，{left_text(self.clock.left)}。"
        )


def due_notices(store: Store, incident: Incident, policy: IncidentPolicy, now: datetime) -> list[Notice]:
    """Notices that fell due and were not sent yet (running or overdue clocks only)."""
    with store.engine.connect() as conn:
        sent = {
            (row.deadline_id, round(row.fraction, 4))
            for row in conn.execute(
                sa.select(clock_notices.c.deadline_id, clock_notices.c.fraction).where(
                    clock_notices.c.incident_id == incident.id
                )
            )
        }
    found = []
    for clock in clocks_for(incident, policy, now):
        if clock.stopped_at is not None:
            continue
        for fraction in policy.escalation:
            notice = Notice(clock, fraction)
            if now >= notice.due_at and (clock.deadline_id, round(fraction, 4)) not in sent:
                found.append(notice)
    return found


def record_notice(store: Store, notice: Notice, now: datetime, channels: dict[str, str]) -> bool:
    """Remember a notice as sent; False when another checker recorded it first (sent once only)."""
    try:
        with store.engine.begin() as conn:
            conn.execute(
                clock_notices.insert().values(
                    incident_id=notice.clock.incident_id,
                    deadline_id=notice.clock.deadline_id,
                    fraction=round(notice.fraction, 4),
                    due_at=notice.due_at,
                    sent_at=now,
                    channels=channels,
                )
            )
    except sa.exc.IntegrityError:
        return False
    return True
