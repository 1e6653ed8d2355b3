"""Mail through the school's SMTP server: plain, STARTTLS or SSL, with an optional login.

The password may stay out of ``notifiers.yaml``: ``password_env`` names the environment variable
that holds it. A login is only offered over TLS, so a password never crosses the network in clear.
TLS verifies the server against the system's certificates (``cafile`` for a private CA).
"""

from __future__ import annotations

import base64
import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from secops.i18n import _
from secops.notify.base import MASK, Channel, ChannelSettings, DeliveryError, Text, TextList, register

DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}
SUBJECT_LENGTH = 80


class SmtpSettings(ChannelSettings):
    host: Text
    sender: Text = Field(alias="from")
    to: TextList
    security: Literal["none", "starttls", "ssl"] = "none"
    port: int | None = None  # by security: 25, 587 (STARTTLS) or 465 (SSL)
    username: Text | None = None
    password: Text | None = None
    password_env: Text | None = None  # the environment variable holding the password
    timeout: float | None = Field(default=None, gt=0, le=300)
    cafile: Text | None = None  # a private CA to trust instead of the system's certificates

    @field_validator("to")
    @classmethod
    def _someone(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("to needs at least one address")
        return value

    @model_validator(mode="after")
    def _login(self) -> SmtpSettings:
        if self.password and self.password_env:
            raise ValueError("give password or password_env, not both")
        if (self.password or self.password_env) and not self.username:
            raise ValueError("a password needs a username")
        if self.username and not (self.password or self.password_env):
            raise ValueError("username needs password or password_env")
        if self.username and self.security == "none":
            raise ValueError("a login needs security: starttls or ssl (the password would cross the network in clear)")
        return self

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]


def _subject(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else "secops"
    return first if len(first) <= SUBJECT_LENGTH else first[: SUBJECT_LENGTH - 1] + "…"


def _reply(error: smtplib.SMTPResponseException) -> str:
    reason = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
    return f"{error.smtp_code} {' '.join(str(reason).split())}"[:200]


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """smtplib's login, except for a non-ASCII name or password (smtplib encodes them as ASCII):
    AUTH PLAIN carries UTF-8 (RFC 4616), so those are sent that way."""
    if (user + password).isascii():
        smtp.login(user, password)
        return
    smtp.ehlo_or_helo_if_needed()
    if "plain" not in smtp.esmtp_features.get("auth", "").lower().split():
        raise DeliveryError(_("a non-ASCII password needs AUTH PLAIN, which the server does not offer"), retry=False)
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
    code, reply = smtp.docmd("AUTH", f"PLAIN {token}")
    if code not in (235, 503):  # 503: already authenticated
        raise smtplib.SMTPAuthenticationError(code, reply)


@register
class Smtp(Channel):
    """Mail through an SMTP server; the subject is the text's first line."""

    name = "smtp"
    settings_model = SmtpSettings
    settings: SmtpSettings

    def password(self) -> str | None:
        settings = self.settings
        if settings.password_env:
            value = os.environ.get(settings.password_env)
            if not value:
                raise DeliveryError(
                    _("the environment variable {name} (password_env) is not set").format(name=settings.password_env),
                    retry=False,
                )
            return value
        return settings.password

    def message(self, text: str) -> EmailMessage:
        message = EmailMessage()
        message["Subject"] = _subject(text)
        message["From"] = self.settings.sender
        message["To"] = ", ".join(self.settings.to)
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain=self.settings.sender.rpartition("@")[2] or None)
        message.set_content(text, charset="utf-8", cte="base64")  # 7-bit safe through any relay
        return message

    def deliver(self, text: str, event: dict[str, Any], workspace_dir: Path, timeout: float) -> None:
        settings = self.settings
        password = self.password()
        wait = settings.timeout or timeout
        try:
            context = ssl.create_default_context(cafile=settings.cafile) if settings.security != "none" else None
            self._send(self.message(text), password, wait, context)
        except DeliveryError:
            raise
        except smtplib.SMTPAuthenticationError as error:
            raise DeliveryError(
                _("login as {user} refused: {reply}").format(user=settings.username, reply=_reply(error)), retry=False
            ) from None
        except smtplib.SMTPRecipientsRefused as error:
            refused = ", ".join(sorted(error.recipients))
            raise DeliveryError(_("recipients refused: {to}").format(to=refused), retry=False) from None
        except smtplib.SMTPResponseException as error:  # sender refused, data refused, ...
            raise DeliveryError(
                _("the server refused: {reply}").format(reply=_reply(error)), retry=400 <= error.smtp_code < 500
            ) from None
        except smtplib.SMTPNotSupportedError as error:
            raise DeliveryError(
                _("the server does not support it: {reason}").format(reason=error), retry=False
            ) from None
        except smtplib.SMTPServerDisconnected:
            raise DeliveryError(_("the server closed the connection")) from None
        except ssl.SSLCertVerificationError as error:
            raise DeliveryError(
                _("TLS: the server's certificate is not trusted ({reason})").format(reason=error.verify_message),
                retry=False,
            ) from None
        except ssl.SSLError as error:
            raise DeliveryError(_("TLS failed: {reason}").format(reason=error.reason or error), retry=False) from None
        except smtplib.SMTPException as error:
            raise DeliveryError(_("SMTP failed: {reason}").format(reason=error), retry=False) from None
        except TimeoutError:
            raise DeliveryError(_("no answer within {seconds:g} s").format(seconds=wait)) from None
        except FileNotFoundError:
            raise DeliveryError(_("cafile {path} not found").format(path=settings.cafile), retry=False) from None
        except OSError as error:
            raise DeliveryError(
                _("cannot connect to {host}:{port}: {reason}").format(
                    host=settings.host, port=settings.effective_port, reason=error.strerror or error
                )
            ) from None

    def _send(self, message: EmailMessage, password: str | None, wait: float, context: ssl.SSLContext | None) -> None:
        settings = self.settings
        host, port = settings.host, settings.effective_port
        if settings.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=wait, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=wait)
        with smtp:
            if settings.security == "starttls":
                smtp.ehlo()
                if not smtp.has_extn("starttls"):
                    raise DeliveryError(_("the server does not offer STARTTLS"), retry=False)
                smtp.starttls(context=context)
                smtp.ehlo()
            if settings.username and password is not None:
                _login(smtp, settings.username, password)
            smtp.send_message(message)

    def target(self) -> str:
        settings = self.settings
        details: list[str] = [settings.security]
        if settings.username:
            details.append(f"login {settings.username}")
        if settings.password_env:
            details.append(f"password_env {settings.password_env}")
        elif settings.password:
            details.append(f"password {MASK}")
        return f"{settings.host}:{settings.effective_port} ({', '.join(details)}) -> {', '.join(settings.to)}"

    def secrets(self) -> list[str]:
        found = [self.settings.password or ""]
        if self.settings.password_env:
            found.append(os.environ.get(self.settings.password_env, ""))
        return found
