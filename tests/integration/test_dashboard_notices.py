"""通报 in the dashboard: the list, one notice with each school's status (overdue first once the time
has passed), the issue form (admins only, CSRF-protected, POST-redirect-GET) and a school's notices
on its page, over HTTP against a real center state database; and one issue through the form in
headless Chromium."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from secops.center.notices import issue_notice, notice_views, set_group, store_statuses
from secops.center.signing_key import SIGNING_KEY_FILE
from secops.center.staff import add_user
from secops.protocol.notices import NoticeStatus
from secops.store.schema import center_notices
from tests.integration.test_dashboard import (
    EVIL,
    FOUR,
    NOW,
    ONE,
    PASSWORD,
    THREE,
    TWO,
    Center,
    build_center,
    csrf_of,
    dashboard_app,
    login,
)
from tests.integration.test_dashboard_browser import browser, screenshots, served  # noqa: F401

DUE = timedelta(hours=60)


def with_admin(center: Center) -> Center:
    """An admin (``chief``) beside build_center's duty officer (``duty``)."""
    add_user(center.ctx.state, "chief", PASSWORD, NOW - timedelta(days=1), role="admin")
    return center


@pytest.fixture
def center(tmp_path: Path) -> Iterator[Center]:
    built = with_admin(build_center(tmp_path / "center"))
    yield built
    built.ctx.close()


@pytest.fixture
def duty(center: Center) -> Iterator[TestClient]:
    with TestClient(dashboard_app(center.ctx)) as client:
        assert login(client, "duty").status_code == 303
        yield client


@pytest.fixture
def chief(center: Center) -> Iterator[TestClient]:
    with TestClient(dashboard_app(center.ctx)) as client:
        assert login(client, "chief").status_code == 303
        yield client


def issue(center: Center, title: str = "某教务系统远程代码执行漏洞", **changes: Any) -> str:
    values: dict[str, Any] = {
        "kind": "vulnerability",
        "title": title,
        "text": "请于 60 小时内完成排查、修复并反馈。",
        "due": DUE,
        "schools": [ONE, TWO, THREE],
        "audience_text": "、".join([ONE, TWO, THREE]),
        "issued_by": "chief",
        "issuer": "center",
        "now": NOW,
        **changes,
    }
    return issue_notice(center.ctx.state, center.ctx.home, **values).id


def status(center: Center, school: str, notice: str, what: str, at: datetime, **extra: str) -> None:
    found = NoticeStatus(notice_id=notice, status=what, at=at, **extra)
    assert store_statuses(center.ctx.state, school, [found], at) == 1


def rows(html: str, attribute: str = "data-school") -> list[str]:
    return re.findall(rf'<tr class="[^"]*" {attribute}="([^"]+)"', html)


def issue_form(client: TestClient, **fields: str) -> Any:
    page = client.get("/notices").text
    data = {"csrf": csrf_of(page), "scope": "all", "kind": "threat", "title": "勒索软件威胁预警", "due": "60h"}
    data.update(fields)
    return client.post("/notices", data=data, follow_redirects=False)


def notice_count(center: Center) -> int:
    with center.ctx.state.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(center_notices)).scalar_one())


def test_notices_need_a_login(center: Center) -> None:
    notice = issue(center)
    with TestClient(dashboard_app(center.ctx)) as client:
        for path in ("/notices", f"/notices/{notice}"):
            answer = client.get(path, follow_redirects=False)
            assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next=")
        assert client.post("/notices", data={}, follow_redirects=False).status_code == 303


