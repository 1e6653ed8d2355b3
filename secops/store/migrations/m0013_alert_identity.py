"""Alerts with an identity of their own (UNIQUE: the same input stored twice adds nothing) and a
status with its time and note (open, acked, closed).

Existing rows get their identity from what they keep (secops.store.alert_identity); rows that turn
out to be the same alert are merged into the lowest id: incidents opened from a removed copy point
at the kept alert, and a removed copy still waiting in the forward outbox is not sent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from secops.store.alert_identity import stored_identity

VERSION = 13
DESCRIPTION = "alert identity and status"

PAGE = 2000

_meta = sa.MetaData()
_when = sa.DateTime(timezone=True)
_alerts = sa.Table(
    "alerts",
    _meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", _when),
    sa.Column("source", sa.String(30)),
    sa.Column("kind", sa.String(50)),
    sa.Column("asset_key", sa.String(100)),
    sa.Column("detail", sa.JSON),
    sa.Column("identity", sa.String(64)),
    sa.Column("status_at", _when),
    sa.Column("status_note", sa.Text),
)


def upgrade(conn: Connection) -> None:
    for name in ("identity", "status_at", "status_note"):
        column = sa.schema.CreateColumn(_alerts.c[name]).compile(dialect=conn.dialect)
        conn.execute(sa.text(f"ALTER TABLE alerts ADD COLUMN {column}"))
    _fill(conn, _scan_runs(conn))
    merged = _merge_duplicates(conn)
    sa.Index("ix_alerts_identity", _alerts.c.identity, unique=True).create(conn)
    if merged:
        _repoint_incidents(conn, merged)
        _drop_unsent(conn, list(merged))


def _utc(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    return value


def _scan_runs(conn: Connection) -> dict[Any, int]:
    """Discovery wrote a run's changes and alerts with the same time: that time names the run."""
    changes = sa.table("asset_changes", sa.column("scan_run_id", sa.Integer), sa.column("at", _when))
    query = sa.select(changes.c.at, sa.func.min(changes.c.scan_run_id)).group_by(changes.c.at)
    return {_utc(at): run for at, run in conn.execute(query) if run is not None}


def _fill(conn: Connection, runs: dict[Any, int]) -> None:
    columns = (_alerts.c.id, _alerts.c.at, _alerts.c.source, _alerts.c.kind, _alerts.c.asset_key, _alerts.c.detail)
    update = _alerts.update().where(_alerts.c.id == sa.bindparam("b_id")).values(identity=sa.bindparam("b_identity"))
    last = 0
    while True:
        rows = conn.execute(sa.select(*columns).where(_alerts.c.id > last).order_by(_alerts.c.id).limit(PAGE)).all()
        if not rows:
            return
        values = []
        for row in rows:
            at = _utc(row.at)
            detail = row.detail if isinstance(row.detail, dict) else {}
            run = runs.get(at) if row.source == "assets" else None
            identity = stored_identity(row.source, row.kind, row.asset_key, at, detail, run_id=run)
            values.append({"b_id": row.id, "b_identity": identity})
        conn.execute(update, values)
        last = rows[-1].id


def _merge_duplicates(conn: Connection) -> dict[int, int]:
    """Delete every copy but the lowest id; returns removed id -> kept id."""
    keep = (
        sa.select(_alerts.c.identity, sa.func.min(_alerts.c.id).label("keep"))
        .group_by(_alerts.c.identity)
        .having(sa.func.count() > 1)
        .subquery()
    )
    query = (
        sa.select(_alerts.c.id, keep.c.keep)
        .select_from(_alerts.join(keep, keep.c.identity == _alerts.c.identity))
        .where(_alerts.c.id != keep.c.keep)
    )
    merged = {row.id: row.keep for row in conn.execute(query)}
    removed = sorted(merged)
    for start in range(0, len(removed), PAGE):
        conn.execute(_alerts.delete().where(_alerts.c.id.in_(removed[start : start + PAGE])))
    return merged


def _repoint_incidents(conn: Connection, merged: dict[int, int]) -> None:
    incidents = sa.table("incidents", sa.column("id", sa.Integer), sa.column("alerts", sa.JSON))
    for incident_id, alert_ids in conn.execute(sa.select(incidents.c.id, incidents.c.alerts)).all():
        if not isinstance(alert_ids, list) or not any(a in merged for a in alert_ids):
            continue
        repointed: list[Any] = []
        for alert_id in alert_ids:
            kept = merged.get(alert_id, alert_id)
            if kept not in repointed:
                repointed.append(kept)
        conn.execute(incidents.update().where(incidents.c.id == incident_id).values(alerts=repointed))


def _drop_unsent(conn: Connection, removed: list[int]) -> None:
    outbox = sa.table("forward_outbox", sa.column("alert_id", sa.Integer), sa.column("state", sa.String(10)))
    for start in range(0, len(removed), PAGE):
        chunk = removed[start : start + PAGE]
        conn.execute(outbox.delete().where(outbox.c.alert_id.in_(chunk), outbox.c.state == "pending"))
