"""How long the forwarder waits before trying the center again.

Exponential backoff with full jitter (base 2 s, cap 10 min): thousands of schools that lost the
center at the same moment come back spread over the window instead of all at once. A Retry-After
from the center (429 backpressure, 503) is a floor: it knows better than our guess.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

BASE_SECONDS = 2.0
CAP_SECONDS = 600.0
MIN_SECONDS = 1.0  # full jitter may draw ~0; never spin on a failing center


def delay(attempt: int, *, retry_after: float | None = None, rng: random.Random | None = None) -> float:
    """Seconds to wait after the ``attempt``-th failure in a row (1 for the first)."""
    ceiling = min(CAP_SECONDS, BASE_SECONDS * 2 ** max(0, min(attempt, 32) - 1))
    wait = max(MIN_SECONDS, (rng or random).uniform(0, ceiling))
    if retry_after is not None and retry_after > 0:
        wait = max(wait, min(retry_after, CAP_SECONDS))
    return wait


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date (RFC 9110)."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())
