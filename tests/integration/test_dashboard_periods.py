"""重要时段 in the dashboard: the list (current periods first, today's missing count), one period's
days with the schools that submitted their 零报告 (Beijing times, 迟报, 自动/人工) and those missing
once the deadline has passed, the ``?day=`` filter, the define form (admins only, CSRF-protected,
POST-redirect-GET) and the overview's line; over HTTP against a real center state database, and one
definition through the form in headless Chromium.

The dashboard's clock is build_center's NOW, 2026-11-23 10:30 Beijing time: the period runs from
the 21st to the 25th with a 16:00 deadline, so the 21st and 22nd are due and the 23rd is not, until
the clock moves to 16:30.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from secops.center.notices import set_group
from secops.center.periods import find_period, issue_period, missing_schools, periods, store_zero_reports
from secops.center.signing_key import SIGNING_KEY_FILE
from secops.center.staff import add_user
from secops.protocol.zero_reports import ZeroReport, deadline_at
from secops.store.schema import center_periods
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

D21, D22, D23 = date(2026, 11, 21), date(2026, 11, 22), date(2026, 11, 23)
AFTER = deadline_at(D23, "16:30")  # the 23rd's deadline has passed


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


def define(center: Center, name: str = "2026 年重要会议", **changes: Any) -> str:
    values: dict[str, Any] = {
        "name": name,
        "start": D21,
        "end": D21 + timedelta(days=4),
        "deadline": "16:00",
        "schools": [],
        "audience_text": "全部学校",
        "issued_by": "chief",
        "issuer": "center",
        "now": NOW - timedelta(days=3),
        **changes,
    }
    return issue_period(center.ctx.state, center.ctx.home, **values).id


def report(
    center: Center, school: str, day: date, at: str, by: str = "auto", incidents: list[int] | None = None
) -> None:
    """A school's report for ``day`` submitted at ``at`` (HH:MM Beijing, on ``day`` or, "+HH:MM", the next)."""
    moment = deadline_at(day + timedelta(days=1), at[1:]) if at.startswith("+") else deadline_at(day, at)
    found = ZeroReport(
        school=school,
        day=day,
        kind="incidents" if incidents else "zero",
        incidents=incidents or [],
        submitted_at=moment,
        submitted_by=by,
    )
    [result] = store_zero_reports(center.ctx.state, school, [found], moment + timedelta(minutes=1))
    assert result.status == "stored"


def reported(center: Center) -> str:
    """The usual period: ONE always on time (automatic) except a late 22nd (by hand), TWO with two
    incidents on the 22nd only, THREE and EVIL never."""
    period = define(center)
    report(center, ONE, D21, "15:00")
    report(center, ONE, D22, "17:30", by="person")
    report(center, TWO, D22, "15:59", incidents=[7, 9])
    report(center, ONE, D23, "09:05")
    return period


def rows(html: str, attribute: str = "data-school") -> list[str]:
    return re.findall(rf'<tr class="[^"]*" {attribute}="([^"]+)"', html)


def day_section(html: str, day: date) -> str:
    start = html.index(f'id="day-{day.isoformat()}"')
    end = html.find("</section>", start)
    return html[start:end]


def classed(section: str, cls: str) -> list[str]:
    return re.findall(rf'<tr class="[^"]*\b{cls}\b[^"]*" data-school="([^"]+)"', section)


def define_form(client: TestClient, **fields: str) -> Any:
    page = client.get("/periods").text
    data = {
        "csrf": csrf_of(page),
        "name": "2027 年高考",
        "start": "2026-11-24",
        "end": "2026-11-27",
        "deadline": "16:00",
        "scope": "all",
    }
    data.update(fields)
    return client.post("/periods", data=data, follow_redirects=False)


def period_count(center: Center) -> int:
    with center.ctx.state.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(center_periods)).scalar_one())


def test_periods_need_a_login(center: Center) -> None:
    period = define(center)
    with TestClient(dashboard_app(center.ctx)) as client:
        for path in ("/periods", f"/periods/{period}"):
            answer = client.get(path, follow_redirects=False)
            assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next=")
        assert client.post("/periods", data={}, follow_redirects=False).status_code == 303
    assert period_count(center) == 1


