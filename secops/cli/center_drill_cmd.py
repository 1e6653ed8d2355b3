"""``secops center drill``: ask schools to run an 应急演练, see who ran it and compare how they did."""

from __future__ import annotations

import getpass
from typing import Any

import click

from secops.cli.base import SecopsGroup
from secops.cli.center_common import center_db, center_home, center_now, when
from secops.cli.center_complete import complete_groups, complete_schools
from secops.cli.output import emit, emit_object, findings, format_option, say
from secops.i18n import N_, _

STATE_NAMES = {
    "finished": N_("finished"),
    "late": N_("finished late"),
    "running": N_("running"),
    "waiting": N_("not started"),
    "overdue": N_("overdue"),
}


@click.group(cls=SecopsGroup)
def drill() -> None:
    """应急演练 across schools: ask a group to run a scenario by a deadline (a signed request they
    fetch like a 通报), see who ran it, and compare their response times.

    \b
      secops center drill schedule webshell-portal --group 城区 --due 14d --speed 10
      secops center drill list
      secops center drill show d20261207…           # each school: done, running, overdue
      secops center drill compare --scenario webshell-portal
    """


@drill.command("schedule")
@click.argument("scenario")
@click.option("--due", default="14d", show_default=True, help="Run it within this time, e.g. 72h or 14d.")
@click.option("--speed", type=float, default=1.0, show_default=True, help="How many times faster its clocks run.")
@click.option("--title", default="", help="What the schools read (default: the scenario's name).")
@click.option("--text", default="", help="Instructions for the schools.")
@click.option("--school", "schools", multiple=True, help="A school code (repeatable).", shell_complete=complete_schools)
@click.option("--group", help="A group of schools (secops center group).", shell_complete=complete_groups)
@click.option("--all", "everyone", is_flag=True, help="Every registered school.")
@click.option("--as", "actor", help="Who asks (default: the OS user).")
def schedule(
    scenario: str,
    due: str,
    speed: float,
    title: str,
    text: str,
    schools: tuple[str, ...],
    group: str | None,
    everyone: bool,
    actor: str | None,
) -> None:
    """Ask the schools to run drill SCENARIO (secops drill scenarios) before the deadline: signed with
    the center's key and fetched by each school on its next forwarder run."""
    from secops.center.context import open_state
    from secops.center.drills import issue_drill
    from secops.center.notices import audience
    from secops.cli.center_notice_cmd import parse_due

    home = center_home()
    state = open_state(home, center_db())
    try:
        codes, shown = audience(state, schools=list(schools), group=group, everyone=everyone)
        made = issue_drill(
            state,
            home,
            scenario=scenario,
            title=title,
            text=text,
            speed=speed,
            due=parse_due(due),
            schools=codes,
            audience_text=shown,
            issued_by=actor or f"host:{getpass.getuser()}",
            issuer=home.name,
            now=center_now(),
        )
    finally:
        state.dispose()
    say(
        _("Drill {id} ({scenario}, speed {speed:g}) asked of {audience}, due {due}").format(
            id=made.id,
            scenario=made.scenario,
            speed=made.speed,
            audience=made.audience,
            due=when(made.due_at, table=True),
        )
    )


@drill.command("list")
@format_option()
def list_drills(fmt: str) -> None:
    """Drills asked, the newest first, with how many schools finished, run or are overdue."""
    from secops.center.context import open_state
    from secops.center.drills import drill_views

    table = fmt == "table"
    state = open_state(center_home(), center_db())
    try:
        views = drill_views(state, center_now())
    finally:
        state.dispose()
    rows = [
        {
            "id": v.drill.id,
            "scenario": v.drill.scenario,
            "title": v.drill.title,
            "due_at": when(v.drill.due_at, table=table),
            "audience": v.drill.audience,
            "finished": v.count("finished", "late"),
            "running": v.count("running"),
            "overdue": v.count("overdue"),
            "schools": len(v.schools),
        }
        for v in views
    ]
    headers = {
        "id": _("ID"),
        "scenario": _("SCENARIO"),
        "title": _("TITLE"),
        "due_at": _("DUE"),
        "audience": _("AUDIENCE"),
        "finished": _("FINISHED"),
        "running": _("RUNNING"),
        "overdue": _("OVERDUE"),
        "schools": _("SCHOOLS"),
    }
    emit(rows, fmt, headers=headers, empty=_("No drills asked: secops center drill schedule SCENARIO ..."))


