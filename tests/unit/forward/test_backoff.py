import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from secops.forward import backoff


def test_full_jitter_stays_under_an_exponential_ceiling_capped_at_ten_minutes() -> None:
    rng = random.Random(7)
    for attempt, ceiling in [(1, 2), (2, 4), (3, 8), (6, 64), (10, 600), (40, 600), (10_000, 600)]:
        draws = [backoff.delay(attempt, rng=rng) for _ in range(300)]
        assert all(backoff.MIN_SECONDS <= d <= max(ceiling, backoff.MIN_SECONDS) for d in draws)
        if ceiling >= 64:  # jitter really spreads the retries over the window
            assert max(draws) > 0.8 * ceiling and min(draws) < 0.2 * ceiling


def test_retry_after_is_a_floor_but_never_beyond_the_cap() -> None:
    rng = random.Random(1)
    assert all(backoff.delay(1, retry_after=30, rng=rng) >= 30 for _ in range(50))
    assert backoff.delay(1, retry_after=86_400, rng=rng) == backoff.CAP_SECONDS


def test_retry_after_in_seconds_or_as_an_http_date() -> None:
    now = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
    assert backoff.parse_retry_after("17", now) == 17
    assert backoff.parse_retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == 90
    assert backoff.parse_retry_after(format_datetime(now - timedelta(seconds=90), usegmt=True), now) == 0
    assert backoff.parse_retry_after("soon", now) is None
    assert backoff.parse_retry_after(None, now) is None
