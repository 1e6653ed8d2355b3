"""What the ``secops center`` commands share: the center home the group chose, the clock, and how
the center shows a time (Beijing time with its offset)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

import click

from secops.cli.context import AppContext
from secops.i18n import N_, _

TIMEZONE = "Asia/Shanghai"


def center_home() -> Path:
    """The home `secops center --home` chose (read from the context, not from center_cmd, which
    imports this module: no import cycle)."""
    home = click.get_current_context().meta.get("secops.center.home")
    if home is None:
        from secops.center.context import default_home

        return default_home()
    return Path(home)


def center_now() -> datetime:
    """The root's clock (SECOPS_NOW fixes it), the same rules when run standalone."""
    app = click.get_current_context().find_object(AppContext)
    return (app or AppContext(Path())).now()


def center_zone() -> tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(TIMEZONE)


def when(value: datetime | str | None, *, table: bool) -> str | None:
    """A time as the center shows it: Asia/Shanghai with its offset, whatever the workspace says
    (the center serves the whole province; its staff read Beijing time). The audit trail keeps
    its times as ISO text."""
    if value is None:
        return None
    from datetime import UTC

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(center_zone())
    return local.isoformat(sep=" ", timespec="minutes") if table else local.isoformat(timespec="seconds")


# What the center's tables and records call their fields, for people (JSON keeps the English keys).
LABELS = {
    "id": N_("ID"),
    "title": N_("Title"),
    "school": N_("School"),
    "school_name": N_("School name"),
    "schools": N_("Schools"),
    "name": N_("Name"),
    "code": N_("Code"),
    "groups": N_("Groups"),
    "group": N_("Group"),
    "count": N_("Count"),
    "category": N_("Category"),
    "grade": N_("Grade"),
    "grade_reason": N_("Grade reason"),
    "state": N_("State"),
    "owner": N_("Owner"),
    "playbook": N_("Playbook"),
    "detected_at": N_("Detected"),
    "reported_at": N_("Reported"),
    "updated_at": N_("Updated"),
    "version": N_("Version"),
    "merged": N_("Merged"),
    "merged_into": N_("Merged into"),
    "close_reason": N_("Close reason"),
    "center_alerts": N_("Center alerts"),
    "center_alert_ids": N_("Center alert ids"),
    "clock": N_("Clock"),
    "left": N_("Time left"),
    "status": N_("Status"),
    "due_at": N_("Due"),
    "seq": N_("#"),
    "at": N_("Time"),
    "actor": N_("Actor"),
    "action": N_("Action"),
    "detail": N_("Detail"),
    "kind": N_("Kind"),
    "issued_at": N_("Issued"),
    "issued_by": N_("Issued by"),
    "audience": N_("Audience"),
    "attachments": N_("Attachments"),
    "received_at": N_("Received"),
    "acknowledged_at": N_("Acknowledged"),
    "rectified_at": N_("Rectified"),
    "rectified": N_("Rectified"),
    "overdue": N_("Overdue"),
    "summary": N_("Summary"),
    "reason": N_("Reason"),
    "files": N_("Files"),
    "installed": N_("Installed"),
    "ignored": N_("Ignored"),
    "refused": N_("Refused"),
    "installed_version": N_("Installed version"),
    "from": N_("From"),
    "to": N_("To"),
    "deadline": N_("Deadline"),
    "missing": N_("Missing"),
    "day": N_("Day"),
    "incidents": N_("Incidents"),
    "submitted_at": N_("Submitted"),
    "submitted_by": N_("Submitted by"),
    "username": N_("Account"),
    "role": N_("Role"),
    "role_name": N_("Role name"),
    "created_at": N_("Created"),
    "disabled_at": N_("Disabled"),
}


def headers(columns: Iterable[str] | None = None) -> dict[str, str]:
    """Column titles in the current language (``emit(..., headers=headers())``)."""
    return {column: _(LABELS[column]) for column in columns or LABELS if column in LABELS}


def labelled(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record for ``emit_object`` in a table: its keys as people read them."""
    return {_(LABELS[key]) if key in LABELS else key: value for key, value in record.items()}
