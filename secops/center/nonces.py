"""Seen request nonces: each (school, nonce) is accepted once.

Recorded only when a request is about to be stored (a refused request leaves its nonce unused).
Kept in the center database, so a replay is refused after a restart too. A nonce only needs to be
remembered while its timestamp could still pass the skew check; entries older than twice the
allowed skew are pruned.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from secops.protocol.signing import MAX_SKEW_SECONDS
from secops.store import Store
from secops.store.schema import center_nonces

KEEP = timedelta(seconds=2 * MAX_SKEW_SECONDS)


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


def prune_nonces(state: Store, now: datetime) -> int:
    """Forget nonces that could no longer pass the timestamp check; returns how many."""
    with state.engine.begin() as conn:
        done = conn.execute(center_nonces.delete().where(center_nonces.c.seen_at < now - KEEP))
    return int(done.rowcount or 0)
