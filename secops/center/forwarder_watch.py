"""A school forwarder that stops checking in becomes a case for the duty staff.

Once a forwarder that had checked in stays silent past twice the interval it promised, the
housekeeping tick opens one incident for the school (05 设备设施故障事件 / 技术故障, graded 一般:
nothing is known to be attacked, but the school's alerts, incidents and reports stop reaching the
center). One incident per silent spell: the spell is named by the last check-in before it, so a
case the staff closed is not opened again until the forwarder checks in and falls silent anew.
When the forwarder checks in again, the open case records when (its facts' ``recovered_at``) and
gets a note saying so; a person closes it.

A forwarder that never checked in is shown on the dashboard (从未签到) but opens no case: a
school being set up is not an incident. One housekeeping thread per center ticks this.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import sqlalchemy as sa

from secops.center.context import CenterContext
from secops.center.heartbeats import CheckIn, latest_checkins
from secops.incident.model import Incident, Session, add_note, get_incident, open_incident, set_fields
from secops.store.schema import center_schools, incidents

log = logging.getLogger(__name__)
ACTOR = "center-watch"
GROUP = "forwarder-silent"
CATEGORY, SUBCATEGORY, GRADE = "05", "技术故障", "一般"


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _earlier(stamp: str, than: datetime) -> bool:
    try:
        return _utc(datetime.fromisoformat(stamp)) < than
    except ValueError:
        return False


def _watch_cases(ctx: CenterContext) -> dict[tuple[str, str], tuple[int, str]]:
    """(school, silent-since) -> (incident id, state) of every forwarder-silence case."""
    c = incidents.c
    with ctx.state.engine.connect() as conn:
        rows = conn.execute(sa.select(c.id, c.state, c.facts).order_by(c.id)).all()
    found: dict[tuple[str, str], tuple[int, str]] = {}
    for incident_id, state, facts in rows:
        facts = facts or {}
        if facts.get("opened_by") == ACTOR and facts.get("group") == GROUP:
            found[(str(facts.get("school")), str(facts.get("silent_since")))] = (incident_id, state)
    return found


def _active_schools(ctx: CenterContext) -> dict[str, str]:
    c = center_schools.c
    with ctx.state.engine.connect() as conn:
        return {row.code: row.name for row in conn.execute(sa.select(c.code, c.name).where(c.revoked_at.is_(None)))}


def tick(ctx: CenterContext) -> int:
    """Open the cases silent forwarders call for and note recoveries; returns how many were opened."""
    from secops.incident.audit import audit_key

    now = _utc(ctx.now())
    schools = _active_schools(ctx)
    checkins = latest_checkins(ctx.state)
    cases = _watch_cases(ctx)
    session: Session | None = None
    opened = 0
    for code, checkin in sorted(checkins.items()):
        if code not in schools:
            continue
        since = checkin.received_at.isoformat()
        silent_for = checkin.silent_for(now)
        if silent_for is not None and (code, since) not in cases:
            session = session or Session(ctx.state, audit_key(ctx.home, ctx.state), ACTOR, now)
            incident = _open_case(session, code, schools[code], checkin)
            log.warning("incident #%d: the forwarder of school %s is silent since %s", incident.id, code, since)
            opened += 1
        if silent_for is None:
            for (school, silent_since), (incident_id, state) in cases.items():
                if school == code and state != "closed" and _earlier(silent_since, checkin.received_at):
                    session = session or Session(ctx.state, audit_key(ctx.home, ctx.state), ACTOR, now)
                    _note_recovery(session, incident_id, checkin)
    return opened


def _open_case(session: Session, code: str, name: str, checkin: CheckIn) -> Incident:
    return open_incident(
        session,
        title=f"{name} 转发程序失联",
        category=CATEGORY,
        subcategory=SUBCATEGORY,
        grade=GRADE,
        detected_at=checkin.received_at + checkin.silent_after,
        facts={
            "school": code,
            "school_name": name,
            "opened_by": ACTOR,
            "group": GROUP,
            "silent_since": checkin.received_at.isoformat(),
            "promised_every_seconds": int(checkin.every.total_seconds()),
            "outbox_pending": checkin.outbox_pending,
        },
    )


def _note_recovery(session: Session, incident_id: int, checkin: CheckIn) -> None:
    """Record the first check-in after the spell in the case's facts (audited), once."""
    incident = get_incident(session.store, incident_id)
    if incident.facts.get("recovered_at"):
        return
    facts = {**incident.facts, "recovered_at": checkin.received_at.isoformat()}
    set_fields(session, incident_id, "recovered", {"facts": facts})
    add_note(session, incident_id, f"转发程序已恢复签到（待发送告警 {checkin.outbox_pending} 条）；确认无误后可关闭。")