def test_the_list_shows_notices_newest_first_with_counts(duty: TestClient, center: Center) -> None:
    older = issue(center, "较早的通报", now=NOW - timedelta(days=5))  # due 3 days ago: everyone overdue
    newer = issue(center, "最新的通报", kind="policy", schools=[], audience_text="全部学校")
    status(center, ONE, older, "rectified", NOW - timedelta(days=4), summary="已升级")
    html = duty.get("/notices").text
    assert '<a href="/notices" class="here">通报</a>' in html
    assert rows(html, "data-notice") == [newer, older]
    newest = html[html.index(f'data-notice="{newer}"') :]
    assert "工作要求" in newest and "全部学校" in newest and "2026-11-23 10:30" in newest  # Beijing time
    assert "2026-11-25 22:30" in newest  # due 60 h later
    older_row = re.search(rf'<tr class="overdue" data-notice="{older}">(.*?)</tr>', html, re.S)
    assert older_row, "the overdue notice is highlighted"
    numbers = re.findall(r'<td class="num">(?:<span class="overdue-text">)?(\d+)', older_row.group(1))
    assert numbers == ["3", "1", "2"]  # schools, rectified, overdue
    assert "漏洞通报" in older_row.group(1)
    assert 'id="form-issue"' not in html  # a duty officer sees no issue form


def test_the_notice_page_puts_overdue_schools_first_once_time_passes(duty: TestClient, center: Center) -> None:
    notice = issue(center, text="第一行\n第二行 <b>不是粗体</b>")
    status(center, ONE, notice, "received", NOW + timedelta(hours=1))
    status(center, ONE, notice, "rectified", NOW + timedelta(hours=10), summary="已升级到 3.2.1\n并复查")
    status(center, THREE, notice, "received", NOW + timedelta(hours=1))
    center.ctx.now = lambda: NOW + timedelta(hours=2)
    html = duty.get(f"/notices/{notice}").text
    assert rows(html) == [TWO, THREE, ONE]  # by status: not received, received, rectified
    assert "overdue" not in " ".join(re.findall(r'<tr class="([^"]*)" data-school', html))
    assert "未接收" in html and "已接收" in html and "已整改" in html and "剩余 2天10小时" in html
    assert "第一行\n第二行 &lt;b&gt;不是粗体&lt;/b&gt;" in html  # escaped, line breaks kept (pre-wrap)
    assert "已升级到 3.2.1\n并复查" in html and "按时整改" in html

    # TWO rectifies late; THREE never does: both overdue, and first.
    status(center, TWO, notice, "rectified", NOW + DUE + timedelta(hours=2), summary="补丁已安装")
    center.ctx.now = lambda: NOW + DUE + timedelta(hours=5)
    assert login(duty, "duty").status_code == 303  # the 8-hour session ran out meanwhile
    html = duty.get(f"/notices/{notice}").text
    assert rows(html) == [THREE, TWO, ONE]
    classes = re.findall(r'<tr class="([^"]*)" data-school', html)
    assert classes == ["overdue", "overdue", ""]
    three = html[html.index(f'data-school="{THREE}"') : html.index(f'data-school="{TWO}"')]
    assert "已超时 5小时0分" in three
    two = html[html.index(f'data-school="{TWO}"') : html.index(f'data-school="{ONE}"')]
    assert "超时整改（晚 2小时0分）" in two and "2026-11-26 00:30" in two  # rectified, Beijing time
    assert '<b id="notice-overdue">2</b>' in html and '<b id="notice-rectified">2</b>' in html


def test_a_refusal_reason_and_attachments_show(duty: TestClient, center: Center, tmp_path: Path) -> None:
    advisory = tmp_path / "advisory.txt"
    advisory.write_bytes(b"CVE-2026-0001")
    notice = issue(center, attachments=[advisory])
    status(center, TWO, notice, "refused", NOW + timedelta(hours=1), reason="不是本校系统")
    html = duty.get(f"/notices/{notice}").text
    assert "advisory.txt" in html and hashlib.sha256(b"CVE-2026-0001").hexdigest() in html
    assert "已拒收" in html and "拒收原因：不是本校系统" in html
    assert duty.get("/notices/n99999999").status_code == 404
    assert duty.get("/notices/..%2Fetc").status_code == 404


