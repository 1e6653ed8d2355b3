"""What leaves the incident feature: a summary with classification, times and clock statuses, and
none of the incident's facts (they may hold personal data)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from secops.config import Workspace
from secops.incident import model
from secops.incident.audit import audit_key
from secops.incident.policy import load_policy
from secops.incident.summary import incident_summaries, summarize
from secops.records.incident import IncidentSummary
from secops.store import Store
from secops.workspace import open_workspace_store

BEIJING = timezone(timedelta(hours=8))


@pytest.fixture
def store(workspace: Workspace) -> Iterator[Store]:
    with open_workspace_store(workspace) as opened:
        yield opened


def _open_major(store: Store, workspace: Workspace, now: datetime) -> model.Incident:
    session = model.Session(store, audit_key(workspace.path), "值班员", now)
    return model.open_incident(
        session,
        title="门户网站被植入网页后门",
        category="02",
        subcategory="网页篡改",
        grade="重大",
        detected_at=now - timedelta(minutes=55),
        playbook="webshell",
        facts={"student_name": "张三", "id_number": "110101200801011234"},
    )


@pytest.mark.parametrize("now", [datetime(2026, 11, 23, 10, 0, tzinfo=BEIJING), None], ids=["fixed", "real-clock"])
def test_a_major_incident_summary_has_its_running_clock_and_no_facts(
    store: Store, workspace: Workspace, now: datetime | None
) -> None:
    moment = now or datetime.now(UTC)
    incident = _open_major(store, workspace, moment)
    summary = summarize(incident, load_policy(), moment)

    assert (summary.id, summary.grade, summary.state, summary.category) == (incident.id, "重大", "new", "02")
    handle = {c.deadline: c for c in summary.clocks}["handle-major"]
    assert handle.status == "running"
    assert handle.due_at == incident.detected_at + timedelta(hours=1)
    assert timedelta(minutes=4) < handle.left(moment) <= timedelta(minutes=5)
    text = json.dumps(summary.to_json(), ensure_ascii=False)
    assert "张三" not in text and "110101200801011234" not in text


def test_an_overdue_clock_shows_and_the_summary_survives_json(store: Store, workspace: Workspace) -> None:
    opened_at = datetime(2026, 11, 23, 10, 0, tzinfo=BEIJING)
    _open_major(store, workspace, opened_at)
    later = opened_at + timedelta(hours=2)
    [summary] = incident_summaries(store, load_policy(), later, open_only=True)

    overdue = {c.deadline for c in summary.overdue_clocks()}
    assert "handle-major" in overdue and overdue == {c.deadline for c in summary.clocks if c.left(later) < timedelta(0)}
    again = IncidentSummary.from_json(json.loads(json.dumps(summary.to_json())))
    assert again == summary
    assert again.detected_at.utcoffset() == timedelta(0)  # stored and sent as aware UTC


def test_a_closed_incident_is_not_listed_as_open(store: Store, workspace: Workspace) -> None:
    now = datetime(2026, 11, 23, 10, 0, tzinfo=BEIJING)
    incident = _open_major(store, workspace, now)
    session = model.Session(store, audit_key(workspace.path), "值班员", now + timedelta(minutes=30))
    model.transition(session, incident.id, "closed", note="误报")
    assert incident_summaries(store, load_policy(), now, open_only=True) == []
    [closed] = incident_summaries(store, load_policy(), now + timedelta(minutes=30))
    # closed 85 minutes after detection: the 1-hour handling clock stopped, late
    assert closed.closed and {c.deadline: c.status for c in closed.clocks}["handle-major"] == "missed"
