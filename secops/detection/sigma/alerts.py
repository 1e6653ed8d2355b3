"""Sigma matches stored as workspace alerts (table ``alerts``, source "sigma"), ECS-shaped, each once."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from datetime import datetime
from itertools import islice
from typing import Any

from secops.detection.events import Match
from secops.store import Store
from secops.store.alert_identity import SIGMA as SOURCE
from secops.store.alert_identity import correlation_identity, sigma_identity

CHUNK = 2000  # rows per INSERT transaction
SEVERITY = {"informational": "info", "low": "low", "medium": "medium", "high": "high", "critical": "critical"}
# fields that name the host / the remote address, by log family
_HOST_FIELDS = ("Computer", "host", "cs-host", "hostname")
_SOURCE_IP_FIELDS = ("c-ip", "src_ip", "IpAddress", "SourceIp", "source.ip", "addr")


@functools.lru_cache(maxsize=256)
def _absolute(path: str) -> str:
    """The log's path as stored: absolute, so that it still means something later, elsewhere."""
    return os.path.abspath(path)


def ecs_detail(match: Match) -> dict[str, Any]:
    """The alert as ECS field groups (event, rule, log, host, source) plus the matched event."""
    detail: dict[str, Any] = {
        "@timestamp": match.timestamp.isoformat() if match.timestamp else None,
        "event": {"kind": "alert", "module": "sigma", "severity_name": match.level},
        "rule": {"id": match.rule_id, "name": match.rule_title, "ruleset": "sigma"},
        "tags": list(match.tags),
        "log": {"file": {"path": _absolute(match.log_file)}, "record": match.record},
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


def identity(match: Match, source: str = SOURCE) -> str:
    """The alert's identity (secops.store.alert_identity): the log's path is not part of it."""
    if match.rule_type == "correlation":
        members = [sigma_identity(source, m.rule_id, m.record, m.event) for m in match.members]
        return correlation_identity(source, match.rule_id, members)
    return sigma_identity(source, match.rule_id, match.record, match.event)


def alert_row(match: Match, now: datetime, source: str = SOURCE) -> dict[str, Any]:
    """One ``alerts`` row for a match; its time is the event's (``now`` when the event has none)."""
    return {
        "at": match.timestamp or now,
        "source": source,
        "kind": "sigma_correlation" if match.rule_type == "correlation" else "sigma_detection",
        "severity": SEVERITY.get(match.level, "medium"),
        "title": match.rule_title,
        "asset_key": None,
        "detail": ecs_detail(match),
        "status": "open",
        "identity": identity(match, source),
    }


def alert_rows(matches: Iterable[Match], now: datetime, source: str = SOURCE) -> list[dict[str, Any]]:
    return [alert_row(match, now, source) for match in matches]


def store_rows(store: Store, rows: Iterable[dict[str, Any]]) -> int:
    """Insert alert rows CHUNK at a time (each chunk its own transaction, so a generator of any
    length keeps memory bounded); alerts already stored are skipped. Returns how many are new."""
    from secops.store.alerts import insert_new

    written = 0
    pending = iter(rows)
    while chunk := list(islice(pending, CHUNK)):
        with store.engine.begin() as conn:
            written += insert_new(conn, chunk)
    return written


def store_alerts(store: Store, matches: Iterable[Match], now: datetime) -> int:
    """Store one alert per match, consuming ``matches`` lazily; a match stored before (same
    identity) adds nothing. Returns how many alerts are new."""
    return store_rows(store, (alert_row(match, now) for match in matches))
