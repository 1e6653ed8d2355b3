"""``secops center period``: important periods (高考, 重要会议 ...) during which every school sends a
daily 零报告 by a Beijing deadline, and who is missing for each day."""

from __future__ import annotations

import getpass
from datetime import date

import click

from secops.cli.base import SecopsGroup
from secops.cli.center_common import center_db, center_home, center_now, headers, labelled, when
from secops.cli.center_complete import complete_groups, complete_periods, complete_schools
from secops.cli.output import emit, emit_object, findings, format_option, say
from secops.errors import SecopsError
from secops.i18n import N_, _

SHOW_STATUS = {
    "submitted": N_("submitted"),
    "late": N_("late"),
    "missing": N_("missing"),
    "not_yet_due": N_("not yet due"),
}


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SecopsError(
            _("{option} {value} is not a date").format(option=option, value=repr(text)),
            hint=_("use YYYY-MM-DD (Beijing)"),
        ) from None


@click.group(cls=SecopsGroup)
def period() -> None:
    """Important periods: schools send a daily 零报告 (or the day's incidents) by the deadline.

    \b
      secops center period add 高考 --from 2027-06-07 --to 2027-06-10 --deadline 16:00 --all
      secops center period list
      secops center period show 高考 --day 2027-06-08   # who submitted, who is missing
    """


@period.command("add")
@click.argument("name")
@click.option("--from", "start", required=True, help="First day, YYYY-MM-DD (Beijing).")
@click.option("--to", "end", required=True, help="Last day, YYYY-MM-DD (Beijing, inclusive).")
@click.option("--deadline", default="16:00", show_default=True, help="Daily deadline, HH:MM (Beijing).")
@click.option("--school", "schools", multiple=True, help="A school code (repeatable).", shell_complete=complete_schools)
@click.option("--group", help="A group of schools (secops center group).", shell_complete=complete_groups)
@click.option("--all", "everyone", is_flag=True, help="Every registered school.")
@click.option("--as", "actor", help="Who defines it (default: the OS user).")
def add(
    name: str,
    start: str,
    end: str,
    deadline: str,
    schools: tuple[str, ...],
    group: str | None,
    everyone: bool,
    actor: str | None,
) -> None:
    """Define a period: signed with the center's key and fetched by the schools on their next run."""
    from secops.center.context import open_state
    from secops.center.notices import audience
    from secops.center.periods import issue_period

    home = center_home()
    state = open_state(home, center_db())
    try:
        codes, shown = audience(state, schools=list(schools), group=group, everyone=everyone)
        made = issue_period(
            state,
            home,
            name=name,
            start=_date(start, "--from"),
            end=_date(end, "--to"),
            deadline=deadline.strip(),
            schools=codes,
            audience_text=shown,
            issued_by=actor or f"host:{getpass.getuser()}",
            issuer=home.name,
            now=center_now(),
        )
    finally:
        state.dispose()
    say(
        _("Period {name} ({id}) {start} to {end}: a daily 零报告 by {deadline} (Beijing), sent to {audience}").format(
            name=made.name,
            id=made.id,
            start=made.start.isoformat(),
            end=made.end.isoformat(),
            deadline=made.deadline,
            audience=made.audience,
        )
    )


@period.command("list")
@format_option()
def list_periods(fmt: str) -> None:
    """Periods, the latest first, with how many school-days are missing so far."""
    from secops.center.context import open_state
    from secops.center.periods import period_days, periods

    now = center_now()
    state = open_state(center_home(), center_db())
    try:
        rows = []
        for p in periods(state):
            days = period_days(state, p.id, now)
            rows.append(
                {
                    "id": p.id,
                    "name": p.name,
                    "from": p.start.isoformat(),
                    "to": p.end.isoformat(),
                    "deadline": p.deadline,
                    "audience": p.audience,
                    "missing": sum(len(d.missing) for d in days),
                }
            )
    finally:
        state.dispose()
    emit(
        rows,
        fmt,
        ["id", "name", "from", "to", "deadline", "audience", "missing"],
        headers=headers(),
        empty=_("No periods defined: secops center period add NAME ..."),
    )


@period.command("show")
@click.argument("name_or_id", shell_complete=complete_periods)
@click.option("--day", help="Only this day, YYYY-MM-DD (Beijing).")
@format_option()
@click.option("--check", is_flag=True, help="Exit 1 when a school missed a deadline (a check for cron).")
def show(name_or_id: str, day: str | None, fmt: str, check: bool) -> None:
    """Each day that has begun: the schools that submitted (zero or incidents, when, late?) and
    those missing after the deadline."""
    from secops.center.context import open_state
    from secops.center.periods import find_period, period_days

    now = center_now()
    state = open_state(center_home(), center_db())
    try:
        found = find_period(state, name_or_id)
        days = period_days(state, found.id, now, _date(day, "--day") if day else None)
    finally:
        state.dispose()
    table = fmt == "table"
    rows = []
    for each in days:
        for s in each.submitted:
            rows.append(
                {
                    "day": each.day.isoformat(),
                    "school": s.school,
                    "name": s.name,
                    "status": "late" if s.late else "submitted",
                    "kind": s.kind,
                    "incidents": s.incidents,
                    "submitted_at": when(s.submitted_at, table=table),
                    "submitted_by": s.submitted_by,
                    "received_at": when(s.received_at, table=table),
                }
            )
        for s in each.missing:
            rows.append({"day": each.day.isoformat(), "school": s.school, "name": s.name, "status": "missing"})
        for s in each.waiting:
            rows.append({"day": each.day.isoformat(), "school": s.school, "name": s.name, "status": "not_yet_due"})
    head = {
        "id": found.id,
        "name": found.name,
        "from": found.start.isoformat(),
        "to": found.end.isoformat(),
        "deadline": found.deadline,
        "audience": found.audience,
        "issued_by": found.issued_by,
        "days": [
            {
                "day": d.day.isoformat(),
                "deadline": when(d.deadline, table=table),
                "missing": [s.school for s in d.missing],
            }
            for d in days
        ],
    }
    missing = sum(len(d.missing) for d in days)
    if not table:
        emit_object({**head, "schools": rows}, fmt)
        findings(check and missing > 0)
        return
    emit_object(labelled({k: v for k, v in head.items() if k != "days"}), fmt)
    click.echo("")
    for row in rows:  # the status in words for people
        status = str(row["status"])
        row["status"] = _(SHOW_STATUS.get(status, status))
    columns = ["day", "school", "name", "status", "kind", "incidents", "submitted_at", "submitted_by"]
    emit(rows, fmt, columns, headers=headers(), empty=_("No day of this period has begun yet"))
    if check and missing:
        say(_("{count} school-day(s) missed the deadline").format(count=missing), err=True)
    findings(check and missing > 0)
