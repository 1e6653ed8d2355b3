"""Who is on duty at a moment: weekday shifts, overnight shifts, date ranges and the important periods;
and the line the clock reminders carry."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from secops.contacts import Contacts, DutyShift, Person, on_duty
from secops.contacts.duty import reach_line

ZONE = ZoneInfo("Asia/Shanghai")
ZHANG = Person("张伟", ("security-admin", "on-duty"), "13900139000")
LIU = Person("刘洋", ("system-admin", "on-duty"), "13800138004")
CONTACTS = Contacts(
    (ZHANG, LIU),
    (
        DutyShift("张伟", days=(0, 1, 2, 3, 4), start=480, end=1050),
        DutyShift("刘洋", days=(0, 1, 2, 3, 4), start=1050, end=480),  # past midnight
        DutyShift("刘洋", dates=(date(2026, 10, 1), date(2026, 10, 7))),
        DutyShift("张伟", important=True),
    ),
)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


def _names(moment: datetime, important: bool = False) -> list[str]:
    return [p.name for p in on_duty(CONTACTS, moment, lambda _day: important)]


def test_weekday_and_overnight_shifts() -> None:
    assert _names(_at("2026-11-23 09:00")) == ["张伟"]  # a Monday
    assert _names(_at("2026-11-23 17:30")) == ["刘洋"]  # the handover minute belongs to the next shift
    assert _names(_at("2026-11-24 03:00")) == ["刘洋"]  # Monday's night shift, on Tuesday morning
    assert _names(_at("2026-11-28 03:00")) == ["刘洋"]  # Friday's night shift reaches Saturday morning
    assert _names(_at("2026-11-29 03:00")) == []  # nobody from Saturday night on


def test_date_ranges_and_important_periods() -> None:
    assert _names(_at("2026-10-03 12:00")) == ["刘洋"]  # 国庆, a Saturday: the date range
    assert _names(_at("2026-11-29 03:00"), important=True) == ["张伟"]  # 7×24 in an important period


def test_the_reminder_line_names_who_to_call() -> None:
    line = reach_line(CONTACTS, _at("2026-11-23 09:00"), lambda _day: False)
    assert line == "联系：值班/网络安全管理员 张伟 13900139000。"
    night = reach_line(CONTACTS, _at("2026-11-23 22:00"), lambda _day: False)
    assert night == "联系：值班 刘洋 13800138004；网络安全管理员 张伟 13900139000。"
    assert reach_line(Contacts(), _at("2026-11-23 09:00"), lambda _day: False) == ""
