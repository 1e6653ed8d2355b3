"""``load_contacts``: the workspace's ``contacts.yaml`` validated, every mistake a ``file:line``
error. Messages say what is wrong and where, never the value (a name or phone number)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from secops.contacts.model import DAY_MINUTES, WEEKDAYS, Contacts, DutyShift, Person
from secops.contacts.roles import find_role, role_ids
from secops.content.yamlload import LineDict, LineList, load_yaml
from secops.errors import ContentError
from secops.i18n import _

FILE_NAME = "contacts.yaml"
_LANDLINE = re.compile(r"^0[1-9][0-9]{1,2}-?[2-9][0-9]{6,7}(?:-[0-9]{1,6})?$")  # 区号-号码[-分机]
_TIME = re.compile(r"^([01]?[0-9]|2[0-4]):([0-5][0-9])$")
_DAY_ALIASES = {
    **{name: index for index, name in enumerate(WEEKDAYS)},
    **{name: index for index, name in enumerate(("周一", "周二", "周三", "周四", "周五", "周六", "周日"))},
}
_DAY_GROUPS = {"weekdays": (0, 1, 2, 3, 4), "weekend": (5, 6), "daily": tuple(range(7)), "每天": tuple(range(7))}
_PERSON_KEYS = {"name", "roles", "role", "title", "phone", "email", "channel"}
_DUTY_KEYS = {"who", "days", "dates", "period", "time"}


def contacts_path(workspace_dir: Path) -> Path:
    return Path(workspace_dir) / FILE_NAME


def load_contacts(workspace_dir: Path, *, channels: set[str] | None = None) -> Contacts:
    """The contacts of ``workspace_dir/contacts.yaml``; empty without the file. With ``channels``
    (the names in notifiers.yaml), a person's channel must be one of them."""
    path = contacts_path(workspace_dir)
    if not path.exists():
        return Contacts()
    data = load_yaml(path)
    if data is None:
        return Contacts()
    if not isinstance(data, LineDict):
        raise ContentError(path, 1, _("contacts.yaml must be a mapping with people: and duty:"))
    unknown = [key for key in data if key not in ("people", "duty")]
    if unknown:
        raise ContentError(path, data.key_lines[unknown[0]], f"unknown key {unknown[0]!r}; use people and duty")
    people = _people(path, data.get("people"), data.key_lines.get("people", 1), channels)
    duty = _duty(path, data.get("duty"), data.key_lines.get("duty", 1), {p.name for p in people})
    return Contacts(tuple(people), tuple(duty))


def _items(path: Path, value: Any, line: int, what: str) -> list[tuple[int, LineDict]]:
    if value is None:
        return []
    if not isinstance(value, LineList):
        raise ContentError(path, line, _("{what} must be a list").format(what=what))
    out = []
    for index, item in enumerate(value):
        where = value.item_lines[index]
        if not isinstance(item, LineDict):
            raise ContentError(
                path, where, _("{what} entry {number} must be a mapping").format(what=what, number=index + 1)
            )
        out.append((where, item))
    return out


def _text(path: Path, entry: LineDict, key: str, line: int, *, required: bool = False) -> str:
    value = entry.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ContentError(path, line, f"{key} is missing")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ContentError(path, entry.key_lines.get(key, line), f"{key} must be text")
    return str(value).strip()


def check_phone(text: str) -> bool:
    """A mainland mobile number (the data module's checks) or a landline with its area code."""
    from secops.data.identifiers import clean, mobile_valid

    return mobile_valid(text) or bool(_LANDLINE.match(clean(text).replace("(", "").replace(")", "")))


def _people(path: Path, value: Any, line: int, channels: set[str] | None) -> list[Person]:
    from secops.data.identifiers import email_valid

    people: list[Person] = []
    seen: set[str] = set()
    for where, entry in _items(path, value, line, "people"):
        unknown = sorted(set(entry) - _PERSON_KEYS)
        if unknown:
            raise ContentError(path, entry.key_lines[unknown[0]], f"unknown key {unknown[0]!r} in a person")
        name = _text(path, entry, "name", where, required=True)
        if name in seen:
            raise ContentError(path, entry.key_lines["name"], "this name is listed twice; give each person once")
        seen.add(name)
        roles = _roles(path, entry, where)
        phone = _text(path, entry, "phone", where, required=True)
        if not check_phone(phone):
            raise ContentError(
                path,
                entry.key_lines["phone"],
                _("phone is not a mobile number (11 digits) or a landline with its area code (010-12345678)"),
            )
        email = _text(path, entry, "email", where)
        if email and not email_valid(email):
            raise ContentError(path, entry.key_lines["email"], "email is not an e-mail address")
        channel = _text(path, entry, "channel", where)
        if channel and channels is not None and channel not in channels:
            known = ", ".join(sorted(channels)) or "none has a name"
            raise ContentError(
                path, entry.key_lines["channel"], f"channel is not a named notifier in notifiers.yaml ({known})"
            )
        title = _text(path, entry, "title", where)
        people.append(Person(name, roles, phone, title, email, channel, where))
    return people


