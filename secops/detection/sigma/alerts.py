"""Sigma matches stored as workspace alerts (table ``alerts``, source "sigma"), ECS-shaped, each once."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from secops.detection.attack import threat_group
from secops.detection.events import Match
from secops.i18n import language
from secops.models import Alert
from secops.store import Store
from secops.store.alert_identity import SIGMA as SOURCE
from secops.store.alert_identity import correlation_identity, sigma_identity
from secops.store.alerts import commit_alerts

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
    if match.rule_title_zh:
        detail["rule"]["name_zh"] = match.rule_title_zh
    threat = threat_group(match.tags, language())
    if threat is not None:
        detail["threat"] = threat
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


def alert_title(match: Match) -> str:
    """What a person reads first: the rule's Chinese title when it has one and the workspace speaks
    Chinese; the rule's own title otherwise (SigmaHQ rules are English)."""
    return match.rule_title_zh if match.rule_title_zh and language() == "zh" else match.rule_title


def match_alert(match: Match, now: datetime, source: str = SOURCE) -> Alert:
    """The alert for a match; its time is the event's (``now`` when the event has none)."""
    return Alert(
        at=match.timestamp or now,
        source=source,
        kind="sigma_correlation" if match.rule_type == "correlation" else "sigma_detection",
        severity=SEVERITY.get(match.level, "medium"),
        title=alert_title(match),
        asset_key=None,
        detail=ecs_detail(match),
        identity=identity(match, source),
    )


def store_matches(store: Store, matches: Iterable[Match], now: datetime) -> int:
    """Store one alert per match, consuming ``matches`` lazily (a transaction per
    secops.store.alerts.CHUNK alerts); a match stored before (same identity) adds nothing. Returns
    how many alerts are new."""
    return commit_alerts(store, (match_alert(match, now) for match in matches))
