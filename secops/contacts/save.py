"""Writing ``contacts.yaml`` back after ``secops workspace contacts add|remove|duty``: a header that
explains the file, then the entries in a stable layout. Owner-only: it holds personal data."""

from __future__ import annotations

from pathlib import Path

import yaml

from secops.contacts.load import contacts_path
from secops.contacts.model import Contacts
from secops.contacts.roles import ROLES
from secops.fsutil import PRIVATE_FILE, write_text_atomic

HEADER = """\
# 通讯录与值班表（contacts.yaml）：应急预案、时限提醒和处置步骤从这里找到负责人。
# 本文件含姓名和电话（个人信息），只让本机管理员可读（chmod 600）。
# 用 secops workspace contacts add|remove|duty 修改，或直接编辑；secops workspace contacts check 检查。
#
# people：每人 name（姓名或单位名称）、roles（一个或多个角色）、phone（手机或带区号的座机），
#   可选 title（职务/联系人）、email、channel（notifiers.yaml 中能通知到此人的渠道名称）。
# duty：值班表，每班 who（people 中的姓名），以下三者之一：
#   days: [mon, tue, wed, thu, fri]（或 mon-fri、weekdays、weekend、daily）
#   dates: 2026-12-08..2026-12-10
#   period: important（事件策略中的重要时期，通常 7×24 小时值守）
#   以及 time: "08:00-17:30"（默认 00:00-24:00；结束早于开始表示跨午夜）。
#
# 角色（id：名称）：
"""


def render_contacts(contacts: Contacts) -> str:
    roles = "".join(f"#   {role.id}：{role.zh}{'（外部单位）' if role.external else ''}\n" for role in ROLES)
    body = {
        "people": [person.as_dict() for person in contacts.people],
        "duty": [shift.as_dict() for shift in contacts.duty],
    }
    text = yaml.safe_dump(body, allow_unicode=True, sort_keys=False, default_flow_style=None, width=120)
    return HEADER + roles + "\n" + text


def save_contacts(workspace_dir: Path, contacts: Contacts) -> Path:
    path = contacts_path(workspace_dir)
    write_text_atomic(path, render_contacts(contacts), permissions=PRIVATE_FILE)
    return path
