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
from secops.cli.incident_common import (
    actor_option,
    clock_status_name,
    complete_incident_id,
    complete_playbook_id,
    parse_facts,
    parse_when,
    session_for,
    show_incident,
    state_name,
)
from secops.cli.output import emit, format_option, say
from secops.i18n import N_, _

incident_argument = click.argument("incident_id", type=int, shell_complete=complete_incident_id)


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
@click.option("--playbook", help="Playbook id (secops incident playbooks).", shell_complete=complete_playbook_id)
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
            raise SecopsError(
                _("unknown playbook {playbook!r}").format(playbook=playbook),
                hint=_("choose one of: {choices}").format(choices=", ".join(sorted(playbooks))),
            )
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
            show_incident(app, store, opened, fmt, headline=_("Opened incident #{id}").format(id=opened.id))
            return
        category = category or (chosen.category if chosen else None)
        subcategory = subcategory or (chosen.subcategory if chosen else None)
        if not category or not subcategory:
            raise SecopsError(
                _("give --category and --subcategory, or a --playbook that implies them"),
                hint=_("see secops incident playbooks, or give e.g. --category 02 --subcategory 网页篡改"),
            )
        if not title:
            raise SecopsError(_("give --title (or --from-alert)"))
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
        show_incident(app, store, opened, fmt, headline=_("Opened incident #{id}").format(id=opened.id))


@incident.command(name="list")
@click.option("--all", "show_all", is_flag=True, help="Closed incidents too.")
@format_option()
@pass_app
def list_cmd(app: AppContext, show_all: bool, fmt: str) -> None:
    """List incidents (open ones by default); drill incidents are listed too, titled 【演练】."""
    from secops.cli.output import localize
    from secops.incident.model import list_incidents

    workspace = app.workspace()
    with app.store(workspace) as store:
        rows = [i.as_dict() for i in list_incidents(store, open_only=not show_all, with_drills=True)]
    if fmt == "table":
        rows = localize(rows, workspace.config.timezone)
        for row in rows:
            row["state"] = state_name(row["state"])
    emit(
        rows,
        fmt,
        ["id", "title", "category", "subcategory", "grade", "state", "owner", "detected_at"],
        headers={
            "id": _("ID"),
            "title": _("Title"),
            "category": _("Category"),
            "subcategory": _("Subcategory"),
            "grade": _("Grade"),
            "state": _("State"),
            "owner": _("Owner"),
            "detected_at": _("Detected at"),
        },
        empty=_("No incidents") if show_all else _("No open incidents (--all shows closed ones too)"),
    )


@incident.command()
@incident_argument
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
    """Every clock of every open incident (drills' too, titled 【演练】), with the time left."""
    from secops.incident.clocks import clocks_for
    from secops.incident.model import list_incidents
    from secops.incident.policy import load_policy

    policy = load_policy()
    with app.store() as store:
        rows = []
        for found in list_incidents(store, open_only=True, with_drills=True):
            for clock in clocks_for(found, policy, app.now()):
                rows.append({"title": found.title, "grade": found.grade, **clock.as_dict()})
    rows.sort(key=lambda r: r["left_seconds"])
    if fmt == "table":
        from secops.cli.output import localize

        rows = localize(rows, app.workspace().config.timezone)
        for row in rows:
            row["status"] = clock_status_name(row["status"])
    # met and missed clocks say so (按时完成 …), running ones the time left
    emit(
        rows,
        fmt,
        ["incident", "title", "grade", "name", "status", "left_text", "due_at"],
        headers={
            "incident": _("Incident"),
            "title": _("Title"),
            "grade": _("Grade"),
            "name": _("Deadline"),
            "status": _("Status"),
            "left_text": _("Time left"),
            "due_at": _("Due at"),
        },
        empty=_("No running clocks"),
    )


def _transition_command(name: str, target: str, help_text: str, done: str) -> None:
    @incident.command(name=name, help=help_text)
    @incident_argument
    @click.option("--note", default="", help="Why (kept in the audit trail).")
    @click.option("--version", type=int, help="Fail if the incident changed since this version.")
    @actor_option
    @pass_app
    def command(app: AppContext, incident_id: int, note: str, version: int | None, actor: str | None) -> None:
        from secops.incident.model import transition

        with app.store() as store:
            found = transition(session_for(app, store, actor), incident_id, target, version=version, note=note)
        say(_(done).format(id=found.id, state=state_name(found.state)))


# Each command says what it did in a whole sentence (the state alone reads badly in Chinese).
for _name, _target, _help, _done in (
    ("ack", "acknowledged", "Acknowledge an incident (someone is on it).", N_("Incident #{id} is now {state}")),
    ("contain", "contained", "Mark an incident contained.", N_("Incident #{id} is now {state}")),
    ("eradicate", "eradicated", "Mark an incident eradicated.", N_("Incident #{id} is now {state}")),
    (
        "recover",
        "recovered",
        "Mark an incident recovered (处置完成: stops the handling clock).",
        N_("Incident #{id} is now {state}"),
    ),
    ("close", "closed", "Close an incident.", N_("Incident #{id} is now {state}")),
    ("reopen", "acknowledged", "Reopen a closed incident.", N_("Incident #{id} reopened: {state} again")),
):
    _transition_command(_name, _target, _help, _done)


@incident.command()
@incident_argument
@click.argument("owner")
@actor_option
@pass_app
def assign(app: AppContext, incident_id: int, owner: str, actor: str | None) -> None:
    """Give an incident to OWNER."""
    from secops.incident.model import set_fields

    with app.store() as store:
        set_fields(session_for(app, store, actor), incident_id, "assign", {"owner": owner})
    say(_("Incident #{id} assigned to {owner}").format(id=incident_id, owner=owner))


@incident.command()
@incident_argument
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
            raise SecopsError(_("give a GRADE or --fact values"), hint=_("e.g. --fact pi_leaked=1200000"))
        grade, reasons = load_policy().grade(found_facts)
    with app.store() as store:
        current = get_incident(store, incident_id)
        changes: dict[str, Any] = {"grade": grade}
        if found_facts:
            changes["facts"] = {**current.facts, **found_facts, "grading_reasons": reasons}
        set_fields(session_for(app, store, actor), incident_id, "grade", changes)
    line = _("Incident #{id} graded {grade}").format(id=incident_id, grade=grade)
    say(line + (_(" ({reasons})").format(reasons="；".join(reasons)) if reasons else ""))


@incident.command()
@incident_argument
@click.argument("text")
@actor_option
@pass_app
def note(app: AppContext, incident_id: int, text: str, actor: str | None) -> None:
    """Add a note to the incident's record."""
    from secops.incident.model import add_note

    with app.store() as store:
        add_note(session_for(app, store, actor), incident_id, text)
    say(_("Noted on incident #{id}").format(id=incident_id))


@incident.command(name="attach")
@incident_argument
@click.argument("path", type=click.Path(path_type=Path))
@actor_option
@pass_app
def attach_cmd(app: AppContext, incident_id: int, path: Path, actor: str | None) -> None:
    """Attach a file (its SHA-256 goes into the audit trail)."""
    from secops.incident.model import attach

    with app.store() as store:
        found = attach(session_for(app, store, actor), incident_id, path)
    say(_("Attached {name} to incident #{id}").format(name=path.name, id=found.id))


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
