"""应急演练 in the dashboard: the list of drills asked (newest first, with how many schools finished,
run, have not started or are overdue), one drill with each school's state and drill minutes, the
comparison across schools (fastest first report first, filtered by scenario) with its chart, and the
schedule form (admins only, CSRF-protected, POST-redirect-GET); over HTTP against a real center
state database, and the page in headless Chromium.

The dashboard's clock is build_center's NOW, 2026-11-23 10:30 Beijing time. The usual drill was
asked three days before with a two-day deadline, so a school that has not run it is overdue.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from secops.center.drills import comparison, drills, find_drill, issue_drill, store_results
from secops.center.notices import set_group
from secops.center.signing_key import SIGNING_KEY_FILE
from secops.center.staff import add_user
from secops.protocol.drills import DrillResult, Milestones
from secops.store.schema import center_drills, center_outbound
from tests.integration.test_dashboard import (
    EVIL,
    EVIL_NAME,
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

ASKED = NOW - timedelta(days=3)
DRILL_PATH = re.compile(r"/drills/d\d{14}[0-9a-f]{8}")


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


def ask(center: Center, scenario: str = "webshell-portal", **changes: Any) -> str:
    values: dict[str, Any] = {
        "scenario": scenario,
        "title": "",
        "text": "请于期限内完成演练。",
        "speed": 10.0,
        "due": timedelta(days=2),
        "schools": [ONE, TWO, THREE],
        "audience_text": "指定学校 3 所",
        "issued_by": "chief",
        "issuer": "center",
        "now": ASKED,
        **changes,
    }
    return issue_drill(center.ctx.state, center.ctx.home, **values).id


def ran(
    center: Center,
    school: str,
    request: str | None,
    *,
    drill: int = 1,
    scenario: str = "webshell-portal",
    reported: float | None = 42.0,
    acknowledged: float | None = 3.0,
    started: timedelta = timedelta(days=2, hours=12),  # before NOW
    finished: bool = True,
    steps: tuple[int, int] = (5, 6),
    clocks: tuple[int, int] = (2, 2),
) -> None:
    """``school``'s drill number ``drill`` answering ``request``, sent as its forwarder would."""
    start = NOW - started
    result = DrillResult(
        drill=drill,
        request=request,
        scenario=scenario,
        speed=10,
        state="finished" if finished else "running",
        started_at=start,
        finished_at=start + timedelta(minutes=30) if finished else None,
        milestones=Milestones(acknowledged=acknowledged, reported=reported, contained=95.5, recovered=240, closed=300)
        if finished
        else Milestones(),
        steps_met=steps[0] if finished else 0,
        steps_total=steps[1] if finished else 0,
        clocks_met=clocks[0] if finished else 0,
        clocks_total=clocks[1] if finished else 0,
    )
    assert store_results(center.ctx.state, school, [result], start + timedelta(hours=1)) == 1


def count(center: Center, table: sa.Table) -> int:
    with center.ctx.state.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def rows(html: str, attribute: str = "data-school") -> list[str]:
    return re.findall(rf'<tr class="[^"]*" {attribute}="([^"]+)"', html)


def section(html: str, marker: str) -> str:
    start = html.index(marker)
    return html[start : html.find("</section>", start)]


def row(html: str, school: str) -> str:
    start = html.index(f'data-school="{school}"')
    return html[start : html.find("</tr>", start)]


def schedule_form(client: TestClient, **fields: str) -> Any:
    page = client.get("/drills").text
    data = {
        "csrf": csrf_of(page),
        "scenario": "ransomware-xueji",
        "speed": "10",
        "due": "14d",
        "title": "",
        "text": "本学期第一次演练",
        "scope": "all",
    }
    data.update(fields)
    return client.post("/drills", data=data, follow_redirects=False)


def test_drills_need_a_login(center: Center) -> None:
    drill = ask(center)
    with TestClient(dashboard_app(center.ctx)) as client:
        for path in ("/drills", f"/drills/{drill}", "/drills?scenario=webshell-portal"):
            answer = client.get(path, follow_redirects=False)
            assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next=")
        assert client.post("/drills", data={}, follow_redirects=False).status_code == 303
    assert len(drills(center.ctx.state)) == 1


