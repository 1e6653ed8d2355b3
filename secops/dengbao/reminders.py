"""Reminders 30, 7 and 1 days before each calendar deadline, through the workspace notifiers.

Each (system, deadline, due date, days) is sent at most once: the row is claimed in
``dengbao_reminders`` before sending, so a second checker running at the same time sends nothing.
A check that runs late sends only the reminder of the window it is in (at 5 days left: the 7-day
one), never a backlog of stale ones.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from secops.dengbao.calendar import compliance_calendar
from secops.dengbao.systems import get_system
from secops.notify import Channel, send
from secops.store import Store
from secops.store.schema import dengbao_reminders

DAYS_BEFORE = (1, 7, 30)  # ascending: the first threshold the days left fit under is the window


def window(days_left: int) -> int | None:
    """The reminder due at ``days_left`` days before a deadline (None: too early, or already past)."""
    if days_left <= 0:
        return None
    return next((days for days in DAYS_BEFORE if days_left <= days), None)


def _claim(store: Store, system_id: int, deadline: str, due: date, days: int, now: datetime) -> bool:
    try:
        with store.engine.begin() as conn:
            conn.execute(
                dengbao_reminders.insert().values(
                    system_id=system_id, deadline=deadline, due_on=due, days_before=days, sent_at=now, channels={}
                )
            )
    except sa.exc.IntegrityError:
        return False
    return True


def check_reminders(
    store: Store,
    notifiers: list[Channel],
    workspace_dir: Path,
    now: datetime,
    today: date,
    *,
    school: str = "",
    sleep: Callable[[float], None] = time.sleep,
) -> list[dict[str, Any]]:
    """Send the reminders that fell due today; returns what was sent."""
    sent = []
    for entry in compliance_calendar(store, today):
        system = get_system(store, entry["system"])
        for deadline in entry["deadlines"]:
            days = window(deadline["days_left"])
            if days is None or not _claim(store, system.id, deadline["kind"], deadline["due_on"], days, now):
                continue
            text = (
                f"【等保提醒】{school + ' ' if school else ''}“{system.name}”（第{system.level}级）"
                f"{deadline['name']}日期为 {deadline['due_on']}，还有 {deadline['days_left']} 天。"
            )
            if deadline["kind"] == "extension":
                text += f"请在{deadline['basis']}。"
            event = {
                "kind": "dengbao-deadline",
                "system": system.name,
                "deadline": deadline["kind"],
                "due_on": deadline["due_on"].isoformat(),
                "days_before": days,
            }
            channels = send(notifiers, text, event, workspace_dir, sleep=sleep)
            with store.engine.begin() as conn:
                conn.execute(
                    dengbao_reminders.update()
                    .where(
                        (dengbao_reminders.c.system_id == system.id)
                        & (dengbao_reminders.c.deadline == deadline["kind"])
                        & (dengbao_reminders.c.due_on == deadline["due_on"])
                        & (dengbao_reminders.c.days_before == days)
                    )
                    .values(channels=channels)
                )
            sent.append({**event, "text": text, "channels": channels})
    return sent


def reminders_sent(store: Store) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(dengbao_reminders).order_by(dengbao_reminders.c.sent_at, dengbao_reminders.c.system_id)
        ).all()
    return [
        {
            "system_id": r.system_id,
            "deadline": r.deadline,
            "due_on": r.due_on,
            "days_before": r.days_before,
            "sent_at": r.sent_at,
            "channels": r.channels,
        }
        for r in rows
    ]
