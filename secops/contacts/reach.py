"""The "who to call" line the clock reminders carry: the people on duty now (7×24 shifts count in the
incident policy's important periods) and the 网络安全管理员, with their phones."""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo
from pathlib import Path

from secops.contacts.duty import reach_line
from secops.contacts.load import load_contacts
from secops.errors import ContentError

_log = logging.getLogger("secops.contacts")


def reminder_reach(workspace_dir: Path, now: datetime, zone: tzinfo) -> str:
    """The line for reminders sent at ``now``; empty without contacts. A broken contacts.yaml must not
    stop the reminders: it is logged (file:line and the problem, never a value) and left out."""
    from secops.incident.policy import load_policy

    try:
        contacts = load_contacts(workspace_dir)
    except ContentError as error:
        _log.warning("reminders go out without contacts: %s", error)
        return ""
    policy = load_policy()
    return reach_line(contacts, now.astimezone(zone), lambda day: policy.important_period(day) is not None)
