"""The forwarder's durable outbox: table ``forward_outbox`` in the workspace database.

An alert enters the outbox once (its ECS payload frozen there), stays ``pending`` until the center
answers for it, then becomes ``sent`` (created or already there) or ``rejected`` (the center will
never take it; not retried). Nothing is deleted on failure, so a crash, a reboot or a week without
the center loses nothing: the next run picks up where the last one stopped.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from secops.forward import backoff
from secops.forward.ecs import to_ecs
from secops.store import Store
from secops.store.schema import alerts, forward_outbox
from secops.store.upsert import upsert_insert

PENDING, SENT, REJECTED = "pending", "sent", "rejected"
ENQUEUE_CHUNK = 2000
# Re-check this many ids below the high-water mark: PostgreSQL may commit ids out of order.
ID_OVERLAP = 1000
MAX_ERROR = 500

_box = forward_outbox.c


@dataclass(frozen=True)
class OutboxItem:
    alert_id: int
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class Mark:
    """The center's answer for one alert."""

    alert_id: int
    status: Literal["created", "duplicate", "rejected"]
    center_id: str | None = None
    error: str | None = None


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _insert_ignoring_known(conn: Connection) -> Any:
    """INSERT that skips alert ids another run enqueued first."""
    return upsert_insert(conn, forward_outbox).on_conflict_do_nothing(index_elements=["alert_id"])


