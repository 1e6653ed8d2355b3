"""Validating a batch of ECS-shaped alerts from one authenticated school.

Hand-rolled checks: a batch may hold thousands of alerts and this runs on every request, so no
per-alert pydantic model. Invalid alerts are rejected one by one; an alert that claims another
school (``organization.id``) refuses the whole request (``ForeignSchool``).

An alert as stored is the alert as sent with ``organization.id`` set to the school and
``secops.severity`` filled in; its id is ``secops.protocol.alerts.alert_id(school, stored)``, so the same alert
sent twice is the same document.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from secops.center.stores.base import InsertOutcome, StoredAlert
from secops.protocol.alerts import SEVERITY_SCORE, canonical_alert

MAX_MESSAGE = 2000
MAX_DOC_BYTES = 32 * 1024  # the canonical JSON of one alert
MAX_TAGS = 64
SEVERITIES = tuple(SEVERITY_SCORE)
OBJECT_FIELDS = ("rule", "host", "event", "secops", "organization", "source", "destination", "user", "url")
RESERVED = ("received_at", "center")  # added by the center when it stores an alert
_OLDEST = datetime(2000, 1, 1, tzinfo=UTC)
_FUTURE = timedelta(days=1)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$")


class ForeignSchool(Exception):
    """An alert names another school: the request is refused whole."""

    def __init__(self, school: str, other: str, index: int) -> None:
        super().__init__(f"school {school} may not post alerts of school {other} (alert {index})")
        self.index = index


class InvalidAlert(ValueError):
    pass


@dataclass
class Prepared:
    """The valid alerts (with their batch positions) and the per-alert answer so far."""

    accepted: list[tuple[int, StoredAlert]]
    results: list[dict[str, Any]]


def severity_of_score(score: float) -> str:
    """ECS event.severity (0-100) to a secops severity, by the ranges SEVERITY_SCORE marks."""
    for name in ("info", "low", "medium", "high"):
        if score <= SEVERITY_SCORE[name]:
            return name
    return "critical"


def _parse_time(value: Any, now: datetime) -> datetime:
    if not isinstance(value, str) or not _ISO.match(value):
        raise InvalidAlert("@timestamp must be ISO 8601 with a zone, e.g. 2026-11-23T10:30:00+08:00")
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidAlert("@timestamp is not a valid date and time") from None
    at = at.astimezone(UTC)
    if at < _OLDEST or at > now + _FUTURE:
        raise InvalidAlert("@timestamp is before 2000 or more than a day ahead of the center clock")
    return at


def _severity(alert: dict[str, Any]) -> str:
    secops = alert.get("secops")
    if isinstance(secops, dict) and "severity" in secops:
        value = secops["severity"]
        if value not in SEVERITIES:
            raise InvalidAlert(f"secops.severity must be one of {', '.join(SEVERITIES)}")
        return str(value)
    event = alert.get("event")
    if isinstance(event, dict) and "severity" in event:
        score = event["severity"]
        if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 100:
            raise InvalidAlert("event.severity must be a number from 0 to 100")
        return severity_of_score(score)
    raise InvalidAlert("no severity: set secops.severity (info|low|medium|high|critical) or event.severity (0-100)")


def title_of(doc: dict[str, Any]) -> str:
    """What the center calls the alert: the rule's Chinese title when the school sent one (the
    center's staff read Chinese; the English stays in ``rule.name``), else its name, else the message."""
    rule = doc.get("rule")
    if isinstance(rule, dict):
        for field in ("name_zh", "name"):
            if isinstance(rule.get(field), str) and rule[field].strip():
                return str(rule[field]).strip()[:300]
    return str(doc.get("message", "")).strip().splitlines()[0][:300] if doc.get("message") else ""


