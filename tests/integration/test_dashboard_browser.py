"""The dashboard in a real browser: Debian's chromium (headless) through chromedriver and selenium,
against the dashboard served by uvicorn on a loopback port. Screenshots go to SECOPS_SCREENSHOTS
(default out/screenshots), which CI keeps."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from tests.integration.test_dashboard import EVIL_NAME, ONE, PASSWORD, Center, build_center, dashboard_app

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
REPO = Path(__file__).resolve().parents[2]


def _missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            return f"{path} is missing (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    return None


@pytest.fixture
def screenshots() -> Path:
    folder = Path(os.environ.get("SECOPS_SCREENSHOTS") or REPO / "out" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Center]]:
    """The dashboard on 127.0.0.1, a free port taken by binding it ourselves (no race with other tests)."""
    center = build_center(tmp_path / "center")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(dashboard_app(center.ctx), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", center
    server.should_exit = True
    thread.join(10)
    sock.close()
    center.ctx.close()


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    reason = _missing()
    if reason:
        message = f"dashboard browser test skipped: {reason}"
        if os.environ.get("SECOPS_TEST_BROWSER_REQUIRED"):
            pytest.fail(message)
        print(message)  # loud in -ra output and in logs, not only in the skip summary
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    monkeypatch.setenv("SE_OFFLINE", "true")  # selenium-manager must not look for drivers online
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--window-size=1366,2000",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-proxy-server",
        # Nothing but loopback: every other host name fails to resolve inside this browser.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--lang=zh-CN",
    ):
        options.add_argument(argument)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # chromium refuses to run as root with its sandbox
    service = Service(executable_path=shutil.which(CHROMEDRIVER) or CHROMEDRIVER)
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def test_staff_browse_the_dashboard(served: tuple[str, Center], browser: Any, screenshots: Path) -> None:
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    base, center = served

    def submit(selector: str) -> None:
        """Click and wait until the browser has loaded the page the click led to (not the old one)."""
        old = browser.find_element(By.TAG_NAME, "html")
        browser.find_element(By.CSS_SELECTOR, selector).click()

        def replaced(_driver: Any) -> bool:
            # Chromium may answer a node of the page being replaced with "does not belong to the
            # document" instead of "stale": both mean the old page is gone.
            try:
                old.is_enabled()
            except WebDriverException:  # StaleElementReferenceException is one too
                return True
            return False

        WebDriverWait(browser, 15).until(replaced)
        WebDriverWait(browser, 15).until(lambda b: b.execute_script("return document.readyState") == "complete")

    def text(selector: str) -> str:
        return str(browser.find_element(By.CSS_SELECTOR, selector).text)

    def shot(name: str) -> None:
        assert browser.save_screenshot(str(screenshots / f"dashboard-{name}.png"))

    # Any page sends an anonymous visitor to the login form.
    browser.get(base + "/incidents")
    assert browser.current_url.startswith(base + "/login?next=")
    shot("login")
    browser.find_element(By.NAME, "username").send_keys("duty")
    browser.find_element(By.NAME, "password").send_keys("not the password")
    submit("form.login button")
    assert "用户名或密码错误" in text("form.login .errors")

    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    submit("form.login button")
    assert browser.current_url == base + "/incidents"  # back where the visitor wanted to go
    cookies = {c["name"]: c for c in browser.get_cookies()}
    assert cookies["secops_session"]["httpOnly"] and cookies["secops_session"]["sameSite"] == "Strict"

    # Incidents: overdue first, highlighted.
    rows = browser.find_elements(By.CSS_SELECTOR, "table.incidents tbody tr")
    assert [r.get_attribute("data-incident") for r in rows] == [
        str(center.incidents[k]) for k in ("overdue", "running", "plain")
    ]
    assert "overdue" in (rows[0].get_attribute("class") or "") and "已超时 2小时0分" in rows[0].text
    shot("incidents")

    # Overview: the stylesheet applied (CSP allows our own), counts, charts, silent schools.
    submit('header nav a[href="/"]')
    assert text("h1") == "概览"
    header = browser.find_element(By.TAG_NAME, "header")
    assert header.value_of_css_property("background-color") in ("rgba(19, 41, 75, 1)", "rgb(19, 41, 75)")
    assert text("#stat-alerts-24h") == "4" and text("#stat-silent") == "1" and text("#stat-overdue") == "1"
    assert text("#stat-forwarder-silent") == "1" and "第三小学" in text("#forwarder-silent")
    bars = browser.find_elements(By.CSS_SELECTOR, "#over-time svg rect.bar")
    assert len(bars) == 54 and max(float(b.get_attribute("height") or 0) for b in bars) > 100
    silent = text("#silent")
    assert "第二中学" in silent and "第三小学" not in silent and "第四中学" not in silent
    assert EVIL_NAME in text("#top-schools")  # shown as text, never run as markup
    shot("overview")

    # A school's page, reached by its link.
    submit(f'#top-schools a[href="/schools/{ONE}"]')
    assert browser.current_url == f"{base}/schools/{ONE}"
    assert "第一实验中学" in text("h1") and text("#school-status") == "正常"
    assert len(browser.find_elements(By.CSS_SELECTOR, "#recent-alerts tr[data-alert]")) == 6
    assert "网页篡改" in text("#school-incidents")
    shot("school")

    # Alerts, filtered through the form (no JavaScript involved).
    submit('header nav a[href="/alerts"]')
    browser.find_element(By.NAME, "school").send_keys(ONE)
    Select(browser.find_element(By.NAME, "severity")).select_by_visible_text("高危")
    Select(browser.find_element(By.NAME, "since")).select_by_visible_text("最近 24 小时")
    submit("form.filters button")
    assert "school=" + ONE in browser.current_url and "severity=high" in browser.current_url
    rows = browser.find_elements(By.CSS_SELECTOR, "table.alerts tr[data-alert]")
    assert sorted(r.find_elements(By.TAG_NAME, "td")[3].text for r in rows) == ["SSH 暴力破解", "网页后门上传"]
    assert "共 2 条" in text(".pager")
    shot("alerts")

    # Logging out ends the session: the next page asks for a login again.
    submit("header form button")
    assert browser.current_url == base + "/login"
    browser.get(base + "/")
    assert browser.current_url.startswith(base + "/login")
