"""Three tiers on loopback, on real servers: province ← city ← two schools.

A 通报 issued at the province reaches a school through the city (checked against the city's key
there, having been checked against the province's key at the city), opens a 60-hour incident, is
rectified, and the province sees it rectified; a 重大 incident at the other school shows at the
province with its 1-hour clock and its initial report's submission time; in an important period
the school that submits nothing is missing at the city and at the province; a killed forwarder
is "forwarder silent" at the city, not "no alerts". The centers' clocks stay real (they check
signature times); the period lies in the past few days and the schools' passes take ``now=``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from secops.center.context import CenterContext
from secops.center.dashboard.queries import schools as school_rows
from secops.center.heartbeats import latest_checkins
from secops.center.notices import issue_notice, notice_views
from secops.center.open import open_center
from secops.center.periods import issue_period, missing_schools
from secops.center.school_incidents import school_incidents
from secops.center.schools import add_school, list_schools
from secops.center.signing_key import signing_key
from secops.config import ForwardConfig, Workspace, load_workspace, save_config
from secops.forward.sync import CenterClient, PassResult, forward_once, load_target, save_key
from secops.incident.audit import audit_key
from secops.incident.model import (
    Session,
    get_incident,
    list_incidents,
    open_incident,
    set_fields,
    transition,
)
from secops.incident.submissions import record_submission
from secops.protocol import envelope
from secops.protocol.zero_reports import beijing_day, deadline_at
from secops.relay.config import Upstream
from secops.relay.run import relay_once
from secops.store.schema import center_heartbeats
from secops.workspace import init_workspace, open_workspace_store
from tests.conftest import SCHOOL_CODE, SCOPE
from tests.integration.test_forward import free_port
from tests.unit.center import running_center

CITY = "4111000001"
OTHER = "4111010002"
D = beijing_day(datetime.now(UTC)) - timedelta(days=2)


@pytest.fixture
def province(tmp_path: Path) -> Iterator[CenterContext]:
    center = open_center(tmp_path / "province")
    yield center
    center.close()


@pytest.fixture
def city(tmp_path: Path) -> Iterator[CenterContext]:
    center = open_center(tmp_path / "city")
    yield center
    center.close()


def _school(path: Path, code: str, name: str, city: CenterContext, url: str) -> Workspace:
    init_workspace(path, school_code=code, school_name=name, scope=SCOPE, database=None, now=datetime.now(UTC))
    workspace = load_workspace(path)
    with open_workspace_store(workspace) as store:
        from secops.incident.audit import ensure_trail

        ensure_trail(path, store)
    save_key(path, add_school(city.state, code, name, city.secret, datetime.now(UTC)))
    pinned = envelope.public_text(signing_key(city.home))
    save_config(path, workspace.config.model_copy(update={"forward": ForwardConfig(center=url, center_key=pinned)}))
    return load_workspace(path)


def _pass(ws: Workspace, now: datetime | None = None) -> PassResult:
    target = load_target(ws)
    with open_workspace_store(ws) as store, CenterClient(target, timeout=5) as client:
        if now is None:
            return forward_once(target, store, client)
        return forward_once(target, store, client, now=lambda: now, send_heartbeat=False, send_summary=False)


def _session(ws: Workspace, store: object) -> Session:
    return Session(store, audit_key(ws.path, store), "值班员", datetime.now(UTC))  # type: ignore[arg-type]


def test_province_city_and_two_schools(tmp_path: Path, province: CenterContext, city: CenterContext) -> None:
    city_port = free_port()
    with running_center(province) as province_url, running_center(city, city_port) as city_url:
        # The province registers the city for its two schools; the city relays up with that key.
        city_key = add_school(province.state, CITY, "某市教育网络安全监测中心", province.secret, datetime.now(UTC),
                              covers=[SCHOOL_CODE, OTHER])  # fmt: skip
        upstream = Upstream(
            url=province_url, code=CITY, name="某市教育网络安全监测中心",
            center_key=envelope.public_text(signing_key(province.home)), interval_seconds=60,
        )  # fmt: skip
        first = _school(tmp_path / "s1", SCHOOL_CODE, "第一实验中学", city, city_url)
        second = _school(tmp_path / "s2", OTHER, "第二中学", city, city_url)
        assert _pass(first).heartbeat == "sent" and _pass(second).heartbeat == "sent"
        assert not relay_once(city, upstream, city_key).failed
        names = {s.code: s.name for s in list_schools(province.state)}
        assert names[SCHOOL_CODE] == "第一实验中学" and names[OTHER] == "第二中学"  # named by the city

        # 通报 at the province for the first school: down through the city, a 60-hour incident there.
        notice = issue_notice(
            province.state, province.home, kind="vulnerability", title="某教务系统远程代码执行漏洞",
            text="请于 60 小时内修复", due=timedelta(hours=60), schools=[SCHOOL_CODE], audience_text=SCHOOL_CODE,
            issued_by="省中心值班员", issuer="省教育网络安全监测中心", now=datetime.now(UTC),
        )  # fmt: skip
        assert "notice" in relay_once(city, upstream, city_key).text()
        line = _pass(first).inbox or ""
        assert "incident #1 opened" in line, line
        with open_workspace_store(first) as store:
            [incident] = list_incidents(store)
            assert incident.notified and incident.facts["notice_issuer"] == "省教育网络安全监测中心"
            session = _session(first, store)
            transition(session, incident.id, "acknowledged")
            current = get_incident(store, incident.id)
            set_fields(session, incident.id, "set", {"facts": {**current.facts, "measures": "已修复并复测"}})
            transition(session, incident.id, "recovered")
        _pass(first)
        assert notice_views(city.state, datetime.now(UTC), notice.id)[0].schools[0].status == "rectified"
        relay_once(city, upstream, city_key)
        [at_province] = notice_views(province.state, datetime.now(UTC), notice.id)[0].schools
        assert (at_province.school, at_province.status, at_province.summary) == (
            SCHOOL_CODE,
            "rectified",
            "已修复并复测",
        )

        # A 重大 incident at the second school, its initial report submitted: at the province with its clock.
        with open_workspace_store(second) as store:
            session = _session(second, store)
            major = open_incident(
                session, title="门户网站被篡改", category="02", subcategory="网页篡改", grade="重大",
                detected_at=datetime.now(UTC) - timedelta(minutes=20), playbook="webshell",
            )  # fmt: skip
            reported = datetime.now(UTC) - timedelta(minutes=5)
            record_submission(session, major.id, "initial", reported)
        _pass(second)
        relay_once(city, upstream, city_key)
        [view] = [v for v in school_incidents(province.state, datetime.now(UTC)) if v.school == OTHER]
        assert view.incident.grade == "重大" and view.incident.reports["initial"] == reported
        clock = {c.deadline: c for c in view.incident.clocks}["handle-major"]
        assert clock.due_at == major.detected_at + timedelta(hours=1)
        assert {n: s for n, s, _ in view.clock_statuses}[clock.name] == "running"

        # An important period defined at the province: the first school reports, the second does not.
        period = issue_period(
            province.state, province.home, name="高考", start=D, end=D + timedelta(days=3), deadline="16:00",
            schools=[], audience_text="全部学校", issued_by="省中心", issuer="省教育网络安全监测中心",
            now=deadline_at(D, "00:00"),
        )  # fmt: skip
        relay_once(city, upstream, city_key)
        _pass(first, deadline_at(D, "10:00"))
        _pass(first, deadline_at(D, "16:01"))
        relay_once(city, upstream, city_key)
        at = deadline_at(D, "16:30")
        assert [s.school for s in missing_schools(city.state, period.id, D, at)] == [OTHER]
        assert [s.school for s in missing_schools(province.state, period.id, D, at)] == [OTHER]

        # The second school's forwarder is killed: after twice its interval it is "forwarder silent"
        # at the city, not merely quiet, and the city passes its picture up.
        with city.state.engine.begin() as conn:
            c = center_heartbeats.c
            conn.execute(
                center_heartbeats.update()
                .where(c.school == OTHER)
                .values(received_at=datetime.now(UTC) - timedelta(minutes=31))
            )
        rows = {s.code: s for s in school_rows(city.state, city.alerts, datetime.now(UTC), timedelta(hours=24))}
        assert rows[OTHER].status == "forwarder_silent" and rows[SCHOOL_CODE].status != "forwarder_silent"
        assert latest_checkins(province.state)[CITY].software.endswith("(center)")  # the city checks in too
        # The city's own cases go up as the city's incidents.
        assert relay_once(city, upstream, city_key).failed == []


def test_with_the_province_down_nothing_is_lost_and_all_arrives_when_it_returns(
    tmp_path: Path, province: CenterContext, city: CenterContext
) -> None:
    province_port, city_port = free_port(), free_port()
    with running_center(province, province_port) as province_url:
        city_key = add_school(province.state, CITY, "某市中心", province.secret, datetime.now(UTC), covers=[OTHER])
    upstream = Upstream(
        url=province_url, code=CITY, name="某市中心",
        center_key=envelope.public_text(signing_key(province.home)), interval_seconds=60,
    )  # fmt: skip
    with running_center(city, city_port) as city_url:
        school = _school(tmp_path / "s2", OTHER, "第二中学", city, city_url)
        with open_workspace_store(school) as store:
            session = _session(school, store)
            open_incident(
                session, title="门户网站被篡改", category="02", subcategory="网页篡改", grade="重大",
                detected_at=datetime.now(UTC) - timedelta(minutes=3),
            )  # fmt: skip
        _pass(school)
    # The province is down: the relay says what it could not send and keeps it.
    down = relay_once(city, upstream, city_key)
    assert down.failed and not school_incidents(province.state, datetime.now(UTC))
    with running_center(province, province_port):
        back = relay_once(city, upstream, city_key)
        assert not back.failed, back.text()
    [view] = school_incidents(province.state, datetime.now(UTC))
    assert (view.school, view.incident.grade) == (OTHER, "重大")
    assert OTHER in latest_checkins(province.state)
    # A second run sends nothing again.
    with running_center(province, province_port):
        assert "school incidents" not in relay_once(city, upstream, city_key).text()
