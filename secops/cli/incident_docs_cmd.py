"""``secops incident`` documents: official reports, 零报告, metrics, report fields, playbooks (CACAO)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from secops.cli.base import SecopsCommand
from secops.cli.context import AppContext, pass_app
from secops.cli.incident_common import actor_option, session_for, write_document
from secops.cli.output import emit, format_option


@click.command(cls=SecopsCommand)
@format_option()
def playbooks(fmt: str) -> None:
    """List the playbooks."""
    from secops.incident.playbooks import load_playbooks

    rows = [
        {"id": p.id, "name": p.name.zh, "category": p.category, "subcategory": p.subcategory, "steps": len(p.steps)}
        for p in load_playbooks()
    ]
    emit(rows, fmt, ["id", "name", "category", "subcategory", "steps"])


@click.command(cls=SecopsCommand, name="set")
@click.argument("incident_id", type=int)
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
            raise SecopsError(f"{pair!r}: use KEY=VALUE with KEY one of {', '.join(sorted(known))}")
        values[key] = value
    with app.store() as store:
        current = get_incident(store, incident_id)
        set_fields(session_for(app, store, actor), incident_id, "set", {"facts": {**current.facts, **values}})
    click.echo(f"Incident #{incident_id}: {', '.join(values)} recorded")


@click.command(cls=SecopsCommand, name="report")
@click.argument("incident_id", type=int)
@click.option("--kind", type=click.Choice(["initial", "followup", "final"]), default="initial", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["docx", "pdf", "json"]), default="docx", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Output file (needed for docx and pdf).")
@pass_app
def report_cmd(app: AppContext, incident_id: int, kind: str, fmt: str, output: Path | None) -> None:
    """The official report in Chinese: CAC items, the school's form, clocks and the audited timeline."""
    from secops.incident.model import get_incident
    from secops.incident.policy import load_policy
    from secops.incident.report_data import report_json
    from secops.reporting.incident_reports import incident_report

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
@click.option("--format", "fmt", type=click.Choice(["docx", "pdf", "json"]), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Output file (needed for docx and pdf).")
@click.option("--submit", is_flag=True, help="Submit the day's 零报告 (or its incidents) to the center now.")
@click.option("--hold", is_flag=True, help="Stop the automatic submission at the deadline for the day.")
@click.option("--actor", help="Who submits or holds (default: the login name); kept at the school, not sent.")
@pass_app
def zero_report_cmd(
    app: AppContext,
    day: str | None,
    fmt: str,
    output: Path | None,
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
            raise SecopsError(f"--date {day!r} is not a date", hint="use YYYY-MM-DD") from None
    else:
        # periods are defined in Beijing dates, whatever the workspace's zone
        zone = "Asia/Shanghai" if submit or hold else workspace.config.timezone
        chosen = app.now().astimezone(ZoneInfo(zone)).date()
    if submit or hold:
        if submit and hold:
            raise SecopsError("give --submit or --hold, not both")
        _submit_or_hold(app, chosen, hold=hold, actor=actor)
        return
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
        click.echo(f"{day.isoformat()} 的零报告已暂缓：截止时间不再自动报送，请人工提交（--submit）")
        return
    assert done.submitted_at is not None and done.kind is not None
    at = done.submitted_at.astimezone(BEIJING).isoformat(sep=" ", timespec="minutes")
    count = f"（{len(done.incidents)} 起事件）" if done.incidents else ""
    click.echo(f"{day.isoformat()} {REPORT_KINDS[done.kind]}{count}已提交（{at}），转发器下次运行时报送中心")


@click.command(cls=SecopsCommand, name="metrics")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Also write FILE.xlsx, .pdf, .docx or .html.")
@format_option()
@pass_app
def metrics_cmd(app: AppContext, output: Path | None, fmt: str) -> None:
    """Time to acknowledge / contain / close and clock compliance, per month."""
    from secops.incident.policy import load_policy
    from secops.incident.report_data import metrics
    from secops.render.formats import write_report
    from secops.reporting.incident_reports import metrics_report

    workspace = app.workspace()
    with app.store(workspace) as store:
        rows = metrics(store, workspace, load_policy(), app.now())
    emit(
        rows,
        fmt,
        ["month", "incidents", "minutes_to_acknowledge", "minutes_to_contain", "minutes_to_close", "compliance"],
    )
    if output:
        write_report(metrics_report(rows, workspace, app.now()), output)
        click.echo(f"Wrote {output}", err=True)


@click.command(cls=SecopsCommand, name="export-playbook")
@click.argument("playbook_id", metavar="PLAYBOOK")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write CACAO JSON here (default: stdout).")
@pass_app
def export_playbook(app: AppContext, playbook_id: str, output: Path | None) -> None:
    """Export a playbook as OASIS CACAO v2.0 JSON (deadlines in an extension property)."""
    from secops.cli.output import to_json
    from secops.errors import SecopsError
    from secops.fsutil import write_text_atomic
    from secops.incident.cacao import to_cacao
    from secops.incident.playbooks import load_playbooks

    playbooks = {p.id: p for p in load_playbooks()}
    if playbook_id not in playbooks:
        raise SecopsError(f"unknown playbook {playbook_id!r}", hint="choose one of: " + ", ".join(sorted(playbooks)))
    text = to_json(to_cacao(playbooks[playbook_id], now=app.now()))
    if output:
        write_text_atomic(output, text + "\n")
        click.echo(f"Wrote {output}")
    else:
        click.echo(text)


@click.command(cls=SecopsCommand, name="import-playbook")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="The playbook YAML to write.")
def import_playbook(path: Path, output: Path) -> None:
    """Import a CACAO v2.0 JSON playbook (a chain of action steps) as a secops playbook YAML."""
    from secops.errors import SecopsError
    from secops.fsutil import write_text_atomic
    from secops.incident.cacao import from_cacao, load_json, playbook_yaml

    if not path.is_file():
        raise SecopsError(f"{path}: no such file")
    playbook = from_cacao(load_json(path.read_text(encoding="utf-8")))
    write_text_atomic(output, playbook_yaml(playbook))
    click.echo(f"Wrote {output}: playbook {playbook.id} with {len(playbook.steps)} steps")
