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

from secops.center.staff import role_allows
from secops.errors import SecopsError
from secops.i18n import N_, _
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
    "ack": N_("acknowledge cases"),
    "note": N_("add notes"),
    "grade": N_("change grades"),
    "assign": N_("assign owners"),
    "merge": N_("merge cases"),
    "close": N_("close cases"),
    "reopen": N_("reopen cases"),
}
ROLE_WORDS = {"duty": N_("duty officer"), "analyst": N_("analyst"), "admin": N_("administrator")}


def _role(role: str) -> str:
    word = ROLE_WORDS.get(role)
    return _(word) if word else role


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
                _("{role} {user} may not {action}: it needs {needed} or above").format(
                    role=_role(self.role), user=self.username, action=_(ACTION_NAMES[action]), needed=_role(needed)
                ),
                hint=_("an administrator changes roles: secops center user role NAME --role analyst"),
            )


def _reason(text: str, what: str) -> str:
    """``what`` is an N_() message: what needs the reason."""
    text = text.strip()
    if not text:
        raise SecopsError(
            _("{what} needs a reason").format(what=_(what)),
            hint=_("write down why, e.g. a false positive: the scanner's normal probing"),
        )
    if len(text) > MAX_REASON:
        raise SecopsError(_("the reason is longer than {count} characters").format(count=MAX_REASON))
    return text


def acknowledge(staff: Staff, incident_id: int, note: str = "", version: int | None = None) -> Incident:
    staff.require("ack")
    current = get_incident(staff.state, incident_id)
    if current.state != "new":
        raise SecopsError(
            _("case #{id} was acknowledged already (its state: {state})").format(id=incident_id, state=current.state)
        )
    return transition(staff.session(), incident_id, "acknowledged", version=version, note=note.strip()[:MAX_REASON])


def note(staff: Staff, incident_id: int, text: str) -> Incident:
    staff.require("note")
    return add_note(staff.session(), incident_id, _reason(text, N_("A note")))


def regrade(staff: Staff, incident_id: int, grade: str, reason: str, version: int | None = None) -> Incident:
    staff.require("grade")
    check_grade(grade)
    why = _reason(reason, N_("Changing the grade"))
    current = get_incident(staff.state, incident_id)
    if current.grade == grade:
        raise SecopsError(_("case #{id} is {grade} already").format(id=incident_id, grade=grade))
    facts = {**current.facts, "grade_reason": why, "graded_by": staff.username}
    return set_fields(staff.session(), incident_id, "grade", {"grade": grade, "facts": facts}, version=version)


def assign(staff: Staff, incident_id: int, owner: str, version: int | None = None) -> Incident:
    staff.require("assign")
    owner = owner.strip()
    if not owner or len(owner) > 100:
        raise SecopsError(_("give the owner (1-100 characters)"))
    return set_fields(staff.session(), incident_id, "assign", {"owner": owner}, version=version)


def close(staff: Staff, incident_id: int, reason: str, version: int | None = None) -> Incident:
    staff.require("close")
    why = _reason(reason, N_("Closing a case"))
    current = get_incident(staff.state, incident_id)
    if current.state == "closed":
        raise SecopsError(_("case #{id} is closed already").format(id=incident_id))
    facts = {**current.facts, "close_reason": why}
    set_fields(staff.session(), incident_id, "close-reason", {"facts": facts}, version=version)
    return transition(staff.session(), incident_id, "closed", note=why)


def reopen(staff: Staff, incident_id: int, reason: str) -> Incident:
    staff.require("reopen")
    return transition(staff.session(), incident_id, "acknowledged", note=_reason(reason, N_("Reopening a case")))


def merge(staff: Staff, into: int, others: Sequence[int], reason: str) -> Incident:
    """Fold ``others`` into ``into``: their alerts (and the center alerts claimed for them) join it,
    and each is closed naming the case it went into. All of it audited on both sides."""
    staff.require("merge")
    why = _reason(reason, N_("Merging cases"))
    sources = sorted(set(others) - {into})
    if not sources:
        raise SecopsError(_("give at least one other case to merge into this one"))
    target = get_incident(staff.state, into)
    if target.state == "closed":
        raise SecopsError(_("case #{id} is closed: cases merge only into an open one").format(id=into))
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
