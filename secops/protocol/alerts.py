"""The alert as both sides know it: the severity scale, the canonical form and the id.

The school freezes an ECS-shaped document per alert and resends exactly those bytes; the center
stores it under ``alert_id`` (school + canonical JSON), so a resent alert is the same document.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

# ECS event.severity for each secops severity (the 0-100 scale Elastic's own rules use).
SEVERITY_SCORE: dict[str, int] = {"info": 1, "low": 21, "medium": 47, "high": 73, "critical": 99}


def canonical_alert(alert: dict[str, Any]) -> bytes:
    """One byte string per alert whatever the key order or spacing it arrived with (compact UTF-8
    JSON, keys sorted; orjson: the center computes it for every alert it takes)."""
    return orjson.dumps(alert, option=orjson.OPT_SORT_KEYS)


def alert_id(school: str, alert: dict[str, Any]) -> str:
    """The stored id: the same alert from the same school is the same document (dedup on retry)."""
    return hashlib.sha256(school.encode() + b"\n" + canonical_alert(alert)).hexdigest()
