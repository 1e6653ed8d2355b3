"""What every channel shares: typed settings, the registry, and the one error a delivery raises.

A channel is a class with a ``name``, a typed settings model (what its entry in ``notifiers.yaml``
holds besides ``type``) and ``deliver``; ``@register`` adds it to ``CHANNELS``. Settings ignore
keys they do not know, as the file always has.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Annotated, Any, ClassVar, TypeVar
from urllib.parse import parse_qsl, urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, field_validator

URL_SCHEMES = ("http://", "https://")
URL_MESSAGE = "url must start with http:// or https://"
MASK = "***"


def _text(value: Any) -> Any:
    """Scalars as the text they were written as (a YAML number for a host is still its name)."""
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _text_list(value: Any) -> Any:
    """One value or a list of them (``to: a@b`` and ``to: [a@b, c@d]`` alike)."""
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


Text = Annotated[str, BeforeValidator(_text)]
TextList = Annotated[list[str], BeforeValidator(_text_list)]


class DeliveryError(Exception):
    """A channel could not deliver: one line naming the cause, free of secrets. ``retry`` is False
    when trying again cannot help (a refused signature, a wrong password)."""

    def __init__(self, message: str, *, retry: bool = True) -> None:
        super().__init__(message)
        self.retry = retry


class ChannelSettings(BaseModel):
    """What a channel's entry holds besides ``type``; ``name`` picks it out (``secops notify test NAME``)."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)
    name: Text | None = None


class UrlSettings(ChannelSettings):
    url: Text

    @field_validator("url")
    @classmethod
    def _http_only(cls, value: str) -> str:
        if not value.startswith(URL_SCHEMES):
            raise ValueError(URL_MESSAGE)
        return value


def mask_url(url: str) -> str:
    """A URL fit to show: query values (robot tokens and keys) and any user:password hidden."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    query = "&".join(f"{key}={MASK}" for key, _value in parse_qsl(parts.query, keep_blank_values=True))
    return f"{parts.scheme}://{host}{parts.path}" + (f"?{query}" if query else "")


def url_secrets(url: str) -> list[str]:
    """The parts of a URL that act as credentials: the query's values, and the URL as a whole."""
    return [url, *(value for _key, value in parse_qsl(urlsplit(url).query))]


def redact(text: str, secrets: list[str]) -> str:
    """``text`` with every secret replaced (an error message from a library may quote a URL)."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, MASK)
    return text


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
        """Send ``text`` (and the event's fields where the channel carries them); raise DeliveryError."""

    def target(self) -> str:
        """Where this channel delivers, fit to show (secrets masked)."""
        return ""

    def secrets(self) -> list[str]:
        """Values that must never appear in a message or a log (tokens, keys, passwords)."""
        return []

    @property
    def label(self) -> str:
        """The entry's ``name``, else its type."""
        return self.settings.name or self.name

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.target() or ''})"

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
