"""Notifiers: the channel registry, typed settings from notifiers.yaml with file:line errors, and
sending with retries (one dead channel does not stop the others)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from secops.errors import SecopsError
from secops.notify import load_notifiers, make_channel, send


class _Hook(BaseHTTPRequestHandler):
    bodies: ClassVar[list[dict[str, Any]]] = []
    failures = 1

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if _Hook.failures > 0:
            _Hook.failures -= 1
            self.send_response(500)
            self.end_headers()
            return
        _Hook.bodies.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"errcode": 0, "errmsg": "ok"}')

    def log_message(self, *args: Any) -> None:
        pass


def test_dingtalk_notice_is_retried_and_delivered(tmp_path: Path) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/robot/send"
        outcome = send([make_channel("dingtalk", url=url)], "【时限提醒 50%】测试", {}, tmp_path, sleep=lambda _s: None)
    finally:
        server.shutdown()
    assert outcome == {"1:dingtalk": "sent"}
    assert _Hook.bodies == [{"msgtype": "text", "text": {"content": "【时限提醒 50%】测试"}}]


def test_a_dead_channel_is_reported_and_others_still_get_the_notice(tmp_path: Path) -> None:
    notifiers = [make_channel("webhook", url="http://127.0.0.1:9/none"), make_channel("log")]
    outcome = send(notifiers, "提醒", {"x": 1}, tmp_path, timeout=0.5, sleep=lambda _s: None)
    assert outcome["1:webhook"].startswith("failed:") and outcome["2:log"] == "sent"


def test_bad_notifier_config_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "notifiers.yaml").write_text("- {type: log}\n- {type: pager}\n", encoding="utf-8")
    with pytest.raises(SecopsError, match="type must be one of"):
        load_notifiers(tmp_path)


def test_unknown_channel_lists_the_registered_names_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "notifiers.yaml").write_text("- {type: log}\n- {type: pager}\n", encoding="utf-8")
    with pytest.raises(SecopsError) as error:
        load_notifiers(tmp_path)
    assert str(error.value).endswith(
        "notifiers.yaml:2: notifier 2: type must be one of webhook, dingtalk, wecom, smtp, log"
    )


def test_without_the_file_the_local_log_only(tmp_path: Path) -> None:
    assert load_notifiers(tmp_path) == [make_channel("log")]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{type: smtp, host: mail, to: a@b}", "notifiers.yaml:1: notifier 1 (smtp): missing from"),
        ("{type: wecom}", "notifiers.yaml:1: notifier 1 (wecom): missing url"),
        ("{type: webhook, url: ftp://x}", "notifiers.yaml:1: notifier 1: url must start with http:// or https://"),
        ("[webhook]", "notifiers.yaml:1: notifier 1: type must be one of"),
    ],
)
def test_settings_errors_name_the_file_and_line(tmp_path: Path, entry: str, message: str) -> None:
    (tmp_path / "notifiers.yaml").write_text(f"- {entry}\n", encoding="utf-8")
    with pytest.raises(SecopsError) as error:
        load_notifiers(tmp_path)
    assert message in str(error.value)


def test_typed_settings_are_checked_at_load_with_the_key_line(tmp_path: Path) -> None:
    text = "- type: smtp\n  host: mail.example.edu.cn\n  from: secops@example.edu.cn\n  to: duty@example.edu.cn\n"
    (tmp_path / "notifiers.yaml").write_text(text + "  port: twenty-five\n", encoding="utf-8")
    with pytest.raises(SecopsError, match=r"notifiers.yaml:5: notifier 1 \(smtp\): port: "):
        load_notifiers(tmp_path)
    (tmp_path / "notifiers.yaml").write_text(text + "  port: '2525'\n  extra: kept quiet\n", encoding="utf-8")
    (smtp,) = load_notifiers(tmp_path)
    assert smtp.name == "smtp"
    assert smtp.settings.model_dump(by_alias=True, exclude_unset=True) == {
        "host": "mail.example.edu.cn",
        "from": "secops@example.edu.cn",
        "to": ["duty@example.edu.cn"],
        "port": 2525,
    }


def test_the_registry_builds_every_channel_from_the_file(tmp_path: Path) -> None:
    (tmp_path / "notifiers.yaml").write_text(
        "- {type: dingtalk, url: 'https://oapi.dingtalk.com/robot/send?access_token=x'}\n"
        "- {type: wecom, url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x'}\n"
        "- {type: webhook, url: 'https://duty.example.edu.cn/hook'}\n"
        "- {type: smtp, host: smtp.example.edu.cn, from: a@example.edu.cn, to: [b@example.edu.cn, c@example.edu.cn]}\n"
        "- {type: log}\n",
        encoding="utf-8",
    )
    assert [channel.name for channel in load_notifiers(tmp_path)] == ["dingtalk", "wecom", "webhook", "smtp", "log"]


def test_the_log_channel_writes_one_json_line(tmp_path: Path) -> None:
    assert send([make_channel("log")], "提醒", {"x": 1}, tmp_path) == {"1:log": "sent"}
    assert json.loads((tmp_path / "incident-notices.log").read_text(encoding="utf-8")) == {"text": "提醒", "x": 1}
