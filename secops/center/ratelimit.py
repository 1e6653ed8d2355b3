"""Per-school request limits: ``rate_per_minute`` signed requests a minute.

Two implementations of one interface (``take``):

- :class:`RateLimiter`, token buckets in this process: a center on its SQLite file is one process.
- :class:`SharedRateLimiter`, the same buckets in the center database (``center_rate_buckets``),
  for several instances on one PostgreSQL database: one atomic conditional upsert per request,
  so the instances enforce one limit between them, not one each.

:func:`limiter_for` picks the one that fits the state database.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from secops.store import Store
from secops.store.schema import center_rate_buckets
from secops.store.upsert import upsert_insert

_c = center_rate_buckets.c


class Limiter(Protocol):
    shared: bool  # True: ``take`` queries the database (call it off the event loop)

    def take(self, school: str, per_minute: int | None = None) -> int: ...


class RateLimiter:
    shared = False

    def __init__(self, default_per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.default = default_per_minute
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # school -> (tokens, last refill)
        self._lock = threading.Lock()

    def take(self, school: str, per_minute: int | None = None) -> int:
        """0 when the request may go ahead, else the seconds to wait before a token is free."""
        rate = per_minute or self.default
        capacity = float(rate)
        per_second = rate / 60.0
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(school, (capacity, now))
            tokens = min(capacity, tokens + (now - last) * per_second)
            if tokens >= 1.0:
                self._buckets[school] = (tokens - 1.0, now)
                return 0
            self._buckets[school] = (tokens, now)
        return max(1, math.ceil((1.0 - tokens) / per_second))


class SharedRateLimiter:
    """The same token buckets kept in the database (``center_rate_buckets``): one conditional upsert
    per request takes a token if the bucket, refilled for the time since its last request, holds
    one. Times are seconds since the epoch from ``clock`` (the instances' clocks, kept in step by
    NTP like the signature check already needs); a bucket never refills backwards."""

    shared = True

    def __init__(self, state: Store, default_per_minute: int, *, clock: Callable[[], datetime]) -> None:
        self.state = state
        self.default = default_per_minute
        self.clock = clock
        self._built: tuple[Any, Any] | None = None

    def take(self, school: str, per_minute: int | None = None) -> int:
        """0 when the request may go ahead (it took a token), else the seconds to wait for one."""
        return self.take_key(f"school:{school}", per_minute or self.default, self.clock())

    def take_key(self, key: str, rate: int, now: datetime) -> int:
        per_second = rate / 60.0
        params = {"key": key, "capacity": float(rate), "per_second": per_second, "at": now.timestamp()}
        with self.state.engine.begin() as conn:
            take, left_of = self._statements(conn)
            if conn.execute(take, params).first() is not None:
                return 0
            left = conn.execute(left_of, params).scalar()
        tokens = float(left) if left is not None else 0.0
        return max(1, math.ceil((1.0 - tokens) / per_second))

    def _statements(self, conn: Connection) -> tuple[Any, Any]:
        """The two statements, built once with bound parameters: built per request they cost the
        center more CPU than running them."""
        if self._built is None:
            at, per_second, capacity = (sa.bindparam(name, type_=sa.Float) for name in ("at", "per_second", "capacity"))
            elapsed = sa.case((_c.at < at, at - _c.at), else_=0.0)
            refilled = sa.case(
                (_c.tokens + elapsed * per_second > capacity, capacity), else_=_c.tokens + elapsed * per_second
            )
            insert = upsert_insert(conn, center_rate_buckets).values(
                key=sa.bindparam("key"), tokens=capacity - 1.0, at=at
            )
            take = insert.on_conflict_do_update(
                index_elements=["key"],
                set_={"tokens": refilled - 1.0, "at": sa.case((_c.at < at, at), else_=_c.at)},
                where=refilled >= 1.0,
            ).returning(_c.tokens)
            left_of = sa.select(refilled).where(_c.key == sa.bindparam("key"))
            self._built = (take, left_of)
        return self._built


def limiter_for(
    state: Store, default_per_minute: int, clock: Callable[[], datetime], *, several_processes: bool = False
) -> Limiter:
    """In the database when it is a server several instances may share, or when several worker
    processes share one SQLite file; in memory for a single process on SQLite."""
    if state.engine.dialect.name == "sqlite" and not several_processes:
        return RateLimiter(default_per_minute)
    return SharedRateLimiter(state, default_per_minute, clock=clock)