def test_the_empty_list(duty: TestClient) -> None:
    answer = duty.get("/drills")
    assert answer.status_code == 200
    html = answer.text
    assert '<a href="/drills" class="here">演练</a>' in html
    assert html.index('href="/periods"') < html.index('href="/drills"') < html.index('href="/compliance"')
    assert "还没有安排演练" in html and "还没有学校完成演练" in html
    assert 'id="report-chart"' not in html
    assert 'id="form-drill"' not in html  # a duty officer sees no schedule form


def test_the_list_counts_each_drills_schools_newest_first(duty: TestClient, center: Center) -> None:
    old = ask(center, now=ASKED - timedelta(days=10), title="上学期的演练")
    usual = ask(center)
    later = ask(
        center, "exam-ddos", now=NOW - timedelta(hours=1), due=timedelta(days=14), schools=[], audience_text="全部学校"
    )
    ran(center, ONE, usual)
    ran(center, TWO, usual, finished=False)
    ran(center, ONE, old, drill=2, started=timedelta(days=8))  # finished after that one's deadline
    html = duty.get("/drills").text
    assert rows(html, "data-drill") == [later, usual, old]
    assert re.search(rf'<tr class="overdue" data-drill="{usual}">', html)
    assert re.search(rf'<tr class="" data-drill="{later}">', html)
    usual_row = html[html.index(f'data-drill="{usual}"') : html.index(f'data-drill="{old}"')]
    assert "门户网站被植入网页后门" in usual_row and "倍速 10" in usual_row and "指定学校 3 所" in usual_row
    assert "2026-11-22 10:30" in usual_row and "已截止" in usual_row  # the deadline, Beijing time
    cells = re.findall(r'<td class="num drill-(\w+)">(.*?)</td>', usual_row)
    assert [(k, re.sub(r"<[^>]+>", "", v)) for k, v in cells] == [
        ("finished", "1"),
        ("running", "1"),
        ("waiting", "0"),
        ("overdue", "1"),  # THREE
    ]
    later_row = html[html.index(f'data-drill="{later}"') : html.index(f'data-drill="{usual}"')]
    assert "考试期间考试系统遭受 DDoS 攻击" in later_row and "全部学校" in later_row and "共 4 所" in later_row
    assert "已截止" not in later_row and '<td class="num drill-waiting">4</td>' in later_row  # FOUR revoked
    old_row = html[html.index(f'data-drill="{old}"') :]
    assert "其中逾期 1" in old_row
    assert f'href="/drills/{usual}"' in html


def test_a_drill_page_shows_each_school(duty: TestClient, center: Center) -> None:
    drill = ask(center, title="", text="第一行\n<b>第二行</b>")
    ran(center, ONE, drill, reported=42.0, acknowledged=3.25, steps=(5, 6), clocks=(1, 2))
    ran(center, TWO, drill, finished=False)
    answer = duty.get(f"/drills/{drill}")
    assert answer.status_code == 200
    html = answer.text
    assert "<h1>应急演练：门户网站被植入网页后门</h1>" in html  # the scenario's name by default
    assert "webshell-portal，一般，预案 webshell" in html and '<td id="drill-speed">10</td>' in html
    assert '<b id="drill-due">2026-11-22 10:30</b>' in html and '<b id="drill-overdue">1</b>' in html
    assert "第一行\n&lt;b&gt;第二行&lt;/b&gt;" in html
    table = section(html, 'id="drill-schools-table"')
    assert rows(table) == [THREE, TWO, ONE]  # overdue, running, finished
    assert re.search(rf'<tr class="overdue" data-school="{THREE}">', table)
    three = row(table, THREE)
    assert "逾期未开展" in three and "overdue-text" in three and "已过，尚未开展" in three
    assert "进行中" in row(table, TWO) and "演练进行中（倍速 10）" in row(table, TWO)
    one = row(table, ONE)
    assert "已完成" in one and "第一实验中学" in one
    assert re.findall(r'<td class="num">([^<]+)</td>', one) == ["3.2", "42", "95.5", "240"]
    assert "83%" in one and "5/6" in one and "50%" in one and "1/2" in one
    assert "2026-11-20 22:30" in one and "2026-11-20 23:00" in one  # started, finished (Beijing)
    assert FOUR not in table and EVIL not in table  # not asked


