"""contacts.yaml: a valid file in every shape it accepts, and each mistake one file:line error that
never quotes the value (names and phone numbers are personal data)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from secops.contacts import Contacts, DutyShift, Person, load_contacts
from secops.contacts.load import parse_days, parse_time_range
from secops.contacts.save import render_contacts, save_contacts
from secops.errors import ContentError

ZHANG = "people:\n  - {name: 张伟, roles: [值班人员], phone: '13900139000'}\n"
GOOD = """\
people:
  - name: 王建国
    roles: [网络安全第一责任人]
    title: 校长
    phone: "138 0013 8001"
  - name: 张伟
    roles: [security-admin, 值班人员]
    phone: 13900139000
    email: zw@example.edu.cn
    channel: 值班群
  - name: 示例区教育局信息中心
    role: 教育局
    phone: 0571-87000001
duty:
  - {who: 张伟, days: mon-fri, time: "08:00-17:30"}
  - {who: 张伟, days: [sat, 周日]}
  - {who: 王建国, dates: "2026-12-08..2026-12-10", time: "18:00-08:00"}
  - {who: 张伟, period: important}
"""


def _write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "contacts.yaml").write_text(text, encoding="utf-8")
    return folder


def test_a_valid_file_in_every_accepted_spelling(tmp_path: Path) -> None:
    contacts = load_contacts(_write(tmp_path, GOOD), channels={"值班群"})
    assert [p.name for p in contacts.people] == ["王建国", "张伟", "示例区教育局信息中心"]
    assert contacts.people[1].roles == ("security-admin", "on-duty")  # Chinese names and ids alike
    assert contacts.people[2].roles == ("education-bureau",) and contacts.people[2].phone == "0571-87000001"
    assert contacts.people[1].phone == "13900139000"  # a YAML number is still the number written
    weekday, weekend, dates, important = contacts.duty
    assert weekday.days == (0, 1, 2, 3, 4) and (weekday.start, weekday.end) == (480, 1050)
    assert weekend.days == (5, 6) and weekend.time_text == "00:00-24:00"
    assert dates.dates == (date(2026, 12, 8), date(2026, 12, 10)) and dates.start > dates.end
    assert important.important and important.when_text() == "重要时期（7×24 小时值守）"
    assert [role.id for role in contacts.missing_roles()] == ["leader", "system-admin", "police"]


def test_no_file_or_an_empty_one_is_no_contacts(tmp_path: Path) -> None:
    assert load_contacts(tmp_path) == Contacts()
    assert load_contacts(_write(tmp_path, "# nothing yet\n")) == Contacts()


def test_saved_contacts_load_back_the_same(tmp_path: Path) -> None:
    contacts = Contacts(
        (
            Person("王建国", ("first-responsible",), "13800138001", "校长"),
            Person("张伟", ("security-admin", "on-duty"), "13900139000", email="zw@example.edu.cn"),
        ),
        (DutyShift("张伟", days=(0, 1, 2, 3, 4), start=480, end=1050), DutyShift("张伟", important=True)),
    )
    path = save_contacts(tmp_path, contacts)
    assert path.stat().st_mode & 0o077 == 0  # personal data: owner-only
    again = load_contacts(tmp_path)
    strip = [(p.name, p.roles, p.phone, p.title, p.email) for p in again.people]
    assert strip == [(p.name, p.roles, p.phone, p.title, p.email) for p in contacts.people]
    assert [s.as_dict() for s in again.duty] == [s.as_dict() for s in contacts.duty]
    assert render_contacts(again).startswith("# 通讯录与值班表")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("people:\n  - name: 张伟\n    roles: [值班人员]\n    phone: 55555\n", 4, "phone is not a mobile number"),
        ("people:\n  - name: 张伟\n    roles: [校医]\n    phone: '13900139000'\n", 3, "unknown role '校医'"),
        (
            "people:\n  - {name: 张伟, roles: [值班人员], phone: '13900139000'}\n"
            "  - {name: 张伟, roles: [系统管理员], phone: '13900139001'}\n",
            3,
            "listed twice",
        ),
        (
            "people:\n  - {name: 张伟, roles: [值班人员], phone: '13900139000', channel: 群}\n",
            2,
            "not a named notifier",
        ),
        ("people:\n  - {name: 张伟, phone: '13900139000'}\n", 2, "roles is missing"),
        ("people:\n  - {name: 张伟, roles: [值班人员]}\n", 2, "phone is missing"),
        ("people:\n  - {name: 张伟, roles: [值班人员], phone: '13900139000', mail: x}\n", 2, "unknown key 'mail'"),
        ("people:\n  - {name: 张伟, roles: [值班人员], phone: '13900139000', email: 张伟}\n", 2, "not an e-mail"),
        (
            ZHANG + "duty:\n  - {who: 李四, days: daily}\n",
            4,
            "not a name",
        ),
        (
            ZHANG + "duty:\n  - who: 张伟\n    days: daily\n    time: 25:00-08:00\n",
            6,
            "HH:MM-HH:MM",
        ),
        (
            ZHANG + "duty:\n  - {who: 张伟, days: daily, dates: 2026-12-08}\n",
            4,
            "exactly one of",
        ),
        (
            ZHANG + "duty:\n  - {who: 张伟, days: someday}\n",
            4,
            "days must",
        ),
        ("staff: []\n", 1, "unknown key 'staff'"),
        ("- 张伟\n", 1, "must be a mapping"),
    ],
)
def test_mistakes_are_file_line_errors_without_the_value(tmp_path: Path, text: str, line: int, message: str) -> None:
    folder = _write(tmp_path, text)
    with pytest.raises(ContentError) as raised:
        load_contacts(folder, channels={"值班群"})
    error = raised.value
    assert error.path == folder / "contacts.yaml" and error.line == line, str(error)
    assert message in error.message
    for value in ("13900139000", "55555", "张伟", "李四"):  # never a personal value
        assert value not in str(error)


def test_time_ranges_and_days() -> None:
    assert parse_time_range("00:00-24:00") == (0, 1440)
    assert parse_time_range("17:30-08:00") == (1050, 480)
    for bad in ("8-17", "08:00-08:00", "24:00-08:00", "08:00"):
        with pytest.raises(ValueError):
            parse_time_range(bad)
    assert parse_days("weekdays") == (0, 1, 2, 3, 4) and parse_days("fri-mon") == (0, 4, 5, 6)
    assert parse_days(["周一", "wed"]) == (0, 2) and parse_days("daily") == tuple(range(7))
