"""The chat group robots schools use: DingTalk (钉钉自定义机器人, with 加签) and WeCom (企业微信群机器人).

Both answer HTTP 200 with ``errcode``/``errmsg``; a non-zero code is a refusal, reported with the
code and the robot's words. Only their rate limits are worth trying again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, Literal
from urllib.parse import quote_plus

from pydantic import Field, field_validator

from secops.i18n import N_, _
from secops.notify.base import (
    MASK,
    Channel,
    DeliveryError,
    Text,
    TextList,
    UrlSettings,
    mask_url,
    register,
    url_secrets,
)
from secops.notify.webhooks import post_json

DINGTALK_SECRET_PREFIX = "SEC"  # noqa: S105 - the prefix DingTalk gives every robot secret


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's custom-robot signature: HMAC-SHA256 keyed by the secret over
    ``timestamp + "\\n" + secret``, base64, then URL-encoded."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


def signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """The robot URL with ``timestamp`` and ``sign`` appended (DingTalk accepts it for an hour)."""
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def check_answer(robot: str, payload: bytes, rate_limited: frozenset[int], hints: dict[int, str]) -> None:
    """Raise a DeliveryError unless the robot answered errcode 0."""
    try:
        answer = json.loads(payload)
    except ValueError:
        answer = None
    if not isinstance(answer, dict) or "errcode" not in answer:
        raise DeliveryError(_("{robot} gave an answer that is not its JSON").format(robot=robot), retry=False)
    code = answer.get("errcode")
    if code == 0:
        return
    message = _("{robot} answered errcode {code}: {errmsg}").format(
        robot=robot, code=code, errmsg=str(answer.get("errmsg", "")).strip()[:160]
    )
    hint = hints.get(code) if isinstance(code, int) else None
    raise DeliveryError(f"{message} ({_(hint)})" if hint else message, retry=code in rate_limited)


class DingTalkSettings(UrlSettings):
    secret: Text | None = None  # 加签: the SEC... secret shown when the robot was added
    keyword: Text | None = None  # 自定义关键词: put in front of a text that lacks it
    msgtype: Literal["text", "markdown"] = "text"
    at_mobiles: TextList = Field(default_factory=list)
    at_all: bool = False

    @field_validator("secret")
    @classmethod
    def _sec(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(DINGTALK_SECRET_PREFIX):
            raise ValueError("secret must be the robot's 加签 secret, which starts with SEC")
        return value


@register
class DingTalk(Channel):
    """A DingTalk group robot: text or markdown, optional 加签 and @mentions."""

    name = "dingtalk"
    settings_model = DingTalkSettings
    settings: DingTalkSettings
    RATE_LIMITED: ClassVar[frozenset[int]] = frozenset({130101})  # "send too fast"
    HINTS: ClassVar[dict[int, str]] = {
        310000: N_("check the robot's 加签 secret, keywords and IP ranges"),
        300001: N_("check the access_token in the url"),
    }
    clock: Callable[[], float] = staticmethod(time.time)

    def body(self, text: str) -> dict[str, Any]:
        settings = self.settings
        if settings.keyword and settings.keyword not in text:
            text = f"【{settings.keyword}】{text}"
        if settings.at_mobiles:  # DingTalk highlights a mention only when the text carries it
            text += "\n" + " ".join(f"@{mobile}" for mobile in settings.at_mobiles)
        body: dict[str, Any] = {"msgtype": "text", "text": {"content": text}}
        if settings.msgtype == "markdown":
            title = text.splitlines()[0][:64] if text else "secops"
            body = {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
        if settings.at_mobiles or settings.at_all:
            body["at"] = {"atMobiles": settings.at_mobiles, "isAtAll": settings.at_all}
        return body

    def url(self) -> str:
        if not self.settings.secret:
            return self.settings.url
        return signed_url(self.settings.url, self.settings.secret, int(self.clock() * 1000))

    def deliver(self, text: str, event: dict[str, Any], workspace_dir: Path, timeout: float) -> None:
        payload = post_json(self.url(), self.body(text), timeout)
        check_answer("DingTalk", payload, self.RATE_LIMITED, self.HINTS)

    def target(self) -> str:
        extra = [_("signed")] if self.settings.secret else []
        extra += [f"@{m[:3]}{MASK}" for m in self.settings.at_mobiles] + (["@all"] if self.settings.at_all else [])
        return mask_url(self.settings.url) + (f" ({', '.join(extra)})" if extra else "")

    def secrets(self) -> list[str]:
        return [*url_secrets(self.settings.url), self.settings.secret or ""]


class WeComSettings(UrlSettings):
    msgtype: Literal["text", "markdown"] = "text"
    mentioned_mobile_list: TextList = Field(default_factory=list)  # "@all" mentions everyone; text messages only
    mentioned_list: TextList = Field(default_factory=list)  # WeCom user ids; text messages only


@register
class WeCom(Channel):
    """A WeCom (企业微信) group robot: text (with mentions) or markdown."""

    name = "wecom"
    settings_model = WeComSettings
    settings: WeComSettings
    RATE_LIMITED: ClassVar[frozenset[int]] = frozenset({45009})  # over 20 messages a minute
    HINTS: ClassVar[dict[int, str]] = {93000: N_("check the key in the url")}

    def body(self, text: str) -> dict[str, Any]:
        settings = self.settings
        if settings.msgtype == "markdown":
            return {"msgtype": "markdown", "markdown": {"content": text}}
        content: dict[str, Any] = {"content": text}
        if settings.mentioned_mobile_list:
            content["mentioned_mobile_list"] = settings.mentioned_mobile_list
        if settings.mentioned_list:
            content["mentioned_list"] = settings.mentioned_list
        return {"msgtype": "text", "text": content}

    def deliver(self, text: str, event: dict[str, Any], workspace_dir: Path, timeout: float) -> None:
        payload = post_json(self.settings.url, self.body(text), timeout)
        check_answer("WeCom", payload, self.RATE_LIMITED, self.HINTS)

    def target(self) -> str:
        mentions = [f"@{m[:3]}{MASK}" if m != "@all" else "@all" for m in self.settings.mentioned_mobile_list]
        return mask_url(self.settings.url) + (f" ({', '.join(mentions)})" if mentions else "")

    def secrets(self) -> list[str]:
        return url_secrets(self.settings.url)
