"""Automatic incidents at the center: threshold, playbook choice, idempotency, crash recovery."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from secops.center import auto_incidents
from secops.center.context import CenterContext
from secops.center.open import open_center
from secops.center.stores.base import StoredAlert
from secops.incident.audit import audit_key, entries, verify
from secops.incident.model import Session, list_incidents, transition
from secops.incident.playbooks import load_playbooks
from secops.protocol.alerts import alert_id
from secops.store.schema import center_auto_incidents

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
SCHOOL = "4111010001"


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[CenterContext]:
    center = open_center(tmp_path / "center", now=lambda: NOW)
    yield center
    center.close()


def stored(n: int, severity: str, title: str, *, tags: tuple[str, ...] = (), received: datetime = NOW) -> StoredAlert:
    doc = {
        "@timestamp": (NOW - timedelta(minutes=n)).isoformat(),
        "message": title,
        "rule": {"name": title, "tags": list(tags)},
        "tags": list(tags),
        "host": {"ip": ["10.20.0.5"]},
        "secops": {"severity": severity, "source": "sigma", "alert_id": n},
        "organization": {"id": SCHOOL, "name": "测试实验中学"},
    }
    return StoredAlert(alert_id(SCHOOL, doc), SCHOOL, NOW - timedelta(minutes=n), received, severity, title, doc)


def test_alerts_at_or_above_the_threshold_open_one_incident_each_with_their_playbook(ctx: CenterContext) -> None:
    alerts = [
        stored(1, "high", "Webshell upload to /upload/x.php"),
        stored(2, "critical", "Files encrypted", tags=("attack.t1486",)),
        stored(3, "medium", "Webshell probe"),  # below the default threshold (high)
        stored(4, "high", "Something odd nobody has a playbook for"),
    ]
    ctx.alerts.insert(alerts)
    assert auto_incidents.tick(ctx) == 3
    opened = {i.facts["center_alert_id"]: i for i in list_incidents(ctx.state)}
    assert set(opened) == {alerts[0].id, alerts[1].id, alerts[3].id}
    webshell, ransomware, other = opened[alerts[0].id], opened[alerts[1].id], opened[alerts[3].id]
    assert (webshell.playbook, ransomware.playbook, other.playbook) == ("webshell", "ransomware", None)
    assert (other.category, other.subcategory) == ("10", "其他")
    assert webshell.facts["school"] == SCHOOL and webshell.assets == ["10.20.0.5"]
    assert webshell.detected_at == alerts[0].at and webshell.title.startswith("[测试实验中学]")
    # Every incident has its audit entry, in a chain that verifies with the center's key.
    key = audit_key(ctx.home)
    assert [e["actor"] for e in entries(ctx.state, webshell.id)] == ["center-auto"]
    assert verify(ctx.state, key) == (3, None)
    # Ticking again, with or without new alerts below the threshold, opens nothing twice.
    assert auto_incidents.tick(ctx) == 0
    ctx.alerts.insert([stored(5, "low", "Port scan")])
    assert auto_incidents.tick(ctx) == 0
    assert len(list_incidents(ctx.state)) == 3


def test_a_late_alert_received_after_the_last_tick_still_opens_its_incident(ctx: CenterContext) -> None:
    assert auto_incidents.tick(ctx) == 0  # the cursor is now NOW
    late = stored(600, "high", "Webshell found", received=NOW + timedelta(minutes=1))  # raised 10 h ago
    ctx.alerts.insert([late])
    ctx.now = lambda: NOW + timedelta(minutes=2)
    assert auto_incidents.tick(ctx) == 1
    assert [i.facts["center_alert_id"] for i in list_incidents(ctx.state)] == [late.id]


def test_the_threshold_comes_from_the_settings(ctx: CenterContext) -> None:
    ctx.settings.auto_incidents.min_severity = "critical"
    ctx.alerts.insert([stored(1, "high", "Webshell upload"), stored(2, "critical", "Webshell upload")])
    assert auto_incidents.tick(ctx) == 1
    ctx.settings.auto_incidents.enabled = False
    ctx.alerts.insert([stored(3, "critical", "Webshell upload")])
    assert auto_incidents.tick(ctx) == 0


def test_a_tick_that_died_midway_neither_loses_nor_doubles_an_incident(ctx: CenterContext) -> None:
    lost, linked = stored(1, "high", "Webshell upload"), stored(2, "critical", "Files encrypted", tags=("ransomware",))
    ctx.alerts.insert([lost, linked])
    # Died after claiming `lost` (no incident yet) and after opening `linked`'s incident (not linked).
    session = Session(ctx.state, audit_key(ctx.home), "center-auto", NOW)
    already = auto_incidents.open_for(session, linked, load_playbooks())
    with ctx.state.engine.begin() as conn:
        conn.execute(
            center_auto_incidents.insert(),
            [{"alert_id": a.id, "school": SCHOOL, "claimed_at": NOW} for a in (lost, linked)],
        )
    assert auto_incidents.tick(ctx) == 0  # claims this fresh may belong to a tick still running
    ctx.now = lambda: NOW + auto_incidents.STALE + timedelta(seconds=1)
    assert auto_incidents.tick(ctx) == 1  # only the missing one is opened
    incidents = {i.facts["center_alert_id"]: i.id for i in list_incidents(ctx.state)}
    assert set(incidents) == {lost.id, linked.id} and incidents[linked.id] == already.id
    with ctx.state.engine.connect() as conn:
        links = dict(
            conn.execute(sa.select(center_auto_incidents.c.alert_id, center_auto_incidents.c.incident_id)).all()
        )
    assert links == incidents
    assert auto_incidents.tick(ctx) == 0 and len(list_incidents(ctx.state)) == 2


@pytest.mark.es
def test_with_the_elasticsearch_store_too(tmp_path: Path, es_url: str, es_prefix: str) -> None:
    from secops.center.stores.elasticsearch import ElasticsearchAlertStore
    from secops.center.stores.es_mapping import template_name

    ctx = open_center(tmp_path / "center", es_url=es_url, es_prefix=es_prefix, now=lambda: NOW)
    assert isinstance(ctx.alerts, ElasticsearchAlertStore)
    try:
        ctx.alerts.ensure_ready()
        alerts = [stored(1, "high", "Webshell upload"), stored(2, "medium", "Webshell probe")]
        ctx.alerts.insert(alerts)
        ctx.alerts.refresh()
        assert auto_incidents.tick(ctx) == 1
        assert auto_incidents.tick(ctx) == 0
        assert [i.facts["center_alert_id"] for i in list_incidents(ctx.state)] == [alerts[0].id]
        # Raised ten days ago, delivered now: received time decides, so it still opens its incident.
        late = stored(14_400, "critical", "Files encrypted", received=NOW + timedelta(minutes=5))
        ctx.alerts.insert([late])
        ctx.alerts.refresh()
        ctx.now = lambda: NOW + timedelta(minutes=6)
        assert auto_incidents.tick(ctx) == 1
    finally:
        ctx.alerts.client.indices.delete(index=f"{es_prefix}-*", ignore_unavailable=True, allow_no_indices=True)
        ctx.alerts.client.indices.delete_index_template(name=template_name(es_prefix))
        ctx.close()


def test_a_burst_of_one_rule_at_one_school_is_one_case_until_it_is_closed(ctx: CenterContext) -> None:
    burst = [stored(n, "high", "SSH brute force against 10.20.0.5") for n in range(1, 51)]
    other_rule = stored(60, "high", "Webshell upload to /upload/x.php")
    other_school_doc = {**burst[0].doc, "organization": {"id": "4111010002", "name": "第二中学"}}
    other_school = StoredAlert(
        alert_id("4111010002", other_school_doc),
        "4111010002",
        burst[0].at,
        NOW,
        "high",
        burst[0].title,
        other_school_doc,
    )
    ctx.alerts.insert([*burst, other_rule, other_school])
    assert auto_incidents.tick(ctx) == 3  # the burst, the other rule, the same rule at another school
    by_school_rule = {(i.facts["school"], i.facts["group"]): i for i in list_incidents(ctx.state)}
    burst_incident = by_school_rule[(SCHOOL, "10.20.0.5|playbook:account-compromise")]
    with ctx.state.engine.connect() as conn:
        linked = conn.execute(
            sa.select(sa.func.count()).where(center_auto_incidents.c.incident_id == burst_incident.id)
        ).scalar_one()
    assert linked == 50
    # Once the case is closed, the next alert of that rule is a new case.
    session = Session(ctx.state, audit_key(ctx.home), "duty", NOW)
    transition(session, burst_incident.id, "closed", note="handled")
    ctx.alerts.insert([stored(0, "high", "SSH brute force against 10.20.0.5", received=NOW + timedelta(seconds=1))])
    ctx.now = lambda: NOW + timedelta(minutes=1)
    assert auto_incidents.tick(ctx) == 1


def test_a_lost_center_audit_key_stops_the_tick_and_is_never_replaced(ctx: CenterContext) -> None:
    from secops.incident.audit import KEY_FILE, AuditKeyError

    ctx.alerts.insert([stored(1, "high", "Webshell upload to /upload/x.php")])
    assert auto_incidents.tick(ctx) == 1
    (ctx.home / KEY_FILE).unlink()
    ctx.alerts.insert([stored(2, "critical", "Files encrypted", tags=("attack.t1486",))])
    with pytest.raises(AuditKeyError):
        auto_incidents.tick(ctx)
    assert not (ctx.home / KEY_FILE).exists()  # restoring it from backup is the operator's job
    assert len(list_incidents(ctx.state)) == 1


def _on(
    n: int, title: str, host: str, *, rule: str, severity: str = "high", school: str = SCHOOL, **secops: object
) -> StoredAlert:
    doc = {
        "@timestamp": (NOW - timedelta(seconds=n)).isoformat(),
        "message": title,
        "rule": {"id": rule, "name": title},
        "host": {"ip": [host]},
        "secops": {"severity": severity, "source": "sigma", "alert_id": n, **secops},
        "organization": {"id": school, "name": "测试实验中学"},
    }
    return StoredAlert(alert_id(school, doc), school, NOW - timedelta(seconds=n), NOW, severity, title, doc)


def test_an_upload_and_a_command_on_one_webshell_are_one_case_and_another_host_is_another(
    ctx: CenterContext,
) -> None:
    upload = _on(3, "Webshell upload to /upload/x.php", "10.20.0.5", rule="web-upload")
    command = _on(2, "Webshell command execution (behinder)", "10.20.0.5", rule="web-cmd", severity="critical")
    elsewhere = _on(1, "Webshell upload to /upload/y.php", "10.20.0.9", rule="web-upload")
    ctx.alerts.insert([upload, command, elsewhere])
    assert auto_incidents.tick(ctx) == 2
    cases = {i.facts["group"]: i for i in list_incidents(ctx.state)}
    assert set(cases) == {"10.20.0.5|playbook:webshell", "10.20.0.9|playbook:webshell"}
    with ctx.state.engine.connect() as conn:
        joined = (
            conn.execute(
                sa.select(center_auto_incidents.c.alert_id).where(
                    center_auto_incidents.c.incident_id == cases["10.20.0.5|playbook:webshell"].id
                )
            )
            .scalars()
            .all()
        )
    assert set(joined) == {upload.id, command.id}


def test_the_grade_comes_from_the_alert_facts_and_the_policy_not_the_playbook(ctx: CenterContext) -> None:
    probe = _on(2, "ThinkPHP remote code execution probe", "10.20.0.5", rule="thinkphp-rce", severity="critical")
    leak = _on(1, "学生信息批量导出", "10.20.0.7", rule="bulk-export", facts={"pi_leaked": 1_200_000})
    ctx.alerts.insert([probe, leak])
    assert auto_incidents.tick(ctx) == 2
    by_rule = {i.facts["group"].split("|")[0]: i for i in list_incidents(ctx.state)}
    probe_case, leak_case = by_rule["10.20.0.5"], by_rule["10.20.0.7"]
    assert probe_case.playbook == "zero-day" and probe_case.grade == "一般"  # its playbook says 较大
    assert probe_case.facts["grade_reason"].startswith("自动定级：未达到较大及以上事件")
    assert leak_case.grade == "较大" and "泄露个人信息人数 1,200,000" in leak_case.facts["grade_reason"]


def test_past_the_hourly_cap_a_schools_alerts_join_one_surge_case(ctx: CenterContext) -> None:
    ctx.settings.auto_incidents.max_new_cases_per_school_hour = 5
    flood = [
        _on(n, f"Critical thing {n}", f"10.20.{n // 250}.{n % 250 + 1}", rule=f"r{n}", severity="critical")
        for n in range(2000)
    ]
    ctx.alerts.insert(flood)
    started = time.monotonic()
    assert auto_incidents.tick(ctx) == 6  # five cases, then one 告警激增 case for the rest
    took = time.monotonic() - started
    surge = [i for i in list_incidents(ctx.state) if i.facts["group"] == auto_incidents.OVERFLOW]
    assert len(surge) == 1 and "告警激增" in surge[0].title and surge[0].grade == "一般"
    with ctx.state.engine.connect() as conn:
        assert (
            conn.execute(
                sa.select(sa.func.count()).where(center_auto_incidents.c.incident_id == surge[0].id)
            ).scalar_one()
            == 1995
        )
    assert took < 60, f"2,000 alerts took {took:.1f} s"
    # The next hour the school may have new cases again; the surge case keeps taking the rest meanwhile.
    ctx.now = lambda: NOW + timedelta(hours=1, minutes=1)
    late = _on(0, "Another critical thing", "10.30.0.1", rule="r-new", severity="critical")
    ctx.alerts.insert(
        [StoredAlert(late.id, late.school, late.at, NOW + timedelta(hours=1), late.severity, late.title, late.doc)]
    )
    assert auto_incidents.tick(ctx) == 1


def test_a_case_quiet_for_longer_than_the_window_takes_no_more_alerts(ctx: CenterContext) -> None:
    ctx.alerts.insert([_on(1, "SSH brute force", "10.20.0.5", rule="ssh-bf")])
    assert auto_incidents.tick(ctx) == 1
    a_day_later = NOW + timedelta(hours=25)  # past the default 24-hour window
    ctx.now = lambda: a_day_later
    again = _on(0, "SSH brute force", "10.20.0.5", rule="ssh-bf")
    ctx.alerts.insert([StoredAlert(again.id, SCHOOL, a_day_later, a_day_later, "high", again.title, again.doc)])
    assert auto_incidents.tick(ctx) == 1
    assert len(list_incidents(ctx.state)) == 2
