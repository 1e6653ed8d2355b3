"""Incidents in the store: opening, the state machine, steps, notes, with every change audited.

Every change runs in one transaction with its audit entry, guarded by the incident's version
(optimistic locking): two terminals updating one incident cannot lose an update; the second gets
a clear error and retries on fresh data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from secops.errors import SecopsError
from secops.i18n import _
from secops.incident import audit
from secops.incident.playbooks import GRADES
from secops.store import Store
from secops.store.schema import drills, incident_steps, incidents

STATES = ("new", "acknowledged", "contained", "eradicated", "recovered", "closed")
# state -> states it may move to; reopen goes from closed back to acknowledged
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("acknowledged", "contained", "closed"),
    "acknowledged": ("contained", "eradicated", "recovered", "closed"),
    "contained": ("eradicated", "recovered", "closed"),
    "eradicated": ("recovered", "closed"),
    "recovered": ("closed",),
    "closed": ("acknowledged",),
}
STATE_NAMES = {
    "new": "新建",
    "acknowledged": "已确认",
    "contained": "已遏制",
    "eradicated": "已根除",
    "recovered": "已恢复",
    "closed": "已关闭",
}


class ConcurrentUpdate(SecopsError):
    """Somebody else changed the incident first."""


@dataclass
class Incident:
    id: int
    title: str
    category: str
    subcategory: str
    grade: str
    notified: bool
    state: str
    playbook: str | None
    owner: str
    systems: list[str]
    assets: list[str]
    alerts: list[int]
    facts: dict[str, Any]
    detected_at: datetime
    reported_at: datetime | None
    state_times: dict[str, str]
    created_at: datetime
    updated_at: datetime
    version: int
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    drill_id: int | None = None  # a drill's incident (secops.drill): never counted, reported or sent
    drill_speed: float = 1.0  # a drill's clocks run this many times faster than real time

    @property
    def is_drill(self) -> bool:
        return self.drill_id is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "category": self.category,
            "subcategory": self.subcategory,
            "grade": self.grade,
            "notified": self.notified,
            "state": self.state,
            "state_name": STATE_NAMES[self.state],
            "playbook": self.playbook,
            "owner": self.owner,
            "systems": self.systems,
            "assets": self.assets,
            "alerts": self.alerts,
            "facts": self.facts,
            "detected_at": self.detected_at,
            "reported_at": self.reported_at,
            "state_times": {state: datetime.fromisoformat(at) for state, at in self.state_times.items()},
            "steps": self.steps,
            "version": self.version,
            "drill": {"id": self.drill_id, "speed": self.drill_speed} if self.drill_id is not None else None,
        }


def as_aware(value: datetime | None) -> datetime | None:
    from datetime import UTC

    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _incident(row: Any, steps: dict[str, dict[str, Any]], drill_speed: float = 1.0) -> Incident:
    detected = as_aware(row.detected_at)
    created = as_aware(row.created_at)
    updated = as_aware(row.updated_at)
    assert detected is not None and created is not None and updated is not None
    from secops.incident.taxonomy import load_taxonomy

    return Incident(
        id=row.id,
        title=row.title,
        category=row.category,
        subcategory=load_taxonomy().current_name(row.category, row.subcategory),  # a name used before
        grade=row.grade,
        notified=bool(row.notified),
        state=row.state,
        playbook=row.playbook,
        owner=row.owner,
        systems=list(row.systems or []),
        assets=list(row.assets or []),
        alerts=list(row.alerts or []),
        facts=dict(row.facts or {}),
        detected_at=detected,
        reported_at=as_aware(row.reported_at),
        state_times=dict(row.state_times or {}),
        created_at=created,
        updated_at=updated,
        version=row.version,
        steps=steps,
        drill_id=row.drill_id,
        drill_speed=drill_speed,
    )


def get_incident(store: Store, incident_id: int) -> Incident:
    with store.engine.connect() as conn:
        return _load(conn, incident_id)


def _load(conn: Connection, incident_id: int) -> Incident:
    row = conn.execute(sa.select(incidents).where(incidents.c.id == incident_id)).first()
    if row is None:
        raise SecopsError(_("no incident #{id}").format(id=incident_id), hint=_("see secops incident list"))
    steps = {
        s.step_id: {
            "done_at": as_aware(s.done_at),
            "done_by": s.done_by,
            "evidence": list(s.evidence or []),
            "out_of_order": bool(s.out_of_order),
        }
        for s in conn.execute(sa.select(incident_steps).where(incident_steps.c.incident_id == incident_id))
    }
    speed = 1.0
    if row.drill_id is not None:
        found = conn.execute(sa.select(drills.c.speed).where(drills.c.id == row.drill_id)).scalar()
        speed = float(found or 1.0)
    return _incident(row, steps, speed)


def list_incidents(store: Store, *, open_only: bool = False, with_drills: bool = False) -> list[Incident]:
    """Real incidents, oldest first; with ``with_drills`` the drills' incidents too (they never count)."""
    with store.engine.connect() as conn:
        query = sa.select(incidents.c.id).order_by(incidents.c.id)
        if open_only:
            query = query.where(incidents.c.state != "closed")
        if not with_drills:
            query = query.where(incidents.c.drill_id.is_(None))
        return [_load(conn, row.id) for row in conn.execute(query)]