def _roles(path: Path, entry: LineDict, where: int) -> tuple[str, ...]:
    key = "roles" if "roles" in entry else "role"
    raw = entry.get(key)
    values = raw if isinstance(raw, list) else [raw] if raw not in (None, "") else []
    if not values:
        raise ContentError(path, where, "roles is missing (e.g. roles: [网络安全管理员])")
    found: list[str] = []
    for value in values:
        role = find_role(str(value))
        if role is None:
            raise ContentError(
                path,
                entry.key_lines.get(key, where),
                _("unknown role {name!r}; known: {roles}").format(name=value, roles=", ".join(role_ids())),
            )
        if role.id not in found:
            found.append(role.id)
    return tuple(found)


def parse_time_range(text: str) -> tuple[int, int]:
    """``08:00-17:30`` as minutes after midnight; 24:00 ends a day; an end before the start runs past midnight."""
    start_text, sep, end_text = str(text).replace("–", "-").partition("-")
    bounds = []
    for part in (start_text, end_text):
        match = _TIME.match(part.strip())
        if not sep or not match:
            raise ValueError(_("time must be HH:MM-HH:MM, e.g. 08:00-17:30"))
        minutes = int(match.group(1)) * 60 + int(match.group(2))
        if minutes > DAY_MINUTES:
            raise ValueError(_("time must be HH:MM-HH:MM, e.g. 08:00-17:30"))
        bounds.append(minutes)
    if bounds[0] == bounds[1] or bounds[0] == DAY_MINUTES:
        raise ValueError(_("a shift's start and end must differ (00:00-24:00 for the whole day)"))
    return bounds[0], bounds[1]


def parse_days(value: Any) -> tuple[int, ...]:
    """``[mon, tue]``, ``mon-fri``, ``weekdays``, ``weekend``, ``daily`` (or 周一..周日) as weekday numbers."""
    items = value if isinstance(value, list) else str(value).replace("，", ",").split(",")
    days: set[int] = set()
    for item in items:
        word = str(item).strip().lower()
        if word in _DAY_GROUPS:
            days.update(_DAY_GROUPS[word])
        elif "-" in word and all(part.strip() in _DAY_ALIASES for part in word.split("-", 1)):
            first, last = (_DAY_ALIASES[part.strip()] for part in word.split("-", 1))
            days.update(range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)])
        elif word in _DAY_ALIASES:
            days.add(_DAY_ALIASES[word])
        else:
            raise ValueError(_("days must be weekdays (mon..sun, mon-fri, weekdays, weekend, daily)"))
    return tuple(sorted(days))


def parse_dates(text: str) -> tuple[date, date]:
    """``2026-12-08`` or ``2026-12-08..2026-12-10``."""
    first_text, _sep, last_text = str(text).partition("..")
    try:
        first = date.fromisoformat(first_text.strip())
        last = date.fromisoformat(last_text.strip()) if last_text else first
    except ValueError:
        raise ValueError(_("dates must be YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD")) from None
    if last < first:
        raise ValueError(_("dates end before they start"))
    return first, last


def _duty(path: Path, value: Any, line: int, names: set[str]) -> list[DutyShift]:
    shifts: list[DutyShift] = []
    for where, entry in _items(path, value, line, "duty"):
        unknown = sorted(set(entry) - _DUTY_KEYS)
        if unknown:
            raise ContentError(path, entry.key_lines[unknown[0]], f"unknown key {unknown[0]!r} in a duty shift")
        who = _text(path, entry, "who", where, required=True)
        if who not in names:
            raise ContentError(path, entry.key_lines["who"], _("who is not a name listed under people"))
        given = [key for key in ("days", "dates", "period") if key in entry]
        if len(given) != 1:
            raise ContentError(path, where, "a duty shift has exactly one of days, dates or period: important")
        key = given[0]
        try:
            start, end = parse_time_range(str(entry.get("time", "00:00-24:00")))
            if key == "period":
                if entry["period"] != "important":
                    raise ValueError(_("period must be important (the 重要时期 of the incident policy)"))
                shift = DutyShift(who, important=True, start=start, end=end, line=where)
            elif key == "dates":
                shift = DutyShift(who, dates=parse_dates(entry["dates"]), start=start, end=end, line=where)
            else:
                shift = DutyShift(who, days=parse_days(entry["days"]), start=start, end=end, line=where)
        except ValueError as error:
            failing = "time" if "time" in str(error) or "shift" in str(error) else key
            raise ContentError(path, entry.key_lines.get(failing, where), str(error)) from None
        shifts.append(shift)
    return shifts
