"""The demo school's people: its response roles filled (made-up names, reserved-looking numbers and
example.edu.cn addresses), a 值班表 with an overnight shift and 7×24 duty in the important periods,
and a named notifier that reaches the on-duty staff. The 应急预案 the demo builds prints them."""

from __future__ import annotations

from pathlib import Path

from secops.contacts import Contacts, DutyShift, Person
from secops.contacts.save import save_contacts
from secops.fsutil import PRIVATE_FILE, write_text_atomic
from secops.i18n import _
from secops.notify.load import FILE_NAME as NOTIFIERS_FILE

DUTY_CHANNEL = "值班记录"
# only the local log: the demo sends nothing off this machine
NOTIFIERS = f"""\
# 演示：一个命名的本地日志渠道，通讯录中的值班人员经它接收时限提醒。
- {{type: log, name: {DUTY_CHANNEL}}}
"""
PEOPLE = (
    Person("王建国", ("first-responsible",), "13800000001", "校长、党委书记"),
    Person("李红", ("leader",), "13800000002", "副校长"),
    Person(
        "张伟",
        ("security-admin", "on-duty"),
        "13800000003",
        "信息中心主任",
        "zhangwei@example.edu.cn",
        DUTY_CHANNEL,
    ),
    Person("刘洋", ("system-admin", "on-duty"), "13800000004", "信息中心工程师", channel=DUTY_CHANNEL),
    Person("陈静", ("data-officer",), "13800000005", "教务处副主任"),
    Person("示例区教育局信息中心", ("education-bureau",), "0571-87000001", "值班室"),
    Person("示例区公安分局网安大队", ("police",), "0571-87000110", "值班室"),
    Person("省委网信办网络安全应急办", ("cac",), "0571-87000002", "值班室"),
    Person("示例网络科技有限公司", ("vendor",), "13800000006", "驻场工程师"),
)
WEEKDAYS = (0, 1, 2, 3, 4)
DUTY = (
    DutyShift("张伟", days=WEEKDAYS, start=8 * 60, end=17 * 60 + 30),
    DutyShift("刘洋", days=WEEKDAYS, start=17 * 60 + 30, end=8 * 60),  # overnight, to the next morning
    DutyShift("刘洋", days=(5, 6)),
    DutyShift("张伟", important=True),
    DutyShift("刘洋", important=True),
)


def write_demo_contacts(workspace_dir: Path) -> str:
    """contacts.yaml and notifiers.yaml of the demo workspace; one line saying what was written."""
    write_text_atomic(Path(workspace_dir) / NOTIFIERS_FILE, NOTIFIERS, permissions=PRIVATE_FILE)
    save_contacts(workspace_dir, Contacts(PEOPLE, DUTY))
    return _("contacts: {people} people and outside bodies, {shifts} duty shifts, notifier {channel}").format(
        people=len(PEOPLE), shifts=len(DUTY), channel=DUTY_CHANNEL
    )
