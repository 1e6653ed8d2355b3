"""The school's incidents and audit head, sent up to its center (``secops.protocol.incidents``).

Each pass sends the incidents whose version the center has not acknowledged yet (a change of any
kind bumps the version), oldest first in batches, and the audit trail's head whenever it moved.
What the center acknowledged is recorded only after its answer, so a pass killed half-way sends the
same versions again and the center answers ``duplicate``. Like the compliance summary, sending
never raises: the pass reports what happened in a few words.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

import httpx
import sqlalchemy as sa

from secops.forward.post import send
from secops.forward.target import Target
from secops.incident.audit import current_head
from secops.incident.policy import load_policy
from secops.incident.summary import incident_summaries
from secops.protocol.incidents import (
    INCIDENTS_PATH,
    MAX_INCIDENTS,
    AuditAnchor,
    ClockState,
    IncidentBatch,
    SchoolIncident,
)
from secops.records.incident import IncidentSummary
from secops.store import Store
from secops.store.bulk import insert_rows
from secops.store.schema import forward_incident_sync, forward_sync_state

log = logging.getLogger(__name__)
HEAD_STATE = "audit_head"


def wire_incident(summary: IncidentSummary) -> SchoolIncident:
    """What of an incident leaves the school: no title, facts, systems or assets."""
    return SchoolIncident(
        id=summary.id,
        version=summary.version,
        category=summary.category,
        subcategory=summary.subcategory[:50],
        grade=summary.grade,
        notified=summary.notified,
        state=summary.state,
        playbook=summary.playbook,
        detected_at=summary.detected_at,
        state_times=dict(summary.state_times),
        clocks=[
            ClockState(
                deadline=c.deadline,
                name=c.name,
                source=c.source,
                started_at=c.started_at,
                due_at=c.due_at,
                stopped_at=c.stopped_at,
                status=c.status,
            )
            for c in summary.clocks
        ],
        reports=dict(summary.reports),
    )


def _acknowledged(store: Store) -> dict[int, int]:
    c = forward_incident_sync.c
    with store.engine.connect() as conn:
        return {int(i): int(v) for i, v in conn.execute(sa.select(c.incident_id, c.version))}


def _acknowledged_head(store: Store) -> AuditAnchor | None:
    with store.engine.connect() as conn:
        value = conn.execute(
            sa.select(forward_sync_state.c.value).where(forward_sync_state.c.name == HEAD_STATE)
        ).scalar()
    return AuditAnchor.model_validate(value) if isinstance(value, dict) else None


def unsent(store: Store, now: datetime) -> tuple[list[SchoolIncident], AuditAnchor | None]:
    """The incident versions and the audit head the center has not acknowledged yet."""
    known = _acknowledged(store)
    changed = [s for s in incident_summaries(store, load_policy(), now) if known.get(s.id, 0) < s.version]
    head = current_head(store)
    # an empty trail anchors nothing
    anchor = AuditAnchor(entries=head.entries, last_hash=head.last_hash) if head and head.entries else None
    if anchor is not None and anchor == _acknowledged_head(store):
        anchor = None
    return [wire_incident(s) for s in changed], anchor


def _record(store: Store, sent: Sequence[SchoolIncident], anchor: AuditAnchor | None, now: datetime) -> None:
    rows = [{"incident_id": i.id, "version": i.version, "sent_at": now} for i in sent]
    with store.engine.begin() as conn:
        if rows:
            insert_rows(conn, forward_incident_sync, rows, conflict=("incident_id",), update=["version", "sent_at"])
        if anchor is not None:
            state = [{"name": HEAD_STATE, "value": anchor.model_dump(), "at": now}]
            insert_rows(conn, forward_sync_state, state, conflict=("name",), update=["value", "at"])


def send_incidents(http: httpx.Client, target: Target, store: Store, now: datetime) -> str:
    """POST what the center has not acknowledged; returns what happened in a few words. Never raises."""
    try:
        changed, anchor = unsent(store, now)
    except Exception as exc:  # a broken workspace row must not stop the alerts
        log.warning("incidents not built: %s", exc)
        return f"not built: {exc}"
    if not changed and anchor is None:
        return "up to date"
    sent = 0
    for start in range(0, max(len(changed), 1), MAX_INCIDENTS):
        chunk = changed[start : start + MAX_INCIDENTS]
        head = anchor if start + MAX_INCIDENTS >= len(changed) else None  # the head goes with the last batch
        batch = IncidentBatch(school=target.school, sent_at=now.astimezone(UTC), incidents=chunk, audit_head=head)
        outcome = send(http, target, INCIDENTS_PATH, batch.model_dump_json().encode(), "incidents")
        if outcome != "sent":
            return outcome
        _record(store, chunk, head, now)
        sent += len(chunk)
    return f"sent {sent} incident change(s)" + (f", audit head at entry {anchor.entries}" if anchor else "")