def _check_shape(alert: dict[str, Any]) -> None:
    for name in RESERVED:
        if name in alert:
            raise InvalidAlert(f"{name} is set by the center; leave it out")
    message = alert.get("message")
    if not isinstance(message, str) or not message.strip():
        raise InvalidAlert("message must be a non-empty string")
    if len(message) > MAX_MESSAGE:
        raise InvalidAlert(f"message is longer than {MAX_MESSAGE} characters")
    for name in OBJECT_FIELDS:
        if name in alert and not isinstance(alert[name], dict):
            raise InvalidAlert(f"{name} must be an object")
    tags = alert.get("tags")
    if tags is not None and (
        not isinstance(tags, list) or len(tags) > MAX_TAGS or not all(isinstance(t, str) and t for t in tags)
    ):
        raise InvalidAlert(f"tags must be a list of at most {MAX_TAGS} non-empty strings")


def prepare_alert(alert: Any, school: str, now: datetime, received_at: datetime) -> StoredAlert:
    """One alert as the center stores it; InvalidAlert says why not."""
    if not isinstance(alert, dict):
        raise InvalidAlert("an alert must be a JSON object")
    _check_shape(alert)
    at = _parse_time(alert.get("@timestamp"), now)
    severity = _severity(alert)
    doc = dict(alert)
    doc["organization"] = {**alert.get("organization", {}), "id": school}
    doc["secops"] = {**alert.get("secops", {}), "severity": severity}
    canonical = canonical_alert(doc)
    if len(canonical) > MAX_DOC_BYTES:
        raise InvalidAlert(f"the alert is larger than {MAX_DOC_BYTES // 1024} KiB")
    return StoredAlert(
        id=hashlib.sha256(school.encode() + b"\n" + canonical).hexdigest(),  # alert_id, canonical JSON reused
        school=school,
        at=at,
        received_at=received_at,
        severity=severity,
        title=title_of(doc),
        doc=doc,
    )


def check_schools(alerts: list[Any], school: str, covers: frozenset[str] = frozenset()) -> None:
    """Refuse the request if any alert names another school (before anything is validated or stored);
    a lower center may send the alerts of the schools it ``covers``."""
    for index, alert in enumerate(alerts):
        if isinstance(alert, dict):
            org = alert.get("organization")
            if isinstance(org, dict) and "id" in org and org["id"] != school and org["id"] not in covers:
                raise ForeignSchool(school, str(org["id"])[:20], index)


def _school_of(alert: Any, school: str, covers: frozenset[str]) -> str:
    """The school an alert is stored under: the covered school it names, else the sender."""
    org = alert.get("organization") if isinstance(alert, dict) else None
    named = org.get("id") if isinstance(org, dict) else None
    return str(named) if covers and named in covers else school


def prepare_batch(alerts: list[Any], school: str, now: datetime, covers: frozenset[str] = frozenset()) -> Prepared:
    check_schools(alerts, school, covers)
    prepared = Prepared(accepted=[], results=[])
    for index, alert in enumerate(alerts):
        try:
            stored = prepare_alert(alert, _school_of(alert, school, covers), now, now)
        except InvalidAlert as exc:
            prepared.results.append({"index": index, "id": None, "status": "rejected", "error": str(exc)})
            continue
        prepared.accepted.append((index, stored))
        prepared.results.append({"index": index, "id": stored.id, "status": "pending", "error": None})
    return prepared


def answer(prepared: Prepared, outcomes: list[InsertOutcome], school: str) -> dict[str, Any]:
    """The response body: one result per alert in batch order, and the totals."""
    for (index, _), outcome in zip(prepared.accepted, outcomes, strict=True):
        result = prepared.results[index]
        if outcome.status == "failed":  # refused by the store (e.g. a field type conflict): do not resend
            result.update(status="rejected", error=outcome.error or "the store refused this alert")
        else:
            result["status"] = outcome.status
    totals = {"created": 0, "duplicate": 0, "rejected": 0}
    for result in prepared.results:
        totals[result["status"]] += 1
    return {"school": school, "received": len(prepared.results), **totals, "results": prepared.results}