def test_a_drill_finished_after_its_deadline_is_late(duty: TestClient, center: Center) -> None:
    drill = ask(center, schools=[ONE], audience_text=ONE)
    ran(center, ONE, drill, started=timedelta(hours=5))  # the deadline was yesterday
    table = section(duty.get(f"/drills/{drill}").text, 'id="drill-schools-table"')
    assert (
        re.search(rf'<tr class="late" data-school="{ONE}">', table)
        and '<span class="tag late">逾期完成</span>' in table
    )


def test_a_school_becomes_overdue_when_the_clock_passes_the_deadline(duty: TestClient, center: Center) -> None:
    drill = ask(center, now=NOW - timedelta(hours=2), due=timedelta(hours=3))
    ran(center, ONE, drill, started=timedelta(hours=1))
    html = duty.get(f"/drills/{drill}").text
    assert rows(section(html, 'id="drill-schools-table"')) == [TWO, THREE, ONE]
    assert "overdue-text" not in section(html, 'id="drill-schools-table"') and '<b id="drill-waiting">2</b>' in html
    center.ctx.now = lambda: NOW + timedelta(hours=2)  # the 8-hour session still holds
    html = duty.get(f"/drills/{drill}").text
    table = section(html, 'id="drill-schools-table"')
    assert re.findall(r'<tr class="overdue" data-school="(\d+)"', table) == [TWO, THREE]
    assert '<b id="drill-overdue">2</b>' in html and "已截止" in html


def test_unknown_or_malformed_ids_are_not_found(duty: TestClient, center: Center) -> None:
    ask(center)
    for path in ("/drills/d99999999999999aaaaaaaa", "/drills/webshell-portal", "/drills/D1", "/drills/d" + "9" * 500):
        answer = duty.get(path)
        assert answer.status_code == 404 and "<h1>未找到：演练 " in answer.text
    assert duty.get("/drills/..%2Fetc").status_code == 404


def test_the_comparison_puts_the_fastest_first_report_first(duty: TestClient, center: Center) -> None:
    drill = ask(center)
    ran(center, ONE, drill, reported=42.0)
    ran(center, TWO, drill, reported=12.5)
    ran(center, THREE, drill, reported=None, acknowledged=7)  # never reported: last
    ran(center, EVIL, None, scenario="exam-ddos", reported=30)  # a drill of its own
    ran(center, ONE, None, drill=2, scenario="webshell-portal", reported=90, started=timedelta(days=5))  # older
    assert [r.school for r in comparison(center.ctx.state, "webshell-portal")] == [TWO, ONE, THREE]
    html = duty.get("/drills").text
    compared = section(html, 'id="compare"')
    table = compared[compared.index('<table class="compare">') :]
    assert re.findall(r'<tr data-school="(\d+)" data-scenario="([\w-]+)"', table) == [
        (TWO, "webshell-portal"),
        (EVIL, "exam-ddos"),
        (ONE, "webshell-portal"),
        (THREE, "webshell-portal"),
    ]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;实验学校" in table and EVIL_NAME not in html
    assert "自行开展" in row(table, EVIL) and f'href="/drills/{drill}">中心要求' in row(table, ONE)
    assert re.findall(r'<td class="num">([^<]+)</td>', row(table, ONE))[:4] == ["3", "42", "95.5", "240"]
    assert re.findall(r'<td class="num">([^<]+)</td>', row(table, THREE))[:2] == ["7", "—"]
    chart = section(html, 'id="report-chart"')
    chart = chart[: chart.index("</figure>")]
    assert "首次报告用时（演练分钟）：4 所学校，最长 42 分钟" in chart
    widths = dict(re.findall(r'<tr data-school="(\d+)">.*?(?:width="([\d.]+)"></rect>|未报告)', chart, re.S))
    assert widths == {TWO: "119.0", EVIL: "285.7", ONE: "400.0", THREE: ""}
    assert "<title>第二中学：12.5 分钟</title>" in chart

    html = duty.get("/drills", params={"scenario": "webshell-portal"}).text
    table = section(html, 'id="compare"')
    assert re.findall(r'<tr data-school="(\d+)" data-scenario', table) == [TWO, ONE, THREE]
    assert '<option value="webshell-portal" selected>门户网站被植入网页后门（一般）</option>' in html

    html = duty.get("/drills", params={"scenario": "student-data-leak"}).text
    assert "还没有学校完成该场景的演练" in html and 'id="report-chart"' not in html


