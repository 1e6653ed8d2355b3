"""The center's copy of its schools' incidents and of their audit heads (``secops.protocol.incidents``).

An incident is kept at its newest version: a resend of the same version is a duplicate, an older
one is ignored. Audit heads are kept as a history per school: the center remembers which hash the
school's trail had at which entry. A head that contradicts an earlier one (another hash at the same
entry, or fewer entries than already seen) is kept too, marked as a conflict: the school's trail was
rewritten or rolled back after it was anchored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from secops.protocol.incidents import AuditAnchor, IncidentBatch, SchoolIncident, SeenAnchor
from secops.store import Store
from secops.store.schema import center_audit_anchors, center_school_incidents

MAX_ANCHORS_RETURNED = 1000


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass
class BatchOutcome:
    created: int = 0
    updated: int = 0
    duplicate: int = 0
    older: int = 0
    anchor: str | None = None  # stored | known | conflict: <why>


def _keep_incident(conn: Connection, school: str, item: SchoolIncident, now: datetime) -> str:
    c = center_school_incidents.c
    stored = conn.execute(sa.select(c.version).where(c.school == school, c.incident_id == item.id)).scalar()
    values = {
        "version": item.version,
        "received_at": now,
        "grade": item.grade,
        "state": item.state,
        "detected_at": item.detected_at,
        "incident": item.model_dump(mode="json"),
    }
    if stored is None:
        conn.execute(center_school_incidents.insert().values(school=school, incident_id=item.id, **values))
        return "created"
    if stored == item.version:
        return "duplicate"
    if stored > item.version:
        return "older"
    conn.execute(center_school_incidents.update().where(c.school == school, c.incident_id == item.id).values(**values))
    return "updated"


def _keep_anchor(conn: Connection, school: str, anchor: AuditAnchor, now: datetime) -> str:
    c = center_audit_anchors.c
    seen = conn.execute(
        sa.select(c.entries, c.last_hash).where(c.school == school, c.conflict.is_(None)).order_by(c.entries.desc())
    ).all()
    if any(e == anchor.entries and h == anchor.last_hash for e, h in seen):
        return "known"
    conflict = None
    same_entry = [h for e, h in seen if e == anchor.entries]
    if same_entry:
        conflict = (
            f"entry {anchor.entries} had hash {same_entry[0][:12]}… when anchored before, now {anchor.last_hash[:12]}…"
        )
    elif seen and anchor.entries < seen[0][0]:
        conflict = f"the trail has {anchor.entries} entries; {seen[0][0]} were anchored before (rolled back)"
    conn.execute(
        center_audit_anchors.insert().values(
            school=school, entries=anchor.entries, last_hash=anchor.last_hash, received_at=now, conflict=conflict
        )
    )
    return "stored" if conflict is None else f"conflict: {conflict}"


def store_batch(state: Store, batch: IncidentBatch, now: datetime) -> BatchOutcome:
    """Keep a school's batch in one transaction."""
    outcome = BatchOutcome()
    with state.engine.begin() as conn:
        for item in batch.incidents:
            kind = _keep_incident(conn, batch.school, item, now)
            setattr(outcome, kind, getattr(outcome, kind) + 1)
        if batch.audit_head is not None:
            outcome.anchor = _keep_anchor(conn, batch.school, batch.audit_head, now)
    return outcome


def anchors_of(state: Store, school: str) -> list[SeenAnchor]:
    """The audit heads the center accepted for ``school`` (not the conflicting ones), newest last."""
    c = center_audit_anchors.c
    with state.engine.connect() as conn:
        rows = conn.execute(
            sa.select(c.entries, c.last_hash, c.received_at)
            .where(c.school == school, c.conflict.is_(None))
            .order_by(c.entries.desc())
            .limit(MAX_ANCHORS_RETURNED)
        ).all()
    return [SeenAnchor(entries=e, last_hash=h, received_at=_aware(at)) for e, h, at in reversed(rows)]


def anchor_conflicts(state: Store, school: str | None = None) -> list[tuple[str, int, datetime, str]]:
    """(school, entries, received at, why) of every head that contradicted an earlier one."""
    c = center_audit_anchors.c
    stmt = sa.select(c.school, c.entries, c.received_at, c.conflict).where(c.conflict.is_not(None))
    if school is not None:
        stmt = stmt.where(c.school == school)
    with state.engine.connect() as conn:
        return [(s, e, _aware(at), str(why)) for s, e, at, why in conn.execute(stmt.order_by(c.received_at.desc()))]


@dataclass(frozen=True)
class SchoolIncidentView:
    """A school's incident as the center shows it, its clocks judged at the center's ``now``."""

    school: str
    incident: SchoolIncident
    received_at: datetime
    now: datetime

    @property
    def clock_statuses(self) -> list[tuple[str, str, datetime]]:
        """(clock name, status now, due at) of each clock."""
        return [(c.name, c.status_at(self.now), c.due_at) for c in self.incident.clocks]

    @property
    def overdue(self) -> bool:
        return self.incident.state != "closed" and any(s == "overdue" for _, s, _ in self.clock_statuses)

    @property
    def first_due(self) -> datetime | None:
        running = [due for _, s, due in self.clock_statuses if s in ("running", "overdue")]
        return min(running) if running else None


def school_incidents(
    state: Store, now: datetime, *, school: str | None = None, open_only: bool = True, limit: int = 500
) -> list[SchoolIncidentView]:
    """Schools' incidents, overdue first, then by the next deadline, then newest."""
    c = center_school_incidents.c
    stmt = sa.select(c.school, c.received_at, c.incident)
    if school is not None:
        stmt = stmt.where(c.school == school)
    if open_only:
        stmt = stmt.where(c.state != "closed")
    with state.engine.connect() as conn:
        rows = conn.execute(stmt.order_by(c.detected_at.desc()).limit(limit)).all()
    views = [SchoolIncidentView(code, SchoolIncident.model_validate(doc), _aware(at), now) for code, at, doc in rows]
    far = datetime.max.replace(tzinfo=UTC)
    views.sort(key=lambda v: (not v.overdue, v.first_due or far))
    return views
