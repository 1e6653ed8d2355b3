"""What an alert tells a new incident (``secops incident open --from-alert``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from secops.errors import SecopsError
from secops.incident.model import as_aware
from secops.store import Store
from secops.store.schema import alerts


def alert_prefill(store: Store, alert_id: int) -> dict[str, Any]:
    """What an alert tells a new incident: title, when, which asset, its source and tags."""
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(alerts).where(alerts.c.id == alert_id)).first()
    if row is None:
        raise SecopsError(f"no alert #{alert_id}", hint="see secops alerts list --status all")
    detail = dict(row.detail or {})
    tags = detail.get("tags") or (detail.get("rule") or {}).get("tags") or []
    return {
        "title": row.title,
        "detected_at": as_aware(row.at),
        "asset": row.asset_key,
        "source": row.source,
        "severity": row.severity,
        "tags": list(tags) if isinstance(tags, list) else [],
    }
