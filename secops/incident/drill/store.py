"""The ``drills`` table: one row per drill, its answers and findings, the injects already sent,
and the outcome fixed when it finished (what the center receives)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from secops.errors import SecopsError
from secops.i18n import _
from secops.incident.model import as_aware
from secops.store import Store
from secops.store.schema import drills

RUNNING, FINISHED = "running", "finished"
MIN_SPEED, MAX_SPEED = 1.0, 60.0


@dataclass
class Drill:
    id: int
    scenario: str
    title: str
    speed: float
    notify: bool
    state: str
    started_at: datetime
    finished_at: datetime | None
    incident_id: int | None
    started_by: str
    notice_id: str | None
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    findings: list[dict[str, Any]] = field(default_factory=list)
    injected: dict[str, str] = field(default_factory=dict)  # inject index -> real time it went out
    result: dict[str, Any] | None = None
    uploaded_at: datetime | None = None
    uploaded_state: str | None = None  # the state the center last acknowledged (secops.forward.drills)

    @property
    def running(self) -> bool:
        return self.state == RUNNING

    def drill_elapsed(self, moment: datetime) -> timedelta:
        """Drill time passed at the real ``moment`` (speed times the real time since the start)."""
        end = min(moment, self.finished_at) if self.finished_at else moment
        return (end - self.started_at) * self.speed

    def real_time_of(self, offset: timedelta) -> datetime:
        """The real time at which ``offset`` of drill time has passed."""
        return self.started_at + offset / self.speed


def _drill(row: Any) -> Drill:
    started = as_aware(row.started_at)
    assert started is not None
    return Drill(
        id=row.id,
        scenario=row.scenario,
        title=row.title,
        speed=float(row.speed),
        notify=bool(row.notify),
        state=row.state,
        started_at=started,
        finished_at=as_aware(row.finished_at),
        incident_id=row.incident_id,
        started_by=row.started_by,
        notice_id=row.notice_id,
        answers=dict(row.answers or {}),
        findings=list(row.findings or []),
        injected=dict(row.injected or {}),
        result=dict(row.result) if row.result else None,
        uploaded_at=as_aware(row.uploaded_at),
        uploaded_state=row.uploaded_state,
    )


def check_speed(speed: float) -> float:
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise SecopsError(
            _("a drill runs at speed {low:g} to {high:g} (given {speed:g})").format(
                low=MIN_SPEED, high=MAX_SPEED, speed=speed
            ),
            hint=_("--speed 1 runs in real time; --speed 10 makes the 1-hour report due after 6 minutes"),
        )
    return speed


def create(
    store: Store, scenario: str, title: str, speed: float, notify: bool, now: datetime, by: str, notice_id: str | None
) -> Drill:
    with store.engine.begin() as conn:
        inserted = conn.execute(
            drills.insert().values(
                scenario=scenario,
                title=title,
                speed=check_speed(speed),
                notify=notify,
                state=RUNNING,
                started_at=now,
                started_by=by,
                notice_id=notice_id,
                answers={},
                findings=[],
                injected={},
            )
        )
        key = inserted.inserted_primary_key
        assert key is not None
        drill_id = int(key[0])
    return get(store, drill_id)


def get(store: Store, drill_id: int) -> Drill:
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(drills).where(drills.c.id == drill_id)).first()
    if row is None:
        raise SecopsError(_("no drill #{id}").format(id=drill_id), hint=_("see secops drill list"))
    return _drill(row)


def list_all(store: Store) -> list[Drill]:
    with store.engine.connect() as conn:
        return [_drill(row) for row in conn.execute(sa.select(drills).order_by(drills.c.id))]


def update(store: Store, drill_id: int, **values: Any) -> Drill:
    with store.engine.begin() as conn:
        conn.execute(drills.update().where(drills.c.id == drill_id).values(**values))
    return get(store, drill_id)


def notify_flags(store: Store) -> dict[int, bool]:
    """Drill id -> whether its notices and injects go to the notifiers."""
    with store.engine.connect() as conn:
        return {row.id: bool(row.notify) for row in conn.execute(sa.select(drills.c.id, drills.c.notify))}
