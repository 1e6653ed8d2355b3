"""What the ``secops center`` commands share: the center home the group chose, the clock, and how
the center shows a time (Beijing time with its offset)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path

import click

from secops.cli.context import AppContext

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