def _minutes(value: float | None) -> str:
    return f"{value:g}" if value is not None else "—"


def _result_row(result: Any, table: bool) -> dict[str, Any]:
    steps = result.share("steps_met", "steps_total")
    clocks = result.share("clocks_met", "clocks_total")
    return {
        "acknowledged": _minutes(result.minutes("acknowledged")) if table else result.minutes("acknowledged"),
        "reported": _minutes(result.minutes("reported")) if table else result.minutes("reported"),
        "contained": _minutes(result.minutes("contained")) if table else result.minutes("contained"),
        "recovered": _minutes(result.minutes("recovered")) if table else result.minutes("recovered"),
        "steps": (f"{steps:.0%}" if steps is not None else "—") if table else steps,
        "clocks": (f"{clocks:.0%}" if clocks is not None else "—") if table else clocks,
        "finished_at": when(result.finished_at, table=table),
    }


RESULT_HEADERS = {
    "school": N_("SCHOOL"),
    "name": N_("NAME"),
    "state": N_("STATE"),
    "scenario": N_("SCENARIO"),
    "acknowledged": N_("ACK MIN"),
    "reported": N_("REPORT MIN"),
    "contained": N_("CONTAIN MIN"),
    "recovered": N_("RECOVER MIN"),
    "steps": N_("STEPS ON TIME"),
    "clocks": N_("CLOCKS MET"),
    "finished_at": N_("FINISHED AT"),
}


@drill.command("show")
@click.argument("drill_id")
@format_option()
@click.option("--check", is_flag=True, help="Exit 1 when a school is overdue (a check for cron).")
def show(drill_id: str, fmt: str, check: bool) -> None:
    """Each school the drill was asked of: finished (with its drill minutes to each milestone),
    running, not started, or overdue."""
    from secops.center.context import open_state
    from secops.center.drills import drill_views

    table = fmt == "table"
    state = open_state(center_home(), center_db())
    try:
        [view] = drill_views(state, center_now(), drill_id)
    finally:
        state.dispose()
    rows = []
    for school in view.schools:
        row: dict[str, Any] = {
            "school": school.school,
            "name": school.name,
            "state": _(STATE_NAMES[school.state]) if table else school.state,
        }
        if school.result is not None and school.result.state == "finished":
            row.update(_result_row(school.result, table))
        rows.append(row)
    overdue = view.count("overdue")
    if not table:
        drill = view.drill
        head = {
            "id": drill.id,
            "scenario": drill.scenario,
            "title": drill.title,
            "speed": drill.speed,
            "issued_at": drill.issued_at,
            "due_at": drill.due_at,
            "audience": drill.audience,
        }
        emit_object({**head, "schools": rows}, fmt)
        findings(check and overdue > 0)
        return
    click.echo(
        _("{title} ({scenario}, speed {speed:g}): due {due}, asked of {audience}").format(
            title=view.drill.title,
            scenario=view.drill.scenario,
            speed=view.drill.speed,
            due=when(view.drill.due_at, table=True),
            audience=view.drill.audience,
        )
    )
    columns = ["school", "name", "state", "acknowledged", "reported", "contained", "recovered", "steps", "clocks"]
    emit(rows, fmt, columns, headers={k: _(v) for k, v in RESULT_HEADERS.items()}, empty=_("No schools"))
    say(_("Minutes are drill time from detection (real minutes times the speed)."))
    findings(check and overdue > 0)


@drill.command("compare")
@click.option("--scenario", help="Only this scenario.")
@format_option()
def compare(scenario: str | None, fmt: str) -> None:
    """Each school's latest finished drill, the fastest first report first: drill minutes to each
    milestone, steps on time and clocks met."""
    from secops.center.context import open_state
    from secops.center.drills import comparison

    table = fmt == "table"
    state = open_state(center_home(), center_db())
    try:
        found = comparison(state, scenario)
    finally:
        state.dispose()
    rows = [{"school": r.school, "name": r.name, "scenario": r.scenario, **_result_row(r, table)} for r in found]
    columns = ["school", "name", "scenario", "acknowledged", "reported", "contained", "recovered", "steps", "clocks"]
    emit(
        rows,
        fmt,
        columns,
        headers={k: _(v) for k, v in RESULT_HEADERS.items()},
        empty=_("No school has finished a drill yet"),
    )
