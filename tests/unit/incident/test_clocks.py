"""Incidents, clocks and escalation with injected time: the 1-hour clock of a major incident."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest

from secops.config import Workspace
from secops.errors import SecopsError
from secops.incident import model
from secops.incident.audit import audit_key, entries, verify
from secops.incident.clocks import clocks_for, pending_clocks
from secops.incident.escalation import check_clocks, notices_sent
from secops.incident.policy import IncidentPolicy, load_policy
from secops.notify import LOG_FILE, Channel, load_notifiers, make_channel
from secops.notify.base import ChannelSettings
from secops.store import Store
from secops.workspace import open_workspace_store

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.fixture
def store(workspace: Workspace) -> Iterator[Store]:
    with open_workspace_store(workspace) as opened:
        yield opened


@pytest.fixture
def policy() -> IncidentPolicy:
    return load_policy()


def session(store: Store, workspace: Workspace, now: datetime, actor: str = "值班员") -> model.Session:
    return model.Session(store, audit_key(workspace.path), actor, now)


def open_major(store: Store, workspace: Workspace, detected_minutes_ago: int = 55) -> model.Incident:
    return model.open_incident(
        session(store, workspace, NOW),
        title="门户网站被植入网页后门",
        category="02",
        subcategory="网页篡改",
        grade="重大",
        detected_at=NOW - timedelta(minutes=detected_minutes_ago),
        playbook="webshell",
    )


def test_major_incident_55_minutes_old_has_5_minutes_left(
    store: Store, workspace: Workspace, policy: IncidentPolicy
) -> None:
    incident = open_major(store, workspace)
    clocks = {c.deadline_id: c for c in clocks_for(incident, policy, NOW)}
    handle = clocks["handle-major"]
    assert handle.left == timedelta(minutes=5) and handle.status == "running"
    assert handle.as_dict()["left"] == "5分0秒"
    assert clocks["report-cac"].left == timedelta(hours=3, minutes=5)


def test_50_and_80_percent_notices_go_out_exactly_once(
    store: Store, workspace: Workspace, policy: IncidentPolicy
) -> None:
    incident = open_major(store, workspace)
    notifiers = load_notifiers(workspace.path)  # no notifiers.yaml: the local log
    first = check_clocks(store, policy, notifiers, workspace.path, NOW, sleep=lambda _s: None)
    handle = sorted(n["fraction"] for n in first if n["deadline"] == "handle-major")
    # 55 min of 60: both points passed while nobody checked; the catch-up sends the 80% one only
    assert handle == [0.8]
    assert check_clocks(store, policy, notifiers, workspace.path, NOW + timedelta(seconds=30)) == []
    log = (workspace.path / LOG_FILE).read_text(encoding="utf-8").splitlines()
    assert sum(1 for line in log if json.loads(line)["deadline"] == "handle-major") == 1
    overdue = check_clocks(store, policy, notifiers, workspace.path, NOW + timedelta(minutes=6))
    assert [(n["deadline"], n["fraction"]) for n in overdue if n["deadline"] == "handle-major"] == [
        ("handle-major", 1.0)
    ]
    assert "已超时" in overdue[0]["text"] or any("已超时" in n["text"] for n in overdue)
    recorded = [n for n in notices_sent(store, incident.id) if n["deadline"] == "handle-major"]
    assert [n["fraction"] for n in recorded] == [0.5, 0.8, 1.0]
    assert recorded[0]["channels"] == {"skipped": "superseded"}  # the 50% one is never sent later


def test_a_recovered_incident_stops_its_clock(store: Store, workspace: Workspace, policy: IncidentPolicy) -> None:
    incident = open_major(store, workspace, detected_minutes_ago=20)
    later = NOW + timedelta(minutes=10)
    model.transition(session(store, workspace, later), incident.id, "acknowledged")
    model.transition(session(store, workspace, later), incident.id, "recovered")
    again = model.get_incident(store, incident.id)
    clock = next(c for c in clocks_for(again, policy, NOW + timedelta(hours=2)) if c.deadline_id == "handle-major")
    assert clock.status == "met" and clock.left == timedelta(minutes=30)
    sent = check_clocks(store, policy, [make_channel("log")], workspace.path, NOW + timedelta(hours=2))
    assert all(n["deadline"] != "handle-major" for n in sent)


def test_state_machine_and_audit(store: Store, workspace: Workspace) -> None:
    incident = open_major(store, workspace)
    with pytest.raises(SecopsError, match="cannot become eradicated"):
        model.transition(session(store, workspace, NOW), incident.id, "eradicated")
    for state in ("acknowledged", "contained", "eradicated", "recovered", "closed"):
        model.transition(session(store, workspace, NOW), incident.id, state)
    reopened = model.transition(session(store, workspace, NOW), incident.id, "acknowledged", note="复发")
    assert reopened.state == "acknowledged" and "closed" not in reopened.state_times
    actions = [e["action"] for e in entries(store, incident.id)]
    assert actions == ["open", "acknowledged", "contained", "eradicated", "recovered", "closed", "reopen"]
    assert verify(store, audit_key(workspace.path))[1] is None


def test_no_lost_update_between_two_terminals(store: Store, workspace: Workspace) -> None:
    incident = open_major(store, workspace)
    seen = model.get_incident(store, incident.id).version
    model.set_fields(session(store, workspace, NOW, "甲"), incident.id, "assign", {"owner": "甲"}, version=seen)
    with pytest.raises(model.ConcurrentUpdate, match="changed by someone else"):
        model.set_fields(session(store, workspace, NOW, "乙"), incident.id, "assign", {"owner": "乙"}, version=seen)
    assert model.get_incident(store, incident.id).owner == "甲"


def test_steps_out_of_order_are_allowed_warned_and_recorded(store: Store, workspace: Workspace, tmp_path: Path) -> None:
    incident = open_major(store, workspace)
    evidence = tmp_path / "access.log"
    evidence.write_text("GET /uploads/a.php?cmd=id\n", encoding="utf-8")
    steps = ["confirm", "isolate", "report-internal", "eradicate"]
    updated, warnings = model.step_done(
        session(store, workspace, NOW), incident.id, "eradicate", [evidence], playbook_steps=steps
    )
    assert warnings and "confirm" in warnings[0]
    step = updated.steps["eradicate"]
    assert step["out_of_order"] is True
    assert step["evidence"][0]["sha256"] == hashlib.sha256(evidence.read_bytes()).hexdigest()
    with pytest.raises(SecopsError, match="done already"):
        model.step_done(session(store, workspace, NOW), incident.id, "eradicate", [], playbook_steps=steps)


def test_clock_going_backwards_is_recorded(store: Store, workspace: Workspace) -> None:
    incident = open_major(store, workspace)
    model.add_note(session(store, workspace, NOW - timedelta(minutes=3)), incident.id, "时间回拨")
    last = entries(store, incident.id)[-1]
    assert "clock_warning" in last["detail"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("category", "99", "unknown incident category"),
        ("grade", "很大", "unknown grade"),
        ("subcategory", "x", "unknown subcategory"),
    ],
)
def test_bad_choices_list_the_valid_ones(
    store: Store, workspace: Workspace, field: str, value: str, message: str
) -> None:
    kwargs: dict[str, Any] = {
        "title": "t",
        "category": "02",
        "subcategory": "网页篡改",
        "grade": "一般",
        "detected_at": NOW,
        field: value,
    }
    with pytest.raises(SecopsError, match=message) as error:
        model.open_incident(session(store, workspace, NOW), **kwargs)
    assert error.value.hint


# The 30-day final report (总结报告, CAC art. 8) counts from the end of handling, not from detection.


def _final(incident: model.Incident, policy: IncidentPolicy, now: datetime) -> Any:
    return next((c for c in clocks_for(incident, policy, now) if c.deadline_id == "final-report"), None)


def test_final_report_clock_waits_for_the_end_of_handling(
    store: Store, workspace: Workspace, policy: IncidentPolicy
) -> None:
    incident = open_major(store, workspace)
    model.transition(session(store, workspace, NOW), incident.id, "acknowledged")
    handling = model.get_incident(store, incident.id)
    assert _final(handling, policy, NOW) is None  # negative: no countdown from detection
    [waiting] = pending_clocks(handling, policy)
    assert waiting.deadline_id == "final-report" and waiting.as_dict()["status"] == "not_started"
    assert "未开始" in waiting.outcome_text() and "30天" in waiting.outcome_text()
    later = NOW + timedelta(days=31)  # long past detection + 30 days: still nothing due
    sent = check_clocks(store, policy, [make_channel("log")], workspace.path, later, sleep=lambda _s: None)
    assert all(n["deadline"] != "final-report" for n in sent)
    recovered_at = NOW + timedelta(days=2)
    model.transition(session(store, workspace, recovered_at), incident.id, "recovered")
    done = model.get_incident(store, incident.id)
    clock = _final(done, policy, recovered_at + timedelta(days=1))
    assert clock is not None and pending_clocks(done, policy) == []
    assert clock.started_at == recovered_at and clock.due_at == recovered_at + timedelta(days=30)
    assert clock.status == "running" and clock.left == timedelta(days=29)
    closed_at = recovered_at + timedelta(days=3)
    model.transition(session(store, workspace, closed_at), incident.id, "closed")
    closed = model.get_incident(store, incident.id)
    assert _final(closed, policy, closed_at).started_at == recovered_at  # recovered, not closed


def test_final_report_starts_at_closing_when_never_recovered(
    store: Store, workspace: Workspace, policy: IncidentPolicy
) -> None:
    incident = open_major(store, workspace)
    closed_at = NOW + timedelta(hours=3)
    model.transition(session(store, workspace, closed_at), incident.id, "closed")
    clock = _final(model.get_incident(store, incident.id), policy, closed_at)
    assert clock is not None and clock.started_at == closed_at


def test_a_policy_ending_handling_at_closed_waits_for_closing(store: Store, workspace: Workspace) -> None:
    policy = load_policy().model_copy(update={"end_of_handling": "closed"})
    incident = open_major(store, workspace)
    model.transition(session(store, workspace, NOW), incident.id, "acknowledged")
    model.transition(session(store, workspace, NOW), incident.id, "recovered")
    recovered = model.get_incident(store, incident.id)
    assert _final(recovered, policy, NOW) is None and [p.deadline_id for p in pending_clocks(recovered, policy)] == [
        "final-report"
    ]
    assert "关闭" in pending_clocks(recovered, policy)[0].outcome_text()
    closed_at = NOW + timedelta(days=1)
    model.transition(session(store, workspace, closed_at), incident.id, "closed")
    assert _final(model.get_incident(store, incident.id), policy, closed_at).started_at == closed_at


def test_a_reopened_incident_is_handled_again_and_its_final_report_waits(
    store: Store, workspace: Workspace, policy: IncidentPolicy
) -> None:
    incident = open_major(store, workspace)
    model.transition(session(store, workspace, NOW), incident.id, "closed")
    model.transition(session(store, workspace, NOW), incident.id, "acknowledged", note="复发")
    reopened = model.get_incident(store, incident.id)
    assert _final(reopened, policy, NOW) is None and pending_clocks(reopened, policy)


def test_handling_clocks_still_run_from_detection(store: Store, workspace: Workspace, policy: IncidentPolicy) -> None:
    incident = open_major(store, workspace)
    started = {c.deadline_id: c.started_at for c in clocks_for(incident, policy, NOW)}
    assert set(started) == {"handle-major", "report-cac", "report-education"}
    assert set(started.values()) == {incident.detected_at}


def test_an_incident_stored_with_the_old_subcategory_name_loads_under_the_standard_name(
    store: Store, workspace: Workspace
) -> None:
    import sqlalchemy as sa

    from secops.store.schema import incidents

    incident = model.open_incident(
        session(store, workspace, NOW),
        title="关于官网 SQL 注入漏洞的安全通报",
        category="07",
        subcategory="网络漏洞",
        grade="一般",
        detected_at=NOW,
        notified=True,
    )
    with store.engine.begin() as conn:  # as an older secops stored it
        conn.execute(sa.update(incidents).where(incidents.c.id == incident.id).values(subcategory="漏洞通报"))
    loaded = model.get_incident(store, incident.id)
    assert (loaded.category, loaded.subcategory) == ("07", "网络漏洞")
    other = open_major(store, workspace)
    assert model.get_incident(store, other.id).subcategory == "网页篡改"  # others untouched


class _Duty(Channel):
    """A channel that reaches people (a duty group), keeping what it was given."""

    name = "duty-group"
    settings_model = ChannelSettings
    texts: ClassVar[list[str]] = []

    def deliver(self, text: str, event: dict[str, Any], workspace_dir: Path, timeout: float) -> None:
        self.texts.append(text)


def test_reminders_name_who_to_call_but_no_log_line_does(
    store: Store, workspace: Workspace, policy: IncidentPolicy
) -> None:
    """The duty group gets who to call (names, phones); the local log channel and what check_clocks
    returns (callers log it) get neither."""
    open_major(store, workspace)
    reach = "联系：值班 张伟 13900139000。"
    channels = [make_channel("log"), _Duty(ChannelSettings())]
    sent = check_clocks(store, policy, channels, workspace.path, NOW, sleep=lambda _s: None, reach=reach)
    assert sent and all("13900139000" not in n["text"] for n in sent)
    assert _Duty.texts and all(text.endswith(reach) for text in _Duty.texts)
    logged = (workspace.path / LOG_FILE).read_text("utf-8")
    assert "【时限提醒" in logged and "13900139000" not in logged
