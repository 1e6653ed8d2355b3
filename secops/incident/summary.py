"""The incident feature's outward face: an ``IncidentSummary`` (secops.records.incident) per
incident, with its clocks as they stand at ``now``. Reports and the forwarder read these, not the
incidents table."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime

from secops.incident.clocks import Clock, clocks_for
from secops.incident.model import Incident, list_incidents
from secops.incident.policy import IncidentPolicy
from secops.records.incident import ClockSummary, IncidentSummary
from secops.store import Store


def clock_summary(clock: Clock) -> ClockSummary:
    return ClockSummary(
        deadline=clock.deadline_id,
        name=clock.name,
        source=clock.source,
        started_at=clock.started_at,
        due_at=clock.due_at,
        stopped_at=clock.stopped_at,
        status=clock.status,
    )


def summarize(incident: Incident, policy: IncidentPolicy, now: datetime) -> IncidentSummary:
    return IncidentSummary(
        id=incident.id,
        title=incident.title,
        category=incident.category,
        subcategory=incident.subcategory,
        grade=incident.grade,
        notified=incident.notified,
        state=incident.state,
        playbook=incident.playbook,
        systems=tuple(incident.systems),
        assets=tuple(incident.assets),
        detected_at=incident.detected_at,
        reported_at=incident.reported_at,
        state_times={state: datetime.fromisoformat(at) for state, at in incident.state_times.items()},
        clocks=tuple(clock_summary(clock) for clock in clocks_for(incident, policy, now)),
        as_of=now,
        version=incident.version,
        reports=report_times(incident),
    )


def report_times(incident: Incident) -> dict[str, datetime]:
    """The report stages submitted so far: initial (首次报告, ``reported_at``), the latest follow-up
    (续报) and final (总结报告)."""
    found: dict[str, datetime] = {}
    if incident.reported_at is not None:
        found["initial"] = incident.reported_at
    followups = incident.facts.get("followup_reports")
    if isinstance(followups, list) and followups:
        with suppress(ValueError, TypeError):
            found["followup"] = datetime.fromisoformat(str(followups[-1]))  # the latest
    final = incident.facts.get("final_report_at")
    if isinstance(final, str):
        with suppress(ValueError):  # a hand-edited fact that is not a time is not a submission
            found["final"] = datetime.fromisoformat(final)
    return found


def incident_summaries(
    store: Store, policy: IncidentPolicy, now: datetime, *, open_only: bool = False
) -> list[IncidentSummary]:
    """Every incident (or every open one), oldest first."""
    return [summarize(incident, policy, now) for incident in list_incidents(store, open_only=open_only)]