def test_titles_and_text_are_escaped(duty: TestClient, center: Center) -> None:
    notice = issue(center, "<script>alert(1)</script>通报", text="<img src=x onerror=alert(1)>")
    for path in ("/notices", f"/notices/{notice}", f"/schools/{ONE}"):
        html = duty.get(path).text
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;通报" in html
        assert "<img src=x" not in html


def test_a_school_page_lists_its_notices_with_its_status(duty: TestClient, center: Center) -> None:
    mine = issue(center, "发给一中的通报", schools=[ONE], audience_text=ONE)
    everyone = issue(center, "发给全部学校的通报", schools=[], audience_text="全部学校")
    other = issue(center, "发给二中的通报", schools=[TWO], audience_text=TWO)
    status(center, ONE, mine, "acknowledged", NOW + timedelta(minutes=5))
    html = duty.get(f"/schools/{ONE}").text
    section = html[html.index('id="school-notices"') : html.index('id="recent-alerts"')]
    assert set(rows(section, "data-notice")) == {mine, everyone} and other not in section
    assert "已确认" in section and "未接收" in section and "发给一中的通报" in section
    empty = duty.get(f"/schools/{FOUR}").text  # revoked: all-school notices skip it
    assert "没有发给该校的通报" in empty


def test_an_admin_issues_a_notice_through_the_form(chief: TestClient, center: Center) -> None:
    page = chief.get("/notices").text
    assert 'id="form-issue"' in page and 'value="60h"' in page
    answer = issue_form(
        chief,
        scope="schools",
        schools=f"{ONE}，{TWO}",
        kind="vulnerability",
        title="某 OA 系统文件上传漏洞",
        text="影响版本 < 5.0\n请升级",
        due="3d",
    )
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert re.fullmatch(r"/notices/n\d{14}[0-9a-f]{8}", location)
    [view] = notice_views(center.ctx.state, NOW, location.rsplit("/", 1)[1])
    assert [s.school for s in view.schools] == [ONE, TWO] and view.issued_by == "chief"
    assert view.kind == "vulnerability" and view.due_at == NOW + timedelta(days=3)
    html = chief.get(location).text
    assert "某 OA 系统文件上传漏洞" in html and "影响版本 &lt; 5.0\n请升级" in html and "漏洞通报" in html

    set_group(center.ctx.state, "高中", [ONE, TWO])
    assert 'value="高中"' in chief.get("/notices").text
    answer = issue_form(chief, scope="group", group="高中", title="按分组")
    assert answer.status_code == 303
    grouped = chief.get(answer.headers["location"]).text
    assert "分组 高中（2 所）" in grouped

    center.ctx.now = lambda: NOW + timedelta(minutes=1)  # newest first: a later issue time
    answer = issue_form(chief, title="发给全部学校")
    assert answer.status_code == 303
    [latest, *_] = notice_views(center.ctx.state, NOW)
    assert latest.title == "发给全部学校" and latest.audience == "全部学校" and latest.id in answer.headers["location"]
    assert {s.school for s in latest.schools} == {ONE, TWO, THREE, EVIL}  # not the revoked one


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"due": "5 weeks"}, "整改期限应写作小时或天数"),
        ({"due": "0h"}, "整改期限应写作小时或天数"),
        ({"due": "400d"}, "整改期限应写作小时或天数"),
        ({"title": "  "}, "请填写通报标题"),
        ({"kind": "rumour"}, "请选择通报类型"),
        ({"scope": "nobody"}, "请选择通报对象"),
        ({"scope": "schools", "schools": ""}, "请填写学校代码"),
        ({"scope": "schools", "schools": "41110100"}, "学校代码应为 10 位数字：41110100"),
        ({"scope": "schools", "schools": f"{ONE}, 4999999999"}, "以下学校未在中心注册：4999999999"),
        ({"scope": "schools", "schools": FOUR}, "接入已吊销"),
        ({"scope": "group", "group": "没有的分组"}, "分组 没有的分组 不存在或没有学校"),
    ],
)
def test_a_bad_form_is_refused_with_400_and_kept(
    chief: TestClient, center: Center, fields: dict[str, str], message: str
) -> None:
    answer = issue_form(chief, title=fields.pop("title", "保留的标题"), **fields)
    assert answer.status_code == 400 and message in answer.text
    assert 'id="notice-error"' in answer.text and 'id="form-issue"' in answer.text
    if "title" not in fields and message != "请填写通报标题":
        assert 'value="保留的标题"' in answer.text  # what was typed is kept
    assert notice_count(center) == 0


