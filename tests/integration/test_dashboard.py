"""The center dashboard over HTTP: login, CSRF, sessions, and what each page shows.

A real center state database (SQLite) with schools, alerts in the SQLite alert store and
incidents opened through the incident API; the clock is fixed so silence and deadlines are exact.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from secops.center.context import CenterContext, load_secret, open_state
from secops.center.dashboard import install_dashboard
from secops.center.heartbeats import store_heartbeat
from secops.center.staff import add_user, disable_user
from secops.center.stores.base import StoredAlert
from secops.center.stores.sqlite import SQLiteAlertStore
from secops.incident import model
from secops.protocol.alerts import alert_id
from secops.protocol.heartbeat import Heartbeat, OutboxState
from secops.store import Store
from secops.store.schema import center_schools, center_sessions

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)  # 10:30 Beijing time
PASSWORD = "correct horse battery"
ONE, TWO, THREE, FOUR, EVIL = "4111010001", "4111010002", "4111010003", "4111010004", "4111010005"
EVIL_NAME = "<script>alert(1)</script>实验学校"


@dataclass
class Center:
    ctx: CenterContext
    incidents: dict[str, int]  # label -> incident id


def _school(conn: sa.Connection, code: str, name: str, created: datetime, revoked: datetime | None = None) -> None:
    conn.execute(
        center_schools.insert().values(
            code=code,
            name=name,
            key_id=code[-6:] + "abcdef",
            sealed_key="0" * 64,
            created_at=created,
            revoked_at=revoked,
            rate_per_minute=None,
        )
    )


def checkin(state: Store, code: str, at: datetime, every: timedelta = timedelta(minutes=15)) -> None:
    """The school's forwarder checked in at ``at``, promising the next within ``every``."""
    beat = Heartbeat(
        school=code,
        sent_at=at,
        software="secops 0.1.0",
        every_seconds=int(every.total_seconds()),
        outbox=OutboxState(pending=0, rejected=0),
    )
    store_heartbeat(state, beat, at)


def _alert(school: str, ago: timedelta, severity: str, title: str, n: int = 0) -> StoredAlert:
    at = NOW - ago
    doc = {
        "@timestamp": at.isoformat(),
        "rule": {"name": f"rule-{severity}"},
        "host": {"name": f"web{n}"},
        "event": {"severity": severity},
        "message": title,
        "n": n,
    }
    return StoredAlert(
        id=alert_id(school, doc), school=school, at=at, received_at=at + timedelta(minutes=1), severity=severity,
        title=title, doc=doc,
    )  # fmt: skip


def build_center(home: Path, now: datetime = NOW) -> Center:
    """Five schools, alerts of every severity over 40 days, four incidents; one staff user ``duty``."""
    state = open_state(home)
    alerts = SQLiteAlertStore(state)
    alerts.ensure_ready()
    ctx = CenterContext(home=home, state=state, alerts=alerts, secret=load_secret(home), now=lambda: now)
    registered = now - timedelta(days=60)
    with state.engine.begin() as conn:
        _school(conn, ONE, "第一实验中学", registered)
        _school(conn, TWO, "第二中学", registered)  # checks in, last alert 30 h ago: no alerts (not a fault)
        _school(conn, THREE, "第三小学", now - timedelta(hours=26))  # never checked in: forwarder silent
        _school(conn, FOUR, "第四中学", registered, revoked=now - timedelta(days=5))  # revoked: neither
        _school(conn, EVIL, EVIL_NAME, registered)
    for code in (ONE, TWO, EVIL):
        checkin(state, code, now - timedelta(minutes=5))
    alerts.insert(
        [
            _alert(ONE, timedelta(minutes=50), "critical", "勒索软件加密行为 <img src=x onerror=alert(1)>"),
            _alert(ONE, timedelta(hours=3), "high", "网页后门上传"),
            _alert(ONE, timedelta(hours=5), "high", "SSH 暴力破解"),
            _alert(ONE, timedelta(days=2), "medium", "可疑 PowerShell"),
            _alert(ONE, timedelta(days=10), "low", "端口扫描"),
            _alert(ONE, timedelta(days=40), "info", "旧的信息告警"),
            _alert(TWO, timedelta(hours=30), "high", "挖矿程序连接矿池"),
            _alert(EVIL, timedelta(hours=1), "medium", "异常登录"),
        ]
    )
    add_user(state, "duty", PASSWORD, now - timedelta(days=1))
    session = model.Session(state, b"k" * 32, "center", now)
    ids = {}
    ids["overdue"] = model.open_incident(
        session, title="第一实验中学 网页篡改", category="02", subcategory="网页篡改", grade="重大",
        detected_at=now - timedelta(hours=3), playbook="webshell", facts={"school": ONE},
    ).id  # fmt: skip
    ids["running"] = model.open_incident(
        session, title="第二中学 挖矿", category="02", subcategory="网页篡改", grade="较大",
        detected_at=now - timedelta(minutes=30), facts={"school": TWO},
    ).id  # fmt: skip
    ids["plain"] = model.open_incident(
        session, title="一般事件 无时限", category="02", subcategory="网页篡改", grade="一般",
        detected_at=now - timedelta(minutes=10), facts={"school": ONE},
    ).id  # fmt: skip
    closed = model.open_incident(
        session, title="已处理完的事件", category="02", subcategory="网页篡改", grade="一般",
        detected_at=now - timedelta(days=3), facts={"school": ONE},
    )  # fmt: skip
    model.transition(session, closed.id, "closed")
    ids["closed"] = closed.id
    return Center(ctx, ids)


