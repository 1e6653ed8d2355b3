"""The case page and the staff actions on it, the alert page, grouped alerts, and the overview's
"new since you last looked", over HTTP against a real center state database; and one walk through
it in headless Chromium: a burst of alerts becomes one case, a duty officer acknowledges it and an
analyst closes it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from secops.center import auto_incidents
from secops.center.cases import claimed_alert_ids
from secops.center.dashboard.queries import incident_of_alert
from secops.center.staff import add_user
from secops.center.stores.base import AlertQuery, StoredAlert
from secops.config import AUDIT_KEY_FILE
from secops.incident import audit, model
from secops.protocol.alerts import alert_id
from tests.integration.test_dashboard import (
    NOW,
    ONE,
    PASSWORD,
    TWO,
    Center,
    build_center,
    csrf_of,
    dashboard_app,
    login,
)
from tests.integration.test_dashboard_browser import browser, screenshots, served  # noqa: F401

KEY = b"k" * 32  # the audit key build_center's incidents were written with


def with_staff(center: Center) -> Center:
    """The center's audit key where the dashboard looks for it, and an analyst beside ``duty``."""
    (center.ctx.home / AUDIT_KEY_FILE).write_text(KEY.hex() + "\n")
    add_user(center.ctx.state, "analyst", PASSWORD, NOW - timedelta(days=1), role="analyst")
    return center


@pytest.fixture
def center(tmp_path: Path) -> Iterator[Center]:
    built = with_staff(build_center(tmp_path / "center"))
    yield built
    built.ctx.close()


@pytest.fixture
def duty(center: Center) -> Iterator[TestClient]:
    with TestClient(dashboard_app(center.ctx)) as client:
        assert login(client, "duty").status_code == 303
        yield client


@pytest.fixture
def analyst(center: Center) -> Iterator[TestClient]:
    with TestClient(dashboard_app(center.ctx)) as client:
        assert login(client, "analyst").status_code == 303
        yield client


def forms(html: str) -> set[str]:
    return set(re.findall(r'id="form-([a-z]+)"', html))


def post(client: TestClient, case: int, action: str, **fields: str) -> Any:
    """Post one action form as the page offers it (its CSRF token and the version it shows)."""
    page = client.get(f"/incidents/{case}").text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version, "no form on the page"
    data = {"csrf": csrf_of(page), "version": version.group(1), **fields}
    return client.post(f"/incidents/{case}/{action}", data=data, follow_redirects=False)


def burst(school: str, count: int, *, rule: str = "ssh-brute-01", received: datetime = NOW) -> list[StoredAlert]:
    """``count`` alerts of one rule from one host, a minute apart, received just before ``received``."""
    alerts = []
    for n in range(count):
        at = NOW - timedelta(minutes=count - n)
        doc = {
            "@timestamp": at.isoformat(),
            "rule": {"id": rule, "name": "SSH 暴力破解"},
            "host": {"name": "web01"},
            "source": {"ip": "203.0.113.7"},
            "message": f"第 {n} 次登录失败",
            "n": n,
        }
        received_at = received - timedelta(seconds=count - n)
        alert = StoredAlert(alert_id(school, doc), school, at, received_at, "high", "SSH 暴力破解", doc)
        alerts.append(alert)
    return alerts


def test_the_case_page_shows_the_case_and_only_the_forms_the_role_allows(
    duty: TestClient, analyst: TestClient, center: Center
) -> None:
    case = center.incidents["overdue"]
    html = duty.get(f"/incidents/{case}").text
    assert "第一实验中学 网页篡改" in html and f'href="/schools/{ONE}"' in html and "webshell" in html
    assert '<b id="case-grade">重大</b>' in html and "已超时 2小时0分" in html
    assert "创建" in html and "2026-11-23 10:30:00" in html  # the trail in Beijing time
    assert forms(html) == {"ack", "note"}
    assert forms(analyst.get(f"/incidents/{case}").text) == {"ack", "note", "grade", "assign", "merge", "close"}
    closed = analyst.get(f"/incidents/{center.incidents['closed']}").text
    assert forms(closed) == {"note", "reopen"}
    # The incidents list links every row to its case page.
    listing = duty.get("/incidents").text
    assert f'<a href="/incidents/{case}">#{case}</a>' in listing
    assert duty.get("/incidents/99999").status_code == 404 and duty.get("/incidents/x").status_code == 404


