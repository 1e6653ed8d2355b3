"""Hunt matches as workspace alerts, and the scheduled hunt.

Alerts are those ``secops detect run --store`` writes (:func:`match_alert`), with source
``sigma-hunt`` and ``detail.sigma.hunt`` naming the index pattern hunted. A scheduled hunt looks
back over the same hours again and again; an event already alerted by an earlier hunt has the same
identity (rule, record, event; see secops.store.alert_identity) and is not stored twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from secops.detection.events import Match
from secops.detection.sigma.alerts import match_alert
from secops.errors import SecopsError
from secops.models import Alert
from secops.store import Store
from secops.store.alert_identity import HUNT as SOURCE
from secops.store.alerts import commit_alerts

log = logging.getLogger(__name__)


def hunt_alert(match: Match, now: datetime, index: str) -> Alert:
    """The alert for a hunt's match: sigma's (source ``sigma-hunt``) with ``detail.sigma.hunt``."""
    alert = match_alert(match, now, SOURCE)
    sigma = {**alert.detail["sigma"], "hunt": {"index": index}}
    return replace(alert, detail={**alert.detail, "sigma": sigma})


def store_hunt_alerts(store: Store, matches: Iterable[Match], now: datetime, index: str) -> int:
    """Store one alert per match, skipping those an earlier hunt stored; returns how many are new."""
    return commit_alerts(store, (hunt_alert(match, now, index) for match in matches))


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