@dataclass
class Session:
    """Who acts, when, with which audit key: what every change needs."""

    store: Store
    key: bytes
    actor: str
    now: datetime
    zone: tzinfo = UTC  # where the times in its messages are shown (the workspace's)


CLOCK_SKEW = timedelta(minutes=5)  # how far ahead a log's clock may run before its time is refused


def open_incident(
    session: Session,
    *,
    title: str,
    category: str,
    subcategory: str,
    grade: str,
    detected_at: datetime,
    notified: bool = False,
    playbook: str | None = None,
    owner: str = "",
    systems: list[str] | None = None,
    assets: list[str] | None = None,
    alert_ids: list[int] | None = None,
    facts: dict[str, Any] | None = None,
    drill_id: int | None = None,
) -> Incident:
    from secops.incident.taxonomy import load_taxonomy

    found, sub = load_taxonomy().check(category, subcategory)
    check_grade(grade)
    if detected_at > session.now + CLOCK_SKEW:
        local, now = (t.astimezone(session.zone).isoformat(timespec="seconds") for t in (detected_at, session.now))
        raise SecopsError(
            _("the detection time {at} is in the future (now {now})").format(at=local, now=now),
            hint=_("check the clock, or give --detected-at with its offset, e.g. 2026-11-23T09:30+08:00"),
        )
    detected_at = min(detected_at, session.now)  # a log a little ahead of this clock starts the clocks now
    with session.store.engine.begin() as conn:
        inserted = conn.execute(
            incidents.insert().values(
                title=title,
                category=found.code,
                subcategory=sub,
                grade=grade,
                notified=notified,
                state="new",
                playbook=playbook,
                owner=owner,
                systems=systems or [],
                assets=assets or [],
                alerts=alert_ids or [],
                facts=facts or {},
                detected_at=detected_at,
                reported_at=None,
                state_times={"new": session.now.isoformat()},
                created_at=session.now,
                updated_at=session.now,
                version=1,
                drill_id=drill_id,
            )
        )
        key = inserted.inserted_primary_key
        assert key is not None
        incident_id = int(key[0])
        audit.append(
            conn,
            session.key,
            incident_id=incident_id,
            at=session.now,
            actor=session.actor,
            action="open",
            detail={
                "title": title,
                "category": found.code,
                "subcategory": sub,
                "grade": grade,
                "detected_at": detected_at.isoformat(),
                "playbook": playbook,
                "alerts": alert_ids or [],
                **({"drill": drill_id} if drill_id is not None else {}),
            },
        )
        return _load(conn, incident_id)


def check_grade(grade: str) -> str:
    if grade not in GRADES:
        raise SecopsError(
            _("unknown grade {grade!r}").format(grade=grade),
            hint=_("choose one of {choices}").format(choices=" / ".join(GRADES)),
        )
    return grade


def _update(
    session: Session,
    incident_id: int,
    expected_version: int | None,
    action: str,
    detail: dict[str, Any],
    values: dict[str, Any],
    extra: Callable[[Connection], None] | None = None,
) -> Incident:
    """Apply ``values`` if the incident is still at ``expected_version``; audit it in the same transaction."""
    with session.store.engine.begin() as conn:
        current = _load(conn, incident_id)
        version = current.version if expected_version is None else expected_version
        result = conn.execute(
            incidents.update()
            .where((incidents.c.id == incident_id) & (incidents.c.version == version))
            .values(**values, updated_at=session.now, version=version + 1)
        )
        if result.rowcount != 1:
            raise ConcurrentUpdate(
                _("incident #{id} was changed by someone else (version {current}, you had {version})").format(
                    id=incident_id, current=current.version, version=version
                ),
                hint=_("show it again and repeat your change"),
            )
        if extra is not None:
            extra(conn)
        if session.now < current.updated_at:
            detail = {**detail, "clock_warning": f"time went backwards (last change {current.updated_at.isoformat()})"}
        audit.append(
            conn,
            session.key,
            incident_id=incident_id,
            at=session.now,
            actor=session.actor,
            action=action,
            detail=detail,
        )
        return _load(conn, incident_id)