def test_duty_acknowledges_and_may_not_close(duty: TestClient, center: Center) -> None:
    case = center.incidents["overdue"]
    answer = post(duty, case, "ack", note="已电话通知学校网管")
    assert answer.status_code == 303 and answer.headers["location"] == f"/incidents/{case}"
    found = model.get_incident(center.ctx.state, case)
    assert found.state == "acknowledged"
    last = audit.entries(center.ctx.state, case)[-1]
    assert (
        last["actor"] == "duty" and last["action"] == "acknowledged" and last["detail"]["note"] == "已电话通知学校网管"
    )
    page = duty.get(f"/incidents/{case}").text
    assert '<b id="case-state">已确认</b>' in page and "已电话通知学校网管" in page and "form-ack" not in page

    trail = len(audit.entries(center.ctx.state, case))
    refused = post(duty, case, "close", reason="误报")
    assert refused.status_code == 403 and "值班员无权关闭事件" in refused.text
    assert model.get_incident(center.ctx.state, case).state == "acknowledged"
    assert len(audit.entries(center.ctx.state, case)) == trail
    assert post(duty, case, "grade", grade="一般", reason="x").status_code == 403

    assert post(duty, case, "note", note="学校已断开该主机").status_code == 303
    assert audit.entries(center.ctx.state, case)[-1]["detail"]["text"] == "学校已断开该主机"


def test_analyst_regrades_assigns_closes_and_reopens_with_reasons(analyst: TestClient, center: Center) -> None:
    case = center.incidents["running"]
    missing = post(analyst, case, "grade", grade="重大", reason="  ")
    assert missing.status_code == 400 and "未能调整级别" in missing.text and "需要填写理由" in missing.text
    assert post(analyst, case, "grade", grade="重大", reason="影响全校教务系统").status_code == 303
    found = model.get_incident(center.ctx.state, case)
    assert found.grade == "重大" and found.facts["grade_reason"] == "影响全校教务系统"
    assert post(analyst, case, "assign", owner="张三").status_code == 303
    assert model.get_incident(center.ctx.state, case).owner == "张三"

    assert post(analyst, case, "close", reason="").status_code == 400
    assert post(analyst, case, "close", reason="误报：扫描器的正常探测").status_code == 303
    found = model.get_incident(center.ctx.state, case)
    assert found.state == "closed" and found.facts["close_reason"] == "误报：扫描器的正常探测"
    page = analyst.get(f"/incidents/{case}").text
    assert "误报：扫描器的正常探测" in page and forms(page) == {"note", "reopen"}
    actions = [e["action"] for e in audit.entries(center.ctx.state, case)]
    assert actions[-4:] == ["grade", "assign", "close-reason", "closed"]
    assert "较大 → 重大；原因：影响全校教务系统" in page and "负责人 （无） → 张三" in page

    assert post(analyst, case, "reopen", reason="学校又报告了同一主机").status_code == 303
    assert model.get_incident(center.ctx.state, case).state == "acknowledged"


def test_merge_folds_other_cases_into_this_one(analyst: TestClient, center: Center) -> None:
    into, other = center.incidents["overdue"], center.incidents["plain"]
    bad = post(analyst, into, "merge", others="abc", reason="同一主机")
    assert bad.status_code == 400 and "要合并进来的事件编号" in bad.text
    unknown = post(analyst, into, "merge", others="99999", reason="同一主机")
    assert unknown.status_code == 400 and "没有事件 #99999" in unknown.text  # the dashboard speaks Chinese
    assert post(analyst, into, "merge", others=f"#{other}，", reason="同一台网站服务器").status_code == 303
    assert model.get_incident(center.ctx.state, into).facts["merged"] == [other]
    source = model.get_incident(center.ctx.state, other)
    assert source.state == "closed" and source.facts["merged_into"] == into
    assert f'<a href="/incidents/{other}">#{other}</a>' in analyst.get(f"/incidents/{into}").text
    assert f'<a href="/incidents/{into}">#{into}</a>' in analyst.get(f"/incidents/{other}").text


