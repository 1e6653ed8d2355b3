"""Per-school token buckets: ``rate_per_minute`` signed requests a minute, bursts up to that many."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable


class RateLimiter:
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