@pytest.mark.parametrize("bad", ["no-such-drill", "<script>alert(1)</script>", "../etc", "x" * 500, "WEBSHELL-PORTAL"])
def test_an_unknown_scenario_filter_is_a_400(duty: TestClient, center: Center, bad: str) -> None:
    drill = ask(center)
    ran(center, ONE, drill)
    answer = duty.get("/drills", params={"scenario": bad})
    assert answer.status_code == 400 and 'id="compare-error"' in answer.text
    assert "没有演练场景" in answer.text and "已显示全部场景" in answer.text
    assert "<script>alert(1)</script>" not in answer.text
    assert re.findall(r'<tr data-school="(\d+)" data-scenario', answer.text) == [ONE]  # everything instead


def test_a_scenario_only_a_school_knows_can_be_compared(duty: TestClient, center: Center) -> None:
    ran(center, ONE, None, scenario="new-scenario-2027")
    answer = duty.get("/drills", params={"scenario": "new-scenario-2027"})
    assert answer.status_code == 200 and '<option value="new-scenario-2027" selected>' in answer.text
    assert re.findall(r'<tr data-school="(\d+)" data-scenario', answer.text) == [ONE]


def test_titles_and_texts_are_escaped(duty: TestClient, center: Center) -> None:
    drill = ask(center, title="<script>alert(1)</script>演练", text="<img src=x onerror=alert(1)>")
    for path in ("/drills", f"/drills/{drill}"):
        html = duty.get(path).text
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;演练" in html
        assert "<img src=x" not in html


