"""Notifiers: a registry of channels (webhook, DingTalk, WeCom, SMTP, a local log), each with typed
settings, loaded from the workspace's ``notifiers.yaml``; used by the incident clocks and the 等保
calendar reminders. Foundation: it knows no feature.

Configured in the workspace file ``notifiers.yaml`` (a list; without it, the local log only;
``secops init`` writes a commented template, see ``templates.py``)::

    - {type: dingtalk, url: "https://oapi.dingtalk.com/robot/send?access_token=...", secret: SEC...}
    - {type: wecom, url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=..."}
    - {type: webhook, url: "https://duty.example.edu.cn/hook", headers: {X-Token: ...}}
    - {type: smtp, host: smtp.example.edu.cn, security: ssl, username: secops@example.edu.cn,
       password_env: SECOPS_SMTP_PASSWORD, from: secops@example.edu.cn, to: [duty@example.edu.cn]}
    - {type: log}

Each send is retried (3 attempts, 1 s then 2 s apart) unless retrying cannot help (a refused
signature or password); a channel that still fails is recorded as failed with a one-line reason
that never carries its secrets, and the other channels still get the notice.
"""

from secops.notify.channels import CHANNELS, LOG_FILE, Channel, DeliveryError, make_channel
from secops.notify.load import load_notifiers
from secops.notify.send import ATTEMPTS, deliver, send
from secops.notify.templates import write_notifiers_template

__all__ = [
    "ATTEMPTS",
    "CHANNELS",
    "LOG_FILE",
    "Channel",
    "DeliveryError",
    "deliver",
    "load_notifiers",
    "make_channel",
    "send",
    "write_notifiers_template",
]