def test_the_list_puts_current_periods_first_with_todays_missing_count(duty: TestClient, center: Center) -> None:
    ended = define(center, "国庆", start=date(2026, 10, 1), end=date(2026, 10, 7), now=NOW - timedelta(days=60))
    current = reported(center)
    upcoming = define(center, "元旦", start=date(2026, 12, 31), end=date(2027, 1, 2), now=NOW)
    assert [p.id for p in periods(center.ctx.state)] == [upcoming, current, ended]  # by first day
    html = duty.get("/periods").text
    assert '<a href="/periods" class="here">重要时段</a>' in html
    assert rows(html, "data-period") == [current, upcoming, ended]
    row = html[html.index(f'data-period="{current}"') : html.index(f'data-period="{upcoming}"')]
    assert "进行中" in row and "2026-11-21 至 2026-11-25" in row and "16:00（北京时间）" in row and "全部学校" in row
    assert "截止未到，3 所尚未报送" in row  # 10:30: nobody missing today yet
    assert "未开始" in html[html.index(f'data-period="{upcoming}"') :] and "已结束" in html
    assert 'id="form-period"' not in html  # a duty officer sees no define form

    center.ctx.now = lambda: AFTER  # six hours on: the 8-hour session still holds
    html = duty.get("/periods").text
    assert re.search(rf'<tr class="overdue" data-period="{current}">', html)
    row = html[html.index(f'data-period="{current}"') : html.index(f'data-period="{upcoming}"')]
    assert f'href="/periods/{current}?day=2026-11-23">3</a>' in row  # TWO, THREE, EVIL


def test_missing_schools_show_after_the_deadline_and_not_before(duty: TestClient, center: Center) -> None:
    period = reported(center)
    html = duty.get(f"/periods/{period}").text
    assert re.findall(r'data-day="([\d-]+)"', html) == ["2026-11-23", "2026-11-22", "2026-11-21"]  # newest first
    today = day_section(html, D23)
    assert "截止时间未到" in today and classed(today, "missing") == []
    assert classed(today, "waiting") == [TWO, THREE, EVIL] and classed(today, "submitted") == [ONE]
    assert "尚未报送（截止 16:00）" in today
    yesterday = day_section(html, D22)
    assert classed(yesterday, "missing") == [THREE, EVIL] and classed(yesterday, "submitted") == [ONE, TWO]
    assert re.findall(r'<tr class="([^"]*)" data-school', yesterday)[:2] == ["overdue missing", "overdue missing"]
    assert FOUR not in html  # revoked: not asked
    first = day_section(html, D21)
    assert classed(first, "missing") == [TWO, THREE, EVIL]
    assert [s.school for s in missing_schools(center.ctx.state, period, D22, NOW)] == [THREE, EVIL]

    center.ctx.now = lambda: AFTER  # six hours on: the 8-hour session still holds
    today = day_section(duty.get(f"/periods/{period}").text, D23)
    assert classed(today, "missing") == [TWO, THREE, EVIL] and classed(today, "waiting") == []
    assert "截止时间未到" not in today and '<b class="day-missing overdue-text">3</b>' in today


def test_submissions_show_beijing_times_late_and_how(duty: TestClient, center: Center) -> None:
    period = reported(center)
    html = duty.get(f"/periods/{period}").text
    yesterday = day_section(html, D22)
    one = yesterday[yesterday.index(f'data-school="{ONE}"') : yesterday.index(f'data-school="{TWO}"')]
    assert "零报告" in one and "2026-11-22 17:30:00" in one and "迟报" in one and "人工" in one
    two = yesterday[yesterday.index(f'data-school="{TWO}"') :]
    assert "事件 2 起" in two and "2026-11-22 15:59:00" in two and "迟报" not in two and "自动" in two
    assert "2026-11-22 16:00" in yesterday  # the deadline, Beijing time
    first = day_section(html, D21)
    assert "2026-11-21 15:00:00" in first and "迟报" not in first and "自动" in first
    assert "第一实验中学" in first


