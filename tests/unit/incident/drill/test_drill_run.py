"""A drill at 10x with injected time: its clocks run 10 times faster, every step and clock result
follows from the recorded times, and its incident never enters a real count, report or upload."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from secops.config import Workspace
from secops.errors import SecopsError
from secops.incident import model
from secops.incident.audit import audit_key, verify
from secops.incident.clocks import clocks_for
from secops.incident.drill import run
from secops.incident.drill import store as drill_store
from secops.incident.drill.outcome import outcome
from secops.incident.drill.scenarios import scenario_named
from secops.incident.escalation import check_clocks, notices_sent
from secops.incident.playbooks import load_playbooks
from secops.incident.policy import IncidentPolicy, load_policy
from secops.incident.report_data import day_incidents, metrics
from secops.incident.submissions import record_submission
from secops.incident.summary import incident_summaries
from secops.notify import LOG_FILE, make_channel
from secops.store import Store
from secops.workspace import open_workspace_store

T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # 09:00 in Beijing


@pytest.fixture
def store(workspace: Workspace) -> Iterator[Store]:
    with open_workspace_store(workspace) as opened:
        yield opened


@pytest.fixture
def policy() -> IncidentPolicy:
    return load_policy()


def session(store: Store, workspace: Workspace, real_minutes: float, actor: str = "值班员") -> model.Session:
    return model.Session(store, audit_key(workspace.path), actor, T0 + timedelta(minutes=real_minutes))


def start(store: Store, workspace: Workspace, name: str = "ransomware-xueji", speed: float = 10) -> drill_store.Drill:
    started, _files = run.start(session(store, workspace, 0), workspace.path, scenario_named(name), speed=speed)
    return started


def open_real(store: Store, workspace: Workspace, grade: str) -> model.Incident:
    return model.open_incident(
        session(store, workspace, 1),
        title="真实事件",
        category="02",
        subcategory="网页篡改",
        grade=grade,
        detected_at=T0,
    )


def _outcome(store: Store, drill_id: int, policy: IncidentPolicy, real_minutes: float) -> object:
    found = drill_store.get(store, drill_id)
    assert found.incident_id is not None
    incident = model.get_incident(store, found.incident_id)
    playbook = next(p for p in load_playbooks() if p.id == incident.playbook)
    return outcome(
        store, found, scenario_named(found.scenario), incident, playbook, policy, T0 + timedelta(minutes=real_minutes)
    )


def test_clocks_run_at_drill_speed(store: Store, workspace: Workspace, policy: IncidentPolicy) -> None:
    drill = start(store, workspace)
    assert drill.incident_id is not None
    incident = model.get_incident(store, drill.incident_id)
    assert incident.is_drill and incident.title.startswith("【演练】") and incident.grade == "较大"
    clocks = {c.deadline_id: c for c in clocks_for(incident, policy, T0)}
    assert clocks["report-education"].due_at == T0 + timedelta(minutes=6)  # 1 hour at 10x
    assert clocks["report-cac"].due_at == T0 + timedelta(minutes=24)  # 4 hours at 10x
    real = open_real(store, workspace, "较大")
    real_clocks = {c.deadline_id: c for c in clocks_for(real, policy, T0)}
    assert real_clocks["report-education"].due_at == T0 + timedelta(hours=1)


def test_step_and_clock_results_match_the_recorded_times(
    store: Store, workspace: Workspace, policy: IncidentPolicy
) -> None:
    drill = start(store, workspace)
    incident_id = drill.incident_id
    assert incident_id is not None
    steps = [s.id for s in next(p for p in load_playbooks() if p.id == "ransomware").steps]
    # confirm within PT10M drill time (0.8 real minutes = 8 drill minutes): met
    model.step_done(session(store, workspace, 0.8), incident_id, "confirm", [], playbook_steps=steps)
    # isolate after PT20M (2.5 real minutes = 25 drill minutes): missed by 5 minutes
    model.step_done(session(store, workspace, 2.5), incident_id, "isolate", [], playbook_steps=steps)
    # the initial report at 5 real minutes = 50 drill minutes: the 1-hour report is met
    record_submission(session(store, workspace, 5), incident_id, "initial", T0 + timedelta(minutes=5))
    run.answer(session(store, workspace, 5.5), drill_store.get(store, drill.id), "ransom", "不联系、不支付，报公安")
    closing = run.finish(session(store, workspace, 7), drill_store.get(store, drill.id), {})
    assert closing.state == "finished" and closing.finished_at == T0 + timedelta(minutes=7)
    result = _outcome(store, drill.id, policy, 9)
    by_step = {s.id: s for s in result.steps}  # type: ignore[attr-defined]
    assert by_step["confirm"].status == "met" and by_step["confirm"].taken == timedelta(minutes=8)
    assert by_step["isolate"].status == "missed" and by_step["isolate"].taken == timedelta(minutes=25)
    assert by_step["report-internal"].status == "not_done"  # due at 3 real minutes, before the end
    assert by_step["report-cac"].status == "not_due"  # 4 hours = 24 real minutes, after the end
    assert by_step["final-report"].status == "not_due"
    by_clock = {c.id: c for c in result.clocks}  # type: ignore[attr-defined]
    assert by_clock["report-education"].status == "met" and by_clock["report-education"].taken == timedelta(minutes=50)
    assert by_clock["report-cac"].status == "met"
    summary = result.summary()  # type: ignore[attr-defined]
    assert summary["milestones"]["reported"] == 50.0 and summary["milestones"]["closed"] == 70.0
    assert summary["steps_met"] == 1 and summary["questions_answered"] == 1 and summary["questions_total"] == 3
    gaps = result.gaps  # type: ignore[attr-defined]
    assert any("隔离" in g and "超时 5分" in g for g in gaps) and any("未作答" in g for g in gaps)
    assert not any("总结报告" in g for g in gaps)  # not due when the drill ended: no gap
    with pytest.raises(SecopsError, match="finished already"):
        run.finish(session(store, workspace, 8), drill_store.get(store, drill.id), {})
    assert verify(store, audit_key(workspace.path))[1] is None  # the drill's actions are audited like any


def test_a_drill_never_counts_as_real(store: Store, workspace: Workspace, policy: IncidentPolicy) -> None:
    drill = start(store, workspace)
    assert drill.incident_id is not None
    real = open_real(store, workspace, "一般")
    assert [i.id for i in model.list_incidents(store)] == [real.id]
    assert {i.id for i in model.list_incidents(store, with_drills=True)} == {real.id, drill.incident_id}
    assert [s.id for s in incident_summaries(store, policy, T0)] == [real.id]  # what the forwarder sends
    todays, _still_open = day_incidents(store, ZoneInfo("Asia/Shanghai"), date(2026, 12, 7))
    assert [i.id for i in todays] == [real.id]  # the 零报告
    assert sum(row["incidents"] for row in metrics(store, workspace, policy, T0)) == 1
    from secops.forward.compliance import build_summary

    summary = build_summary(store, workspace.config.school.code, workspace.config.school.name, T0)
    assert summary.counts.open_incidents == 1  # what the center's compliance view shows


def test_a_quiet_drill_escalates_without_sending(store: Store, workspace: Workspace, policy: IncidentPolicy) -> None:
    drill = start(store, workspace)
    notifiers = [make_channel("log")]
    sent = check_clocks(store, policy, notifiers, workspace.path, T0 + timedelta(minutes=7))
    mine = [n for n in sent if n["incident"] == drill.incident_id]
    assert mine and all(n["channels"] == {} for n in mine) and "【演练】" in mine[0]["text"]
    assert not (workspace.path / LOG_FILE).exists()  # nothing reached a notifier
    assert notices_sent(store, drill.incident_id or 0)  # but each notice is recorded once


def test_injects_go_out_once_on_drill_time(store: Store, workspace: Workspace) -> None:
    scenario = scenario_named("ransomware-xueji")  # injects at 0, 3, 20, 40 drill minutes
    started, _files = run.start(session(store, workspace, 0), workspace.path, scenario, speed=10, notify=True)
    notifiers = [make_channel("log")]

    def deliver(seconds: float) -> list[int]:
        found = drill_store.get(store, started.id)
        sent = run.deliver(store, found, T0 + timedelta(seconds=seconds), notifiers, workspace.path)
        return [s["inject"] for s in sent]

    assert deliver(0) == [0]
    assert deliver(10) == []  # 1.7 drill minutes
    assert deliver(20) == [1]  # 3.3 drill minutes: the 3-minute inject
    assert deliver(20) == []  # once only
    assert deliver(300) == [2, 3]  # 50 drill minutes
    lines = (workspace.path / LOG_FILE).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4 and all("【演练】" in json.loads(line)["text"] for line in lines)


def test_artifacts_are_laid_out_owner_only(store: Store, workspace: Workspace) -> None:
    drill = start(store, workspace, "webshell-portal")
    folder = run.drill_folder(workspace.path, drill.id)
    shell = folder / "www" / "upload" / "2026" / "avatar.php"
    assert shell.read_text(encoding="utf-8").startswith("<?php @eval(")
    assert folder.stat().st_mode & 0o777 == 0o700 and shell.stat().st_mode & 0o777 == 0o600


def test_bad_input(store: Store, workspace: Workspace) -> None:
    with pytest.raises(SecopsError, match="no drill scenario 'nope'"):
        scenario_named("nope")
    with pytest.raises(SecopsError, match="speed 1 to 60"):
        run.start(session(store, workspace, 0), workspace.path, scenario_named("exam-ddos"), speed=100)
    drill = start(store, workspace, "exam-ddos")
    with pytest.raises(SecopsError, match="no question 'q9'"):
        run.answer(session(store, workspace, 1), drill, "q9", "x")
    with pytest.raises(SecopsError, match="empty"):
        run.answer(session(store, workspace, 1), drill, "pause-exam", "  ")
    with pytest.raises(SecopsError, match="no drill #99"):
        drill_store.get(store, 99)


def test_a_long_path_never_leaves_the_folder(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from secops.incident.drill.scenarios import Artifact

    for bad in ("../x", "/etc/passwd", "a/../../b", "a\\b"):
        with pytest.raises(ValidationError):
            Artifact(path=bad, content="x", scanner="yara", expect="clean")


def test_a_finished_drill_is_closed_to_later_records(
    store: Store, workspace: Workspace, policy: IncidentPolicy
) -> None:
    drill = start(store, workspace)
    incident_id = drill.incident_id
    assert incident_id is not None
    steps = [s.id for s in next(p for p in load_playbooks() if p.id == "ransomware").steps]
    model.step_done(session(store, workspace, 0.5), incident_id, "confirm", [], playbook_steps=steps)
    run.finish(session(store, workspace, 2), drill_store.get(store, drill.id), {})
    with pytest.raises(SecopsError, match="finished"):
        run.answer(session(store, workspace, 3), drill_store.get(store, drill.id), "ransom", "不支付")
    with pytest.raises(SecopsError, match="finished"):
        run.add_finding(session(store, workspace, 3), drill_store.get(store, drill.id), "gap", "迟到的发现")
    # the incident is closed, but a step or a report recorded later must not change the drill's result
    model.step_done(session(store, workspace, 8), incident_id, "isolate", [], playbook_steps=steps)
    record_submission(session(store, workspace, 8), incident_id, "initial", T0 + timedelta(minutes=8))
    result = _outcome(store, drill.id, policy, 9)
    by_step = {s.id: s for s in result.steps}  # type: ignore[attr-defined]
    assert by_step["confirm"].status == "met" and by_step["isolate"].status == "not_done"
    by_clock = {c.id: c for c in result.clocks}  # type: ignore[attr-defined]
    assert by_clock["report-education"].status == "not_due"  # 6 real minutes: after the 2-minute drill
    assert result.milestones["reported"] is None  # type: ignore[attr-defined]
    summary = result.summary()  # type: ignore[attr-defined]
    # confirm (met) and isolate (due at 2 real minutes, at the end) count; later deadlines do not
    assert (summary["steps_met"], summary["steps_total"]) == (1, 2)
    assert summary["clocks_total"] == 0
    assert all(entry.at <= T0 + timedelta(minutes=2) for entry in result.timeline)  # type: ignore[attr-defined]
