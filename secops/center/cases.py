"""What center staff do to a case (an incident at the center), each through the incident model and
its audit trail, and each allowed to a role (``secops.center.staff.ROLES``):

- 值班员 (duty): acknowledge, note;
- 分析员 (analyst): also grade (with a reason), assign, merge, close (with a reason), reopen;
- 管理员 (admin): all of it.

The dashboard's forms and ``secops center incident`` both come here. ``version`` (optional) is the
version the person saw: a change made meanwhile by someone else is refused, not overwritten.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from secops.center.staff import ROLE_NAMES, role_allows
from secops.errors import SecopsError
from secops.incident.model import (
    Incident,
    Session,
    add_note,
    check_grade,
    get_incident,
    set_fields,
    transition,
)
from secops.store import Store
from secops.store.schema import center_auto_incidents

NEEDS = {
    "ack": "duty",
    "note": "duty",
    "grade": "analyst",
    "assign": "analyst",
    "merge": "analyst",
    "close": "analyst",
    "reopen": "analyst",
}
MAX_REASON = 2000
ACTION_NAMES = {
    "ack": "确认事件",
    "note": "添加备注",
    "grade": "调整级别",
    "assign": "指派负责人",
    "merge": "合并事件",
    "close": "关闭事件",
    "reopen": "重新打开事件",
}


class NotAllowed(SecopsError):
    """The staff member's role does not allow the action."""


@dataclass(frozen=True)
class Staff:
    """Who acts at the center: their account, role, the audit key and the moment."""

    state: Store
    key: bytes
    username: str
    role: str
    now: datetime

    def session(self) -> Session:
        return Session(self.state, self.key, self.username, self.now)

    def require(self, action: str) -> None:
        needed = NEEDS[action]
        if not role_allows(self.role, needed):
            raise NotAllowed(
                f"{ROLE_NAMES.get(self.role, self.role)} {self.username} 无权{ACTION_NAMES[action]}："
                f"需要{ROLE_NAMES[needed]}或以上角色",
                hint="请管理员调整角色：secops center user role NAME --role analyst",
            )


def _reason(text: str, what: str) -> str:
    text = text.strip()
    if not text:
        raise SecopsError(f"{what}需要填写理由", hint="写明原因，例如：误报，扫描器的正常探测")
    if len(text) > MAX_REASON:
        raise SecopsError(f"理由超过 {MAX_REASON} 个字符")
    return text


def acknowledge(staff: Staff, incident_id: int, note: str = "", version: int | None = None) -> Incident:
    staff.require("ack")
    current = get_incident(staff.state, incident_id)
    if current.state != "new":
        raise SecopsError(f"事件 #{incident_id} 已经确认过（当前状态：{current.state}）")
    return transition(staff.session(), incident_id, "acknowledged", version=version, note=note.strip()[:MAX_REASON])


def note(staff: Staff, incident_id: int, text: str) -> Incident:
    staff.require("note")
    return add_note(staff.session(), incident_id, _reason(text, "备注"))


def regrade(staff: Staff, incident_id: int, grade: str, reason: str, version: int | None = None) -> Incident:
    staff.require("grade")
    check_grade(grade)
    why = _reason(reason, "调整级别")
    current = get_incident(staff.state, incident_id)
    if current.grade == grade:
        raise SecopsError(f"事件 #{incident_id} 已经是{grade}")
    facts = {**current.facts, "grade_reason": why, "graded_by": staff.username}
    return set_fields(staff.session(), incident_id, "grade", {"grade": grade, "facts": facts}, version=version)


def assign(staff: Staff, incident_id: int, owner: str, version: int | None = None) -> Incident:
    staff.require("assign")
    owner = owner.strip()
    if not owner or len(owner) > 100:
        raise SecopsError("请填写负责人（1-100 个字符）")
    return set_fields(staff.session(), incident_id, "assign", {"owner": owner}, version=version)


def close(staff: Staff, incident_id: int, reason: str, version: int | None = None) -> Incident:
    staff.require("close")
    why = _reason(reason, "关闭事件")
    current = get_incident(staff.state, incident_id)
    if current.state == "closed":
        raise SecopsError(f"事件 #{incident_id} 已经关闭")
    facts = {**current.facts, "close_reason": why}
    set_fields(staff.session(), incident_id, "close-reason", {"facts": facts}, version=version)
    return transition(staff.session(), incident_id, "closed", note=why)


def reopen(staff: Staff, incident_id: int, reason: str) -> Incident:
    staff.require("reopen")
    return transition(staff.session(), incident_id, "acknowledged", note=_reason(reason, "重新打开事件"))


def merge(staff: Staff, into: int, others: Sequence[int], reason: str) -> Incident:
    """Fold ``others`` into ``into``: their alerts (and the center alerts claimed for them) join it,
    and each is closed naming the case it went into. All of it audited on both sides."""
    staff.require("merge")
    why = _reason(reason, "合并事件")
    sources = sorted(set(others) - {into})
    if not sources:
        raise SecopsError("请至少给出一个要并入本事件的其他事件编号")
    target = get_incident(staff.state, into)
    if target.state == "closed":
        raise SecopsError(f"事件 #{into} 已关闭，只能并入未关闭的事件")
    found = [get_incident(staff.state, i) for i in sources]
    alerts = list(dict.fromkeys([*target.alerts, *(a for f in found for a in f.alerts)]))
    merged = [*target.facts.get("merged", []), *sources]
    groups = list(dict.fromkeys(g for f in (target, *found) for g in case_groups(f)))
    facts = {**target.facts, "merged": merged, "groups": groups}
    set_fields(staff.session(), into, "merge", {"alerts": alerts, "facts": facts})
    with staff.state.engine.begin() as conn:  # later alerts of the merged groups follow too
        conn.execute(
            center_auto_incidents.update()
            .where(center_auto_incidents.c.incident_id.in_(sources))
            .values(incident_id=into)
        )
    for source in found:
        if source.state != "closed":
            facts = {**source.facts, "merged_into": into, "close_reason": f"合并到 #{into}：{why}"}
            set_fields(staff.session(), source.id, "merged-into", {"facts": facts})
            transition(staff.session(), source.id, "closed", note=f"合并到 #{into}：{why}")
    return get_incident(staff.state, into)


def case_groups(incident: Incident) -> list[str]:
    """The alert groups (school, asset, kind) whose further alerts join this case."""
    groups = incident.facts.get("groups")
    if isinstance(groups, list):
        return [str(g) for g in groups]
    group = incident.facts.get("group")
    return [str(group)] if group else []


def claimed_alert_ids(state: Store, incident_id: int) -> list[str]:
    """The center alerts that joined the case (the automatic claims), oldest first."""
    c = center_auto_incidents.c
    with state.engine.connect() as conn:
        rows = conn.execute(sa.select(c.alert_id).where(c.incident_id == incident_id).order_by(c.claimed_at)).all()
    return [row.alert_id for row in rows]