def test_a_service_error_shows_in_the_page(chief: TestClient, center: Center) -> None:
    (center.ctx.home / SIGNING_KEY_FILE).write_bytes(b"not a key")  # the center's signing key is damaged
    answer = issue_form(chief)
    assert answer.status_code == 400 and "未能签发通报" in answer.text and SIGNING_KEY_FILE in answer.text
    assert notice_count(center) == 0


def test_a_duty_officer_may_not_issue(duty: TestClient, center: Center) -> None:
    answer = issue_form(duty)
    assert answer.status_code == 403 and "值班员无权签发通报" in answer.text
    assert notice_count(center) == 0


def test_a_post_without_the_csrf_token_is_refused(chief: TestClient, center: Center) -> None:
    data = {"scope": "all", "kind": "threat", "title": "伪造的通报", "due": "60h"}
    assert chief.post("/notices", data=data, follow_redirects=False).status_code == 403
    answer = chief.post("/notices", data={**data, "csrf": "f" * 64}, follow_redirects=False)
    assert answer.status_code == 403 and "表单令牌" in answer.text
    assert notice_count(center) == 0


@pytest.mark.browser
def test_an_admin_issues_a_notice_in_the_browser(
    served: tuple[str, Center],  # noqa: F811
    browser: Any,  # noqa: F811
    screenshots: Path,  # noqa: F811
) -> None:
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    base, center = served
    with_admin(center)
    earlier = issue(center, "较早的漏洞通报", now=NOW - timedelta(days=4))
    status(center, ONE, earlier, "rectified", NOW - timedelta(days=3), summary="已修复")

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

    browser.get(base + "/notices")
    browser.find_element(By.NAME, "username").send_keys("chief")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    submit("form.login button")
    assert browser.current_url == base + "/notices"
    assert browser.find_element(By.CSS_SELECTOR, f'tr[data-notice="{earlier}"]').get_attribute("class") == "overdue"

    browser.find_element(By.CSS_SELECTOR, 'input[name=scope][value="schools"]').click()
    browser.find_element(By.NAME, "schools").send_keys(f"{ONE}, {TWO}, {THREE}")
    Select(browser.find_element(By.NAME, "kind")).select_by_visible_text("威胁预警")
    browser.find_element(By.NAME, "title").send_keys("关于防范勒索软件攻击的预警")
    browser.find_element(By.NAME, "text").send_keys("近期多所学校遭受勒索软件攻击。\n请立即检查备份并封禁 445 端口。")
    due = browser.find_element(By.NAME, "due")
    assert due.get_attribute("value") == "60h"
    submit("#form-issue button")
    assert re.fullmatch(re.escape(base) + r"/notices/n\d{14}[0-9a-f]{8}", browser.current_url)
    assert "关于防范勒索软件攻击的预警" in text("h1") and "威胁预警" in text("h1")
    assert "请立即检查备份" in text("#notice-text")
    shown = [r.get_attribute("data-school") for r in browser.find_elements(By.CSS_SELECTOR, "tr[data-school]")]
    assert sorted(shown) == [ONE, TWO, THREE]
    assert text("#notice-schools") == "3" and "未接收" in text("table.notice-schools")
    path = screenshots / "notice.png"
    assert browser.save_screenshot(str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 1000

    submit('header nav a[href="/notices"]')
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.notices tr[data-notice]")) == 2
    assert browser.find_elements(By.ID, "form-issue")  # the admin's form, under the list
    assert browser.save_screenshot(str(screenshots / "notices.png"))
