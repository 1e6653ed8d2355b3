"""What ``contacts.yaml`` holds once validated: people by role and the 值班表 (duty roster)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from secops.contacts.roles import ROLES, Role

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
DAY_MINUTES = 24 * 60


@dataclass(frozen=True)
class Person:
    name: str  # a person, or an outside body's name (某某区教育局信息中心)
    roles: tuple[str, ...]  # role ids
    phone: str
    title: str = ""  # 职务, or the contact person at an outside body
    email: str = ""
    channel: str = ""  # the notifiers.yaml channel that reaches them
    line: int = 0  # where the entry starts in contacts.yaml (0 when built in code)

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"name": self.name, "roles": list(self.roles), "phone": self.phone}
        for key in ("title", "email", "channel"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        return out


@dataclass(frozen=True)
class DutyShift:
    """Who is on duty when: on some weekdays, on a date range, or throughout the important periods
    (重要时期, when the rules ask for 7×24 duty), between two times of day."""

    who: str
    days: tuple[int, ...] = ()  # 0 = Monday
    dates: tuple[date, date] | None = None
    important: bool = False
    start: int = 0  # minutes after midnight
    end: int = DAY_MINUTES  # may be before start: the shift runs past midnight
    line: int = 0

    @property
    def time_text(self) -> str:
        return f"{_clock(self.start)}-{_clock(self.end)}"

    def when_text(self) -> str:
        """When, as the plan prints it: 周一至周五, 2026-12-08 至 2026-12-10, 重要时期."""
        if self.important:
            return "重要时期（7×24 小时值守）" if self.start == 0 and self.end == DAY_MINUTES else "重要时期"
        if self.dates is not None:
            first, last = self.dates
            return first.isoformat() if first == last else f"{first.isoformat()} 至 {last.isoformat()}"
        days = sorted(self.days)
        if days == list(range(7)):
            return "每天"
        if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
            return f"{WEEKDAY_NAMES[days[0]]}至{WEEKDAY_NAMES[days[-1]]}"
        return "、".join(WEEKDAY_NAMES[d] for d in days)

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"who": self.who}
        if self.important:
            out["period"] = "important"
        elif self.dates is not None:
            first, last = self.dates
            out["dates"] = first.isoformat() if first == last else f"{first.isoformat()}..{last.isoformat()}"
        else:
            out["days"] = [WEEKDAYS[d] for d in sorted(self.days)]
        out["time"] = self.time_text
        return out


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class Contacts:
    people: tuple[Person, ...] = ()
    duty: tuple[DutyShift, ...] = ()

    def holding(self, role: str | Role) -> list[Person]:
        """The people who fill ``role`` (a Role or its id), in file order."""
        role_id = role.id if isinstance(role, Role) else role
        return [person for person in self.people if role_id in person.roles]

    def person(self, name: str) -> Person | None:
        return next((p for p in self.people if p.name == name), None)

    def missing_roles(self) -> list[Role]:
        """The mandatory roles nobody fills."""
        return [role for role in ROLES if role.mandatory and not self.holding(role)]
