"""Who is on duty at a moment, from the 值班表. Pure: the time (in the workspace zone) and which days
are important periods are passed in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from secops.contacts.model import Contacts, DutyShift, Person


def _covers_day(shift: DutyShift, day: date, important: Callable[[date], bool]) -> bool:
    if shift.important:
        return important(day)
    if shift.dates is not None:
        return shift.dates[0] <= day <= shift.dates[1]
    return day.weekday() in shift.days


def shift_covers(shift: DutyShift, moment: datetime, important: Callable[[date], bool]) -> bool:
    """Whether ``shift`` covers ``moment`` (local time); a shift past midnight belongs to the day it starts."""
    minute = moment.hour * 60 + moment.minute
    today = moment.date()
    if shift.start < shift.end:
        return shift.start <= minute < shift.end and _covers_day(shift, today, important)
    return (minute >= shift.start and _covers_day(shift, today, important)) or (
        minute < shift.end and _covers_day(shift, today - timedelta(days=1), important)
    )


def on_duty(
    contacts: Contacts, moment: datetime, important: Callable[[date], bool] = lambda _day: False
) -> list[Person]:
    """The people on duty at ``moment`` (local time), in roster order, each once."""
    found: list[Person] = []
    for shift in contacts.duty:
        person = contacts.person(shift.who)
        if person is not None and person not in found and shift_covers(shift, moment, important):
            found.append(person)
    return found


def reach_line(contacts: Contacts, moment: datetime, important: Callable[[date], bool]) -> str:
    """Who to call, for a reminder: the people on duty now and the 网络安全管理员, with their phones."""
    duty = on_duty(contacts, moment, important)
    admins = contacts.holding("security-admin")
    parts = [f"值班{'/网络安全管理员' if p in admins else ''} {p.name} {p.phone}" for p in duty]
    parts += [f"网络安全管理员 {p.name} {p.phone}" for p in admins if p not in duty]
    return "联系：" + "；".join(parts) + "。" if parts else ""
