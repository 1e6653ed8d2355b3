"""Forwarder check-ins, school -> center: a real uvicorn center on loopback, the forwarder's pass,
the signed endpoint's refusals, the dashboard telling a dead forwarder from a quiet school, and the
case a silent forwarder opens for the duty staff (all on the real clock, +08:00 shown)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from secops.center import forwarder_watch
from secops.center.context import CenterContext
from secops.center.heartbeats import latest_checkins
from secops.center.open import open_center
from secops.center.schools import add_school
from secops.center.staff import add_user
from secops.config import Workspace
from secops.forward.heartbeat import build_heartbeat
from secops.forward.sync import CenterClient, forward_once, load_target
from secops.incident.audit import audit_key
from secops.incident.model import Session, get_incident, list_incidents, transition
from secops.models import Alert
from secops.protocol import signing
from secops.protocol.heartbeat import HEARTBEAT_PATH
from secops.store.alerts import commit_alerts
from secops.store.schema import center_heartbeats
from secops.workspace import open_workspace_store
from tests.conftest import SCHOOL_CODE
from tests.integration.test_dashboard import dashboard_app, login
from tests.integration.test_forward import connect, free_port
from tests.unit.center import running_center

OTHER = "4111010002"


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[CenterContext]:
    center = open_center(tmp_path / "center")
    yield center
    center.close()


def _post(url: str, key: signing.SchoolKey, school: str, body: bytes) -> httpx.Response:
    headers = signing.signed_headers(key, school, body, now=time.time(), path=HEARTBEAT_PATH)
    return httpx.post(url + HEARTBEAT_PATH, content=body, headers=headers, timeout=10)


def _count(ctx: CenterContext) -> int:
    with ctx.state.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(center_heartbeats)).scalar_one())


def test_every_pass_checks_in_with_backlog_and_the_center_keeps_the_latest(
    workspace: Workspace, ctx: CenterContext
) -> None:
    with running_center(ctx) as url, open_workspace_store(workspace) as store:
        ws = connect(workspace, ctx, url)
        target = load_target(ws)
        assert target.checkin_every == timedelta(minutes=15)  # the default
        with CenterClient(target) as client:
            first = forward_once(target, store, client)
            assert first.heartbeat == "sent"
            [checkin] = latest_checkins(ctx.state).values()
            assert checkin.school == SCHOOL_CODE and checkin.every == timedelta(minutes=15)
            assert checkin.outbox_pending == 0 and checkin.software.startswith("secops ")
            assert abs(checkin.skew) < timedelta(seconds=5)  # same machine, same clock
            assert checkin.received_at.tzinfo is not None
            assert forward_once(target, store, client, send_summary=False).heartbeat == "sent"
            later = latest_checkins(ctx.state)[SCHOOL_CODE]
            assert later.received_at >= checkin.received_at
        # A new alert not yet forwarded is the backlog the next check-in reports.
        commit_alerts(
            store,
            [Alert(datetime.now(UTC), "sigma", "sigma_detection", "high", "测试告警", None, {}, "x" * 64)],
        )
        assert build_heartbeat(store, SCHOOL_CODE, datetime.now(UTC), timedelta(minutes=15)).outbox.pending == 1
        assert _count(ctx) == 1  # the latest per school, not a row per pass
        # An older check-in arriving late never rolls the center back.
        old = build_heartbeat(store, SCHOOL_CODE, datetime.now(UTC) - timedelta(minutes=3), timedelta(minutes=15))
        answer = _post(url, target.key, SCHOOL_CODE, old.model_dump_json().encode())
        assert answer.status_code == 200 and answer.json()["status"] == "older"
        assert datetime.fromisoformat(answer.json()["center_time"]).tzinfo is not None


def test_a_center_that_is_down_does_not_stop_the_pass(workspace: Workspace, ctx: CenterContext) -> None:
    with running_center(ctx) as url:
        ws = connect(workspace, ctx, url)
    target = load_target(ws)  # the center is gone now
    with open_workspace_store(ws) as store, CenterClient(target, timeout=2) as client:
        result = forward_once(target, store, client)
    assert result.heartbeat is not None and result.heartbeat.startswith("not sent")


def test_refusals_store_nothing(workspace: Workspace, ctx: CenterContext) -> None:
    now = datetime.now(UTC)
    key = add_school(ctx.state, SCHOOL_CODE, "测试实验中学", ctx.secret, now)
    other_key = add_school(ctx.state, OTHER, "别的学校", ctx.secret, now)
    with open_workspace_store(workspace) as store:
        beat = build_heartbeat(store, SCHOOL_CODE, now, timedelta(minutes=15))
    body = beat.model_dump_json().encode()
    with running_center(ctx) as url:
        assert httpx.post(url + HEARTBEAT_PATH, content=body, timeout=10).status_code == 401  # unsigned
        assert _post(url, other_key, SCHOOL_CODE, body).status_code == 403  # another school's key
        foreign = _post(url, key, SCHOOL_CODE, beat.model_copy(update={"school": OTHER}).model_dump_json().encode())
        assert foreign.status_code == 403 and OTHER in foreign.json()["error"]
        extra = json.loads(body)
        extra["student"] = "张三"  # unknown fields are refused, not dropped
        answer = _post(url, key, SCHOOL_CODE, json.dumps(extra).encode())
        assert answer.status_code == 400 and "student" in answer.json()["error"] and "张三" not in answer.text
        naive = json.loads(body)
        naive["sent_at"] = "2026-12-07T09:00:00"
        assert _post(url, key, SCHOOL_CODE, json.dumps(naive).encode()).status_code == 400
        fast = json.loads(body)
        fast["every_seconds"] = 1  # a promise the center cannot watch
        assert _post(url, key, SCHOOL_CODE, json.dumps(fast).encode()).status_code == 400
        assert _post(url, key, SCHOOL_CODE, b"{not json").status_code == 400
        assert _count(ctx) == 0
        headers = signing.signed_headers(key, SCHOOL_CODE, body, now=time.time(), path=HEARTBEAT_PATH)
        assert httpx.post(url + HEARTBEAT_PATH, content=body, headers=headers, timeout=10).status_code == 200
        assert httpx.post(url + HEARTBEAT_PATH, content=body, headers=headers, timeout=10).status_code == 409


def test_a_killed_forwarder_is_silent_not_quiet_and_opens_one_case(workspace: Workspace, ctx: CenterContext) -> None:
    now = datetime.now(UTC)
    port = free_port()
    add_user(ctx.state, "duty", "correct horse battery", now)
    with running_center(ctx, port) as url, open_workspace_store(workspace) as store:
        ws = connect(workspace, ctx, url)
        add_school(ctx.state, OTHER, "新注册学校", ctx.secret, now)  # never checked in, just registered
        target = load_target(ws)
        with CenterClient(target) as client:
            assert forward_once(target, store, client).heartbeat == "sent"
    board = dashboard_app(ctx)
    with TestClient(board) as client:
        login(client)
        fresh = client.get(f"/schools/{SCHOOL_CODE}").text
        assert '<b id="school-status">正常</b>' in fresh and 'id="forwarder-pending">0' in fresh
    assert forwarder_watch.tick(ctx) == 0

    # No check-in for 31 minutes (the forwarder was killed): silent, past twice its 15 minutes.
    _age_checkin(ctx, timedelta(minutes=31))
    with TestClient(board) as client:
        login(client)
        page = client.get(f"/schools/{SCHOOL_CODE}").text
        assert '<b id="school-status">转发程序失联</b>' in page and "约定每 15分 签到一次" in page
        overview = client.get("/").text
        dead = overview[overview.index('id="forwarder-silent"') : overview.index('id="silent"')]
        assert "测试实验中学" in dead and "新注册学校" not in dead  # a new school has its first day
        assert '<b id="stat-forwarder-silent">1</b>' in overview
        listing = client.get("/schools?status=forwarder_silent").text
        assert listing.count("data-school=") == 1 and "转发程序失联" in listing
    from click.testing import CliRunner

    from secops.cli.main import cli

    check = ["--lang", "zh", "center", "--home", str(ctx.home), "school", "list", "--check"]
    checked = CliRunner().invoke(cli, check)  # the same finding for cron: exit 1 and who
    assert checked.exit_code == 1 and f"1 个转发器失联：{SCHOOL_CODE}" in checked.stderr and "失联" in checked.stdout
    assert forwarder_watch.tick(ctx) == 1
    assert forwarder_watch.tick(ctx) == 0  # one case per silent spell
    [case] = list_incidents(ctx.state)
    assert (case.category, case.subcategory, case.grade) == ("05", "技术故障", "一般")
    assert case.facts["school"] == SCHOOL_CODE and case.title == "测试实验中学 转发程序失联"
    assert case.detected_at == latest_checkins(ctx.state)[SCHOOL_CODE].received_at + timedelta(minutes=30)

    # The forwarder comes back: the case records it (once) and stays for a person to close.
    with running_center(ctx, port), open_workspace_store(ws) as store, CenterClient(target) as client:
        assert forward_once(target, store, client).heartbeat == "sent"
    assert forwarder_watch.tick(ctx) == 0
    assert forwarder_watch.tick(ctx) == 0
    recovered = get_incident(ctx.state, case.id)
    assert recovered.state == "new" and recovered.facts["recovered_at"]

    # Closed by the staff, then silent again later: a new spell, a new case.
    staff = Session(ctx.state, audit_key(ctx.home, ctx.state), "duty", datetime.now(UTC))
    transition(staff, case.id, "closed", note="已恢复")
    _age_checkin(ctx, timedelta(hours=2))
    assert forwarder_watch.tick(ctx) == 1
    assert len(list_incidents(ctx.state)) == 2


def _age_checkin(ctx: CenterContext, by: timedelta) -> None:
    """As if the school's latest check-in had arrived ``by`` earlier."""
    c = center_heartbeats.c
    with ctx.state.engine.begin() as conn:
        for school, received, sent in conn.execute(sa.select(c.school, c.received_at, c.sent_at)).all():
            conn.execute(
                center_heartbeats.update()
                .where(c.school == school)
                .values(received_at=received - by, sent_at=sent - by)
            )