def test_an_admin_schedules_a_drill_through_the_form(chief: TestClient, center: Center) -> None:
    page = chief.get("/drills").text
    assert 'id="form-drill"' in page and 'name="speed" maxlength="10" required inputmode="decimal" value="1"' in page
    assert 'value="14d"' in page
    options = re.findall(r'<option value="([\w-]+)" >([^<]+)</option>', section(page, 'id="form-drill"'))
    assert ("webshell-portal", "门户网站被植入网页后门（一般，预案 webshell）") in options
    assert len(options) == 4
    answer = schedule_form(chief, scope="schools", schools=f"{ONE}，{TWO}", speed="12.5", due="72h")
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert DRILL_PATH.fullmatch(location)
    made = find_drill(center.ctx.state, location.rsplit("/", 1)[1])
    assert (made.scenario, made.title, made.text, made.speed) == (
        "ransomware-xueji",
        "学籍服务器遭勒索病毒加密",
        "本学期第一次演练",
        12.5,
    )
    assert made.schools == [ONE, TWO] and made.issued_by == "chief" and made.due_at == NOW + timedelta(hours=72)
    with center.ctx.state.engine.connect() as conn:
        sealed = conn.execute(sa.select(center_outbound).where(center_outbound.c.id == made.id)).one()
    assert sealed.kind == "drill" and sealed.schools == [ONE, TWO]
    html = chief.get(location).text
    assert "<h1>应急演练：学籍服务器遭勒索病毒加密</h1>" in html and '<td id="drill-speed">12.5</td>' in html
    assert rows(section(html, 'id="drill-schools-table"')) == [ONE, TWO] and "未开展" in html

    set_group(center.ctx.state, "高中", [ONE, TWO])
    assert 'value="高中"' in chief.get("/drills").text
    answer = schedule_form(chief, scope="group", group="高中", title="  高中组演练 ", scenario="exam-ddos")
    assert answer.status_code == 303
    grouped = chief.get(answer.headers["location"]).text
    assert "<h1>应急演练：高中组演练</h1>" in grouped and "分组 高中（2 所）" in grouped
    assert count(center, center_drills) == 2 and count(center, center_outbound) == 2
    listed = chief.get("/drills").text
    assert len(rows(listed, "data-drill")) == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"scenario": "no-such-drill"}, "请选择一个演练场景"),
        ({"scenario": ""}, "请选择一个演练场景"),
        ({"speed": "0"}, "倍速应为 1 至 60 之间的数字"),
        ({"speed": "100"}, "倍速应为 1 至 60 之间的数字"),
        ({"speed": "nan"}, "倍速应为 1 至 60 之间的数字"),
        ({"speed": "十"}, "倍速应为 1 至 60 之间的数字"),
        ({"due": "2w"}, "完成期限应写作小时或天数"),
        ({"due": "0h"}, "完成期限应写作小时或天数"),
        ({"due": "91d"}, "1 小时至 90 天"),
        ({"due": ""}, "完成期限应写作小时或天数"),
        ({"title": "长" * 201}, "演练标题最多 200 个字"),
        ({"text": "字" * 5001}, "演练说明最多 5000 个字"),
        ({"text": "第一行\x00"}, "不能包含控制字符"),
        ({"title": "标题\n第二行"}, "不能包含控制字符"),
        ({"scope": "nobody"}, "请选择演练对象"),
        ({"scope": "group", "group": ""}, "请选择一个分组"),
        ({"scope": "group", "group": "没有的分组"}, "分组 没有的分组 不存在或没有学校"),
        ({"scope": "schools", "schools": ""}, "请填写学校代码"),
        ({"scope": "schools", "schools": "41110100"}, "学校代码应为 10 位数字：41110100"),
        ({"scope": "schools", "schools": f"{ONE}, 4999999999"}, "以下学校未在中心注册：4999999999"),
        ({"scope": "schools", "schools": FOUR}, "接入已吊销，不能发送演练"),
    ],
)
def test_a_bad_form_is_refused_with_400_and_kept(
    chief: TestClient, center: Center, fields: dict[str, str], message: str
) -> None:
    answer = schedule_form(chief, **fields)
    assert answer.status_code == 400 and message in answer.text
    assert 'id="drill-error"' in answer.text and 'id="form-drill"' in answer.text
    if "text" not in fields:
        assert "本学期第一次演练</textarea>" in answer.text  # what was typed is kept
    if "scenario" not in fields:
        assert '<option value="ransomware-xueji" selected>' in answer.text
    assert count(center, center_drills) == 0 and count(center, center_outbound) == 0


def test_a_service_error_shows_in_the_page(chief: TestClient, center: Center) -> None:
    (center.ctx.home / SIGNING_KEY_FILE).write_bytes(b"not a key")
    answer = schedule_form(chief)
    assert answer.status_code == 400 and "未能安排演练" in answer.text
    assert count(center, center_drills) == 0 and count(center, center_outbound) == 0


def test_a_duty_officer_may_not_schedule(duty: TestClient, center: Center) -> None:
    answer = schedule_form(duty)
    assert answer.status_code == 403 and "值班员无权安排应急演练" in answer.text
    assert count(center, center_drills) == 0


def test_a_post_without_the_csrf_token_is_refused(chief: TestClient, center: Center) -> None:
    data = {"scenario": "webshell-portal", "speed": "1", "due": "14d", "scope": "all"}
    assert chief.post("/drills", data=data, follow_redirects=False).status_code == 403
    answer = chief.post("/drills", data={**data, "csrf": "f" * 64}, follow_redirects=False)
    assert answer.status_code == 403 and "表单令牌" in answer.text
    assert count(center, center_drills) == 0 and count(center, center_outbound) == 0


