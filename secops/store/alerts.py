"""Workspace alerts as records of their own: storing them once (by identity), finding them, and
their status (open -> acked -> closed, with the time and a note).

Every feature that raises alerts (Sigma, hunts, YARA, discovery) writes :class:`secops.models.Alert`
records through :func:`store_alerts` (or :func:`commit_alerts`);
``secops alerts`` reads and updates through the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from secops.errors import SecopsError
from secops.i18n import N_, _
from secops.models import Alert
from secops.store.engine import Store
from secops.store.schema import alerts

SEVERITIES = ("info", "low", "medium", "high", "critical")  # lowest first
STATUSES = ("open", "acked", "closed")
# what people call a source -> what the alerts table keeps
SOURCES = {"sigma": "sigma", "yara": "yara", "discovery": "assets", "hunt": "sigma-hunt"}
_SHOWN = {stored: shown for shown, stored in SOURCES.items()}
_IN_CHUNK = 1000  # ids per IN (...)
CHUNK = 2000  # alerts per INSERT batch (and per transaction in commit_alerts)


def shown_source(stored: str) -> str:
    return _SHOWN.get(stored, stored)


def utc(value: datetime) -> datetime:
    """An aware time in UTC (what the store keeps); a naive one is taken as UTC already."""
    return value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _present(conn: Connection, identities: Sequence[str]) -> int:
    total = 0
    for start in range(0, len(identities), _IN_CHUNK):
        chunk = identities[start : start + _IN_CHUNK]
        query = sa.select(sa.func.count()).select_from(alerts).where(alerts.c.identity.in_(chunk))
        total += int(conn.execute(query).scalar_one())
    return total


def alert_row(alert: Alert) -> dict[str, Any]:
    """The ``alerts`` row for an alert: its time in UTC (as every stored time; SQLite keeps no
    offset), status "open"."""
    return {
        "at": utc(alert.at),
        "source": alert.source,
        "kind": alert.kind,
        "severity": alert.severity,
        "title": alert.title,
        "asset_key": alert.asset_key,
        "detail": alert.detail,
        "status": "open",
        "identity": alert.identity,
    }


def store_alerts(conn: Connection, alerts_: Iterable[Alert]) -> int:
    """INSERT alerts, skipping those whose identity is already stored: ON CONFLICT DO NOTHING on the
    UNIQUE identity, on SQLite and PostgreSQL alike. ``alerts_`` is consumed CHUNK at a time (memory
    stays bounded), all in ``conn``'s transaction. Returns how many alerts are new."""
    from secops.store.bulk import insert_rows

    written = 0
    pending = iter(alerts_)
    while chunk := [alert_row(alert) for alert in islice(pending, CHUNK)]:
        identities = sorted({row["identity"] for row in chunk})
        before = _present(conn, identities)
        insert_rows(conn, alerts, chunk, conflict=("identity",))
        written += _present(conn, identities) - before
    return written


def commit_alerts(store: Store, alerts_: Iterable[Alert]) -> int:
    """:func:`store_alerts` with each CHUNK its own transaction, for a stream of any length (a long
    detection run keeps what it stored so far). Returns how many alerts are new."""
    written = 0
    pending = iter(alerts_)
    while chunk := list(islice(pending, CHUNK)):
        with store.engine.begin() as conn:
            written += store_alerts(conn, chunk)
    return written


@dataclass(frozen=True)
class AlertFilter:
    sources: tuple[str, ...] = ()  # stored source names; empty: every source
    min_severity: str | None = None
    since: datetime | None = None
    statuses: tuple[str, ...] = ("open", "acked")  # empty: every status
    limit: int = 100


def _matching(where: AlertFilter) -> sa.Select[Any]:
    query = sa.select(alerts)
    if where.sources:
        query = query.where(alerts.c.source.in_(where.sources))
    if where.min_severity is not None:
        query = query.where(alerts.c.severity.in_(SEVERITIES[SEVERITIES.index(where.min_severity) :]))
    if where.since is not None:
        query = query.where(alerts.c.at >= utc(where.since))
    if where.statuses:
        query = query.where(alerts.c.status.in_(where.statuses))
    return query


def find_alerts(store: Store, where: AlertFilter) -> list[dict[str, Any]]:
    """Alerts matching ``where``, newest first (by the time of the event they report)."""
    query = _matching(where).order_by(alerts.c.at.desc(), alerts.c.id.desc()).limit(where.limit)
    with store.engine.connect() as conn:
        return [summary(dict(row)) for row in conn.execute(query).mappings()]