def _busy(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "locked" in text or "busy" in text


def _enqueue_chunk(conn: Connection, school_code: str, school_name: str, now: datetime) -> int:
    high = conn.execute(sa.select(sa.func.coalesce(sa.func.max(_box.alert_id), 0))).scalar_one()
    known = sa.select(_box.alert_id).where(_box.alert_id == alerts.c.id).exists()
    rows = (
        conn.execute(
            sa.select(alerts)
            .where(alerts.c.id > int(high) - ID_OVERLAP, ~known)
            .order_by(alerts.c.id)
            .limit(ENQUEUE_CHUNK)
        )
        .mappings()
        .all()
    )
    if not rows:
        return 0
    # While the center is backing us off, new alerts wait for the same moment as the old ones.
    gate = conn.execute(
        sa.select(sa.func.max(_box.next_attempt_at)).where(_box.state == PENDING, _box.attempts > 0)
    ).scalar()
    first_try = max(now, _utc(gate)) if isinstance(gate, datetime) else now
    values = [
        {
            "alert_id": row["id"],
            "payload": to_ecs(dict(row), school_code, school_name),
            "state": PENDING,
            "attempts": 0,
            "enqueued_at": now,
            "next_attempt_at": first_try,
        }
        for row in rows
    ]
    conn.execute(_insert_ignoring_known(conn), values)
    return len(rows)


def enqueue_new(store: Store, school_code: str, school_name: str, now: datetime) -> int:
    """Copy the alerts not yet in the outbox into it; returns how many were looked at.

    Each chunk is one transaction; two runs at once cannot enqueue an alert twice (primary key,
    conflicts skipped), and a run that finds the database locked waits and tries again.
    """
    now = _utc(now)
    total = 0
    while True:
        for attempt in range(20):
            try:
                with store.engine.begin() as conn:
                    added = _enqueue_chunk(conn, school_code, school_name, now)
                break
            except OperationalError as exc:
                if not _busy(exc) or attempt == 19:
                    raise
                time.sleep(0.05 * (attempt + 1))
        total += added
        if added < ENQUEUE_CHUNK:
            return total


def due(store: Store, now: datetime, limit: int) -> list[OutboxItem]:
    """Pending alerts whose next attempt has come, oldest first."""
    query = (
        sa.select(_box.alert_id, _box.payload, _box.attempts)
        .where(_box.state == PENDING, _box.next_attempt_at <= _utc(now))
        .order_by(_box.alert_id)
        .limit(limit)
    )
    with store.engine.connect() as conn:
        return [OutboxItem(r.alert_id, dict(r.payload), r.attempts) for r in conn.execute(query)]


def record_results(store: Store, marks: Sequence[Mark], now: datetime) -> None:
    """The center's per-alert answers, all in one transaction (after the center answered)."""
    now = _utc(now)
    sent = [
        {"b_id": m.alert_id, "b_center": m.center_id, "b_at": now}
        for m in marks
        if m.status in ("created", "duplicate")
    ]
    rejected = [
        {"b_id": m.alert_id, "b_error": (m.error or "rejected by the center")[:MAX_ERROR]}
        for m in marks
        if m.status == "rejected"
    ]
    with store.engine.begin() as conn:
        if sent:
            conn.execute(
                forward_outbox.update()
                .where(_box.alert_id == sa.bindparam("b_id"))
                .values(state=SENT, center_id=sa.bindparam("b_center"), sent_at=sa.bindparam("b_at"), last_error=None),
                sent,
            )
        if rejected:
            conn.execute(
                forward_outbox.update()
                .where(_box.alert_id == sa.bindparam("b_id"))
                .values(state=REJECTED, last_error=sa.bindparam("b_error"), attempts=_box.attempts + 1),
                rejected,
            )


def record_failure(
    store: Store, alert_ids: Sequence[int], error: str, now: datetime, *, retry_after: float | None = None
) -> datetime:
    """A batch the center did not take: count the attempt and back off; returns the next attempt.

    Every other pending alert waits too: the center is down or overloaded for all of them.
    """
    now = _utc(now)
    with store.engine.begin() as conn:
        attempts = conn.execute(sa.select(sa.func.max(_box.attempts)).where(_box.alert_id.in_(alert_ids))).scalar()
        wait = backoff.delay(int(attempts or 0) + 1, retry_after=retry_after)
        next_at = now + timedelta(seconds=wait)
        conn.execute(
            forward_outbox.update()
            .where(_box.alert_id.in_(alert_ids), _box.state == PENDING)
            .values(attempts=_box.attempts + 1, last_error=error[:MAX_ERROR], next_attempt_at=next_at)
        )
        conn.execute(
            forward_outbox.update()
            .where(_box.state == PENDING, _box.next_attempt_at < next_at)
            .values(next_attempt_at=next_at)
        )
    return next_at


def record_error(store: Store, alert_ids: Sequence[int], error: str) -> None:
    """A refusal a person must fix: keep the alerts due (no backoff) so the fixed run sends at once."""
    with store.engine.begin() as conn:
        conn.execute(
            forward_outbox.update()
            .where(_box.alert_id.in_(alert_ids), _box.state == PENDING)
            .values(last_error=error[:MAX_ERROR])
        )


def next_due(store: Store) -> datetime | None:
    with store.engine.connect() as conn:
        value = conn.execute(sa.select(sa.func.min(_box.next_attempt_at)).where(_box.state == PENDING)).scalar()
    return _aware(value)


def _aware(value: Any) -> datetime | None:
    if isinstance(value, str):  # min()/max() over a DateTime column come back as text on SQLite
        value = datetime.fromisoformat(value)
    return _utc(value) if isinstance(value, datetime) else None


def summary(store: Store, now: datetime) -> dict[str, Any]:
    """The backlog: counts by state, the oldest pending alert's age, the last error, the next attempt."""
    now = _utc(now)
    with store.engine.connect() as conn:
        counts = {
            state: int(n) for state, n in conn.execute(sa.select(_box.state, sa.func.count()).group_by(_box.state))
        }
        oldest, next_at = conn.execute(
            sa.select(sa.func.min(_box.enqueued_at), sa.func.min(_box.next_attempt_at)).where(_box.state == PENDING)
        ).one()
        last_sent = conn.execute(sa.select(sa.func.max(_box.sent_at))).scalar()
        failing = conn.execute(
            sa.select(_box.last_error, _box.attempts)
            .where(_box.state == PENDING, _box.last_error.is_not(None))
            .order_by(_box.attempts.desc(), _box.alert_id.desc())
            .limit(1)
        ).first()
        rejected = conn.execute(
            sa.select(_box.last_error).where(_box.state == REJECTED).order_by(_box.alert_id.desc()).limit(1)
        ).scalar()
        unqueued = conn.execute(
            sa.select(sa.func.count())
            .select_from(alerts)
            .where(alerts.c.id > sa.select(sa.func.coalesce(sa.func.max(_box.alert_id), 0)).scalar_subquery())
        ).scalar_one()
    oldest_at = _aware(oldest)
    return {
        "pending": counts.get(PENDING, 0),
        "not_enqueued": int(unqueued),
        "sent": counts.get(SENT, 0),
        "rejected": counts.get(REJECTED, 0),
        "oldest_pending_age_s": int((now - oldest_at).total_seconds()) if oldest_at else None,
        "next_attempt_at": _aware(next_at),
        "attempts": failing.attempts if failing else 0,
        "last_error": failing.last_error if failing else None,
        "last_rejection": rejected,
        "last_sent_at": _aware(last_sent),
    }
