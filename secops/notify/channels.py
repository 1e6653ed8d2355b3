"""The channels a notice can go through, registered by the ``type`` name ``notifiers.yaml`` uses.

A channel is a class with a ``name``, a typed settings model (what its entry in ``notifiers.yaml``
holds besides ``type``) and ``deliver``; ``@register`` adds it to ``CHANNELS``. Settings ignore
keys they do not know, as the file always has.
"""

from __future__ import annotations

import json
import smtplib
import urllib.request
from abc import ABC, abstractmethod
from email.message import EmailMessage
from pathlib import Path
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

LOG_FILE = "incident-notices.log"
URL_SCHEMES = ("http://", "https://")
URL_MESSAGE = "url must start with http:// or https://"


def _text(value: Any) -> Any:
    """Scalars as the text they were written as (a YAML number for a host is still its name)."""
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _recipients(value: Any) -> Any:
    """``to`` is one address or a list of them."""
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


Text = Annotated[str, BeforeValidator(_text)]


class ChannelSettings(BaseModel):
    """What a channel's entry holds besides ``type``."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class LogSettings(ChannelSettings):
    pass


class UrlSettings(ChannelSettings):
    url: Text

    @field_validator("url")
    @classmethod
    def _http_only(cls, value: str) -> str:
        if not value.startswith(URL_SCHEMES):
            raise ValueError(URL_MESSAGE)
        return value


class SmtpSettings(ChannelSettings):
    host: Text
    sender: Text = Field(alias="from")
    to: Annotated[list[str], BeforeValidator(_recipients)]
    port: int = 25


class Channel(ABC):
    """One configured notifier; subclasses set ``name`` and ``settings_model`` and deliver."""

    name: ClassVar[str]
    settings_model: ClassVar[type[ChannelSettings]]

    def __init__(self, settings: ChannelSettings) -> None:
        if not isinstance(settings, self.settings_model):
            raise TypeError(f"{self.name} takes {self.settings_model.__name__}, not {type(settings).__name__}")
        self.settings = settings

    @abstractmethod
    def deliver(self, text: str, event: dict[str, Any], workspace_dir: Path, timeout: float) -> None:
        """Send ``text`` (and the event's fields where the channel carries them)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.settings!r})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.settings == self.settings

    def __hash__(self) -> int:
        return hash((type(self), self.settings))


CHANNELS: dict[str, type[Channel]] = {}  # the type name in notifiers.yaml -> its channel class
C = TypeVar("C", bound=type[Channel])


def register(cls: C) -> C:
    CHANNELS[cls.name] = cls
    return cls


def make_channel(kind: str, **settings: Any) -> Channel:
    """A channel from its type name and settings (validated; pydantic's error when they are wrong)."""
    cls = CHANNELS[kind]
    return cls(cls.settings_model.model_validate(settings))


def _post(url: str, body: dict[str, Any], timeout: float) -> None:
    if not url.startswith(URL_SCHEMES):
        raise ValueError("only http(s) webhook URLs are allowed")
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - configured by the school
        payload = response.read()
    if b'"errcode"' in payload:  # DingTalk and WeCom answer 200 with an error code
        answer = json.loads(payload)
        if answer.get("errcode") not in (0, None):
            raise RuntimeError(f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}")


@register
class Webhook(Channel):
    """A generic JSON webhook: the text and the event's fields."""

    name = "webhook"
    settings_model = UrlSettings
    settings: UrlSettings

    def deliver(self, text: str, event: dict[str, Any], workspace_dir: Path, timeout: float) -> None:
        _post(self.settings.url, {"text": text, **event}, timeout)


class _GroupRobot(Channel):
    """A chat group robot that takes a plain text message (DingTalk and WeCom share the format)."""

    settings_model = UrlSettings
    settings: UrlSettings

    def deliver(self, text: str, event: dict[str, Any], workspace_dir: Path, timeout: float) -> None:
        _post(self.settings.url, {"msgtype": "text", "text": {"content": text}}, timeout)


@register
class DingTalk(_GroupRobot):
    """A DingTalk group robot (text message)."""

    name = "dingtalk"


@register
class WeCom(_GroupRobot):
    """A WeCom (企业微信) group robot (text message)."""

    name = "wecom"


@register
class Smtp(Channel):
    """Mail through an SMTP relay; the subject is the first 80 characters of the text."""

    name = "smtp"
    settings_model = SmtpSettings
    settings: SmtpSettings

    def deliver(self, text: str, event: dict[str, Any], workspace_dir: Path, timeout: float) -> None:
        message = EmailMessage()
        message["Subject"] = text[:80]
        message["From"] = self.settings.sender
        message["To"] = ", ".join(self.settings.to)
        message.set_content(text)
        with smtplib.SMTP(self.settings.host, self.settings.port, timeout=timeout) as smtp:
            smtp.send_message(message)


@register
class Log(Channel):
    """A JSON line per notice in the workspace's ``incident-notices.log`` (always available)."""

    name = "log"
    settings_model = LogSettings
    settings: LogSettings

    def deliver(self, text: str, event: dict[str, Any], workspace_dir: Path, timeout: float) -> None:
        with (Path(workspace_dir) / LOG_FILE).open("a", encoding="utf-8") as handle:
            handle.write(json.dumps({"text": text, **event}, ensure_ascii=False, default=str) + "\n")