def test_a_post_without_the_form_token_is_refused(duty: TestClient, center: Center) -> None:
    case = center.incidents["overdue"]
    for token in ("", "0" * 64):
        answer = duty.post(f"/incidents/{case}/ack", data={"csrf": token, "version": "1"}, follow_redirects=False)
        assert answer.status_code == 403 and "表单令牌" in answer.text
    assert model.get_incident(center.ctx.state, case).state == "new"
    # Signed out, a POST goes to the login page and changes nothing either.
    with TestClient(dashboard_app(center.ctx)) as anonymous:
        answer = anonymous.post(f"/incidents/{case}/ack", data={"version": "1"}, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert model.get_incident(center.ctx.state, case).state == "new"


def test_a_change_made_meanwhile_is_not_overwritten(duty: TestClient, analyst: TestClient, center: Center) -> None:
    case = center.incidents["overdue"]
    stale = duty.get(f"/incidents/{case}").text  # duty looks at version 1 ...
    assert post(analyst, case, "assign", owner="李四").status_code == 303  # ... the analyst changes it first
    data = {"csrf": csrf_of(stale), "version": re.findall(r'name="version" value="(\d+)"', stale)[0], "note": "收到"}
    answer = duty.post(f"/incidents/{case}/ack", data=data, follow_redirects=False)
    assert answer.status_code == 409 and "有人先修改了这个事件" in answer.text
    assert model.get_incident(center.ctx.state, case).state == "new"
    assert "李四" in answer.text  # the page shows what it is now
    assert duty.post(f"/incidents/{case}/ack", data={**data, "version": ""}).status_code == 400


def test_the_alert_page_shows_the_document_escaped_and_its_case(duty: TestClient, center: Center) -> None:
    evil = burst(ONE, 1, rule="xss-01")[0]
    doc = {**evil.doc, "message": "<script>alert(2)</script>", "payload": "</pre><img src=x onerror=alert(3)>"}
    evil = StoredAlert(
        id=alert_id(ONE, doc), school=ONE, at=evil.at, received_at=evil.received_at, severity="high",
        title="<script>alert(1)</script>跨站脚本", doc=doc,
    )  # fmt: skip
    center.ctx.alerts.insert([evil])
    assert auto_incidents.tick(center.ctx) >= 1
    html = duty.get(f"/alerts/{evil.id}").text
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;跨站脚本" in html and "&lt;/pre&gt;&lt;img src=x" in html
    assert "&#34;rule&#34;: {" in html and "xss-01" in html  # the whole document, pretty-printed
    case = re.search(r'id="alert-case"><a href="/incidents/(\d+)"', html)
    assert case and evil.id in claimed_alert_ids(center.ctx.state, int(case.group(1)))
    # The alert list and the case page link to it.
    assert f'href="/alerts/{evil.id}"' in duty.get("/alerts").text
    assert f'href="/alerts/{evil.id}"' in duty.get(f"/incidents/{case.group(1)}").text
    quiet = center.ctx.alerts.search(AlertQuery(school=ONE, severities=("low",), limit=1))[0]  # below the bar
    assert "未归入事件" in duty.get(f"/alerts/{quiet.id}").text
    assert duty.get("/alerts/" + "0" * 64).status_code == 404


def test_identical_alerts_in_a_row_are_one_line(duty: TestClient, center: Center) -> None:
    center.ctx.alerts.insert(burst(TWO, 7))
    html = duty.get(f"/alerts?school={TWO}").text
    assert "共 8 条" in html  # the count stays per stored alert
    assert html.count("data-alert=") == 2 and 'data-count="7"' in html and "×7" in html
    newest = center.ctx.alerts.search(AlertQuery(school=TWO, limit=1))[0]
    row = re.search(r'<tr data-alert="[^"]+" data-count="7">.*?</tr>', html, re.S)
    assert row and f'href="/alerts/{newest.id}"' in row.group(0)
    assert "2026-11-23 10:23:00 – 2026-11-23 10:29:00" in row.group(0)  # first – last, Beijing time


def test_the_overview_refreshes_and_counts_what_is_new_since_the_last_look(duty: TestClient, center: Center) -> None:
    looked = NOW + timedelta(minutes=1)  # after build_center opened its incidents
    center.ctx.now = lambda: looked
    first = duty.get("/").text
    refresh = re.search(r'<meta http-equiv="refresh" content="60; url=/\?seen=(\d+)">', first)
    assert refresh and int(refresh.group(1)) == int((looked - timedelta(hours=24)).timestamp())
    # First visit: the last 24 hours (4 alerts received, the 4 incidents build_center opened).
    assert '告警 <span id="new-alerts">4</span> 条，新事件 <span id="new-cases">4</span> 个' in first

    later = NOW + timedelta(minutes=10)
    center.ctx.now = lambda: later
    center.ctx.alerts.insert(burst(TWO, 3, received=later))
    opened = auto_incidents.tick(center.ctx)  # the burst's case, and those of build_center's high alerts
    assert opened >= 1
    center.ctx.now = lambda: later + timedelta(minutes=1)
    second = duty.get("/").text
    assert f'告警 <span id="new-alerts">3</span> 条，新事件 <span id="new-cases">{opened}</span> 个' in second
    center.ctx.now = lambda: later + timedelta(minutes=2)
    third = duty.get("/").text
    assert re.findall(r"id=\"new-(?:alerts|cases)\">(\d+)<", third) == ["0", "0"]
    # The page's own reload keeps counting from where the sitting began.
    assert '<span id="new-alerts">7</span>' in duty.get(f"/?seen={refresh.group(1)}").text


@pytest.mark.browser
def test_a_burst_becomes_one_case_acknowledged_and_closed_in_the_browser(
    served: tuple[str, Center],  # noqa: F811
    browser: Any,  # noqa: F811
    screenshots: Path,  # noqa: F811
) -> None:
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    base, center = served
    with_staff(center)
    ctx = center.ctx
    auto_incidents.tick(ctx)  # the fixture's own high alerts first: what follows is the burst alone
    alerts = burst(ONE, 50)
    ctx.alerts.insert(alerts)
    assert auto_incidents.tick(ctx) == 1  # fifty alerts of one rule, school and host: one case
    case = incident_of_alert(ctx.state, alerts[0].id)
    assert case is not None
    assert sorted(claimed_alert_ids(ctx.state, case)) == sorted(a.id for a in alerts)

    def submit(selector: str) -> None:
        old = browser.find_element(By.TAG_NAME, "html")
        browser.find_element(By.CSS_SELECTOR, selector).click()

        def replaced(_driver: Any) -> bool:
            try:
                old.is_enabled()
            except WebDriverException:
                return True
            return False

        WebDriverWait(browser, 15).until(replaced)
        WebDriverWait(browser, 15).until(lambda b: b.execute_script("return document.readyState") == "complete")

    def text(selector: str) -> str:
        return str(browser.find_element(By.CSS_SELECTOR, selector).text)

    def sign_in(username: str) -> None:
        browser.get(base + "/incidents")
        browser.find_element(By.NAME, "username").send_keys(username)
        browser.find_element(By.NAME, "password").send_keys(PASSWORD)
        submit("form.login button")
        assert browser.current_url == base + "/incidents"

    def shot(name: str) -> Path:
        path = screenshots / name
        assert browser.save_screenshot(str(path))
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 1000
        return path

    # The duty officer opens the case from the list and acknowledges it.
    sign_in("duty")
    submit(f'table.incidents tr[data-incident="{case}"] a[href="/incidents/{case}"]')
    assert browser.current_url == f"{base}/incidents/{case}"
    assert (
        text("#case-alert-count") == "50"
        and len(browser.find_elements(By.CSS_SELECTOR, "#case-alerts tr[data-alert]")) == 50
    )
    assert not browser.find_elements(By.ID, "form-close")  # not the duty officer's to close
    browser.find_element(By.CSS_SELECTOR, "#form-ack input[name=note]").send_keys("已通知学校封禁来源地址")
    submit("#form-ack button")
    assert browser.current_url == f"{base}/incidents/{case}" and text("#case-state") == "已确认"
    assert "已通知学校封禁来源地址" in text("#case-timeline")
    shot("case-ack.png")
    submit("header form button")

    # The analyst closes it with a reason.
    sign_in("analyst")
    browser.get(f"{base}/incidents/{case}")
    browser.find_element(By.CSS_SELECTOR, "#form-close input[name=reason]").send_keys("来源地址已封禁，无成功登录")
    submit("#form-close button")
    assert text("#case-state") == "已关闭" and text("#case-close-reason") == "来源地址已封禁，无成功登录"
    timeline = text("#case-timeline")
    assert "duty" in timeline and "analyst" in timeline and "关闭" in timeline
    shot("case-closed.png")
    assert model.get_incident(ctx.state, case).state == "closed"
