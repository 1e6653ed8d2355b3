"""``secops incident`` documents: official reports, 零报告, metrics, report fields, playbooks (CACAO)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click

from secops.cli.base import SecopsCommand
from secops.cli.context import AppContext, pass_app
from secops.cli.incident_common import (
    actor_option,
    complete_incident_id,
    complete_playbook_id,
    document_type,
    legacy_format_option,
    playbook_name,
    session_for,
    write_document,
)
from secops.cli.output import emit, force_option, format_option, refuse_overwrite, say, text_output
from secops.i18n import _

incident_argument = click.argument("incident_id", type=int, shell_complete=complete_incident_id)


def document_output(command: Callable[..., Any]) -> Callable[..., Any]:
    """-o FILE (its suffix picks the document type), --force, and the old --format spelling."""
    command = legacy_format_option(command)
    command = force_option()(command)
    return click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path),
        help="FILE.docx, .pdf, .html or .json: the type follows from the suffix (default: JSON on stdout).",
    )(command)


@click.command(cls=SecopsCommand)
@format_option()
def playbooks(fmt: str) -> None:
    """List the playbooks."""
    from secops.incident.playbooks import load_playbooks

    rows = [
        {
            "id": p.id,
            "name": playbook_name(p),
            "category": p.category,
            "subcategory": p.subcategory,
            "steps": len(p.steps),
        }
        for p in load_playbooks()
    ]
    emit(
        rows,
        fmt,
        ["id", "name", "category", "subcategory", "steps"],
        headers={
            "id": _("ID"),
            "name": _("Name"),
            "category": _("Category"),
            "subcategory": _("Subcategory"),
            "steps": _("Steps"),
        },
        empty=_("No playbooks"),
    )


@click.command(cls=SecopsCommand, name="set", short_help="Fill report fields of an incident (KEY=VALUE).")
@incident_argument
@click.argument("fields", nargs=-1, required=True, metavar="KEY=VALUE...")
@actor_option
@pass_app
def set_cmd(app: AppContext, incident_id: int, fields: tuple[str, ...], actor: str | None) -> None:
    """Fill report fields: impact, measures, trend, cause, trace, plan, scene, other, ransom,
    responsibility, rectification, lessons, leftover, reporter, location, malware_kept."""
    from secops.errors import SecopsError
    from secops.incident.model import get_incident, set_fields
    from secops.incident.report_data import FIELDS

    known = {*FIELDS, "malware_kept"}
    values: dict[str, str] = {}
    for pair in fields:
        key, sep, value = pair.partition("=")
        if not sep or key not in known:
            raise SecopsError(
                _("{pair!r}: use KEY=VALUE with KEY one of {keys}").format(pair=pair, keys=", ".join(sorted(known)))
            )
        values[key] = value
    with app.store() as store:
        current = get_incident(store, incident_id)
        set_fields(session_for(app, store, actor), incident_id, "set", {"facts": {**current.facts, **values}})
    say(_("Incident #{id}: {fields} recorded").format(id=incident_id, fields=", ".join(values)))


@click.command(cls=SecopsCommand, name="report")
@incident_argument
@click.option(
    "--kind",
    type=click.Choice(["initial", "followup", "final"]),
    default="initial",
    show_default=True,
    help="首次报告 (initial), 续报 (followup) or 总结报告 (final).",
)
@document_output
@pass_app
def report_cmd(
    app: AppContext, incident_id: int, kind: str, output: Path | None, force: bool, legacy_fmt: str | None
) -> None:
    """The official report in Chinese: CAC items, the school's form, clocks and the audited timeline.

    \b
      secops incident report 1 --kind final -o 总结报告.docx
      secops incident report 1 -o -          # the same data as JSON"""
    from secops.incident.model import get_incident
    from secops.incident.policy import load_policy
    from secops.incident.report_data import report_json
    from secops.reporting.incident_reports import incident_report

    fmt = document_type(output, legacy_fmt)
    if output is not None:
        refuse_overwrite(output, force)
    workspace = app.workspace()
    policy = load_policy()
    with app.store(workspace) as store:
        found = get_incident(store, incident_id)
        data = report_json(found, store, policy, kind, app.now())
        built = incident_report(found, store, workspace, policy, kind, app.now()) if fmt != "json" else None
    write_document(built, output, fmt, data)


@click.command(cls=SecopsCommand, name="zero-report")
@click.option(
    "--date",
    "--day",
    "day",
    help="The day (YYYY-MM-DD; default: today in the workspace time zone, Beijing with --submit/--hold).",
)
@document_output
@click.option("--submit", is_flag=True, help="Submit the day's 零报告 (or its incidents) to the center now.")
@click.option("--hold", is_flag=True, help="Stop the automatic submission at the deadline for the day.")
@click.option("--actor", help="Who submits or holds (default: the login name); kept at the school, not sent.")
@pass_app
def zero_report_cmd(
    app: AppContext,
    day: str | None,
    output: Path | None,
    force: bool,
    legacy_fmt: str | None,
    submit: bool,
    hold: bool,
    actor: str | None,
) -> None:
    """The daily 零报告 (or the day's incidents), marked when the day is in an important period.

    In a period the center defined, the forwarder submits it automatically at the deadline unless
    a responder submits it (--submit) or holds it (--hold) first."""
    from zoneinfo import ZoneInfo

    from secops.errors import SecopsError
    from secops.incident.policy import load_policy
    from secops.reporting.incident_reports import zero_report

    workspace = app.workspace()
    if day:
        try:
            chosen = date.fromisoformat(day)
        except ValueError:
            raise SecopsError(_("--date {day!r} is not a date").format(day=day), hint=_("use YYYY-MM-DD")) from None
    else:
        # periods are defined in Beijing dates, whatever the workspace's zone
        zone = "Asia/Shanghai" if submit or hold else workspace.config.timezone
        chosen = app.now().astimezone(ZoneInfo(zone)).date()
    if submit or hold:
        if submit and hold:
            raise SecopsError(_("give --submit or --hold, not both"))
        _submit_or_hold(app, chosen, hold=hold, actor=actor)
        return
    fmt = document_type(output, legacy_fmt)
    if output is not None:
        refuse_overwrite(output, force)
    with app.store(workspace) as store:
        built, data = zero_report(store, workspace, load_policy(), chosen, app.now())
    write_document(built, output, fmt, data)