def test_the_day_filter(duty: TestClient, center: Center) -> None:
    period = reported(center)
    html = duty.get(f"/periods/{period}?day=2026-11-22").text
    assert re.findall(r'data-day="([\d-]+)"', html) == ["2026-11-22"]
    assert '<option value="2026-11-22" selected>' in html
    options = re.findall(r'<option value="([\d-]+)"', html)
    assert options == ["2026-11-23", "2026-11-22", "2026-11-21"]  # only days begun
    for bad, message in (
        ("22-11-2026", "日期格式应为 YYYY-MM-DD"),
        ("2026-02-30", "日期格式应为 YYYY-MM-DD"),
        ("2026-11-30", "不在该时段内"),
        ("2026-11-24", "尚未开始"),
    ):
        answer = duty.get(f"/periods/{period}", params={"day": bad})
        assert answer.status_code == 400 and message in answer.text and 'id="day-error"' in answer.text
        assert len(re.findall(r'data-day="', answer.text)) == 3  # everything shown instead
    assert duty.get("/periods/z99999999999999aaaaaaaa").status_code == 404
    assert duty.get("/periods/2026 年重要会议").status_code == 404  # ids only, not names
    assert duty.get("/periods/..%2Fetc").status_code == 404


def test_the_overview_counts_todays_missing_schools(duty: TestClient, center: Center) -> None:
    assert 'id="zero-missing"' not in duty.get("/").text  # no period today: no line
    period = reported(center)
    html = duty.get("/").text
    assert 'id="stat-zero-missing"' in html and "今日零报告未报学校" in html
    assert f'<a href="/periods/{period}?day=2026-11-23">0</a>' in html
    assert "截止时间未到，3 所尚未报送" in html

    center.ctx.now = lambda: AFTER  # six hours on: the 8-hour session still holds
    html = duty.get("/").text
    assert '<div class="stat bad" id="zero-missing">' in html
    assert f'<a href="/periods/{period}?day=2026-11-23">3</a>' in html
    start = html.index('id="periods-today"')
    section = html[start : html.index("</section>", start)]
    assert "3 所：" in section and f'href="/schools/{TWO}"' in section and f'href="/schools/{ONE}"' not in section

    define(center, "另一个时段", schools=[ONE], audience_text=ONE, now=NOW)
    html = duty.get("/").text
    assert '<a href="/periods">3</a>' in html  # two periods today: the list


def test_names_are_escaped(duty: TestClient, center: Center) -> None:
    period = define(center, "<script>alert(1)</script>高考")
    center.ctx.now = lambda: AFTER  # six hours on: the 8-hour session still holds
    for path in ("/periods", f"/periods/{period}", "/"):
        html = duty.get(path).text
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;高考" in html


def test_an_admin_defines_a_period_through_the_form(chief: TestClient, center: Center) -> None:
    page = chief.get("/periods").text
    assert 'id="form-period"' in page and 'value="16:00"' in page
    answer = define_form(chief, scope="schools", schools=f"{ONE}，{TWO}", deadline="17:30")
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert re.fullmatch(r"/periods/z\d{14}[0-9a-f]{8}", location)
    made = find_period(center.ctx.state, location.rsplit("/", 1)[1])
    assert made.name == "2027 年高考" and made.schools == [ONE, TWO] and made.issued_by == "chief"
    assert (made.start, made.end, made.deadline) == (date(2026, 11, 24), date(2026, 11, 27), "17:30")
    html = chief.get(location).text
    assert "2027 年高考" in html and "2026-11-24 至 2026-11-27" in html and "17:30（北京时间）" in html
    assert 'id="no-days"' in html  # begins tomorrow

    set_group(center.ctx.state, "高中", [ONE, TWO])
    assert 'value="高中"' in chief.get("/periods").text
    answer = define_form(chief, scope="group", group="高中", name="按分组", start="2026-11-23")
    assert answer.status_code == 303
    grouped = chief.get(answer.headers["location"]).text
    assert "分组 高中（2 所）" in grouped and 'data-day="2026-11-23"' in grouped
    assert period_count(center) == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "  "}, "请填写重要时段名称"),
        ({"name": "长" * 101}, "名称最多 100 个字"),
        ({"start": "2026/11/24"}, "开始日期应写作 YYYY-MM-DD"),
        ({"end": "明天"}, "结束日期应写作 YYYY-MM-DD"),
        ({"end": "2026-11-23"}, "结束日期不能早于开始日期"),
        ({"start": "2026-11-01", "end": "2026-11-22"}, "结束日期已过"),
        ({"end": "2027-12-31"}, "最长 366 天"),
        ({"deadline": "24:00"}, "每日截止时间应写作 HH:MM"),
        ({"deadline": "4pm"}, "每日截止时间应写作 HH:MM"),
        ({"scope": "nobody"}, "请选择重要时段对象"),
        ({"scope": "schools", "schools": "41110100"}, "学校代码应为 10 位数字：41110100"),
        ({"scope": "schools", "schools": f"{ONE}, 4999999999"}, "以下学校未在中心注册：4999999999"),
        ({"scope": "schools", "schools": FOUR}, "接入已吊销，不能发送重要时段"),
        ({"scope": "group", "group": "没有的分组"}, "分组 没有的分组 不存在或没有学校"),
    ],
)
def test_a_bad_form_is_refused_with_400_and_kept(
    chief: TestClient, center: Center, fields: dict[str, str], message: str
) -> None:
    answer = define_form(chief, **fields)
    assert answer.status_code == 400 and message in answer.text
    assert 'id="period-error"' in answer.text and 'id="form-period"' in answer.text
    if "start" not in fields:
        assert 'value="2026-11-24"' in answer.text  # what was typed is kept
    assert period_count(center) == 0


