"""Leases: one instance of a center runs each background job at a time.

Several instances of one center (behind a balancer, on one PostgreSQL database) all run the
housekeeping thread; before a job each asks for its lease. ``acquire`` is one atomic statement:
insert the lease, or take it over when it is ours already or has expired (an upsert whose update
is conditional), so of two instances asking at once exactly one holds it. The holder renews it on
every tick; when it dies, another instance takes over once ``ttl`` has passed. Time is ``now``,
passed in (a fake clock in tests; the context's clock in the server).
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa

from secops.store import Store
from secops.store.schema import center_leases
from secops.store.upsert import upsert_insert

_c = center_leases.c
HOUSEKEEPING = "housekeeping"  # the automatic-incident tick, the forwarder watch, pruning
RELAY = "relay"  # a lower center's relay to the center above


def housekeeping_ttl(every: float) -> timedelta:
    """How long the housekeeping lease lasts unrenewed: three ticks, at least 30 s."""
    return timedelta(seconds=max(30.0, 3 * every))


def relay_ttl(every: float) -> timedelta:
    """The relay lease outlives one relay interval, so its holder keeps it from one run to the next."""
    return timedelta(seconds=max(60.0, 2 * every + 30))


def holder_name() -> str:
    """This process, as a lease holder: host, pid and a random part (a pid is reused after a restart)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(state: Store, name: str, holder: str, ttl: timedelta, now: datetime) -> bool:
    """True when ``holder`` now holds ``name`` until ``now + ttl`` (taken, renewed or taken over)."""
    expires = now + ttl
    with state.engine.begin() as conn:
        stmt = upsert_insert(conn, center_leases).values(name=name, holder=holder, expires_at=expires)
        stmt = stmt.on_conflict_do_update(
            index_elements=["name"],
            set_={"holder": stmt.excluded.holder, "expires_at": stmt.excluded.expires_at},
            where=sa.or_(_c.holder == holder, _c.expires_at <= now),
        )
        conn.execute(stmt)
        current = conn.execute(sa.select(_c.holder).where(_c.name == name)).scalar()
    return current == holder


def release(state: Store, name: str, holder: str, now: datetime) -> None:
    """Give the lease up at once (a clean shutdown), if ``holder`` still holds it."""
    with state.engine.begin() as conn:
        conn.execute(center_leases.update().where(_c.name == name, _c.holder == holder).values(expires_at=now))


def held_by(state: Store, name: str, now: datetime) -> str | None:
    """Who holds ``name`` at ``now`` (None: nobody, or the lease has expired)."""
    with state.engine.connect() as conn:
        row = conn.execute(sa.select(_c.holder, _c.expires_at).where(_c.name == name)).first()
    if row is None or row.expires_at <= now:
        return None
    return str(row.holder)