def _submit_or_hold(app: AppContext, day: date, *, hold: bool, actor: str | None) -> None:
    import getpass

    from secops.forward.periods import hold as hold_day
    from secops.forward.periods import submit
    from secops.protocol.zero_reports import BEIJING, REPORT_KINDS

    person = actor or getpass.getuser()
    with app.store(app.workspace()) as store:
        done = (hold_day if hold else submit)(store, day, app.now(), person)
    if done.held:
        line = _("The 零报告 of {day} is held: it is not submitted at the deadline; submit it by hand (--submit)")
        say(line.format(day=day.isoformat()))
        return
    assert done.submitted_at is not None and done.kind is not None
    at = done.submitted_at.astimezone(BEIJING).isoformat(sep=" ", timespec="minutes")
    count = _(" ({count} incidents)").format(count=len(done.incidents)) if done.incidents else ""
    line = _("{day} {kind}{count} submitted ({at}); the forwarder sends it to the center on its next run")
    say(line.format(day=day.isoformat(), kind=REPORT_KINDS[done.kind], count=count, at=at))


@click.command(cls=SecopsCommand, name="metrics")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Also write FILE.xlsx, .pdf, .docx or .html.")
@force_option()
@format_option()
@pass_app
def metrics_cmd(app: AppContext, output: Path | None, force: bool, fmt: str) -> None:
    """Time to acknowledge / contain / close and clock compliance, per month."""
    from secops.errors import SecopsError
    from secops.incident.policy import load_policy
    from secops.incident.report_data import metrics
    from secops.render.formats import write_report
    from secops.reporting.incident_reports import metrics_report

    if output is not None:
        if str(output) == "-":
            raise SecopsError(
                _("-o - cannot take a document: the table or JSON is on stdout already"),
                hint=_("give -o FILE.xlsx, .pdf, .docx or .html"),
            )
        if output.suffix.lower().lstrip(".") not in ("xlsx", "pdf", "docx", "html", "htm"):
            raise SecopsError(
                _("-o {path}: cannot tell the document type from the file name").format(path=output),
                hint=_("give -o FILE.xlsx, .pdf, .docx or .html"),
            )
        refuse_overwrite(output, force)
    workspace = app.workspace()
    with app.store(workspace) as store:
        rows = metrics(store, workspace, load_policy(), app.now())
    emit(
        rows,
        fmt,
        ["month", "incidents", "minutes_to_acknowledge", "minutes_to_contain", "minutes_to_close", "compliance"],
        headers={
            "month": _("Month"),
            "incidents": _("Incidents"),
            "minutes_to_acknowledge": _("Minutes to acknowledge"),
            "minutes_to_contain": _("Minutes to contain"),
            "minutes_to_close": _("Minutes to close"),
            "compliance": _("Clock compliance"),
        },
        empty=_("No incidents yet"),
    )
    if output:
        write_report(metrics_report(rows, workspace, app.now()), output)
        say(_("Wrote {path}").format(path=output), err=True)


@click.command(cls=SecopsCommand, name="export-playbook")
@click.argument("playbook_id", metavar="PLAYBOOK", shell_complete=complete_playbook_id)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write CACAO JSON here (default, or -: stdout).")
@force_option()
@pass_app
def export_playbook(app: AppContext, playbook_id: str, output: Path | None, force: bool) -> None:
    """Export a playbook as OASIS CACAO v2.0 JSON (deadlines in an extension property)."""
    from secops.cli.output import to_json
    from secops.errors import SecopsError
    from secops.incident.cacao import to_cacao
    from secops.incident.playbooks import load_playbooks

    playbooks = {p.id: p for p in load_playbooks()}
    if playbook_id not in playbooks:
        raise SecopsError(
            _("unknown playbook {playbook!r}").format(playbook=playbook_id),
            hint=_("choose one of: {choices}").format(choices=", ".join(sorted(playbooks))),
        )
    if output is not None:
        refuse_overwrite(output, force)
    text = to_json(to_cacao(playbooks[playbook_id], now=app.now()))
    with text_output(output) as handle:
        handle.write(text + "\n")
    if output is not None and str(output) != "-":
        say(_("Wrote {path}").format(path=output))


@click.command(cls=SecopsCommand, name="import-playbook")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), required=True, help="The playbook YAML to write (- for stdout)."
)
@force_option()
def import_playbook(path: Path, output: Path, force: bool) -> None:
    """Import a CACAO v2.0 JSON playbook (a chain of action steps) as a secops playbook YAML."""
    from secops.errors import SecopsError
    from secops.incident.cacao import from_cacao, load_json, playbook_yaml

    if not path.is_file():
        raise SecopsError(_("{path}: no such file").format(path=path))
    refuse_overwrite(output, force)
    playbook = from_cacao(load_json(path.read_text(encoding="utf-8")))
    with text_output(output) as handle:
        handle.write(playbook_yaml(playbook))
    line = _("Wrote {path}: playbook {playbook} with {count} steps")
    say(line.format(path=output, playbook=playbook.id, count=len(playbook.steps)), err=str(output) == "-")
