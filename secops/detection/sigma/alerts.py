"""Sigma matches stored as workspace alerts (table ``alerts``, source "sigma"), ECS-shaped."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from secops.detection.events import Match
from secops.store import Store

SEVERITY = {"informational": "info", "low": "low", "medium": "medium", "high": "high", "critical": "critical"}
# fields that name the host / the remote address, by log family
_HOST_FIELDS = ("Computer", "host", "cs-host", "hostname")
_SOURCE_IP_FIELDS = ("c-ip", "src_ip", "IpAddress", "SourceIp", "source.ip", "addr")


def ecs_detail(match: Match) -> dict[str, Any]:
    """The alert as ECS field groups (event, rule, log, host, source) plus the matched event."""
    detail: dict[str, Any] = {
        "@timestamp": match.timestamp.isoformat() if match.timestamp else None,
        "event": {"kind": "alert", "module": "sigma", "severity_name": match.level},
        "rule": {"id": match.rule_id, "name": match.rule_title, "ruleset": "sigma"},
        "tags": list(match.tags),
        "log": {"file": {"path": match.log_file}, "record": match.record},
        "sigma": {"type": match.rule_type, "event": match.event},
    }
    event = match.event if match.rule_type != "correlation" or not match.members else match.members[-1].event
    host = next((event[f] for f in _HOST_FIELDS if event.get(f)), None)
    if host is not None:
        detail["host"] = {"name": str(host)}
    source_ip = next((event[f] for f in _SOURCE_IP_FIELDS if event.get(f)), None)
    if source_ip is not None:
        detail["source"] = {"ip": str(source_ip)}
    if match.members:
        detail["sigma"]["members"] = [
            {"log_file": m.log_file, "record": m.record, "timestamp": m.timestamp.isoformat() if m.timestamp else None}
            for m in match.members
        ]
    return detail


def alert_rows(matches: Iterable[Match], now: datetime) -> list[dict[str, Any]]:
    return [
        {
            "at": match.timestamp or now,
            "source": "sigma",
            "kind": "sigma_correlation" if match.rule_type == "correlation" else "sigma_detection",
            "severity": SEVERITY.get(match.level, "medium"),
            "title": match.rule_title,
            "asset_key": None,
            "detail": ecs_detail(match),
            "status": "open",
        }
        for match in matches
    ]


def store_alerts(store: Store, matches: Iterable[Match], now: datetime) -> int:
    """Insert one alert per match; returns how many were written."""
    from secops.store.bulk import insert_rows
    from secops.store.schema import alerts

    rows = alert_rows(matches, now)
    with store.engine.begin() as conn:
        insert_rows(conn, alerts, rows)
    return len(rows)
