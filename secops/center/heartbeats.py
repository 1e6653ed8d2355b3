"""The center's record of each school forwarder's check-ins: the latest per school.

A check-in replaces the school's previous one unless it is older (a delayed resend never rolls
the center back). The clock skew is the school's ``sent_at`` against the center's receipt time;
within the signing window (±5 minutes) it is only reported, beyond it the request never arrives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from secops.protocol.heartbeat import SILENT_FACTOR, Heartbeat
from secops.store import Store
from secops.store.schema import center_heartbeats


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def store_heartbeat(state: Store, beat: Heartbeat, received_at: datetime) -> bool:
    """Keep ``beat`` as the school's latest; False when a newer one is stored already."""
    values = {
        "sent_at": beat.sent_at,
        "received_at": received_at,
        "every_seconds": beat.every_seconds,
        "skew_seconds": round((beat.sent_at - received_at).total_seconds(), 3),
        "software": beat.software,
        "outbox_pending": beat.outbox.pending,
        "beat": beat.model_dump(mode="json"),
    }
    with state.engine.begin() as conn:
        stored = conn.execute(
            sa.select(center_heartbeats.c.sent_at).where(center_heartbeats.c.school == beat.school)
        ).scalar()
        if stored is None:
            try:
                with conn.begin_nested():
                    conn.execute(center_heartbeats.insert().values(school=beat.school, **values))
                return True
            except sa.exc.IntegrityError:  # another request for this school inserted first
                stored = conn.execute(
                    sa.select(center_heartbeats.c.sent_at).where(center_heartbeats.c.school == beat.school)
                ).scalar_one()
        if _aware(stored) > beat.sent_at:
            return False
        conn.execute(center_heartbeats.update().where(center_heartbeats.c.school == beat.school).values(**values))
    return True


@dataclass(frozen=True)
class CheckIn:
    """A school forwarder's latest check-in as the center judges it at ``now``."""

    school: str
    received_at: datetime
    every: timedelta
    skew: timedelta  # the school's clock minus the center's (positive: the school runs ahead)
    software: str
    outbox_pending: int
    beat: Heartbeat

    @property
    def silent_after(self) -> timedelta:
        return self.every * SILENT_FACTOR

    def silent_for(self, now: datetime) -> timedelta | None:
        """How long since the check-in, once longer than twice the promised interval."""
        quiet = now - self.received_at
        return quiet if quiet > self.silent_after else None


def latest_checkins(state: Store, school: str | None = None) -> dict[str, CheckIn]:
    c = center_heartbeats.c
    stmt = sa.select(center_heartbeats)
    if school is not None:
        stmt = stmt.where(c.school == school)
    with state.engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return {
        row.school: CheckIn(
            school=row.school,
            received_at=_aware(row.received_at),
            every=timedelta(seconds=row.every_seconds),
            skew=timedelta(seconds=row.skew_seconds),
            software=row.software,
            outbox_pending=row.outbox_pending,
            beat=Heartbeat.model_validate(row.beat),
        )
        for row in rows
    }
