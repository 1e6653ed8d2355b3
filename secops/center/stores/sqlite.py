"""The embedded alert store: the ``center_alerts`` table of the center's own database (SQLite WAL).

Idempotent by primary key: ids already present (or repeated within the batch) come back as
``duplicate``; the rest are inserted in one transaction, so a batch is stored whole or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from secops.center.stores.base import AlertQuery, InsertOutcome, Interval, StoredAlert, StoreUnavailable
from secops.store import Store
from secops.store.schema import center_alerts

_CHUNK = 500  # ids per IN (...) lookup, well under SQLite's variable limit


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _row_to_alert(row: Any) -> StoredAlert:
    return StoredAlert(
        id=row.id,
        school=row.school,
        at=_aware(row.at),
        received_at=_aware(row.received_at),
        severity=row.severity,
        title=row.title,
        doc=dict(row.doc),
    )


class SQLiteAlertStore:
    """Alerts in the center database (``secops center serve --store sqlite:///PATH``)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def ensure_ready(self) -> None:
        try:
            with self.store.engine.connect() as conn:
                conn.execute(sa.select(sa.func.count()).select_from(center_alerts).limit(1))
        except OperationalError as exc:
            raise StoreUnavailable(f"the alert database cannot be read: {exc.orig}") from None

    def insert(self, alerts: Sequence[StoredAlert]) -> list[InsertOutcome]:
        ids = [a.id for a in alerts]
        try:
            with self.store.engine.begin() as conn:
                existing: set[str] = set()
                for start in range(0, len(ids), _CHUNK):
                    chunk = ids[start : start + _CHUNK]
                    existing.update(
                        conn.execute(sa.select(center_alerts.c.id).where(center_alerts.c.id.in_(chunk))).scalars()
                    )
                outcomes: list[InsertOutcome] = []
                rows: list[dict[str, Any]] = []
                for alert in alerts:
                    if alert.id in existing:
                        outcomes.append(InsertOutcome(alert.id, "duplicate"))
                        continue
                    existing.add(alert.id)
                    outcomes.append(InsertOutcome(alert.id, "created"))
                    rows.append(
                        {
                            "id": alert.id,
                            "school": alert.school,
                            "at": _aware(alert.at),
                            "received_at": _aware(alert.received_at),
                            "severity": alert.severity,
                            "title": alert.title,
                            "doc": alert.doc,
                        }
                    )
                if rows:
                    conn.execute(center_alerts.insert(), rows)
        except OperationalError as exc:
            # Locked or unwritable: nothing of the batch was stored; the sender retries later.
            raise StoreUnavailable(f"the alert database is busy or unwritable: {exc.orig}") from None
        return outcomes

    def _where(self, query: AlertQuery) -> list[Any]:
        c = center_alerts.c
        clauses: list[Any] = []
        if query.school:
            clauses.append(c.school == query.school)
        if query.severities:
            clauses.append(c.severity.in_(query.severities))
        if query.since:
            clauses.append(c.at >= _aware(query.since))
        if query.until:
            clauses.append(c.at < _aware(query.until))
        if query.text:
            clauses.append(c.title.contains(query.text, autoescape=True))
        if query.received_since:
            clauses.append(c.received_at >= _aware(query.received_since))
        if query.received_after:
            when, last_id = query.received_after
            clauses.append(sa.tuple_(c.received_at, c.id) > sa.tuple_(_aware(when), last_id))
        return clauses

    def search(self, query: AlertQuery) -> list[StoredAlert]:
        c = center_alerts.c
        order = (c.received_at, c.id) if query.order == "received" else (c.at.desc(), c.id)
        stmt = sa.select(center_alerts).where(*self._where(query)).order_by(*order).limit(query.limit)
        if query.received_after is None:
            stmt = stmt.offset(query.offset)
        with self.store.engine.connect() as conn:
            return [_row_to_alert(row) for row in conn.execute(stmt)]

    def count(self, query: AlertQuery) -> int:
        stmt = sa.select(sa.func.count()).select_from(center_alerts).where(*self._where(query))
        with self.store.engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def count_by(self, field: Literal["school", "severity"], query: AlertQuery) -> dict[str, int]:
        column = center_alerts.c[field]
        stmt = sa.select(column, sa.func.count()).where(*self._where(query)).group_by(column)
        with self.store.engine.connect() as conn:
            return {str(key): int(n) for key, n in conn.execute(stmt)}

    def histogram(self, query: AlertQuery, interval: Interval) -> list[tuple[datetime, int]]:
        at = center_alerts.c.at
        if self.store.engine.dialect.name == "sqlite":
            # Stored as 'YYYY-MM-DD HH:MM:SS...' in UTC: the prefix is the bucket.
            bucket: Any = sa.func.substr(at, 1, 13 if interval == "hour" else 10)
        else:
            bucket = sa.func.date_trunc(interval, sa.func.timezone("UTC", at))
        stmt = sa.select(bucket.label("b"), sa.func.count()).where(*self._where(query)).group_by("b").order_by("b")
        out: list[tuple[datetime, int]] = []
        with self.store.engine.connect() as conn:
            for key, n in conn.execute(stmt):
                if isinstance(key, str):
                    start = datetime.strptime(key, "%Y-%m-%d %H" if interval == "hour" else "%Y-%m-%d")
                else:
                    start = key
                out.append((_aware(start), int(n)))
        return out

    def last_received(self) -> dict[str, datetime]:
        c = center_alerts.c
        stmt = sa.select(c.school, sa.func.max(c.received_at)).group_by(c.school)
        with self.store.engine.connect() as conn:
            out: dict[str, datetime] = {}
            for school, when in conn.execute(stmt):
                if isinstance(when, str):  # max() over a DateTime column comes back as text on SQLite
                    when = datetime.fromisoformat(when)
                out[school] = _aware(when)
            return out

    def get(self, alert_id: str) -> StoredAlert | None:
        with self.store.engine.connect() as conn:
            row = conn.execute(sa.select(center_alerts).where(center_alerts.c.id == alert_id)).first()
        return _row_to_alert(row) if row is not None else None

    def close(self) -> None:
        """The center database belongs to the caller; nothing of its own to close."""
