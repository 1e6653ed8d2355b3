"""``secops incident``: open and work incidents under their running clocks, with an audit trail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from secops.cli import incident_docs_cmd as docs
from secops.cli import incident_report_cmd as reporting
from secops.cli import incident_step_cmd
from secops.cli.base import SecopsGroup
from secops.cli.context import AppContext, pass_app
from secops.cli.incident_common import actor_option, parse_facts, parse_when, session_for, show_incident
from secops.cli.output import emit, format_option


@click.group(cls=SecopsGroup)
def incident() -> None:
    """Incidents: GB/T 20986 category and grade, playbook steps, running clocks (1 hour for a
    重大 incident), escalation notices, a tamper-evident audit trail.

    \b
      secops incident open --from-alert 12 --grade 重大
      secops incident status                 # every clock with the time left
      secops incident step done isolate --incident 1 --evidence shot.png
      secops incident submit 1 --kind initial  # 首次报告: stops the clock, tells the center
      secops incident verify-audit --against-center
    """


@incident.command(name="open")
@click.option("--title", help="What happened (default: the alert's title with --from-alert).")
@click.option("--category", help="GB/T 20986 category code or name, e.g. 02 or 网络攻击事件.")
@click.option("--subcategory", help="Its subcategory, e.g. 网页篡改.")
@click.option("--grade", help="一般 / 较大 / 重大 / 特别重大 (default: the playbook's, or from --fact).")
@click.option(
    "--fact", "facts", multiple=True, help="Grading fact KEY=NUMBER: pi_leaked, loss_yuan, cii_down_hours, ..."
)
@click.option("--playbook", help="Playbook id (secops incident playbooks).")
@click.option("--detected-at", help="When it was detected (ISO 8601; default: now).")
@click.option("--notified", is_flag=True, help="A 安全通报 from the authorities (60-hour clock).")
@click.option("--from-alert", "alert_id", type=int, help="Prefill from this alert.")
@click.option("--owner", default="", help="Who handles it.")
@click.option("--system", "systems", multiple=True, help="Affected 等保 system(s).")
@click.option("--asset", "assets", multiple=True, help="Affected asset(s).")
@actor_option
@format_option()
@pass_app
def open_cmd(
    app: AppContext,
    title: str | None,
    category: str | None,
    subcategory: str | None,
    grade: str | None,
    facts: tuple[str, ...],
    playbook: str | None,
    detected_at: str | None,
    notified: bool,
    alert_id: int | None,
    owner: str,
    systems: tuple[str, ...],
    assets: tuple[str, ...],
    actor: str | None,
    fmt: str,
) -> None:
    """Open an incident; its clocks start at the detection time."""
    from secops.errors import SecopsError
    from secops.incident.alerts import alert_facts
    from secops.incident.from_alert import open_from_alert
    from secops.incident.model import open_incident
    from secops.incident.playbooks import load_playbooks
    from secops.incident.policy import load_policy

    playbooks = {p.id: p for p in load_playbooks()}
    grading_facts = parse_facts(facts)
    workspace = app.workspace()
    with app.store(workspace) as store:
        alert = alert_facts(store, alert_id) if alert_id else None
        chosen = playbooks.get(playbook) if playbook else None
        if playbook and chosen is None:
            raise SecopsError(f"unknown playbook {playbook!r}", hint="choose one of: " + ", ".join(sorted(playbooks)))
        reasons: list[str] = []
        if grading_facts and not grade:
            grade, reasons = load_policy().grade(grading_facts)
        kept: dict[str, Any] = {**grading_facts, **({"grading_reasons": reasons} if reasons else {})}
        if alert is not None:
            session = session_for(app, store, actor)
            opened = open_from_alert(
                session,
                alert,
                playbooks.values(),
                playbook=chosen,
                grade=grade,
                title=title,
                category=category,
                subcategory=subcategory,
                detected_at=parse_when(detected_at, app) if detected_at else None,
                notified=notified,
                owner=owner,
                systems=systems,
                assets=assets,
                facts=kept,
            )
            show_incident(app, store, opened, fmt, headline=f"Opened incident #{opened.id}")
            return
        category = category or (chosen.category if chosen else None)
        subcategory = subcategory or (chosen.subcategory if chosen else None)
        if not category or not subcategory:
            raise SecopsError(
                "give --category and --subcategory, or a --playbook that implies them",
                hint="see secops incident playbooks, or give e.g. --category 02 --subcategory 网页篡改",
            )
        if not title:
            raise SecopsError("give --title (or --from-alert)")
        session = session_for(app, store, actor)  # one "now" for the session and the default detection time
        opened = open_incident(
            session,
            title=title,
            category=category,
            subcategory=subcategory,
            grade=grade or (chosen.default_grade if chosen else "一般"),
            detected_at=parse_when(detected_at, app) if detected_at else session.now,
            notified=notified or bool(chosen and chosen.notified),
            playbook=chosen.id if chosen else None,
            owner=owner,
            systems=list(systems),
            assets=list(assets),
            facts=kept,
        )
        show_incident(app, store, opened, fmt, headline=f"Opened incident #{opened.id}")


@incident.command(name="list")
@click.option("--all", "show_all", is_flag=True, help="Closed incidents too.")
@format_option()
@pass_app
def list_cmd(app: AppContext, show_all: bool, fmt: str) -> None:
    """List incidents (open ones by default)."""
    from secops.cli.output import localize
    from secops.incident.model import list_incidents

    workspace = app.workspace()
    with app.store(workspace) as store:
        rows = [i.as_dict() for i in list_incidents(store, open_only=not show_all)]
    if fmt == "table":
        rows = localize(rows, workspace.config.timezone)
    emit(rows, fmt, ["id", "title", "category", "subcategory", "grade", "state", "owner", "detected_at"])


@incident.command()
@click.argument("incident_id", type=int)
@format_option()
@pass_app
def show(app: AppContext, incident_id: int, fmt: str) -> None:
    """Show one incident with its clocks and steps."""
    from secops.incident.model import get_incident

    with app.store() as store:
        show_incident(app, store, get_incident(store, incident_id), fmt)


@incident.command()
@format_option()
@pass_app
def status(app: AppContext, fmt: str) -> None:
    """Every clock of every open incident, with the time left."""
    from secops.incident.clocks import clocks_for
    from secops.incident.model import list_incidents
    from secops.incident.policy import load_policy

    policy = load_policy()
    with app.store() as store:
        rows = []
        for found in list_incidents(store, open_only=True):
            for clock in clocks_for(found, policy, app.now()):
                rows.append({"title": found.title, "grade": found.grade, **clock.as_dict()})
    rows.sort(key=lambda r: r["left_seconds"])
    if fmt == "table":
        from secops.cli.output import localize

        rows = localize(rows, app.workspace().config.timezone)
    # met and missed clocks say so (按时完成 …), running ones the time left
    emit(rows, fmt, ["incident", "title", "grade", "name", "status", "left_text", "due_at"])


def _transition_command(name: str, target: str, help_text: str) -> None:
    @incident.command(name=name, help=help_text)
    @click.argument("incident_id", type=int)
    @click.option("--note", default="", help="Why (kept in the audit trail).")
    @click.option("--version", type=int, help="Fail if the incident changed since this version.")
    @actor_option
    @pass_app
    def command(app: AppContext, incident_id: int, note: str, version: int | None, actor: str | None) -> None:
        from secops.incident.model import transition

        with app.store() as store:
            found = transition(session_for(app, store, actor), incident_id, target, version=version, note=note)
        click.echo(f"Incident #{found.id} is now {found.state}")


for _name, _target, _help in (
    ("ack", "acknowledged", "Acknowledge an incident (someone is on it)."),
    ("contain", "contained", "Mark an incident contained."),
    ("eradicate", "eradicated", "Mark an incident eradicated."),
    ("recover", "recovered", "Mark an incident recovered (处置完成: stops the handling clock)."),
    ("close", "closed", "Close an incident."),
    ("reopen", "acknowledged", "Reopen a closed incident."),
):
    _transition_command(_name, _target, _help)


@incident.command()
@click.argument("incident_id", type=int)
@click.argument("owner")
@actor_option
@pass_app
def assign(app: AppContext, incident_id: int, owner: str, actor: str | None) -> None:
    """Give an incident to OWNER."""
    from secops.incident.model import set_fields

    with app.store() as store:
        set_fields(session_for(app, store, actor), incident_id, "assign", {"owner": owner})
    click.echo(f"Incident #{incident_id} assigned to {owner}")


@incident.command()
@click.argument("incident_id", type=int)
@click.argument("grade", required=False)
@click.option("--fact", "facts", multiple=True, help="Grade from facts KEY=NUMBER (the policy's thresholds).")
@actor_option
@pass_app
def grade(app: AppContext, incident_id: int, grade: str | None, facts: tuple[str, ...], actor: str | None) -> None:
    """Change the grade (its clocks change with it), or derive it from --fact values."""
    from secops.errors import SecopsError
    from secops.incident.model import get_incident, set_fields
    from secops.incident.policy import load_policy

    reasons: list[str] = []
    found_facts = parse_facts(facts)
    if not grade:
        if not found_facts:
            raise SecopsError("give a GRADE or --fact values", hint="e.g. --fact pi_leaked=1200000")
        grade, reasons = load_policy().grade(found_facts)
    with app.store() as store:
        current = get_incident(store, incident_id)
        changes: dict[str, Any] = {"grade": grade}
        if found_facts:
            changes["facts"] = {**current.facts, **found_facts, "grading_reasons": reasons}
        set_fields(session_for(app, store, actor), incident_id, "grade", changes)
    click.echo(f"Incident #{incident_id} graded {grade}" + (f" ({'；'.join(reasons)})" if reasons else ""))


@incident.command()
@click.argument("incident_id", type=int)
@click.argument("text")
@actor_option
@pass_app
def note(app: AppContext, incident_id: int, text: str, actor: str | None) -> None:
    """Add a note to the incident's record."""
    from secops.incident.model import add_note

    with app.store() as store:
        add_note(session_for(app, store, actor), incident_id, text)
    click.echo(f"Noted on incident #{incident_id}")


@incident.command(name="attach")
@click.argument("incident_id", type=int)
@click.argument("path", type=click.Path(path_type=Path))
@actor_option
@pass_app
def attach_cmd(app: AppContext, incident_id: int, path: Path, actor: str | None) -> None:
    """Attach a file (its SHA-256 goes into the audit trail)."""
    from secops.incident.model import attach

    with app.store() as store:
        found = attach(session_for(app, store, actor), incident_id, path)
    click.echo(f"Attached {path.name} to incident #{found.id}")


# Steps, reporting up, documents, metrics and playbook exchange live in their own modules.
for _command in (
    incident_step_cmd.step,
    reporting.reported,
    reporting.submit,
    reporting.verify_audit,
    reporting.check_clocks_cmd,
    docs.playbooks,
    docs.set_cmd,
    docs.report_cmd,
    docs.zero_report_cmd,
    docs.metrics_cmd,
    docs.export_playbook,
    docs.import_playbook,
):
    incident.add_command(_command)
