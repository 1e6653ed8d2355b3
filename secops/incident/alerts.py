"""A workspace alert as a new incident reads it (``secops incident open --from-alert``, the demo)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from secops.errors import SecopsError
from secops.i18n import _
from secops.incident.model import as_aware
from secops.models import AlertFacts
from secops.store import Store
from secops.store.schema import alerts


def alert_facts(store: Store, alert_id: int) -> AlertFacts:
    """What workspace alert ``alert_id`` tells a new incident: title, when, which asset, its source,
    rule and tags; the incident links the alert."""
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(alerts).where(alerts.c.id == alert_id)).first()
    if row is None:
        raise SecopsError(_("no alert #{id}").format(id=alert_id), hint=_("see secops alerts list --status all"))
    detail: dict[str, Any] = dict(row.detail or {})
    rule = detail["rule"] if isinstance(detail.get("rule"), dict) else {}
    tags = detail.get("tags") or rule.get("tags") or []
    detected = as_aware(row.at)
    assert detected is not None  # alerts.at is NOT NULL
    return AlertFacts(
        title=row.title,
        severity=row.severity,
        detected_at=detected,
        source=row.source,
        rule=str(rule.get("id") or ""),
        tags=tuple(str(t) for t in tags) if isinstance(tags, list) else (),
        assets=(row.asset_key,) if row.asset_key else (),
        alert_ids=(row.id,),
    )
