"""Notifiers for clock notices: generic JSON webhook, DingTalk and WeCom robots, SMTP, a local log.

Configured in the workspace file ``notifiers.yaml`` (a list; without it, the local log only)::

    - {type: dingtalk, url: "https://oapi.dingtalk.com/robot/send?access_token=..."}
    - {type: wecom, url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=..."}
    - {type: webhook, url: "https://duty.example.edu.cn/hook"}
    - {type: smtp, host: smtp.example.edu.cn, port: 25, from: secops@example.edu.cn, to: [duty@example.edu.cn]}
    - {type: log}

Each send is retried (3 attempts, 1 s then 2 s apart); a channel that still fails is recorded as
failed with a one-line reason, and the other channels still get the notice.
"""

from __future__ import annotations

import json
import smtplib
import time
import urllib.request
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from secops.content.yamlload import LineDict, load_yaml
from secops.errors import ContentError

TYPES = ("webhook", "dingtalk", "wecom", "smtp", "log")
LOG_FILE = "incident-notices.log"
ATTEMPTS = 3


def load_notifiers(workspace_dir: Path) -> list[dict[str, Any]]:
    path = Path(workspace_dir) / "notifiers.yaml"
    if not path.exists():
        return [{"type": "log"}]
    data = load_yaml(path)
    if not isinstance(data, list):
        raise ContentError(path, 1, "notifiers.yaml must be a list of notifiers")
    found = []
    for index, entry in enumerate(data):
        line = data.item_lines[index] if hasattr(data, "item_lines") else None
        if not isinstance(entry, LineDict) or entry.get("type") not in TYPES:
            raise ContentError(path, line, f"notifier {index + 1}: type must be one of {', '.join(TYPES)}")
        needed = {"webhook": ("url",), "dingtalk": ("url",), "wecom": ("url",), "smtp": ("host", "from", "to")}
        missing = [k for k in needed.get(str(entry["type"]), ()) if not entry.get(k)]
        if missing:
            raise ContentError(path, line, f"notifier {index + 1} ({entry['type']}): missing {', '.join(missing)}")
        if "url" in entry and not str(entry["url"]).startswith(("http://", "https://")):
            raise ContentError(path, line, f"notifier {index + 1}: url must start with http:// or https://")
        found.append(dict(entry))
    return found


def _post(url: str, body: dict[str, Any], timeout: float) -> None:
    if not url.startswith(("http://", "https://")):
        raise ValueError("only http(s) webhook URLs are allowed")
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - configured by the school
        payload = response.read()
    if b'"errcode"' in payload:  # DingTalk and WeCom answer 200 with an error code
        answer = json.loads(payload)
        if answer.get("errcode") not in (0, None):
            raise RuntimeError(f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}")


def _send_one(notifier: dict[str, Any], text: str, event: dict[str, Any], workspace_dir: Path, timeout: float) -> None:
    kind = notifier["type"]
    if kind == "log":
        with (Path(workspace_dir) / LOG_FILE).open("a", encoding="utf-8") as handle:
            handle.write(json.dumps({"text": text, **event}, ensure_ascii=False, default=str) + "\n")
    elif kind == "webhook":
        _post(str(notifier["url"]), {"text": text, **event}, timeout)
    elif kind in ("dingtalk", "wecom"):
        _post(str(notifier["url"]), {"msgtype": "text", "text": {"content": text}}, timeout)
    elif kind == "smtp":
        message = EmailMessage()
        message["Subject"] = text[:80]
        message["From"] = str(notifier["from"])
        recipients = notifier["to"] if isinstance(notifier["to"], list) else [notifier["to"]]
        message["To"] = ", ".join(map(str, recipients))
        message.set_content(text)
        with smtplib.SMTP(str(notifier["host"]), int(notifier.get("port", 25)), timeout=timeout) as smtp:
            smtp.send_message(message)


def send(
    notifiers: list[dict[str, Any]],
    text: str,
    event: dict[str, Any],
    workspace_dir: Path,
    *,
    timeout: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, str]:
    """Send to every notifier with retries; returns {channel: "sent" | "failed: reason"}."""
    outcome: dict[str, str] = {}
    for index, notifier in enumerate(notifiers):
        name = f"{index + 1}:{notifier['type']}"
        for attempt in range(ATTEMPTS):
            try:
                _send_one(notifier, text, event, workspace_dir, timeout)
                outcome[name] = "sent"
                break
            except Exception as error:  # network, HTTP and SMTP errors all mean: try again
                outcome[name] = f"failed: {type(error).__name__}: {str(error)[:120]}"
                if attempt + 1 < ATTEMPTS:
                    sleep(2**attempt)
    return outcome
