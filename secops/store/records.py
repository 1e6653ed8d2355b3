"""Workspace-level records: identity, activity log, report history and table counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from secops.store.engine import Store
from secops.store.schema import activity, report_runs, workspace


@dataclass(frozen=True)
class ActivityEntry:
    at: datetime
    action: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class ReportRun:
    report_id: str
    format: str
    lang: str
    path: str
    sha256: str
    size_bytes: int
    built_at: datetime


def ensure_identity(store: Store, code: str, name: str, now: datetime) -> bool:
    """Record the school once; a later call updates the name. Returns True when created."""
    with store.engine.begin() as conn:
        row = conn.execute(sa.select(workspace.c.id).where(workspace.c.school_code == code)).first()
        if row is None:
            conn.execute(workspace.insert().values(school_code=code, school_name=name, created_at=now))
            return True
        conn.execute(workspace.update().where(workspace.c.id == row.id).values(school_name=name))
        return False


def log_activity(store: Store, action: str, detail: dict[str, Any], now: datetime) -> None:
    with store.engine.begin() as conn:
        conn.execute(activity.insert().values(at=now, action=action, detail=detail))


def recent_activity(store: Store, limit: int = 20) -> list[ActivityEntry]:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(activity).order_by(activity.c.id.desc()).limit(limit)).all()
    return [ActivityEntry(row.at, row.action, dict(row.detail)) for row in rows]


def record_report(store: Store, run: ReportRun) -> None:
    with store.engine.begin() as conn:
        conn.execute(report_runs.insert().values(**run.__dict__))


def report_history(store: Store, limit: int = 20) -> list[ReportRun]:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(report_runs).order_by(report_runs.c.id.desc()).limit(limit)).all()
    return [ReportRun(r.report_id, r.format, r.lang, r.path, r.sha256, r.size_bytes, r.built_at) for r in rows]


def table_counts(store: Store) -> dict[str, int]:
    """Rows per table, for every table in the database except migration bookkeeping."""
    with store.engine.connect() as conn:
        names = sorted(n for n in sa.inspect(conn).get_table_names() if n != "schema_migrations")
        counts = {}
        for name in names:
            counts[name] = int(conn.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar_one())
    return counts
