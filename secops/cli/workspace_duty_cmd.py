"""``secops workspace contacts duty``: the 值班表 (duty roster) of contacts.yaml: list it with who is
on duty now, add a shift, remove a person's shifts."""

from __future__ import annotations

from datetime import date

import click

from secops.cli.base import SecopsGroup
from secops.cli.context import AppContext, pass_app
from secops.cli.output import emit, format_option, say
from secops.i18n import _


def _important(day: date) -> bool:
    from secops.incident.policy import load_policy

    return load_policy().important_period(day) is not None


def _list(app: AppContext, fmt: str) -> None:
    from secops.contacts import load_contacts
    from secops.contacts.duty import shift_covers

    contacts = load_contacts(app.workspace().path)
    moment = app.now().astimezone(app.display_zone())
    rows = []
    for number, shift in enumerate(contacts.duty, start=1):
        person = contacts.person(shift.who)
        now = shift_covers(shift, moment, _important)
        rows.append(
            {
                "number": number,
                "who": shift.who,
                "when": shift.when_text() if fmt == "table" else shift.as_dict(),
                "time": shift.time_text,
                "phone": person.phone if person else "",
                "now": ("*" if now else "") if fmt == "table" else now,
            }
        )
    headers = {"number": "#", "who": _("WHO"), "when": _("WHEN"), "time": _("TIME"), "phone": _("PHONE")}
    headers["now"] = _("ON DUTY NOW")
    emit(
        rows,
        fmt,
        ["number", "who", "when", "time", "phone", "now"],
        headers=headers,
        empty=_("The duty roster is empty: secops workspace contacts duty add NAME --days mon-fri"),
    )


@click.group(cls=SecopsGroup, invoke_without_command=True)
@format_option()
@click.pass_context
def duty(ctx: click.Context, fmt: str) -> None:
    """The duty roster (值班表): who is on duty when, 7×24 in the important periods (重要时期).
    Without a subcommand: the roster, * marking who is on duty now."""
    if ctx.invoked_subcommand is None:
        _list(ctx.ensure_object(AppContext), fmt)


@duty.command(name="list")
@format_option()
@pass_app
def list_cmd(app: AppContext, fmt: str) -> None:
    """The shifts in order; * marks who is on duty now."""
    _list(app, fmt)


@duty.command(name="add")
@click.argument("who", metavar="NAME")
@click.option("--days", help="Weekdays: mon-fri, weekend, daily, or a list such as mon,wed,fri.")
@click.option("--dates", metavar="DATE[..DATE]", help="A date or a date range, e.g. 2026-12-08..2026-12-10.")
@click.option("--important", is_flag=True, help="Throughout the important periods (重要时期) of the incident policy.")
@click.option("--time", "time_range", default="00:00-24:00", show_default=True, help="Hours of the shift, HH:MM-HH:MM.")
@pass_app
def add_cmd(app: AppContext, who: str, days: str | None, dates: str | None, important: bool, time_range: str) -> None:
    """Add a shift for NAME (a listed contact): one of --days, --dates or --important."""
    from secops.contacts import load_contacts
    from secops.contacts.load import parse_dates, parse_days, parse_time_range
    from secops.contacts.model import Contacts, DutyShift
    from secops.contacts.save import save_contacts
    from secops.errors import SecopsError

    folder = app.workspace().path
    contacts = load_contacts(folder)
    if contacts.person(who) is None:
        raise SecopsError(
            _("no contact named {name!r}").format(name=who), hint=_("add them first: secops workspace contacts add")
        )
    if sum(1 for given in (days, dates, important) if given) != 1:
        raise SecopsError(_("give exactly one of --days, --dates or --important"))
    try:
        start, end = parse_time_range(time_range)
        if important:
            shift = DutyShift(who, important=True, start=start, end=end)
        elif dates:
            shift = DutyShift(who, dates=parse_dates(dates), start=start, end=end)
        else:
            shift = DutyShift(who, days=parse_days(days), start=start, end=end)
    except ValueError as error:
        raise SecopsError(str(error)) from None
    save_contacts(folder, Contacts(contacts.people, (*contacts.duty, shift)))
    say(_("Added a shift for {name}: {when} {time}").format(name=who, when=shift.when_text(), time=shift.time_text))


@duty.command(name="remove")
@click.argument("who", metavar="NAME")
@click.option("--number", type=int, help="Only the shift with this number (see duty list).")
@pass_app
def remove_cmd(app: AppContext, who: str, number: int | None) -> None:
    """Remove NAME's shifts, or only shift --number."""
    from secops.contacts import load_contacts
    from secops.contacts.model import Contacts
    from secops.contacts.save import save_contacts
    from secops.errors import SecopsError

    folder = app.workspace().path
    contacts = load_contacts(folder)
    kept = tuple(
        shift
        for index, shift in enumerate(contacts.duty, start=1)
        if not (shift.who == who and (number is None or number == index))
    )
    removed = len(contacts.duty) - len(kept)
    if not removed:
        raise SecopsError(
            _("no such shift of {name}").format(name=who), hint=_("see secops workspace contacts duty list")
        )
    save_contacts(folder, Contacts(contacts.people, kept))
    say(_("Removed {count} shift(s) of {name}").format(count=removed, name=who))
