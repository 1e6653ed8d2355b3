"""``secops workspace``: the workspace's own records of people: ``contacts`` (通讯录 by role) and
``contacts duty`` (值班表), kept in ``contacts.yaml``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from secops.cli.base import SecopsGroup
from secops.cli.context import AppContext, pass_app
from secops.cli.output import emit, findings, format_option, say, warn
from secops.cli.workspace_duty_cmd import duty
from secops.i18n import _


@click.group(cls=SecopsGroup)
def workspace() -> None:
    """The workspace's people: contacts by role (通讯录) and the duty roster (值班表).

    \b
      secops workspace contacts
      secops workspace contacts add 网络安全管理员 张伟 --phone 13800138000
      secops workspace contacts duty add 张伟 --days mon-fri --time 08:00-17:30
      secops workspace contacts check
    """


def _channel_names(folder: Path) -> set[str]:
    from secops.notify import load_notifiers

    return {channel.settings.name for channel in load_notifiers(folder) if channel.settings.name}


def _load(app: AppContext) -> tuple[Path, Any]:
    from secops.contacts import load_contacts

    folder = app.workspace().path
    return folder, load_contacts(folder)


def _role_names(role_ids: tuple[str, ...]) -> str:
    from secops.contacts import find_role

    return "、".join(role.zh for role in (find_role(r) for r in role_ids) if role is not None)


def _list(app: AppContext, fmt: str, role_name: str | None) -> None:
    from secops.contacts import find_role

    _folder, contacts = _load(app)
    people = contacts.people
    if role_name:
        role = _role(role_name)
        people = tuple(p for p in people if role.id in p.roles)
    rows = [
        {
            "name": p.name,
            "roles": list(p.roles) if fmt != "table" else _role_names(p.roles),
            "title": p.title,
            "phone": p.phone,
            "email": p.email,
            "channel": p.channel,
        }
        for p in people
    ]
    if fmt != "table":
        for row, person in zip(rows, people, strict=True):
            row["role_names"] = [r.zh for r in (find_role(x) for x in person.roles) if r is not None]
    headers = {
        "name": _("NAME"),
        "roles": _("ROLES"),
        "title": _("POST"),
        "phone": _("PHONE"),
        "email": _("EMAIL"),
        "channel": _("CHANNEL"),
    }
    emit(
        rows,
        fmt,
        ["name", "roles", "title", "phone", "email", "channel"],
        headers=headers,
        empty=_("No contacts yet: secops workspace contacts add ROLE NAME --phone NUMBER"),
    )


def _role(name: str) -> Any:
    from secops.contacts import find_role
    from secops.contacts.roles import role_ids
    from secops.errors import SecopsError

    role = find_role(name)
    if role is None:
        raise SecopsError(
            _("unknown role {name!r}").format(name=name),
            hint=_("known: {roles}").format(roles=", ".join(role_ids())),
        )
    return role


@workspace.group(cls=SecopsGroup, invoke_without_command=True)
@format_option()
@click.pass_context
def contacts(ctx: click.Context, fmt: str) -> None:
    """Contacts by role (通讯录): who the 应急预案, the clock reminders and the playbook steps name.
    Without a subcommand: the list."""
    if ctx.invoked_subcommand is None:
        _list(ctx.ensure_object(AppContext), fmt, None)


@contacts.command(name="list")
@click.option("--role", "role_name", help="Only the people holding this role (its id or Chinese name).")
@format_option()
@pass_app
def list_cmd(app: AppContext, role_name: str | None, fmt: str) -> None:
    """The people and outside bodies, with their roles and how to reach them."""
    _list(app, fmt, role_name)


@contacts.command(name="roles")
@format_option()
def roles_cmd(fmt: str) -> None:
    """The roles a plan names (id, Chinese name, duties); * marks the mandatory ones."""
    from secops.contacts import ROLES

    rows = [
        {
            "id": role.id,
            "name": role.zh,
            "mandatory": role.mandatory if fmt != "table" else ("*" if role.mandatory else ""),
            "external": role.external if fmt != "table" else (_("outside body") if role.external else ""),
            "duties": role.duties,
        }
        for role in ROLES
    ]
    headers = {"id": "ID", "name": _("NAME"), "mandatory": "*", "external": _("KIND"), "duties": _("DUTIES")}
    emit(rows, fmt, ["id", "name", "mandatory", "external", "duties"], headers=headers)


@contacts.command(name="add")
@click.argument("role_name", metavar="ROLE")
@click.argument("name")
@click.option("--phone", help="Mobile number, or a landline with its area code (010-12345678).")
@click.option("--email", help="E-mail address.")
@click.option("--channel", help="The notifiers.yaml channel (its name) that reaches this person.")
@click.option("--title", help="Post (职务), or the contact person at an outside body.")
@pass_app
def add_cmd(
    app: AppContext,
    role_name: str,
    name: str,
    phone: str | None,
    email: str | None,
    channel: str | None,
    title: str | None,
) -> None:
    """Give NAME the role ROLE (its id or Chinese name, see `contacts roles`). A new person needs
    --phone; for a person already listed, the role is added and the options given replace theirs."""
    from dataclasses import replace

    from secops.contacts.load import check_phone
    from secops.contacts.model import Contacts, Person
    from secops.contacts.save import save_contacts
    from secops.data.identifiers import email_valid
    from secops.errors import SecopsError

    role = _role(role_name)
    folder, current = _load(app)
    name = name.strip()
    if not name:
        raise SecopsError(_("the name must not be empty"))
    if phone is not None and not check_phone(phone):
        raise SecopsError(
            _("--phone is not a mobile number (11 digits) or a landline with its area code"),
            hint=_("e.g. 13800138000 or 010-62345678"),
        )
    if email is not None and not email_valid(email):
        raise SecopsError(_("--email is not an e-mail address"))
    if channel is not None and channel not in _channel_names(folder):
        raise SecopsError(
            _("no notifier named {name!r} in notifiers.yaml").format(name=channel),
            hint=_("see secops notify list; give the channel a name: in notifiers.yaml"),
        )
    given = {k: v.strip() for k, v in (("phone", phone), ("email", email), ("channel", channel), ("title", title)) if v}
    existing = current.person(name)
    if existing is None:
        if not phone:
            raise SecopsError(_("a new contact needs --phone"), hint=_("e.g. --phone 13800138000"))
        person = Person(name, (role.id,), given["phone"], given.get("title", ""), given.get("email", ""))
        people = (*current.people, replace(person, channel=given.get("channel", "")))
        message = _("Added {name} as {role}")
    else:
        roles = existing.roles if role.id in existing.roles else (*existing.roles, role.id)
        updated = replace(existing, roles=roles, **given)
        people = tuple(updated if p is existing else p for p in current.people)
        message = _("Updated {name}: {role}")
    path = save_contacts(folder, Contacts(people, current.duty))
    say(message.format(name=name, role=role.zh) + f" ({path})")


@contacts.command(name="remove")
@click.argument("name")
@click.option("--role", "role_name", help="Take only this role away; the person stays with the others.")
@pass_app
def remove_cmd(app: AppContext, name: str, role_name: str | None) -> None:
    """Remove NAME (and their duty shifts), or only one of their roles with --role."""
    from dataclasses import replace

    from secops.contacts.model import Contacts
    from secops.contacts.save import save_contacts
    from secops.errors import SecopsError

    folder, current = _load(app)
    person = current.person(name)
    if person is None:
        raise SecopsError(
            _("no contact named {name!r}").format(name=name), hint=_("see secops workspace contacts list")
        )
    if role_name:
        role = _role(role_name)
        if role.id not in person.roles:
            raise SecopsError(_("{name} does not hold the role {role}").format(name=name, role=role.zh))
        if len(person.roles) > 1:
            kept = replace(person, roles=tuple(r for r in person.roles if r != role.id))
            save_contacts(folder, Contacts(tuple(kept if p is person else p for p in current.people), current.duty))
            say(_("Removed the role {role} from {name}").format(role=role.zh, name=name))
            return
    people = tuple(p for p in current.people if p is not person)
    duty = tuple(s for s in current.duty if s.who != name)
    save_contacts(folder, Contacts(people, duty))
    dropped = len(current.duty) - len(duty)
    say(_("Removed {name} and {count} duty shift(s)").format(name=name, count=dropped))


@contacts.command(name="check")
@pass_app
def check_cmd(app: AppContext) -> None:
    """Validate contacts.yaml (roles, phones, channels against notifiers.yaml, the roster) and warn
    about the gaps the 应急预案 would show as 待填写. Exits 1 when there are gaps."""
    from secops.contacts import load_contacts
    from secops.contacts.check import gaps
    from secops.contacts.load import contacts_path

    folder = app.workspace().path
    contacts = load_contacts(folder, channels=_channel_names(folder))
    found = gaps(contacts)
    for gap in found:
        warn(gap)
    say(
        _("{path}: {people} contact(s), {shifts} duty shift(s), {gaps} gap(s)").format(
            path=contacts_path(folder), people=len(contacts.people), shifts=len(contacts.duty), gaps=len(found)
        )
    )
    findings(bool(found))


contacts.add_command(duty)
