"""Seen request nonces: each (school, nonce) is accepted once.

Recorded only when a request is about to be stored (a refused request leaves its nonce unused).
Kept in the center database, so a replay is refused after a restart too. A nonce only needs to be
remembered while its timestamp could still pass the skew check; entries older than twice the
allowed skew are pruned, in bounded batches (a backlog never holds one long delete).

Several instances of one center on one database share the table: the (school, nonce) primary key
makes a nonce used on one instance a replay on every other.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from secops.protocol.signing import MAX_SKEW_SECONDS
from secops.store import Store
from secops.store.schema import center_nonces

KEEP = timedelta(seconds=2 * MAX_SKEW_SECONDS)
BATCH = 5000  # nonces deleted per statement
MAX_BATCHES = 20  # per call; the next housekeeping tick goes on


def record_nonce(state: Store, school: str, nonce: str, now: datetime) -> bool:
    """True the first time (school, nonce) is seen; False for a replay."""
    try:
        with state.engine.begin() as conn:
            conn.execute(center_nonces.insert().values(school=school, nonce=nonce, seen_at=now))
    except IntegrityError:
        return False
    return True


def forget_nonce(state: Store, school: str, nonce: str) -> None:
    """Undo ``record_nonce`` for a request that was not stored after all, so it may be retried."""
    with state.engine.begin() as conn:
        conn.execute(center_nonces.delete().where(center_nonces.c.school == school, center_nonces.c.nonce == nonce))


def prune_nonces(state: Store, now: datetime, *, batch: int = BATCH, max_batches: int = MAX_BATCHES) -> int:
    """Forget nonces that could no longer pass the timestamp check, ``batch`` at a time, at most
    ``max_batches`` batches; returns how many."""
    c = center_nonces.c
    oldest = sa.select(c.school, c.nonce).where(c.seen_at < now - KEEP).limit(batch)
    total = 0
    for _ in range(max_batches):
        with state.engine.begin() as conn:
            done = conn.execute(center_nonces.delete().where(sa.tuple_(c.school, c.nonce).in_(oldest)))
        count = int(done.rowcount or 0)
        total += count
        if count < batch:
            break
    return total
