"""What the pages show, assembled from the alert store and the center's state database.

Pure data: no HTML here. Every function takes ``now`` so that silence and clocks are judged
against the same instant on one page, and tests can fix it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from secops.center.heartbeats import CheckIn, latest_checkins
from secops.center.stores.base import AlertQuery, AlertStore, StoredAlert
from secops.incident.clocks import Clock, clocks_for
from secops.incident.model import Incident, get_incident
from secops.incident.policy import IncidentPolicy
from secops.store import Store
from secops.store.schema import center_auto_incidents, center_schools, incidents

SEVERITIES = ("critical", "high", "medium", "low", "info")
# count_by over schools: enough buckets for every school of a province (Elasticsearch caps at 65,536).
MAX_SCHOOLS = 20_000
# Keys under which an incident's facts name the school it concerns (the center's auto incidents set "school").
SCHOOL_FACT_KEYS = ("school", "school_code")


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class School:
    code: str
    name: str
    created_at: datetime
    revoked_at: datetime | None
    last_seen: datetime | None = None
    alerts_24h: int = 0
    alerts_30d: int = 0
    alerts_total: int = 0
    silent_after: timedelta = timedelta(hours=24)
    now: datetime | None = None
    checkin: CheckIn | None = None  # the forwarder's latest check-in

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def forwarder_silent_for(self) -> timedelta | None:
        """How long the forwarder has not checked in, once past twice the interval it promised; a
        forwarder that never checked in has ``silent_after`` from registration to be set up."""
        if self.revoked or self.now is None:
            return None
        if self.checkin is None:
            quiet = self.now - self.created_at
            return quiet if quiet > self.silent_after else None
        return self.checkin.silent_for(self.now)

    @property
    def forwarder_silent(self) -> bool:
        return self.forwarder_silent_for is not None

    @property
    def silent_for(self) -> timedelta | None:
        """How long a school whose forwarder is alive has sent no alerts, when longer than
        ``silent_after`` (from registration if never). A quiet school is not a fault: its forwarder
        checks in; a dead forwarder is ``forwarder_silent`` instead, never both."""
        if self.revoked or self.now is None or self.forwarder_silent:
            return None
        quiet = self.now - (self.last_seen or self.created_at)
        return quiet if quiet > self.silent_after else None

    @property
    def silent(self) -> bool:
        return self.silent_for is not None

    @property
    def status(self) -> str:
        """revoked | forwarder_silent | no_alerts | ok"""
        if self.revoked:
            return "revoked"
        if self.forwarder_silent:
            return "forwarder_silent"
        return "no_alerts" if self.silent else "ok"


def school_names(state: Store) -> dict[str, str]:
    with state.engine.connect() as conn:
        return {row.code: row.name for row in conn.execute(sa.select(center_schools.c.code, center_schools.c.name))}


def _school_rows(state: Store, code: str | None = None) -> list[Any]:
    c = center_schools.c
    stmt = sa.select(c.code, c.name, c.created_at, c.revoked_at).order_by(c.code)
    if code is not None:
        stmt = stmt.where(c.code == code)
    with state.engine.connect() as conn:
        return list(conn.execute(stmt).all())


def schools(
    state: Store, alerts: AlertStore, now: datetime, silent_after: timedelta, code: str | None = None
) -> list[School]:
    """Registered schools with when they last sent something and how much (one store query per figure)."""
    rows = _school_rows(state, code)
    if not rows:
        return []
    seen = alerts.last_received()
    day = alerts.count_by("school", AlertQuery(school=code, since=now - timedelta(hours=24), limit=MAX_SCHOOLS))
    month = alerts.count_by("school", AlertQuery(school=code, since=now - timedelta(days=30), limit=MAX_SCHOOLS))
    total = alerts.count_by("school", AlertQuery(school=code, limit=MAX_SCHOOLS))
    checkins = latest_checkins(state, code)
    found = []
    for row in rows:
        created = _aware(row.created_at)
        assert created is not None
        found.append(
            School(
                code=row.code,
                name=row.name,
                created_at=created,
                revoked_at=_aware(row.revoked_at),
                last_seen=seen.get(row.code),
                alerts_24h=day.get(row.code, 0),
                alerts_30d=month.get(row.code, 0),
                alerts_total=total.get(row.code, 0),
                silent_after=silent_after,
                now=now,
                checkin=checkins.get(row.code),
            )
        )
    return found


def silent_schools(found: list[School]) -> list[School]:
    """Schools whose forwarder checks in but that sent no alerts for long, the longest first."""
    quiet = [s for s in found if s.silent]
    return sorted(quiet, key=lambda s: s.silent_for or timedelta(0), reverse=True)


def forwarder_silent_schools(found: list[School]) -> list[School]:
    """Schools whose forwarder stopped checking in (or never did), the longest silent first."""
    dead = [s for s in found if s.forwarder_silent]
    return sorted(dead, key=lambda s: s.forwarder_silent_for or timedelta(0), reverse=True)


@dataclass(frozen=True)
class SeverityRow:
    severity: str
    day: int
    month: int
    total: int


def severity_table(alerts: AlertStore, now: datetime, school: str | None = None) -> list[SeverityRow]:
    day = alerts.count_by("severity", AlertQuery(school=school, since=now - timedelta(hours=24)))
    month = alerts.count_by("severity", AlertQuery(school=school, since=now - timedelta(days=30)))
    total = alerts.count_by("severity", AlertQuery(school=school))
    known = [*SEVERITIES, *sorted(set(total) - set(SEVERITIES))]
    return [SeverityRow(s, day.get(s, 0), month.get(s, 0), total.get(s, 0)) for s in known]


def top_schools(alerts: AlertStore, now: datetime, limit: int = 10) -> list[tuple[str, int]]:
    counts = alerts.count_by("school", AlertQuery(since=now - timedelta(days=30), limit=MAX_SCHOOLS))
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]


@dataclass(frozen=True)
class IncidentView:
    incident: Incident
    school: str | None
    clocks: list[Clock] = field(default_factory=list)  # running or overdue, most urgent first

    @property
    def urgent(self) -> Clock | None:
        return self.clocks[0] if self.clocks else None

    @property
    def overdue(self) -> bool:
        return self.urgent is not None and self.urgent.status == "overdue"

    def sort_key(self) -> tuple[int, datetime, int]:
        """Overdue first (the longest overdue on top), then by the nearest deadline, then unclocked."""
        clock = self.urgent
        if clock is None:
            return (2, self.incident.detected_at, self.incident.id)
        return (0 if clock.status == "overdue" else 1, clock.due_at, self.incident.id)


def school_of(incident: Incident) -> str | None:
    for key in SCHOOL_FACT_KEYS:
        value = incident.facts.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def view_of(found: Incident, policy: IncidentPolicy, now: datetime) -> IncidentView:
    """One incident with its running or overdue clocks, the most urgent first."""
    closed = found.state == "closed"
    running = [clock for clock in clocks_for(found, policy, now) if clock.stopped_at is None and not closed]
    running.sort(key=lambda clock: clock.due_at)
    return IncidentView(found, school_of(found), running)


def incident_views(
    state: Store,
    policy: IncidentPolicy,
    now: datetime,
    *,
    open_only: bool = True,
    school: str | None = None,
    limit: int = 500,
) -> list[IncidentView]:
    """Incidents with their running clocks, overdue first (newest ``limit`` incidents considered)."""
    c = incidents.c
    stmt = sa.select(c.id).order_by(c.id.desc()).limit(limit)
    if open_only:
        stmt = stmt.where(c.state != "closed")
    if school is not None:
        stmt = stmt.where(
            sa.or_(*(c.facts[key].as_string() == school for key in SCHOOL_FACT_KEYS))  # JSON path, both dialects
        )
    with state.engine.connect() as conn:
        ids = list(conn.execute(stmt).scalars())
    views = [view_of(get_incident(state, incident_id), policy, now) for incident_id in ids]
    views.sort(key=lambda view: (view.incident.state == "closed", *view.sort_key()))
    return views


def incident_of_alert(state: Store, alert_id: str) -> int | None:
    """The case a center alert joined (its automatic claim), if any. 0 marks a claim whose alert was
    gone when its case was to be opened: no case."""
    c = center_auto_incidents.c
    with state.engine.connect() as conn:
        found = conn.execute(sa.select(c.incident_id).where(c.alert_id == alert_id)).scalar()
    return int(found) if found else None


def incidents_opened_since(state: Store, since: datetime) -> int:
    c = incidents.c
    with state.engine.connect() as conn:
        return int(
            conn.execute(sa.select(sa.func.count()).select_from(incidents).where(c.created_at >= since)).scalar_one()
        )


@dataclass(frozen=True)
class AlertGroup:
    """Consecutive identical alerts (same school, title and severity) shown as one row."""

    alerts: tuple[StoredAlert, ...]  # newest first, as the store lists them

    @property
    def newest(self) -> StoredAlert:
        return self.alerts[0]

    @property
    def first_at(self) -> datetime:
        return self.alerts[-1].at

    @property
    def count(self) -> int:
        return len(self.alerts)


def group_alerts(rows: list[StoredAlert]) -> list[AlertGroup]:
    """Collapse runs of identical neighbours (a burst of one brute-force rule reads as one line);
    only neighbours: the list stays in time order and nothing between two runs is hidden."""
    groups: list[list[StoredAlert]] = []
    for alert in rows:
        last = groups[-1][-1] if groups else None
        if last is not None and (last.school, last.title, last.severity) == (alert.school, alert.title, alert.severity):
            groups[-1].append(alert)
        else:
            groups.append([alert])
    return [AlertGroup(tuple(group)) for group in groups]
