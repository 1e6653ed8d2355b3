"""Hunt matches as workspace alerts, and the scheduled hunt.

Alerts are the rows ``secops detect run --store`` writes (:func:`alert_rows`), with source
``sigma-hunt`` and ``detail.sigma.hunt`` naming the index pattern hunted. A scheduled hunt looks
back over the same hours again and again, so an event already alerted by an earlier hunt (same
rule, same ``log_file`` + ``record``, same kind) is not alerted twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from secops.detection.events import Match
from secops.detection.sigma.alerts import alert_rows
from secops.errors import SecopsError
from secops.store import Store

log = logging.getLogger(__name__)

SOURCE = "sigma-hunt"


def _identity(detail: dict[str, Any]) -> tuple[Any, ...]:
    rule = detail.get("rule") or {}
    where = detail.get("log") or {}
    return (
        rule.get("id"),
        (where.get("file") or {}).get("path"),
        where.get("record"),
        (detail.get("sigma") or {}).get("type"),
    )


def store_hunt_alerts(store: Store, matches: Iterable[Match], now: datetime, index: str) -> int:
    """Insert one alert per match not alerted by an earlier hunt; returns how many were written."""
    from secops.store.bulk import insert_rows
    from secops.store.schema import alerts

    rows = alert_rows(matches, now)
    if not rows:
        return 0
    for row in rows:
        row["source"] = SOURCE
        row["detail"]["sigma"]["hunt"] = {"index": index}
    # a day of margin: rows keep their reader's wall time, whatever its zone was
    earliest = min(_naive(row["at"]) for row in rows) - timedelta(days=1)
    with store.engine.begin() as conn:
        known = {
            _identity(detail)
            for (detail,) in conn.execute(
                sa.select(alerts.c.detail).where(alerts.c.source == SOURCE, alerts.c.at >= earliest)
            )
            if isinstance(detail, dict)
        }
        fresh = []
        for row in rows:
            identity = _identity(row["detail"])
            if identity not in known:
                known.add(identity)
                fresh.append(row)
        if fresh:
            insert_rows(conn, alerts, fresh)
    return len(fresh)


def _naive(when: datetime) -> datetime:
    """The workspace stores UTC without a zone (as SQLAlchemy's SQLite DateTime does)."""
    from datetime import UTC

    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo is not None else when


def run_hunt_job(workspace_path: str, es_url: str, index: str, rules: str, since: str) -> None:
    """The scheduled hunt (job kind "hunt"): hunt, store new alerts, log a summary; never raises a SecopsError.

    ``rules`` is one path or several joined with ``os.pathsep``.
    """
    import os

    from secops.config import load_workspace
    from secops.detection.es_index import connect
    from secops.detection.hunt import default_window, now_utc, run_hunt
    from secops.workspace import open_workspace_store

    try:
        workspace = load_workspace(Path(workspace_path))
        now = now_utc()
        start, end = default_window(since, None, now)
        rule_paths = [part for part in rules.split(os.pathsep) if part]
        result = run_hunt(connect(es_url), index, rule_paths, start, end)
        with open_workspace_store(workspace) as store:
            written = store_hunt_alerts(store, result.matches, now, index)
        log.warning(
            "scheduled hunt over %s since %s: %d rule(s), %d match(es), %d new alert(s), %d rule(s) not hunted",
            index,
            since,
            len(result.rules),
            len(result.matches),
            written,
            len(result.failed) + len(result.problems),
        )
        for outcome in result.failed:
            log.warning("hunt: rule %s (%s) not hunted: %s", outcome.id, outcome.kind, outcome.error)
    except SecopsError as error:
        log.error("scheduled hunt over %s failed: %s", index, error)
