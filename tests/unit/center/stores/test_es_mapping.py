"""The center's monthly Elasticsearch indices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from secops.center.stores.es_mapping import monthly_index


def test_monthly_index_uses_the_utc_month() -> None:
    cst = timezone(timedelta(hours=8))
    assert monthly_index("p", datetime(2026, 12, 1, 3, 0, tzinfo=cst)) == "p-2026.11"
    assert monthly_index("p", datetime(2026, 12, 1, 3, 0, tzinfo=UTC)) == "p-2026.12"
    assert monthly_index("p", datetime(2026, 1, 5)) == "p-2026.01"
