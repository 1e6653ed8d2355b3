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


def center_db() -> str | None:
    """The state database `secops center --db` (or SECOPS_CENTER_DB) chose; None: center.yaml's
    ``database:``, else center.db in the home (secops.center.context.state_url)."""
    db = click.get_current_context().meta.get("secops.center.db")
    return str(db) if db else None


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


# The center's column titles, for people: English keeps the upper-cased field names a script may
# already read; other languages have their words. JSON keeps the keys.
LABELS = {
    "id": N_("ID"),
    "title": N_("TITLE"),
    "school": N_("SCHOOL"),
    "school_name": N_("SCHOOL_NAME"),
    "schools": N_("SCHOOLS"),
    "name": N_("NAME"),
    "code": N_("CODE"),
    "key_id": N_("KEY_ID"),
    "forwarder": N_("FORWARDER"),
    "last_checkin": N_("LAST_CHECKIN"),
    "revoked_at": N_("REVOKED_AT"),
    "rate_per_minute": N_("RATE_PER_MINUTE"),
    "groups": N_("GROUPS"),
    "group": N_("GROUP"),
    "count": N_("COUNT"),
    "category": N_("CATEGORY"),
    "grade": N_("GRADE"),
    "grade_reason": N_("GRADE_REASON"),
    "state": N_("STATE"),
    "owner": N_("OWNER"),
    "playbook": N_("PLAYBOOK"),
    "detected_at": N_("DETECTED_AT"),
    "reported_at": N_("REPORTED_AT"),
    "updated_at": N_("UPDATED_AT"),
    "version": N_("VERSION"),
    "merged": N_("MERGED"),
    "merged_into": N_("MERGED_INTO"),
    "close_reason": N_("CLOSE_REASON"),
    "center_alerts": N_("CENTER_ALERTS"),
    "center_alert_ids": N_("CENTER_ALERT_IDS"),
    "clock": N_("CLOCK"),
    "left": N_("LEFT"),
    "status": N_("STATUS"),
    "due_at": N_("DUE_AT"),
    "seq": N_("SEQ"),
    "at": N_("AT"),
    "actor": N_("ACTOR"),
    "action": N_("ACTION"),
    "detail": N_("DETAIL"),
    "kind": N_("KIND"),
    "issued_at": N_("ISSUED_AT"),
    "issued_by": N_("ISSUED_BY"),
    "audience": N_("AUDIENCE"),
    "attachments": N_("ATTACHMENTS"),
    "received_at": N_("RECEIVED_AT"),
    "acknowledged_at": N_("ACKNOWLEDGED_AT"),
    "rectified_at": N_("RECTIFIED_AT"),
    "rectified": N_("RECTIFIED"),
    "overdue": N_("OVERDUE"),
    "summary": N_("SUMMARY"),
    "reason": N_("REASON"),
    "files": N_("FILES"),
    "installed": N_("INSTALLED"),
    "ignored": N_("IGNORED"),
    "refused": N_("REFUSED"),
    "installed_version": N_("INSTALLED_VERSION"),
    "from": N_("FROM"),
    "to": N_("TO"),
    "deadline": N_("DEADLINE"),
    "missing": N_("MISSING"),
    "day": N_("DAY"),
    "incidents": N_("INCIDENTS"),
    "submitted_at": N_("SUBMITTED_AT"),
    "submitted_by": N_("SUBMITTED_BY"),
    "username": N_("USERNAME"),
    "role": N_("ROLE"),
    "role_name": N_("ROLE_NAME"),
    "created_at": N_("CREATED_AT"),
    "disabled_at": N_("DISABLED_AT"),
}


def headers(columns: Iterable[str] | None = None) -> dict[str, str]:
    """Column titles in the current language (``emit(..., headers=headers())``)."""
    return {column: _(LABELS[column]) for column in columns or LABELS if column in LABELS}


def field(key: str) -> str:
    """A record's field as people read it: translated where the language has a word, else the key."""
    msgid = LABELS.get(key)
    text = _(msgid) if msgid else key
    return key if text == msgid else text


def labelled(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record for ``emit_object`` in a table: its keys as people read them."""
    return {field(key): value for key, value in record.items()}
