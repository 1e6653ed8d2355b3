"""JSON over HTTP(S): the one POST every web channel makes, and the generic webhook.

The standard library suffices (urllib): one JSON POST per notice needs no client library, and
notify stays a foundation package with nothing to configure.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from secops.i18n import _
from secops.notify.base import MASK, URL_SCHEMES, Channel, DeliveryError, UrlSettings, mask_url, register, url_secrets

PERMANENT_HTTP = range(400, 500)  # a refused request stays refused; 408 and 429 are the exceptions
RETRIED_HTTP = (408, 429)


def _without_login(url: str) -> tuple[str, str | None]:
    """The URL without its ``user:password@`` part, and that part (percent-decoded) when there is one."""
    from urllib.parse import unquote, urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    login = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment)), login


def post_json(url: str, body: dict[str, Any], timeout: float, headers: dict[str, str] | None = None) -> bytes:
    """POST ``body`` as UTF-8 JSON and return the answer's body; every failure is a DeliveryError
    whose message names the cause but not the URL (its query carries the robot's token)."""
    if not url.startswith(URL_SCHEMES):
        raise DeliveryError(_("only http(s) URLs are allowed"), retry=False)
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    url, login = _without_login(url)
    sent_headers = {**(headers or {}), "Content-Type": "application/json; charset=utf-8"}
    if login is not None:  # user:password@host is HTTP basic auth, never part of the host name
        sent_headers["Authorization"] = "Basic " + base64.b64encode(login.encode("utf-8")).decode("ascii")
    request = urllib.request.Request(url, data=data, headers=sent_headers)  # noqa: S310 - scheme checked above
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - configured by the school
            payload: bytes = response.read()
    except urllib.error.HTTPError as error:
        permanent = error.code in PERMANENT_HTTP and error.code not in RETRIED_HTTP
        raise DeliveryError(
            _("HTTP {code} {reason}").format(code=error.code, reason=error.reason), retry=not permanent
        ) from None
    except urllib.error.URLError as error:
        reason = error.reason
        text = reason.strerror if isinstance(reason, OSError) and reason.strerror else str(reason)
        raise DeliveryError(_("cannot connect: {reason}").format(reason=text)) from None
    except TimeoutError:
        raise DeliveryError(_("no answer within {seconds:g} s").format(seconds=timeout)) from None
    except OSError as error:
        raise DeliveryError(_("connection failed: {reason}").format(reason=error.strerror or error)) from None
    return payload


class WebhookSettings(UrlSettings):
    headers: dict[str, str] = Field(default_factory=dict)

    @field_validator("headers", mode="before")
    @classmethod
    def _text_values(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): str(v) for k, v in value.items()}
        return value


@register
class Webhook(Channel):
    """A generic JSON webhook: the text and the event's fields (and any headers configured)."""

    name = "webhook"
    settings_model = WebhookSettings
    settings: WebhookSettings

    def deliver(self, text: str, event: dict[str, Any], workspace_dir: Path, timeout: float) -> None:
        body = json.loads(json.dumps({"text": text, **event}, ensure_ascii=False, default=str))
        post_json(self.settings.url, body, timeout, self.settings.headers)

    def target(self) -> str:
        shown = mask_url(self.settings.url)
        if self.settings.headers:
            shown += " (" + ", ".join(f"{key}: {MASK}" for key in self.settings.headers) + ")"
        return shown

    def secrets(self) -> list[str]:
        return [*url_secrets(self.settings.url), *self.settings.headers.values()]
