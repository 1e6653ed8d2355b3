"""What ``secops workspace contacts check`` warns about in a valid file: the gaps the plan would
print as 待填写."""

from __future__ import annotations

from secops.contacts.model import Contacts
from secops.i18n import _


def gaps(contacts: Contacts) -> list[str]:
    """One message per gap: a mandatory role nobody fills, no roster, no 7×24 duty in important periods."""
    found = [
        _("nobody holds the role {role} ({id})").format(role=role.zh, id=role.id) for role in contacts.missing_roles()
    ]
    if not contacts.duty:
        found.append(_("the duty roster (值班表) is empty: add shifts with secops workspace contacts duty add"))
    elif not any(shift.important for shift in contacts.duty):
        found.append(_("no shift covers the important periods (重要时期): add one with --important"))
    return found
