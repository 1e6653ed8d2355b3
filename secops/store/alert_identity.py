"""What makes two stored alerts the same alert: the ``alerts.identity`` column.

An identity is the SHA-256 (hex) of a canonical JSON list that starts with the alert's source. The
column is UNIQUE and every writer inserts with ON CONFLICT DO NOTHING, so storing the same input
twice adds nothing:

- Sigma detection (``sigma``; ``sigma-hunt`` for hunts): rule id, record number and the matched
  event's fields. The log file's path is left out on purpose: ``access.log`` rotated to
  ``access.log.1`` and ``.gz``, or the same log stored from another folder, is the same event.
- Sigma correlation: rule id and the sorted identities of its member events.
- YARA: rule name, the file's path and SHA-256 (a copy planted elsewhere is an alert of its own; a
  closed alert is not raised again for the same file with the same content).
- Discovery (``assets``): scan run, asset, rule and the change it saw: each scan's alerts are its own.

These formulas are stored data: changing one makes every alert new again, so a change needs a
migration that recomputes the column (migration 13 fills it with these functions).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import orjson

SIGMA = "sigma"
HUNT = "sigma-hunt"
YARA = "yara"
DISCOVERY = "assets"


def _canonical(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: orjson's bytes, which are json.dumps's for these settings; json
    itself only for what orjson refuses (integers past 64 bits, which EVTX has)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    except TypeError:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def digest(value: Any) -> str:
    """SHA-256 hex of ``value`` as canonical JSON (sorted keys, no spaces, UTF-8)."""
    return hashlib.sha256(_canonical(value)).hexdigest()


def sigma_identity(source: str, rule_id: str, record: int | None, event: Mapping[str, Any]) -> str:
    return digest([source, "detection", rule_id, record, digest(dict(event))])


def correlation_identity(source: str, rule_id: str, members: Iterable[str]) -> str:
    return digest([source, "correlation", rule_id, sorted(members)])


def yara_identity(rule: str, path: str, sha256: str) -> str:
    """The same content at two paths is two alerts: each planted copy must be found and removed."""
    return digest([YARA, rule, path, sha256])


def discovery_identity(run_id: int | None, asset_key: str | None, kind: str, detail: Mapping[str, Any]) -> str:
    return digest([DISCOVERY, run_id, asset_key, kind, digest(dict(detail))])


def stored_identity(
    source: str,
    kind: str,
    asset_key: str | None,
    at: datetime | str | None,
    detail: Mapping[str, Any],
    *,
    run_id: int | None = None,
) -> str:
    """The identity of a row written before the column existed, from what the row itself keeps.

    Detections, YARA hits and discovery alerts (given the run found for them) come out as the
    writers compute them today. A correlation row kept only its members' record numbers and times,
    not their events, so its identity is built from those: such a row stays unique, but the same
    correlation stored again by a newer secops is one more alert.
    """
    rule = _part(detail, "rule")
    if source in (SIGMA, HUNT) and kind == "sigma_detection":
        sigma = _part(detail, "sigma")
        return sigma_identity(source, str(rule.get("id")), _part(detail, "log").get("record"), _part(sigma, "event"))
    if source in (SIGMA, HUNT) and kind == "sigma_correlation":
        members = [
            digest(["member", m.get("record"), m.get("timestamp")])
            for m in _part(detail, "sigma").get("members") or []
            if isinstance(m, Mapping)
        ]
        return correlation_identity(source, str(rule.get("id")), members)
    sha256 = _part(_part(detail, "file"), "hash").get("sha256")
    if source == YARA and sha256:
        return yara_identity(str(rule.get("name") or kind), str(_part(detail, "file").get("path")), str(sha256))
    if source == DISCOVERY and run_id is not None:
        return discovery_identity(run_id, asset_key, kind, detail)
    when = at.isoformat() if isinstance(at, datetime) else at
    return digest([source, "stored", kind, asset_key, when, digest(dict(detail))])


def _part(mapping: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = mapping.get(key)
    return value if isinstance(value, Mapping) else {}
