"""Compliance summaries school -> center: a real uvicorn center on loopback, the forwarder, the
signed endpoint's refusals and the dashboard listing the overdue school."""

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

from secops.center.compliance_store import overdue_schools, summaries
from secops.center.context import CenterContext
from secops.center.open import open_center
from secops.center.schools import add_school
from secops.center.staff import add_user
from secops.config import Workspace
from secops.dengbao.calendar import OfficialAssessment, record_filing, record_official
from secops.dengbao.systems import System, save_system
from secops.forward.compliance import build_summary, summary_body
from secops.forward.sync import CenterClient, forward_once, load_target
from secops.inventory.queries import tag_asset
from secops.protocol import signing
from secops.protocol.compliance import COMPLIANCE_PATH
from secops.store import Store
from secops.store.schema import assets, center_compliance
from secops.workspace import open_workspace_store
from tests.conftest import SCHOOL_CODE, Invoke
from tests.integration.test_dashboard import dashboard_app, login
from tests.integration.test_forward import connect
from tests.unit.center import running_center

NOW = datetime.now(UTC)  # the center checks request timestamps against the real clock
TODAY = NOW.date()
OTHER = "4111010002"


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[CenterContext]:
    center = open_center(tmp_path / "center")
    yield center
    center.close()


def _system(store: Store, name: str, level: int, graded: datetime = NOW) -> System:
    system, _ = save_system(
        store, name=name, level=level, extensions=(), asset_tag="", description="", grading=None, now=graded
    )
    return system


def _school(store: Store) -> None:
    """Levels 2, 3 and 3: a filing 30 days overdue, an assessment a year overdue, one unfiled in time.

    (No certificate can have expired on the real clock before 2028: filings before 2025 count their
    3 years from 2025-01-01.)"""
    _system(store, "门户网站", 2, graded=NOW - timedelta(days=60))
    xueji = _system(store, "学籍管理系统", 3)
    _system(store, "一卡通系统", 3)
    record_filing(store, xueji, TODAY - timedelta(days=400), "", NOW)
    record_official(store, xueji, OfficialAssessment(TODAY - timedelta(days=390), "某某测评中心", "基本符合", ""), NOW)
    with store.engine.begin() as conn:  # an asset whose owner is a person: must never leave the school
        conn.execute(
            assets.insert().values(
                key="mac:02:00:00:00:00:01", ipv4="10.20.0.5", asset_type="server", owner="", status="up",
                first_seen=NOW, last_seen=NOW,
            )
        )  # fmt: skip
    tag_asset(store, "10.20.0.5", owner="张老师 13800138000", system="xueji", asset_type=None)


def test_summary_round_trip_replaces_and_is_listed_as_overdue(
    workspace: Workspace, ctx: CenterContext, run_cli: Invoke
) -> None:
    with open_workspace_store(workspace) as store:
        _school(store)
    assert run_cli("dengbao", "assess", "--system", "学籍管理系统", "--no-automated").exit_code in (0, 1)
    with running_center(ctx) as url, open_workspace_store(workspace) as store:
        ws = connect(workspace, ctx, url)
        target = load_target(ws)
        with CenterClient(target) as client:
            result = forward_once(target, store, client)
            assert result.summary == "sent"
            assert forward_once(target, store, client, send_summary=False).summary is None
        with ctx.state.engine.connect() as conn:
            rows = conn.execute(sa.select(center_compliance)).all()
        assert [r.school for r in rows] == [SCHOOL_CODE]
        stored = rows[0].summary
        text = json.dumps(stored, ensure_ascii=False)
        assert "张老师" not in text and "13800138000" not in text and "10.20.0.5" not in text  # no personal data
        by_name = {s["name"]: s for s in stored["systems"]}
        assert set(by_name) == {"门户网站", "学籍管理系统", "一卡通系统"}
        assert by_name["门户网站"]["filing_overdue"] is True and by_name["门户网站"]["level"] == 2
        assert by_name["学籍管理系统"]["assessment_overdue"] is True
        assert by_name["学籍管理系统"]["last_assessment"] == (TODAY - timedelta(days=390)).isoformat()
        assert by_name["学籍管理系统"]["conclusion"] == "不符合" and by_name["学籍管理系统"]["rate"] == 0.0
        assert by_name["一卡通系统"]["filed"] is False and by_name["一卡通系统"]["filing_date"] is None
        assert by_name["一卡通系统"]["filing_overdue"] is False  # graded just now: 30 days left to file
        assert stored["counts"] == {
            "systems": 3, "assets": 1, "open_incidents": 0, "unfiled": 2, "overdue_filings": 1,
            "overdue_assessments": 1,
        }  # fmt: skip

        # The school records the new assessment and files the third system: the next run replaces the summary.
        with open_workspace_store(workspace) as ws_store:
            from secops.dengbao.systems import get_system

            record_official(
                ws_store, get_system(ws_store, "学籍管理系统"),
                OfficialAssessment(TODAY - timedelta(days=2), "某某测评中心", "符合", ""), NOW,
            )  # fmt: skip
            record_filing(ws_store, get_system(ws_store, "一卡通系统"), TODAY - timedelta(days=1), "", NOW)
        with CenterClient(target) as client:
            assert forward_once(target, store, client).summary == "sent"
        found = summaries(ctx.state, datetime.now(UTC))
        assert len(found) == 1
        overdue = {o.name: o for o in found[0].overdue}
        assert set(overdue) == {"门户网站"} and overdue["门户网站"].filing_overdue

        # An older summary arriving late never rolls the center back.
        old = build_summary(store, SCHOOL_CODE, "测试实验中学", NOW - timedelta(days=30))
        key = signing.parse_key((ws.path / "center.key").read_text())
        answer = _post(url, key, SCHOOL_CODE, summary_body(old))
        assert answer.status_code == 200 and answer.json()["status"] == "older"
        assert {o.name for o in overdue_schools(ctx.state, datetime.now(UTC))[0].overdue} == {"门户网站"}


