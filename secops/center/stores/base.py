"""The alert store contract the ingestion API, hunts and the dashboard share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

Interval = Literal["hour", "day"]
InsertStatus = Literal["created", "duplicate", "failed"]


class StoreUnavailable(Exception):
    """The store cannot take or give alerts now (down, or too far behind): answer 503/429, keep nothing."""

    def __init__(self, message: str, *, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class StoredAlert:
    id: str  # secops.protocol.alerts.alert_id: hash of school + canonical alert
    school: str  # 10-digit school code, from the authenticated key, never from the body
    at: datetime  # the alert's @timestamp (aware, UTC)
    received_at: datetime  # when the center accepted it (aware, UTC)
    severity: str  # info | low | medium | high | critical
    title: str
    doc: dict[str, Any]  # the ECS-shaped alert as stored (organization.id set to school)


@dataclass(frozen=True)
class InsertOutcome:
    id: str
    status: InsertStatus
    error: str | None = None


@dataclass(frozen=True)
class AlertQuery:
    school: str | None = None
    severities: tuple[str, ...] = ()  # empty: all
    since: datetime | None = None  # on ``at``
    until: datetime | None = None
    text: str | None = None  # substring of the title
    limit: int = 100
    offset: int = 0
    received_since: datetime | None = None  # on ``received_at`` (when the center took it)
    # "received": oldest received first, paged by ``received_after`` = (received_at, id) of the last
    # alert seen (keyset paging: no offset limit, stable while new alerts arrive)
    order: Literal["newest", "received"] = "newest"
    received_after: tuple[datetime, str] | None = None


class AlertStore(Protocol):
    """Implemented by SQLiteAlertStore and ElasticsearchAlertStore; all times aware UTC."""

    def ensure_ready(self) -> None:
        """Create tables / index template; raise StoreUnavailable when the store cannot be reached."""

    def insert(self, alerts: Sequence[StoredAlert]) -> list[InsertOutcome]:
        """Store idempotently, one outcome per alert in order; a known id is ``duplicate`` (success)."""
        ...

    def search(self, query: AlertQuery) -> list[StoredAlert]:
        """Newest first."""
        ...

    def count(self, query: AlertQuery) -> int: ...

    def count_by(self, field: Literal["school", "severity"], query: AlertQuery) -> dict[str, int]: ...

    def histogram(self, query: AlertQuery, interval: Interval) -> list[tuple[datetime, int]]:
        """Alert counts per hour/day bucket (UTC bucket starts), oldest first, empty buckets omitted."""
        ...

    def last_received(self) -> dict[str, datetime]:
        """Per school: when the center last accepted an alert from it (for silent-school checks)."""
        ...

    def get(self, alert_id: str) -> StoredAlert | None: ...

    def close(self) -> None: ...
