"""The workspace's people: ``contacts.yaml`` holds who fills each response role (the 网络安全第一责任人,
the administrators, the on-duty staff, the outside bodies reports go to) and the 值班表 (duty
roster). The 应急预案 prints them, the clock reminders name who to call, and playbook steps name
the person for their role.

The file is edited by hand or through ``secops workspace contacts``; every mistake is a ``file:line``
error that never quotes the value (names and phone numbers are personal data).
"""

from secops.contacts.duty import on_duty
from secops.contacts.load import FILE_NAME, load_contacts
from secops.contacts.model import Contacts, DutyShift, Person
from secops.contacts.roles import ROLES, Role, find_role

__all__ = [
    "FILE_NAME",
    "ROLES",
    "Contacts",
    "DutyShift",
    "Person",
    "Role",
    "find_role",
    "load_contacts",
    "on_duty",
]
