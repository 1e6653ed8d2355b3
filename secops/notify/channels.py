"""The channels a notice can go through, registered by the ``type`` name ``notifiers.yaml`` uses,
in the order they are listed: webhook, DingTalk, WeCom, SMTP, the local log."""

from __future__ import annotations

from secops.notify.base import (
    CHANNELS,
    URL_MESSAGE,
    URL_SCHEMES,
    Channel,
    ChannelSettings,
    DeliveryError,
    UrlSettings,
    make_channel,
    register,
)

# imported in the order the channels are listed
# isort: off
from secops.notify.webhooks import Webhook, WebhookSettings
from secops.notify.robots import DingTalk, DingTalkSettings, WeCom, WeComSettings
from secops.notify.mail import Smtp, SmtpSettings
from secops.notify.logfile import LOG_FILE, Log, LogSettings

# isort: on

__all__ = [
    "CHANNELS",
    "LOG_FILE",
    "URL_MESSAGE",
    "URL_SCHEMES",
    "Channel",
    "ChannelSettings",
    "DeliveryError",
    "DingTalk",
    "DingTalkSettings",
    "Log",
    "LogSettings",
    "Smtp",
    "SmtpSettings",
    "UrlSettings",
    "WeCom",
    "WeComSettings",
    "Webhook",
    "WebhookSettings",
    "make_channel",
    "register",
]