def test_a_service_error_shows_in_the_page(chief: TestClient, center: Center) -> None:
    (center.ctx.home / SIGNING_KEY_FILE).write_bytes(b"not a key")
    answer = define_form(chief)
    assert answer.status_code == 400 and "未能定义重要时段" in answer.text
    assert period_count(center) == 0


def test_a_duty_officer_may_not_define(duty: TestClient, center: Center) -> None:
    answer = define_form(duty)
    assert answer.status_code == 403 and "值班员无权定义重要时段" in answer.text
    assert period_count(center) == 0


def test_a_post_without_the_csrf_token_is_refused(chief: TestClient, center: Center) -> None:
    data = {"name": "伪造的时段", "start": "2026-11-24", "end": "2026-11-25", "deadline": "16:00", "scope": "all"}
    assert chief.post("/periods", data=data, follow_redirects=False).status_code == 403
    answer = chief.post("/periods", data={**data, "csrf": "f" * 64}, follow_redirects=False)
    assert answer.status_code == 403 and "表单令牌" in answer.text
    assert period_count(center) == 0


@pytest.mark.browser
def test_an_admin_defines_a_period_in_the_browser(
    served: tuple[str, Center],  # noqa: F811
    browser: Any,  # noqa: F811
    screenshots: Path,  # noqa: F811
) -> None:
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    base, center = served
    with_admin(center)

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

    browser.get(base + "/periods")
    browser.find_element(By.NAME, "username").send_keys("chief")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    submit("form.login button")
    assert browser.current_url == base + "/periods"
    assert "还没有定义重要时段" in browser.find_element(By.ID, "periods").text

    browser.find_element(By.NAME, "name").send_keys("全省重要会议保障")
    browser.find_element(By.NAME, "start").send_keys("2026-11-21")
    browser.find_element(By.NAME, "end").send_keys("2026-11-25")
    assert browser.find_element(By.NAME, "deadline").get_attribute("value") == "16:00"
    submit("#form-period button")
    assert re.fullmatch(re.escape(base) + r"/periods/z\d{14}[0-9a-f]{8}", browser.current_url)
    assert "全省重要会议保障" in browser.find_element(By.TAG_NAME, "h1").text

    report(center, ONE, D21, "15:00")
    report(center, ONE, D22, "17:30", by="person")
    report(center, TWO, D22, "15:59", incidents=[7, 9])
    report(center, ONE, D23, "09:05")
    report(center, TWO, D23, "10:20", by="person")
    center.ctx.now = lambda: AFTER
    browser.refresh()
    WebDriverWait(browser, 15).until(lambda b: b.execute_script("return document.readyState") == "complete")
    days = [s.get_attribute("data-day") for s in browser.find_elements(By.CSS_SELECTOR, "section.period-day")]
    assert days == ["2026-11-23", "2026-11-22", "2026-11-21"]
    today = browser.find_element(By.ID, "day-2026-11-23")
    missing = [r.get_attribute("data-school") for r in today.find_elements(By.CSS_SELECTOR, "tr.missing")]
    assert missing == [THREE, EVIL]
    assert "迟报" in browser.find_element(By.ID, "day-2026-11-22").text
    path = screenshots / "periods.png"
    assert browser.save_screenshot(str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 1000

    submit('header nav a[href="/"]')
    assert browser.find_element(By.ID, "stat-zero-missing").text == "2"
    submit('header nav a[href="/periods"]')
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.periods tr[data-period]")) == 1
    assert browser.save_screenshot(str(screenshots / "periods-list.png"))
