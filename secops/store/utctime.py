"""The store's one time rule, on both write paths: every stored time is an aware instant kept as
UTC. SQLAlchemy's path goes through :class:`UTCDateTime`; the bulk writer's driver path through
:func:`utc_naive`. A naive time is refused on both: whose wall time would it be?"""

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa


def utc_naive(value: datetime) -> datetime:
    """The UTC wall time SQLite keeps (it stores no offset)."""
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value.isoformat()} cannot be stored: give it a zone")
    return value.astimezone(UTC).replace(tzinfo=None)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Times go in as UTC and come out aware: SQLite keeps no offset, so a +08:00 time stored as
    is would read back 8 hours off. PostgreSQL's timestamptz does the same on its own."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else utc_naive(value).replace(tzinfo=UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value
