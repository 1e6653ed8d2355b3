"""YARA hits as workspace alerts (table ``alerts``, source "yara") with ECS-shaped details, so that
forwarding and incidents read them like any other alert."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from secops.detection.yara.ruleset import SEVERITIES
from secops.detection.yara.scanner import YaraHit
from secops.models import Alert, Severity
from secops.store.alert_identity import YARA as SOURCE
from secops.store.alert_identity import yara_identity

if TYPE_CHECKING:
    from secops.store import Store

KIND_LENGTH = 50  # alerts.kind column
# ECS event.severity is a number; these follow the risk scores Elastic's own rules use per level.
SEVERITY_SCORE = {"info": 1, "low": 21, "medium": 47, "high": 73, "critical": 99}


def _severity(value: object) -> Severity:
    text = str(value or "").lower()
    return text if text in SEVERITIES else "medium"  # type: ignore[return-value]


def ecs_detail(hit: YaraHit, at: datetime, hostname: str) -> dict[str, Any]:
    """The alert detail in Elastic Common Schema field names."""
    severity = _severity(hit.meta.get("severity"))
    name = os.path.basename(hit.path)
    extension = os.path.splitext(name)[1].lstrip(".").lower()
    rule: dict[str, Any] = {"name": hit.rule, "ruleset": hit.namespace, "author": ["secops"]}
    for key in ("description", "reference"):
        if hit.meta.get(key):
            rule[key] = hit.meta[key]
    for key in ("description_zh", "technique", "language", "confidence"):  # secops's own, beside ECS
        if hit.meta.get(key):
            rule.setdefault("secops", {})[key] = hit.meta[key]
    if hit.meta.get("family"):
        rule["category"] = hit.meta["family"]
    detail: dict[str, Any] = {
        "@timestamp": at.isoformat(),
        "event": {
            "kind": "alert",
            "category": ["malware", "file"],
            "type": ["info"],
            "module": "yara",
            "dataset": "secops.yara",
            "severity": SEVERITY_SCORE[severity],
        },
        "log": {"level": severity},
        "host": {"hostname": hostname},
        "file": {
            "path": hit.path,
            "name": name,
            "directory": os.path.dirname(hit.path),
            "size": hit.size,
            "hash": {"sha256": hit.sha256},
            **({"extension": extension} if extension else {}),
        },
        "rule": rule,
        "tags": list(hit.tags),
        "yara": {
            "namespace": hit.namespace,
            "strings": [{"identifier": s.identifier, "offset": s.offset, "snippet": s.snippet} for s in hit.strings],
        },
    }
    if hit.meta.get("family"):
        detail["threat"] = {"software": {"name": hit.meta["family"]}}
    return detail


def hit_alert(hit: YaraHit, at: datetime, hostname: str | None = None) -> Alert:
    description = hit.meta.get("description_zh") or hit.meta.get("description") or hit.rule  # staff read Chinese
    return Alert(
        at=at,
        source=SOURCE,
        kind=hit.rule[:KIND_LENGTH],
        severity=_severity(hit.meta.get("severity")),
        title=f"{description}: {hit.path}",
        asset_key=None,
        detail=ecs_detail(hit, at, hostname or socket.gethostname()),
        identity=yara_identity(hit.rule, str(hit.path), hit.sha256),
    )


def store_hits(store: Store, hits: Iterable[YaraHit], at: datetime) -> tuple[int, int]:
    """Write one open alert per hit not stored before: the same rule on the same content (file
    SHA-256) is one alert, whatever its path and even once closed, so a nightly scan of an
    unchanged web root does not pile up duplicates. Returns (written, already stored)."""
    from secops.store.alerts import store_alerts

    hostname = socket.gethostname()
    raised = [hit_alert(hit, at, hostname) for hit in hits]
    if not raised:
        return 0, 0
    with store.engine.begin() as conn:
        written = store_alerts(conn, raised)
    return written, len(raised) - written
