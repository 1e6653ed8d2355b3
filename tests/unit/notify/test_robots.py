"""DingTalk (加签, mentions, keyword) and WeCom robots against a robot endpoint on 127.0.0.1: what they
post, and a refusal (errcode) as one clear line without the secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from pathlib import Path
from urllib.parse import quote_plus

import pytest

from secops.notify import deliver, make_channel, send
from secops.notify.robots import DingTalk, dingtalk_sign, signed_url
from tests.unit.notify.servers import RobotServer, no_sleep

SECRET = "SEC0123456789abcdef"
TIMESTAMP = 1700000000000


def _documented_sign(secret: str, timestamp: int) -> str:
    """DingTalk's documented recipe, written out again: HMAC-SHA256(secret, timestamp + "\\n" + secret),
    base64, URL-encoded."""
    string_to_sign = f"{timestamp}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), string_to_sign, digestmod=hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def test_the_signature_follows_the_documented_algorithm() -> None:
    assert dingtalk_sign(SECRET, TIMESTAMP) == _documented_sign(SECRET, TIMESTAMP)
    assert dingtalk_sign(SECRET, TIMESTAMP) == "TSZbRFUuvaSQaRKUpF970OPCb2%2FLcQAP3wOvwZIzBZk%3D"


def test_the_signed_url_carries_timestamp_and_sign() -> None:
    url = "https://oapi.dingtalk.com/robot/send?access_token=abc"
    assert (
        signed_url(url, SECRET, TIMESTAMP) == f"{url}&timestamp={TIMESTAMP}&sign={_documented_sign(SECRET, TIMESTAMP)}"
    )


def test_a_signed_robot_posts_a_signature_the_robot_can_verify(robot: RobotServer, tmp_path: Path) -> None:
    channel = make_channel("dingtalk", url=f"{robot.url}/robot/send?access_token=tok", secret=SECRET)
    before = int(time.time() * 1000)
    assert deliver(channel, "【时限提醒】测试", {}, tmp_path, sleep=no_sleep) is None
    (got,) = robot.received
    assert got.path == "/robot/send" and got.query["access_token"] == "tok"
    stamp = int(got.query["timestamp"])
    assert before <= stamp <= int(time.time() * 1000)
    # What DingTalk does on its side: recompute from the timestamp it received, compare.
    expected = base64.b64encode(hmac.new(SECRET.encode(), f"{stamp}\n{SECRET}".encode(), hashlib.sha256).digest())
    assert got.query["sign"] == expected.decode()
    assert got.body == {"msgtype": "text", "text": {"content": "【时限提醒】测试"}}


def test_the_clock_of_a_channel_fixes_the_timestamp(robot: RobotServer, tmp_path: Path) -> None:
    channel = make_channel("dingtalk", url=f"{robot.url}/robot/send?access_token=tok", secret=SECRET)
    assert isinstance(channel, DingTalk)
    channel.clock = lambda: TIMESTAMP / 1000
    assert deliver(channel, "x", {}, tmp_path, sleep=no_sleep) is None
    assert robot.received[0].query == {
        "access_token": "tok",
        "timestamp": str(TIMESTAMP),
        "sign": "TSZbRFUuvaSQaRKUpF970OPCb2/LcQAP3wOvwZIzBZk=",
    }


def test_mentions_keyword_and_markdown(robot: RobotServer, tmp_path: Path) -> None:
    url = f"{robot.url}/robot/send?access_token=tok"
    text_robot = make_channel("dingtalk", url=url, keyword="安全", at_mobiles=[13800000000], at_all=False)
    markdown_robot = make_channel("dingtalk", url=url, msgtype="markdown", at_all=True)
    assert send([text_robot, markdown_robot], "提醒\n第二行", {}, tmp_path, sleep=no_sleep) == {
        "1:dingtalk": "sent",
        "2:dingtalk": "sent",
    }
    assert robot.received[0].body == {
        "msgtype": "text",
        "text": {"content": "【安全】提醒\n第二行\n@13800000000"},
        "at": {"atMobiles": ["13800000000"], "isAtAll": False},
    }
    assert robot.received[1].body == {
        "msgtype": "markdown",
        "markdown": {"title": "提醒", "text": "提醒\n第二行"},
        "at": {"atMobiles": [], "isAtAll": True},
    }


def test_a_refused_signature_is_one_clear_line_without_the_secret(robot: RobotServer, tmp_path: Path) -> None:
    robot.answer(errcode=310000, errmsg=f"sign not match, more: [sign={SECRET}]")
    channel = make_channel("dingtalk", url=f"{robot.url}/robot/send?access_token=tok", secret=SECRET)
    reason = deliver(channel, "x", {}, tmp_path, sleep=no_sleep)
    assert reason is not None
    assert reason.startswith("DingTalk answered errcode 310000: sign not match")
    assert "加签" in reason and "\n" not in reason and SECRET not in reason
    assert len(robot.received) == 1  # a refusal is not retried


def test_a_rate_limit_is_tried_again(robot: RobotServer, tmp_path: Path) -> None:
    robot.answer(errcode=130101, errmsg="send too fast")
    channel = make_channel("dingtalk", url=f"{robot.url}/robot/send?access_token=tok")
    assert deliver(channel, "x", {}, tmp_path, sleep=no_sleep) is None
    assert len(robot.received) == 2


def test_an_http_error_names_the_status_and_not_the_token(robot: RobotServer, tmp_path: Path) -> None:
    for _ in range(3):
        robot.answer(status=502, errcode=-1)
    channel = make_channel("wecom", url=f"{robot.url}/cgi-bin/webhook/send?key=wecom-key-123")
    reason = deliver(channel, "x", {}, tmp_path, sleep=no_sleep)
    assert reason == "HTTP 502 Bad Gateway"
    assert len(robot.received) == 3


def test_wecom_text_with_mentions_and_markdown(robot: RobotServer, tmp_path: Path) -> None:
    url = f"{robot.url}/cgi-bin/webhook/send?key=k"
    text_robot = make_channel("wecom", url=url, mentioned_mobile_list=["13800000000", "@all"])
    markdown_robot = make_channel("wecom", url=url, msgtype="markdown")
    assert send([text_robot, markdown_robot], "**提醒**", {}, tmp_path, sleep=no_sleep) == {
        "1:wecom": "sent",
        "2:wecom": "sent",
    }
    assert robot.received[0].body == {
        "msgtype": "text",
        "text": {"content": "**提醒**", "mentioned_mobile_list": ["13800000000", "@all"]},
    }
    assert robot.received[1].body == {"msgtype": "markdown", "markdown": {"content": "**提醒**"}}


def test_wecom_refusal_names_errcode_and_errmsg(robot: RobotServer, tmp_path: Path) -> None:
    robot.answer(errcode=93000, errmsg="invalid webhook url")
    channel = make_channel("wecom", url=f"{robot.url}/cgi-bin/webhook/send?key=k")
    assert deliver(channel, "x", {}, tmp_path, sleep=no_sleep) == (
        "WeCom answered errcode 93000: invalid webhook url (check the key in the url)"
    )


def test_an_answer_that_is_not_the_robots_json_is_an_error(robot: RobotServer, tmp_path: Path) -> None:
    robot.answers.append((200, b"<html>portal login</html>"))  # a captive portal, say
    channel = make_channel("dingtalk", url=f"{robot.url}/robot/send?access_token=tok")
    assert deliver(channel, "x", {}, tmp_path, sleep=no_sleep) == "DingTalk gave an answer that is not its JSON"


def test_a_secret_that_is_not_a_dingtalk_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="starts with SEC"):
        make_channel("dingtalk", url="https://oapi.dingtalk.com/robot/send?access_token=x", secret="abc")


def test_targets_mask_tokens_secrets_and_mobiles() -> None:
    dingtalk = make_channel(
        "dingtalk",
        url="https://oapi.dingtalk.com/robot/send?access_token=0123abcd",
        secret=SECRET,
        at_mobiles=["13800000000"],
    )
    assert dingtalk.target() == "https://oapi.dingtalk.com/robot/send?access_token=*** (signed, @138***)"
    assert SECRET not in repr(dingtalk) and "0123abcd" not in repr(dingtalk)
