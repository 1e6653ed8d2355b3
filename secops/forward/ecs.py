"""A workspace alert as the ECS-shaped document the center accepts.

Built once, when the alert enters the outbox, and frozen there: every retry sends the same bytes,
so the center derives the same id and stores the alert once. Only what the center needs leaves
the school: raw log lines, matched events and matched strings (which can carry student names,
ID numbers or passwords) are dropped, and the rest of the detail is bounded in size.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, cast

from secops.protocol.alerts import SEVERITY_SCORE

MAX_MESSAGE = 2000
MAX_DETAIL_BYTES = 8192
MAX_STRING = 512
MAX_LIST = 20
MAX_DEPTH = 5
MAX_TAGS = 50
SEVERITIES = tuple(SEVERITY_SCORE)

# Keys whose values are raw data from the watched systems, not facts about the alert.
_DROP_KEYS = frozenset(
    {"event", "events", "original", "raw", "line", "lines", "snippet", "payload", "body", "message", "strings"}
)
_MAC = re.compile(r"^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$")


def _utc(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def iso(value: datetime | str) -> str:
    """UTC ISO 8601 with milliseconds and a Z, the form Elasticsearch's date type reads."""
    return _utc(value).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _clip(text: object, limit: int) -> str:
    value = "" if text is None else str(text)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _bounded(value: Any, depth: int = 0) -> Any:
    """A JSON-safe copy with raw-data keys dropped and strings, lists and nesting capped."""
    if isinstance(value, Mapping):
        if depth >= MAX_DEPTH:
            return "…"
        return {
            str(k): _bounded(v, depth + 1) for k, v in list(value.items())[:100] if str(k).lower() not in _DROP_KEYS
        }
    if isinstance(value, list | tuple):
        return [_bounded(v, depth + 1) for v in list(value)[:MAX_LIST]]
    if isinstance(value, bool | int | float) or value is None:
        return value
    return _clip(value, MAX_STRING)


def bounded_detail(detail: Mapping[str, Any]) -> dict[str, Any]:
    """The detail without raw data, at most MAX_DETAIL_BYTES of JSON (else only its top-level keys)."""
    copy = _bounded(dict(detail))
    size = len(json.dumps(copy, ensure_ascii=False, separators=(",", ":")).encode())
    if size <= MAX_DETAIL_BYTES:
        return cast("dict[str, Any]", copy)
    return {"truncated": True, "keys": sorted(copy)[:MAX_LIST]}


def _tags(detail: Mapping[str, Any]) -> list[str]:
    rule = detail.get("rule") if isinstance(detail.get("rule"), Mapping) else {}
    found = detail.get("tags") or (rule or {}).get("tags") or []
    if not isinstance(found, list | tuple):
        return []
    return sorted({_clip(t, 100) for t in found if isinstance(t, str | int) and str(t)})[:MAX_TAGS]


def _rule(detail: Mapping[str, Any], severity: str, tags: list[str]) -> dict[str, Any] | None:
    """ECS rule.* for alerts raised by a Sigma or YARA rule (assets alerts name a rule id only)."""
    rule = detail.get("rule")
    if not isinstance(rule, Mapping) or not (rule.get("id") or rule.get("name")):
        return None
    event = detail.get("event") if isinstance(detail.get("event"), Mapping) else {}
    level = (event or {}).get("severity_name") or severity
    out: dict[str, Any] = {
        "id": _clip(rule.get("id") or rule.get("name"), 200),
        "name": _clip(rule.get("name") or rule.get("id"), 500),
        "level": _clip(level, 20),
        "tags": tags,
    }
    if rule.get("ruleset"):
        out["ruleset"] = _clip(rule["ruleset"], 100)
    return out


def _host(asset_key: str | None, detail: Mapping[str, Any]) -> dict[str, Any]:
    host: dict[str, Any] = {}
    if asset_key:
        try:
            host["ip"] = [str(ipaddress.ip_address(asset_key))]
        except ValueError:
            if _MAC.match(asset_key):
                host["mac"] = [asset_key.upper().replace(":", "-")]
            else:
                host["name"] = _clip(asset_key, 255)
    named = detail.get("host") if isinstance(detail.get("host"), Mapping) else {}
    name = (named or {}).get("name") or (named or {}).get("hostname")
    if name and "name" not in host:
        host["name"] = _clip(name, 255)
    return host


def to_ecs(row: Mapping[str, Any], school_code: str, school_name: str) -> dict[str, Any]:
    """The document for one ``alerts`` row (id, at, source, kind, severity, title, asset_key, detail)."""
    detail: Mapping[str, Any] = row.get("detail") or {}
    severity = row["severity"] if row["severity"] in SEVERITY_SCORE else "medium"
    tags = _tags(detail)
    doc: dict[str, Any] = {
        "@timestamp": iso(row["at"]),
        "message": _clip(row["title"], MAX_MESSAGE),
        "event": {
            "kind": "alert",
            "module": _clip(row["source"], 50),
            "action": _clip(row["kind"], 100),
            "severity": SEVERITY_SCORE[severity],
        },
        "secops": {
            "severity": severity,
            "source": row["source"],
            "kind": row["kind"],
            "asset_key": row.get("asset_key"),
            "alert_id": int(row["id"]),
            "detail": bounded_detail(detail),
        },
        "organization": {"id": school_code, "name": school_name},
        "tags": tags,
    }
    rule = _rule(detail, severity, tags)
    if rule is not None:
        doc["rule"] = rule
    host = _host(row.get("asset_key"), detail)
    if host:
        doc["host"] = host
    source = detail.get("source") if isinstance(detail.get("source"), Mapping) else None
    if source and source.get("ip"):
        with contextlib.suppress(ValueError):  # the attacking address is what a center correlates schools on
            doc["source"] = {"ip": str(ipaddress.ip_address(str(source["ip"])))}
    return doc