def _post(url: str, key: signing.SchoolKey, school: str, body: bytes, **changes: str) -> httpx.Response:
    headers = signing.signed_headers(key, school, body, now=time.time(), path=COMPLIANCE_PATH)
    headers.update(changes)
    return httpx.post(url + COMPLIANCE_PATH, content=body, headers=headers, timeout=10)


def test_signature_refusals_store_nothing(workspace: Workspace, ctx: CenterContext) -> None:
    with open_workspace_store(workspace) as store:
        _school(store)
        body = summary_body(build_summary(store, SCHOOL_CODE, "测试实验中学", NOW))
        foreign = summary_body(build_summary(store, OTHER, "别的学校", NOW))
    key = add_school(ctx.state, SCHOOL_CODE, "测试实验中学", ctx.secret, NOW)
    other_key = add_school(ctx.state, OTHER, "别的学校", ctx.secret, NOW)
    with running_center(ctx) as url:
        assert httpx.post(url + COMPLIANCE_PATH, content=body, timeout=10).status_code == 401  # unsigned
        tampered = body.replace("门户网站".encode(), "门户网址".encode())
        headers = signing.signed_headers(key, SCHOOL_CODE, body, now=time.time(), path=COMPLIANCE_PATH)
        answer = httpx.post(url + COMPLIANCE_PATH, content=tampered, headers=headers, timeout=10)
        assert answer.status_code == 401 and "signature" in answer.json()["error"]
        stale = signing.signed_headers(key, SCHOOL_CODE, body, now=time.time() - 3600, path=COMPLIANCE_PATH)
        assert httpx.post(url + COMPLIANCE_PATH, content=body, headers=stale, timeout=10).status_code == 401
        # Signed for the alerts path: the path is part of what is signed.
        wrong_path = signing.signed_headers(key, SCHOOL_CODE, body, now=time.time())
        assert httpx.post(url + COMPLIANCE_PATH, content=body, headers=wrong_path, timeout=10).status_code == 401
        # Another school's key for this school's code, and a summary naming another school.
        assert _post(url, other_key, SCHOOL_CODE, body).status_code == 403
        answer = _post(url, key, SCHOOL_CODE, foreign)
        assert answer.status_code == 403 and OTHER in answer.json()["error"]
        bad = json.loads(body)
        bad["systems"][0]["owner"] = "张老师"  # an unknown field (personal data) is refused, not dropped
        answer = _post(url, key, SCHOOL_CODE, json.dumps(bad).encode())
        assert answer.status_code == 400 and "owner" in answer.json()["error"]
        assert _post(url, key, SCHOOL_CODE, b"{not json").status_code == 400
        with ctx.state.engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(center_compliance)).scalar_one() == 0
        # A replayed request (same nonce) is refused after the first one is stored.
        headers = signing.signed_headers(key, SCHOOL_CODE, body, now=time.time(), path=COMPLIANCE_PATH)
        assert httpx.post(url + COMPLIANCE_PATH, content=body, headers=headers, timeout=10).status_code == 200
        assert httpx.post(url + COMPLIANCE_PATH, content=body, headers=headers, timeout=10).status_code == 409


def test_dashboard_lists_the_overdue_school(workspace: Workspace, ctx: CenterContext) -> None:
    with open_workspace_store(workspace) as store:
        _school(store)
        body = summary_body(build_summary(store, SCHOOL_CODE, "测试实验中学", NOW))
    key = add_school(ctx.state, SCHOOL_CODE, "测试实验中学", ctx.secret, NOW)
    add_school(ctx.state, OTHER, "按时完成的学校", ctx.secret, NOW)
    add_user(ctx.state, "duty", "correct horse battery", NOW)
    with running_center(ctx) as url:
        assert _post(url, key, SCHOOL_CODE, body).status_code == 200
    with TestClient(dashboard_app(ctx)) as client:
        assert client.get("/compliance", follow_redirects=False).status_code == 303  # login first
        assert login(client).status_code == 303
        page = client.get("/compliance").text
        assert f'data-school="{SCHOOL_CODE}"' in page and f'data-school="{OTHER}"' not in page
        for text in (
            "测试实验中学",
            "门户网站",
            "逾期未备案",  # graded 60 days ago, never filed: not an expired certificate
            "学籍管理系统",
            "年度测评逾期",
            "一卡通系统",
            "未登记备案",
        ):
            assert text in page
        assert "备案证明已过期" not in page  # no filing on record has expired (pre-2025 filings run to 2028)
        assert '<b id="stat-overdue-schools">1</b>' in page
        overview = client.get("/").text
        box = overview[overview.index('id="compliance-overdue"') :]
        assert f'data-school="{SCHOOL_CODE}"' in box and "学籍管理系统" in box
        assert client.get("/compliance?show=all").status_code == 200
