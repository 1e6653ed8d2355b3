"""The generic webhook: the text and the event as JSON, configured headers, and HTTP failures
(a 4xx is not tried again) as one line that names neither the URL's token nor a header's value."""

from __future__ import annotations

from pathlib import Path

from secops.notify import deliver, make_channel
from tests.unit.notify.servers import RobotServer, no_sleep


def test_text_event_and_headers_are_posted(robot: RobotServer, tmp_path: Path) -> None:
    channel = make_channel("webhook", url=f"{robot.url}/hook", headers={"X-Token": "tok-123", "X-Num": 7})
    assert deliver(channel, "提醒", {"incident": 3, "grade": "较大"}, tmp_path, sleep=no_sleep) is None
    (got,) = robot.received
    assert got.body == {"text": "提醒", "incident": 3, "grade": "较大"}
    assert got.headers["X-Token"] == "tok-123" and got.headers["X-Num"] == "7"
    assert got.headers["Content-Type"] == "application/json; charset=utf-8"


def test_a_refusal_is_not_retried_and_shows_no_secret(robot: RobotServer, tmp_path: Path) -> None:
    robot.answer(status=403, error="bad token tok-123")
    channel = make_channel("webhook", url=f"{robot.url}/hook?key=k-secret", headers={"X-Token": "tok-123"})
    assert deliver(channel, "x", {}, tmp_path, sleep=no_sleep) == "HTTP 403 Forbidden"
    assert len(robot.received) == 1
    assert channel.target() == f"{robot.url}/hook?key=*** (X-Token: ***)"


def test_nothing_listening_is_a_connection_error(tmp_path: Path) -> None:
    channel = make_channel("webhook", url="http://127.0.0.1:9/hook")
    reason = deliver(channel, "x", {}, tmp_path, timeout=1, sleep=no_sleep)
    assert reason == "cannot connect: Connection refused"


def test_a_login_in_the_url_is_basic_auth_and_never_a_host_name(robot: RobotServer, tmp_path: Path) -> None:
    import base64

    url = robot.url.replace("http://", "http://duty:p%40ss-9@") + "/hook?token=t-1"
    channel = make_channel("webhook", url=url)
    assert deliver(channel, "提醒", {}, tmp_path, sleep=no_sleep) is None
    (got,) = robot.received
    assert got.headers["Authorization"] == "Basic " + base64.b64encode(b"duty:p@ss-9").decode()
    assert got.path == "/hook" and "p@ss" not in channel.target() and "p%40ss" not in channel.target()
