"""Per-school request limits: ``rate_per_minute`` signed requests a minute.

Two implementations of one interface (``take``):

- :class:`RateLimiter`, token buckets in this process: a center on its SQLite file is one process.
- :class:`SharedRateLimiter`, a sliding-window counter per school in the center database
  (``center_counters``), for several instances on one PostgreSQL database: one atomic upsert per
  request, so the instances enforce one limit between them, not one each.

:func:`limiter_for` picks the one that fits the state database.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

import sqlalchemy as sa

from secops.store import Store
from secops.store.schema import center_counters
from secops.store.upsert import upsert_insert

WINDOW = timedelta(minutes=1)
_c = center_counters.c


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


def _window_start(now: datetime) -> datetime:
    now = now.astimezone(UTC)
    return now.replace(second=0, microsecond=0)


class SharedRateLimiter:
    """A sliding-window counter per key in the database: the requests of this minute plus those of
    the minute before, weighted by how much of it still falls within the last 60 s."""

    shared = True

    def __init__(self, state: Store, default_per_minute: int, *, clock: Callable[[], datetime]) -> None:
        self.state = state
        self.default = default_per_minute
        self.clock = clock

    def take(self, school: str, per_minute: int | None = None) -> int:
        """0 when the request may go ahead (and it is counted), else the seconds to wait."""
        return self.take_key(f"school:{school}", per_minute or self.default, self.clock())

    def take_key(self, key: str, rate: int, now: datetime) -> int:
        start = _window_start(now)
        before = start - WINDOW
        with self.state.engine.begin() as conn:
            stmt = upsert_insert(conn, center_counters).values(key=key, window_start=start, count=1, previous=0)
            same = _c.window_start == start
            stmt = stmt.on_conflict_do_update(
                index_elements=["key"],
                set_={
                    "previous": sa.case((same, _c.previous), (_c.window_start == before, _c.count), else_=0),
                    "count": sa.case((same, _c.count + 1), else_=1),
                    "window_start": stmt.excluded.window_start,
                },
            ).returning(_c.count, _c.previous)
            count, previous = conn.execute(stmt).one()
            elapsed = (now - start).total_seconds() / WINDOW.total_seconds()
            if previous * (1.0 - elapsed) + count <= rate:
                return 0
            # refused: uncount this request, so a school over its limit gets in once it slows down
            conn.execute(
                center_counters.update().where(_c.key == key, _c.window_start == start).values(count=_c.count - 1)
            )
        return _wait(count - 1, previous, rate, elapsed)


def _wait(count: int, previous: int, rate: int, elapsed: float) -> int:
    """Seconds until one more request fits: later in this window as the previous one's weight
    fades, else in the next window."""
    window = WINDOW.total_seconds()
    if count + 1 <= rate and previous:
        fits_at = 1.0 - (rate - count - 1) / previous  # fraction of this window
        return max(1, math.ceil((fits_at - elapsed) * window))
    next_at = 1.0 - (rate - 1) / count if count else 0.0  # fraction of the next window
    return max(1, math.ceil((1.0 - elapsed + max(0.0, next_at)) * window))


def limiter_for(state: Store, default_per_minute: int, clock: Callable[[], datetime]) -> Limiter:
    """In the database when it is a server several instances may share; in memory on SQLite."""
    if state.engine.dialect.name == "sqlite":
        return RateLimiter(default_per_minute)
    return SharedRateLimiter(state, default_per_minute, clock=clock)