def get_alert(store: Store, alert_id: int) -> dict[str, Any]:
    """Everything about one alert (see :func:`describe`); an unknown id is a SecopsError."""
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(alerts).where(alerts.c.id == alert_id)).mappings().first()
    if row is None:
        raise SecopsError(_("no alert #{id}").format(id=alert_id), hint=_("see secops alerts list --status all"))
    return describe(dict(row))


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def summary(row: dict[str, Any]) -> dict[str, Any]:
    """One line of ``secops alerts list``: what, when, how bad, where."""
    detail = _mapping(row.get("detail"))
    host = _mapping(detail.get("host"))
    return {
        "id": row["id"],
        "at": utc(row["at"]),
        # a log line whose time could not be read: "at" is when secops stored the alert
        "time_known": not ("@timestamp" in detail and detail["@timestamp"] is None),
        "severity": row["severity"],
        "source": shown_source(row["source"]),
        "status": row["status"],
        "rule": _mapping(detail.get("rule")).get("name") or row["kind"],
        "host": row.get("asset_key") or host.get("name") or host.get("hostname"),
        "source_ip": _mapping(detail.get("source")).get("ip"),
        "title": row["title"],
    }


def describe(row: dict[str, Any]) -> dict[str, Any]:
    """Everything about one alert: the summary, then rule, where it was found, the matched event,
    the status with its time and note, and the stored detail as it is forwarded."""
    detail = _mapping(row.get("detail"))
    rule = _mapping(detail.get("rule"))
    found: dict[str, Any] = summary(row)
    found["kind"] = row["kind"]
    found["rule_id"] = rule.get("id")
    log = _mapping(detail.get("log"))
    file = _mapping(detail.get("file"))
    sigma = _mapping(detail.get("sigma"))
    if _mapping(log.get("file")).get("path") is not None:
        found["log_file"] = _mapping(log.get("file")).get("path")
        found["record"] = log.get("record")
    if file:
        found["path"] = file.get("path")
        found["sha256"] = _mapping(file.get("hash")).get("sha256")
    if "event" in sigma:
        found["event"] = sigma["event"]
    if sigma.get("members"):
        found["members"] = sigma["members"]
    if row["source"] == "assets":
        found["change"] = {k: v for k, v in detail.items() if k != "rule"}
    found["status_at"] = utc(row["status_at"]) if row.get("status_at") else None
    found["status_note"] = row.get("status_note")
    found["identity"] = row.get("identity")
    found["detail"] = detail
    return found


@dataclass(frozen=True)
class StatusChange:
    changed: list[int]  # ids whose status is now ``status``
    unchanged: list[int]  # ids that already had it (their note and time are kept)


_NEXT = {"acked": ("open",), "closed": ("open", "acked")}
_WORD = {"acked": N_("acknowledged"), "closed": N_("closed")}  # "nothing was ..."


def set_status(store: Store, ids: Iterable[int], status: str, note: str | None, now: datetime) -> StatusChange:
    """Acknowledge or close alerts, all or none: every id is checked first, in the same transaction.

    An unknown id, or acknowledging a closed alert, is a SecopsError and nothing is written.
    """
    if status not in _NEXT:
        raise ValueError(f"status {status!r} is set by writers, not by people")
    wanted = list(dict.fromkeys(ids))
    with store.engine.begin() as conn:
        current: dict[int, str] = {}
        for start in range(0, len(wanted), _IN_CHUNK):
            chunk = wanted[start : start + _IN_CHUNK]
            query = sa.select(alerts.c.id, alerts.c.status).where(alerts.c.id.in_(chunk))
            current.update({row.id: row.status for row in conn.execute(query)})
        unknown = [i for i in wanted if i not in current]
        if unknown:
            listed = ", ".join(f"#{i}" for i in unknown)
            raise SecopsError(
                _("no alert {ids}; nothing was {done}").format(ids=listed, done=_(_WORD[status])),
                hint=_("see secops alerts list --status all"),
            )
        refused = [i for i in wanted if current[i] != status and current[i] not in _NEXT[status]]
        if refused:
            listed = ", ".join(f"#{i}" for i in refused)
            raise SecopsError(
                _("alert {ids} is {status} and cannot be {done}; nothing was changed").format(
                    ids=listed, status=current[refused[0]], done=_(_WORD[status])
                )
            )
        changed = [i for i in wanted if current[i] != status]
        values = {"status": status, "status_at": utc(now), "status_note": note}
        for start in range(0, len(changed), _IN_CHUNK):
            conn.execute(alerts.update().where(alerts.c.id.in_(changed[start : start + _IN_CHUNK])).values(**values))
    return StatusChange(changed, [i for i in wanted if i not in changed])