def transition(
    session: Session, incident_id: int, target: str, *, version: int | None = None, note: str = ""
) -> Incident:
    if target not in STATES:
        raise SecopsError(
            _("unknown state {state!r}").format(state=target),
            hint=_("choose one of {choices}").format(choices=", ".join(STATES)),
        )
    current = get_incident(session.store, incident_id)
    allowed = TRANSITIONS[current.state]
    if target not in allowed:
        raise SecopsError(
            _("incident #{id} is {state}; it cannot become {target}").format(
                id=incident_id, state=current.state, target=target
            ),
            hint=_("possible now: {choices}").format(choices=", ".join(allowed)),
        )
    times = dict(current.state_times)
    times.setdefault(target, session.now.isoformat())
    action = "reopen" if current.state == "closed" else target
    if action == "reopen":
        times.pop("closed", None)
    return _update(
        session,
        incident_id,
        version if version is not None else current.version,
        action,
        {"from": current.state, "to": target, "note": note},
        {"state": target, "state_times": times},
    )


def set_fields(
    session: Session, incident_id: int, action: str, changes: dict[str, Any], *, version: int | None = None
) -> Incident:
    """grade / assign / facts / reported_at changes, each audited with old and new values."""
    current = get_incident(session.store, incident_id)
    if "grade" in changes:
        check_grade(changes["grade"])
    old = {k: getattr(current, k) for k in changes}
    detail = {"old": {k: _jsonable(v) for k, v in old.items()}, "new": {k: _jsonable(v) for k, v in changes.items()}}
    return _update(session, incident_id, version, action, detail, changes)


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def add_note(session: Session, incident_id: int, text: str) -> Incident:
    return _update(session, incident_id, None, "note", {"text": text}, {})


def attach(session: Session, incident_id: int, path: Path) -> Incident:
    digest, size = file_digest(path)
    return _update(session, incident_id, None, "attach", {"file": path.name, "sha256": digest, "bytes": size}, {})


def file_digest(path: Path) -> tuple[str, int]:
    if not path.is_file():
        raise SecopsError(_("{path}: no such file").format(path=path), hint=_("give the evidence file's path"))
    hasher = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            hasher.update(chunk)
            size += len(chunk)
    return hasher.hexdigest(), size


def step_done(
    session: Session, incident_id: int, step_id: str, evidence: list[Path], *, playbook_steps: list[str]
) -> tuple[Incident, list[str]]:
    """Mark a playbook step done with its evidence hashes; steps out of order are allowed, warned, recorded."""
    if step_id not in playbook_steps:
        raise SecopsError(
            _("no step {step!r} in this incident's playbook").format(step=step_id),
            hint=_("steps: {choices}").format(choices=", ".join(playbook_steps)),
        )
    current = get_incident(session.store, incident_id)
    if step_id in current.steps:
        done_at = current.steps[step_id]["done_at"]
        raise SecopsError(_("step {step} is done already (at {at})").format(step=step_id, at=done_at))
    earlier = playbook_steps[: playbook_steps.index(step_id)]
    skipped = [s for s in earlier if s not in current.steps]
    files = []
    for path in evidence:
        digest, size = file_digest(path)
        files.append({"file": path.name, "sha256": digest, "bytes": size})
    todo = _("steps not done yet before {step}: {steps}")
    warnings = [todo.format(step=step_id, steps=", ".join(skipped))] if skipped else []

    def record(conn: Connection) -> None:
        conn.execute(
            incident_steps.insert().values(
                incident_id=incident_id,
                step_id=step_id,
                done_at=session.now,
                done_by=session.actor,
                evidence=files,
                out_of_order=bool(skipped),
            )
        )

    detail = {"step": step_id, "evidence": files, "out_of_order": skipped}
    updated = _update(session, incident_id, None, "step", detail, {}, record)
    return updated, warnings