def dashboard_app(ctx: CenterContext) -> FastAPI:
    app = FastAPI()
    install_dashboard(app, ctx)
    return app


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client: TestClient, username: str = "duty", password: str = PASSWORD, next_path: str = "/") -> httpx.Response:
    page = client.get("/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf": csrf_of(page.text), "next": next_path},
        follow_redirects=False,
    )


@pytest.fixture
def center(tmp_path: Path) -> Iterator[Center]:
    built = build_center(tmp_path / "center")
    yield built
    built.ctx.close()


@pytest.fixture
def client(center: Center) -> Iterator[TestClient]:
    with TestClient(dashboard_app(center.ctx)) as test_client:
        yield test_client


@pytest.fixture
def signed_in(client: TestClient) -> TestClient:
    answer = login(client)
    assert answer.status_code == 303
    return client


PAGES = ["/", "/alerts?severity=high", "/schools", f"/schools/{ONE}", "/incidents"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_needs_a_login(client: TestClient, path: str) -> None:
    answer = client.get(path, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login")
    if path != "/":
        assert "next=" in answer.headers["location"]


def test_login_sets_a_strict_httponly_cookie_and_stores_only_its_hash(client: TestClient, center: Center) -> None:
    answer = client.post("/login", data={"username": "duty", "password": PASSWORD, "csrf": "0" * 64})
    assert answer.status_code == 400 and "表单已失效" in answer.text  # no valid CSRF token: refused

    answer = login(client, next_path="/incidents")
    assert answer.status_code == 303 and answer.headers["location"] == "/incidents"
    cookie = answer.headers["set-cookie"]
    assert "secops_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    token = client.cookies["secops_session"]
    with center.ctx.state.engine.connect() as conn:
        stored = list(conn.execute(sa.select(center_sessions.c.token_hash)).scalars())
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]
    assert client.get("/incidents").status_code == 200


def test_wrong_password_unknown_user_and_open_redirect(client: TestClient) -> None:
    answer = login(client, password="wrong password!")
    assert answer.status_code == 401 and "用户名或密码错误" in answer.text
    assert "secops_session" not in client.cookies
    assert login(client, username="nobody").status_code == 401
    for hostile in ("//evil.example/x", "/\t/evil.example", "https://evil.example", "/\\evil.example"):
        client.cookies.delete("secops_session")
        assert login(client, next_path=hostile).headers["location"] == "/"


def test_failed_logins_are_throttled(client: TestClient) -> None:
    for _ in range(5):
        assert login(client, password="not the password").status_code == 401
    answer = login(client)  # even the right password waits now
    assert answer.status_code == 429 and "失败次数过多" in answer.text
    assert int(answer.headers["retry-after"]) > 0
    assert login(client, username="other").status_code == 401  # per user name


def test_logout_needs_the_token_and_ends_the_session(signed_in: TestClient, center: Center) -> None:
    page = signed_in.get("/")
    assert signed_in.post("/logout", data={"csrf": "f" * 64}, follow_redirects=False).status_code == 400
    assert signed_in.get("/", follow_redirects=False).status_code == 200  # a forged logout changed nothing
    answer = signed_in.post("/logout", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    with center.ctx.state.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(center_sessions)).scalar_one() == 0
    assert signed_in.get("/", follow_redirects=False).status_code == 303


def test_sessions_expire_after_8_hours_and_end_when_the_user_is_disabled(signed_in: TestClient, center: Center) -> None:
    center.ctx.now = lambda: NOW + timedelta(hours=7, minutes=59)
    assert signed_in.get("/", follow_redirects=False).status_code == 200
    center.ctx.now = lambda: NOW + timedelta(hours=8)
    assert signed_in.get("/", follow_redirects=False).status_code == 303
    center.ctx.now = lambda: NOW
    login(signed_in)
    disable_user(center.ctx.state, "duty", NOW)
    assert signed_in.get("/", follow_redirects=False).status_code == 303
    assert login(signed_in).status_code == 401


def _row(html: str, marker: str) -> str:
    match = re.search(r"<tr[^>]*" + re.escape(marker) + r".*?</tr>", html, re.S)
    assert match, marker
    return match.group(0)


def test_overview(signed_in: TestClient, center: Center) -> None:
    answer = signed_in.get("/")
    html = answer.text
    assert answer.status_code == 200
    assert answer.headers["content-security-policy"].startswith("default-src 'none'")
    # Severity counts over 24 h / 30 d / all.
    assert re.findall(r"<td class=\"num\">(\d+)</td>", _row(html, 'data-severity="high"')) == ["2", "3", "3"]
    assert re.findall(r"<td class=\"num\">(\d+)</td>", _row(html, 'data-severity="info"')) == ["0", "0", "1"]
    assert '<b id="stat-alerts-24h">4</b>' in html
    # Top schools: the first school leads with 5 alerts in 30 days.
    top = html[html.index('id="top-schools"') : html.index('id="over-time"')]
    assert top.index("第一实验中学") < top.index("第二中学")
    # Charts: 24 hourly and 30 daily bars, with hover titles in Beijing time.
    assert html.count('class="bar"') == 54
    assert "11-23 09:00 起 1 小时：2 条" in html  # alerts at 09:30 and 09:40 Beijing time
    # A dead forwarder (never checked in since registering 26 h ago) is not a quiet school: the one
    # whose forwarder checks in but that sent no alert for 30 h. The revoked one is neither.
    dead = html[html.index('id="forwarder-silent"') : html.index('id="silent"')]
    assert "第三小学" in dead and "从未签到" in dead and "第二中学" not in dead and "第四中学" not in dead
    silent = html[html.index('id="silent"') : html.index('id="open-incidents"')]
    assert "第二中学" in silent and "第三小学" not in silent
    assert "第四中学" not in silent and "第一实验中学" not in silent
    assert '<b id="stat-silent">1</b>' in html and '<b id="stat-forwarder-silent">1</b>' in html
    # Open incidents, overdue first; the closed one is not listed.
    incidents = html[html.index('id="open-incidents"') :]
    order = [int(n) for n in re.findall(r'data-incident="(\d+)"', incidents)]
    assert order == [center.incidents["overdue"], center.incidents["running"], center.incidents["plain"]]
    assert "已超时 2小时0分" in incidents and "剩余 30分" in incidents
    # Everything from schools or alerts is escaped; the page loads nothing from elsewhere.
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;实验学校" in html
    assert "http://" not in html and "https://" not in html


def test_alerts_filters_and_pagination(signed_in: TestClient, center: Center) -> None:
    html = signed_in.get(f"/alerts?school={ONE}&severity=high").text
    assert html.count("data-alert=") == 2 and "网页后门上传" in html and "挖矿" not in html
    html = signed_in.get("/alerts?since=24h").text
    assert html.count("data-alert=") == 4 and "共 4 条" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html
    html = signed_in.get("/alerts?since=2026-11-22").text  # from midnight Beijing time
    assert html.count("data-alert=") == 5  # 4 in 24 h plus the one 30 h ago (2026-11-22 04:30 Beijing)
    html = signed_in.get("/alerts?school=x1&severity=bogus&since=yesterday").text
    assert html.count("data-alert=") == 8 and html.count("已忽略该条件") == 3

    bulk = [_alert(TWO, timedelta(minutes=i + 1), "low", f"批量告警 {i}", n=i) for i in range(120)]
    center.ctx.alerts.insert(bulk)
    first = signed_in.get(f"/alerts?school={TWO}&severity=low").text
    assert "共 120 条 · 第 1 / 3 页" in first and first.count("data-alert=") == 50
    assert "批量告警 0<" in first  # newest first
    next_url = re.search(r'href="([^"]+)" rel="next"', first)
    assert next_url and "page=2" in next_url.group(1)
    last = signed_in.get(f"/alerts?school={TWO}&severity=low&page=3").text
    assert last.count("data-alert=") == 20 and "批量告警 119<" in last and 'rel="next"' not in last
    assert "第 3 / 3 页" in signed_in.get(f"/alerts?school={TWO}&severity=low&page=99").text


def test_schools_list_and_a_school_page(signed_in: TestClient, center: Center) -> None:
    html = signed_in.get("/schools").text
    assert "无告警" in _row(html, f'data-school="{TWO}"') and "从未上报" in _row(html, f'data-school="{THREE}"')
    assert "转发程序失联" in _row(html, f'data-school="{THREE}"') and "从未签到" in _row(html, f'data-school="{THREE}"')
    assert "已吊销" in _row(html, f'data-school="{FOUR}"') and "正常" in _row(html, f'data-school="{ONE}"')
    assert re.findall(r"<td class=\"num\">(\d+)</td>", _row(html, f'data-school="{ONE}"')) == ["3", "5", "6"]
    silent_only = signed_in.get("/schools?status=silent").text
    assert silent_only.count("data-school=") == 1 and f'data-school="{TWO}"' in silent_only
    dead_only = signed_in.get("/schools?status=forwarder_silent").text
    assert dead_only.count("data-school=") == 1 and f'data-school="{THREE}"' in dead_only

    page = signed_in.get(f"/schools/{ONE}").text
    assert "第一实验中学" in page and '<b id="school-status">正常</b>' in page
    assert '<b id="school-last-seen">2026-11-23 09:41</b>' in page  # received a minute after 09:40 Beijing
    assert re.findall(r"<td class=\"num\">(\d+)</td>", _row(page, 'data-severity="critical"')) == ["1", "1", "1"]
    assert page.count("data-alert=") == 6 and "挖矿" not in page
    incidents = [int(n) for n in re.findall(r'data-incident="(\d+)"', page)]
    assert incidents == [center.incidents[k] for k in ("overdue", "plain", "closed")]  # open first, overdue on top
    assert center.incidents["running"] not in incidents  # that one belongs to the second school

    quiet = signed_in.get(f"/schools/{TWO}").text
    assert "该校转发程序正常签到，但已 1天5小时 没有告警" in quiet and '<b id="school-status">无告警</b>' in quiet
    never = signed_in.get(f"/schools/{THREE}").text
    assert '<b id="school-status">转发程序失联</b>' in never and "该校转发程序已 1天2小时 未签到" in never
    assert signed_in.get("/schools/4111019999").status_code == 404
    assert signed_in.get("/schools/not-a-code").status_code == 404


def test_incidents_page_overdue_first(signed_in: TestClient, center: Center) -> None:
    html = signed_in.get("/incidents").text
    order = [int(n) for n in re.findall(r'data-incident="(\d+)"', html)]
    assert order == [center.incidents[k] for k in ("overdue", "running", "plain")]
    overdue = _row(html, f'data-incident="{center.incidents["overdue"]}"')
    assert 'class="overdue"' in overdue and "2026-11-23 08:30" in overdue  # due 1 h after 07:30 detection
    assert "重大及以上事件 1 小时内处置完成" in overdue
    assert '<b id="overdue-count" class="overdue-text">1</b>' in html
    everything = signed_in.get("/incidents?all=1").text
    assert f'data-incident="{center.incidents["closed"]}"' in everything
    # Time passes: the running clock becomes overdue too and moves up among the overdue by its deadline.
    center.ctx.now = lambda: NOW + timedelta(hours=1)
    later = signed_in.get("/incidents").text
    assert '<b id="overdue-count" class="overdue-text">2</b>' in later


def test_dashboard_stays_out_of_the_api_docs_and_serves_its_stylesheet(center: Center) -> None:
    app = dashboard_app(center.ctx)
    assert app.openapi()["paths"] == {}  # the OpenAPI spec documents the ingestion API only
    with TestClient(app) as client:
        css = client.get("/static/dashboard.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css") and "--accent" in css.text


def test_a_school_is_silent_only_after_the_allowed_quiet_time() -> None:
    from secops.center.dashboard.queries import School
    from secops.center.heartbeats import CheckIn

    now = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)

    def alive(minutes_ago: int) -> CheckIn:
        beat = Heartbeat(
            school="4111010009", sent_at=now, software="secops", every_seconds=900,
            outbox=OutboxState(pending=0, rejected=0),
        )  # fmt: skip
        at = now - timedelta(minutes=minutes_ago)
        return CheckIn("4111010009", at, timedelta(minutes=15), timedelta(0), "secops", 0, beat)

    just_registered = School("4111010009", "新学校", now - timedelta(hours=2), None, now=now)
    registered_long_ago = School("4111010009", "新学校", now - timedelta(hours=25), None, now=now)
    quiet_yesterday = School("4111010009", "新学校", now - timedelta(days=9), None, now - timedelta(hours=23), now=now)
    assert not just_registered.silent and not quiet_yesterday.silent
    assert not just_registered.forwarder_silent  # its first day to set up the forwarder
    # never checked in after a day: the forwarder is silent, and that is all it is
    assert registered_long_ago.forwarder_silent_for == timedelta(hours=25) and registered_long_ago.silent_for is None
    checks_in = replace(registered_long_ago, checkin=alive(5))
    assert checks_in.status == "no_alerts" and checks_in.silent_for == timedelta(hours=25)
    stopped = replace(registered_long_ago, checkin=alive(31))
    assert stopped.status == "forwarder_silent" and stopped.forwarder_silent_for == timedelta(minutes=31)
    assert replace(registered_long_ago, checkin=alive(29)).status == "no_alerts"  # within twice 15 minutes