@pytest.mark.browser
def test_an_admin_schedules_a_drill_in_the_browser(
    served: tuple[str, Center],  # noqa: F811
    browser: Any,  # noqa: F811
    screenshots: Path,  # noqa: F811
) -> None:
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

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

    browser.get(base + "/")
    browser.find_element(By.NAME, "username").send_keys("chief")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    submit("form.login button")
    submit('header nav a[href="/drills"]')
    assert browser.current_url == base + "/drills"
    assert "还没有安排演练" in browser.find_element(By.ID, "drills").text

    Select(browser.find_element(By.CSS_SELECTOR, '#form-drill select[name="scenario"]')).select_by_value(
        "webshell-portal"
    )
    speed = browser.find_element(By.CSS_SELECTOR, '#form-drill input[name="speed"]')
    speed.clear()
    speed.send_keys("10")
    browser.find_element(By.CSS_SELECTOR, 'input[name="scope"][value="schools"]').click()
    browser.find_element(By.NAME, "schools").send_keys(f"{ONE},{TWO},{THREE}")
    submit("#form-drill button")
    assert DRILL_PATH.fullmatch(browser.current_url.removeprefix(base))
    assert "门户网站被植入网页后门" in browser.find_element(By.TAG_NAME, "h1").text
    drill = browser.current_url.rsplit("/", 1)[1]

    ran(center, ONE, drill, reported=42.0, started=timedelta(hours=-1))
    ran(center, TWO, drill, reported=12.5, started=timedelta(hours=-2))
    ran(center, EVIL, None, drill=3, scenario="exam-ddos", reported=30.0)
    center.ctx.now = lambda: NOW + timedelta(days=15)  # past the 14-day deadline: THREE is overdue
    browser.get(base + f"/drills/{drill}")  # the session has expired meanwhile: log in again
    assert browser.current_url.startswith(base + "/login?next=")
    browser.find_element(By.NAME, "username").send_keys("chief")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    submit("form.login button")
    states = [
        (r.get_attribute("data-school"), r.find_elements(By.TAG_NAME, "td")[2].text)
        for r in browser.find_elements(By.CSS_SELECTOR, "table.drill-schools tr[data-school]")
    ]
    assert states == [(THREE, "逾期未开展"), (ONE, "已完成"), (TWO, "已完成")]
    overdue = browser.find_element(By.CSS_SELECTOR, f'tr[data-school="{THREE}"] td')
    assert overdue.value_of_css_property("background-color") in ("rgba(253, 236, 234, 1)", "rgb(253, 236, 234)")
    path = screenshots / "drill.png"
    assert browser.save_screenshot(str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 1000

    submit('header nav a[href="/drills"]')
    bars = browser.find_elements(By.CSS_SELECTOR, "#report-chart rect.hbar")
    assert len(bars) == 3 and max(float(b.get_attribute("width") or 0) for b in bars) == 400
    compared = [r.get_attribute("data-school") for r in browser.find_elements(By.CSS_SELECTOR, "table.compare tr")[1:]]
    assert compared == [TWO, EVIL, ONE]
    assert browser.save_screenshot(str(screenshots / "drills.png"))


def test_the_overview_counts_schools_overdue_on_open_drills(duty: TestClient, center: Center) -> None:
    assert 'id="drills-overdue"' not in duty.get("/").text  # no drill: no line
    ask(center, now=NOW - timedelta(days=40), title="很久以前的演练")  # closed long ago: not counted
    assert 'id="drills-overdue"' not in duty.get("/").text
    drill = ask(center)
    ran(center, ONE, drill)
    html = duty.get("/").text
    assert '<div class="stat bad" id="drills-overdue">' in html and "近期 1 个演练" in html
    assert f'<b id="stat-drills-overdue"><a href="/drills/{drill}">2</a></b>' in html  # TWO, THREE
    ask(center, "exam-ddos", now=NOW, due=timedelta(days=14))
    html = duty.get("/").text
    assert '<b id="stat-drills-overdue"><a href="/drills">2</a></b>' in html and "近期 2 个演练" in html
