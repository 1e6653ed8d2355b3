"""The local log: a JSON line per notice in the workspace, the channel that is always there."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from secops.i18n import _
from secops.notify.base import Channel, ChannelSettings, DeliveryError, register

LOG_FILE = "incident-notices.log"


class LogSettings(ChannelSettings):
    pass


@register
class Log(Channel):
    """A JSON line per notice in the workspace's ``incident-notices.log`` (always available)."""

    name = "log"
    settings_model = LogSettings
    settings: LogSettings

    def deliver(self, text: str, event: dict[str, Any], workspace_dir: Path, timeout: float) -> None:
        path = Path(workspace_dir) / LOG_FILE
        try:
            with path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps({"text": text, **event}, ensure_ascii=False, default=str) + "\n")
        except OSError as error:
            raise DeliveryError(
                _("cannot write {path}: {reason}").format(path=path, reason=error.strerror or error), retry=False
            ) from None

    def target(self) -> str:
        return LOG_FILE
