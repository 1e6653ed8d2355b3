"""``secops dengbao calendar`` and ``system filed|assessed``: filings, official assessments, deadlines."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import click

from secops.cli import complete
from secops.cli.base import SecopsCommand
from secops.cli.context import AppContext, pass_app
from secops.cli.output import emit, findings, format_option, say, to_json
from secops.i18n import _


def _today(app: AppContext, zone: str) -> tuple[datetime, date]:
    from zoneinfo import ZoneInfo

    now = app.now()
    return now, now.astimezone(ZoneInfo(zone)).date()


@click.command(cls=SecopsCommand, name="filed")
@click.argument("name", shell_complete=complete.systems)
@click.option("--date", "filed_on", required=True, help="备案日期 on the 备案证明, YYYY-MM-DD.")
@click.option("--number", default="", help="备案证明编号 (left 待填写 when not given).")
@pass_app
def system_filed(app: AppContext, name: str, filed_on: str, number: str) -> None:
    """Record that system NAME was filed (备案) on a date; a later call replaces it."""
    from secops.dengbao.calendar import parse_date, record_filing
    from secops.dengbao.systems import get_system
    from secops.store.records import log_activity

    workspace = app.workspace()
    now, today = _today(app, workspace.config.timezone)
    day = parse_date(filed_on, option="--date", today=today)
    with app.store(workspace) as store:
        found = get_system(store, name)
        record_filing(store, found, day, number, now)
        log_activity(store, "dengbao.filed", {"system": found.name, "date": day.isoformat()}, now)
    say(_("Recorded filing of {system}: {date} {number}").format(system=found.name, date=day, number=number).rstrip())


@click.command(cls=SecopsCommand, name="assessed")
@click.argument("name", shell_complete=complete.systems)
@click.option("--date", "assessed_on", required=True, help="Date of the 等级测评 report, YYYY-MM-DD.")
@click.option("--org", required=True, help="The 测评机构 that did it.")
@click.option("--conclusion", required=True, type=click.Choice(["符合", "基本符合", "不符合"]), help="测评结论.")
@click.option("--report-no", default="", help="测评报告编号.")
@pass_app
def system_assessed(app: AppContext, name: str, assessed_on: str, org: str, conclusion: str, report_no: str) -> None:
    """Record an official 等级测评 of system NAME by a 测评机构 (not the automated runs)."""
    from secops.dengbao.calendar import OfficialAssessment, parse_date, record_official
    from secops.dengbao.systems import get_system
    from secops.store.records import log_activity

    workspace = app.workspace()
    now, today = _today(app, workspace.config.timezone)
    day = parse_date(assessed_on, option="--date", today=today)
    with app.store(workspace) as store:
        found = get_system(store, name)
        record_official(store, found, OfficialAssessment(day, org, conclusion, report_no), now)
        log_activity(store, "dengbao.official", {"system": found.name, "date": day.isoformat()}, now)
    say(
        _("Recorded 等级测评 of {system} on {date}: {conclusion} ({org})").format(
            system=found.name, date=day, conclusion=conclusion, org=org
        )
    )


def _extension(entry: dict[str, Any]) -> str:
    """When the 备案证明's extension can be applied for (its last 3 months), as people read it."""
    from secops.dengbao.calendar import deadline_text

    window = entry["extension_window"]
    if window is None:
        return ""
    if window["open"]:
        return _("open, until {day}").format(day=window["closes_on"])
    return deadline_text(entry, "extension") or _("passed ({opens} to {closes})").format(
        opens=window["opens_on"], closes=window["closes_on"]
    )


def _row(entry: dict[str, Any]) -> dict[str, Any]:
    from secops.dengbao.calendar import deadline_text

    last = entry["last_assessment"]
    unfiled = (
        _("not filed, due {deadline}").format(deadline=deadline_text(entry, "filing"))
        if entry["filing_required"]
        else _("no filing needed")
    )
    filed = entry["filed_on"] or unfiled
    return {
        "system": entry["system"],
        "level": entry["level"],
        "filed": filed,
        "certificate": entry["certificate_no"] or (_("to be filled in") if entry["filed_on"] else ""),
        "valid_until": deadline_text(entry, "certificate"),
        "extension": _extension(entry),
        "last_assessment": f"{last['date']} {last['conclusion']}" if last else _("none recorded"),
        "next_assessment": deadline_text(entry, "assessment"),
        "highrisk": len(entry["open_highrisk"]),
        "overdue": "、".join(entry["overdue"]),
    }


def _headers() -> dict[str, str]:
    return {
        "system": _("SYSTEM"),
        "level": _("LEVEL"),
        "filed": _("FILED"),
        "certificate": _("CERTIFICATE"),
        "valid_until": _("VALID UNTIL"),
        "extension": _("EXTENSION"),
        "last_assessment": _("LAST ASSESSMENT"),
        "next_assessment": _("NEXT ASSESSMENT"),
        "highrisk": _("HIGH RISK"),
        "overdue": _("OVERDUE"),
    }


@click.command(cls=SecopsCommand)
@click.option("--system", "system_name", shell_complete=complete.systems, help="Only this system.")
@click.option("--notify", is_flag=True, help="Send the 30/7/1-day reminders due today (each only once).")
@format_option()
@pass_app
def calendar(app: AppContext, system_name: str | None, notify: bool, fmt: str) -> None:
    """The compliance calendar: filing, 备案证明 validity and its extension window, last and next
    等级测评, open high risk.

    Exits 1 when a deadline is overdue.
    """
    from secops.dengbao.calendar import compliance_calendar

    workspace = app.workspace()
    now, today = _today(app, workspace.config.timezone)
    with app.store(workspace) as store:
        entries = compliance_calendar(store, today, system_name)
        if notify:
            from secops.dengbao.reminders import check_reminders
            from secops.notify import load_notifiers

            sent = check_reminders(
                store, load_notifiers(workspace.path), workspace.path, now, today, school=workspace.config.school.name
            )
            for notice in sent:
                say(_("sent: {text}").format(text=notice["text"]), err=True)
            if not sent:
                say(_("no reminders due today"), err=True)
    if fmt == "table":
        emit(
            [_row(e) for e in entries],
            fmt,
            list(_headers()),
            headers=_headers(),
            empty=_("No graded systems yet (secops dengbao system add)"),
        )
    elif fmt == "json":
        click.echo(to_json(entries))
    else:
        for entry in entries:
            click.echo(to_json(entry, indent=None))
    findings(any(e["overdue"] for e in entries))
