"""``secops incident step``: a playbook's steps of an incident, done with evidence, and listed with deadlines."""

from __future__ import annotations

from pathlib import Path

import click

from secops.cli.base import SecopsGroup
from secops.cli.context import AppContext, pass_app
from secops.cli.incident_common import actor_option, complete_incident_id, complete_step_id, session_for
from secops.cli.output import emit, format_option, say, warn
from secops.i18n import _

incident_option = click.option(
    "--incident",
    "incident_id",
    type=int,
    required=True,
    help="Incident number.",
    shell_complete=complete_incident_id,
)


@click.group(cls=SecopsGroup)
def step() -> None:
    """Playbook steps of an incident."""


@step.command(name="done")
@click.argument("step_id", metavar="STEP", shell_complete=complete_step_id)
@incident_option
@click.option(
    "--evidence", "evidence", multiple=True, type=click.Path(path_type=Path), help="Evidence file (SHA-256 kept)."
)
@actor_option
@pass_app
def step_done_cmd(
    app: AppContext, step_id: str, incident_id: int, evidence: tuple[Path, ...], actor: str | None
) -> None:
    """Record STEP of the incident's playbook as done, with evidence files' SHA-256."""
    from secops.errors import SecopsError
    from secops.incident.model import get_incident, step_done
    from secops.incident.playbooks import load_playbooks

    with app.store() as store:
        found = get_incident(store, incident_id)
        playbook = next((p for p in load_playbooks() if p.id == found.playbook), None)
        if playbook is None:
            raise SecopsError(
                _("incident #{id} has no playbook").format(id=incident_id), hint=_("open it with --playbook")
            )
        updated, warnings = step_done(
            session_for(app, store, actor),
            incident_id,
            step_id,
            list(evidence),
            playbook_steps=[s.id for s in playbook.steps],
        )
    for warning in warnings:
        warn(_("{warning} (recorded)").format(warning=warning))
    for item in updated.steps[step_id]["evidence"]:
        click.echo(f"  {item['file']}  sha256 {item['sha256']}")
    say(_("Step {step} of incident #{id} done").format(step=step_id, id=incident_id))


@step.command(name="list")
@incident_option
@format_option()
@pass_app
def step_list(app: AppContext, incident_id: int, fmt: str) -> None:
    """The playbook's steps with their deadlines and whether they are done."""
    from secops.contacts import find_role, load_contacts
    from secops.incident.model import get_incident
    from secops.incident.playbooks import load_playbooks

    workspace = app.workspace()
    with app.store(workspace) as store:
        found = get_incident(store, incident_id)
    contacts = load_contacts(workspace.path)
    playbook = next((p for p in load_playbooks() if p.id == found.playbook), None)
    rows = []
    for item in playbook.steps if playbook else ():
        done = found.steps.get(item.id)
        role = find_role(item.role)
        holders = contacts.holding(role) if role else []  # who to call for the step, from contacts.yaml
        rows.append(
            {
                "step": item.id,
                "name": item.name,
                "role": item.role,
                "contact": "、".join(f"{p.name} {p.phone}" for p in holders),
                "due_at": found.detected_at + item.offset / found.drill_speed,  # a drill runs faster
                "done_at": done["done_at"] if done else None,
            }
        )
    if playbook is None:
        empty = _("Incident #{id} has no playbook, so no steps").format(id=incident_id)
    else:
        empty = _("Playbook {playbook} has no steps").format(playbook=playbook.id)
    emit(
        rows,
        fmt,
        ["step", "name", "role", "contact", "due_at", "done_at"],
        headers={
            "step": _("Step"),
            "name": _("Name"),
            "role": _("Role"),
            "contact": _("Contact"),
            "due_at": _("Due at"),
            "done_at": _("Done at"),
        },
        empty=empty,
    )
