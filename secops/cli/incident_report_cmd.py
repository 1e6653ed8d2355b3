"""``secops incident`` reporting up and checking: a report filed with the authorities, a report
submitted to the center, the audit trail verified (against the center's anchors too), the clocks'
escalation notices."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from secops.cli.base import SecopsCommand
from secops.cli.context import AppContext, pass_app
from secops.cli.incident_common import actor_option, parse_when, session_for
from secops.cli.output import emit, format_option


@click.command(cls=SecopsCommand)
@click.argument("incident_id", type=int)
@click.option("--at", "at", help="When it was reported (ISO 8601; default: now).")
@click.option("--final", is_flag=True, help="The final (总结) report was filed.")
@actor_option
@pass_app
def reported(app: AppContext, incident_id: int, at: str | None, final: bool, actor: str | None) -> None:
    """Record that the incident was reported to the authorities (stops the reporting clocks)."""
    from secops.incident.submissions import record_submission

    moment = parse_when(at, app)
    with app.store() as store:
        record_submission(session_for(app, store, actor), incident_id, "final" if final else "initial", moment)
    from secops.cli.output import shown

    when = shown(moment).isoformat(timespec="seconds")
    click.echo(f"Incident #{incident_id}: {'final report' if final else 'report'} recorded at {when}")


@click.command(cls=SecopsCommand)
@click.argument("incident_id", type=int)
@click.option(
    "--kind",
    type=click.Choice(("initial", "followup", "final")),
    required=True,
    help="首次报告 (initial), 续报 (followup) or 总结报告 (final).",
)
@click.option("--at", "at", help="When it was submitted (ISO 8601; default: now).")
@actor_option
@pass_app
def submit(app: AppContext, incident_id: int, kind: str, at: str | None, actor: str | None) -> None:
    """Submit the official report of an incident: its time stops the reporting clock, and the
    center learns of it at once (or on the next forward run, with this submission time)."""
    from secops.cli.output import shown
    from secops.incident.report_data import KINDS
    from secops.incident.submissions import record_submission

    moment = parse_when(at, app)
    workspace = app.workspace()
    with app.store(workspace) as store:
        record_submission(session_for(app, store, actor), incident_id, kind, moment)
        delivery = _deliver_incidents(workspace, store, app.now())
    when = shown(moment).isoformat(timespec="seconds")
    click.echo(f"Incident #{incident_id}: {KINDS[kind]} submitted at {when}; {delivery}")


def _deliver_incidents(workspace: Any, store: Any, now: datetime) -> str:
    """Send the incident changes to the center now, if this workspace forwards; what happened."""
    from secops.errors import SecopsError
    from secops.forward.incidents import send_incidents
    from secops.forward.sync import CenterClient, load_target

    if workspace.config.forward is None:
        return "forwarding is not set up, so the center was not told (secops forward setup)"
    try:
        target = load_target(workspace)
    except SecopsError as exc:
        return f"the center was not told: {exc}"
    with CenterClient(target, timeout=15.0) as client:
        outcome = send_incidents(client.http, target, store, now)
    if outcome.startswith("sent") or outcome == "up to date":
        return "the center has it"
    return f"not delivered yet ({outcome}); the next forward run sends it with this submission time"


@click.command(cls=SecopsCommand, name="verify-audit")
@click.option(
    "--against-center",
    is_flag=True,
    help="Also check the trail against the audit heads this school's forwarder sent the center.",
)
@pass_app
def verify_audit(app: AppContext, against_center: bool) -> None:
    """Check the audit trail's hash chain and its keyed head; exit 1 naming the first bad entry.

    With --against-center, the entries the center anchored must still have the hashes it saw: a
    trail rewritten with the local key after it was sent is caught there."""
    from secops.incident.audit import audit_key, check_anchors, verify

    workspace = app.workspace()
    with app.store(workspace) as store:
        checked, problem = verify(store, audit_key(app.workspace_path, store))
        if problem is not None:
            click.echo(f"Audit trail broken at entry {problem.seq}: {problem.reason}", err=True)
            raise SystemExit(1)
        click.echo(f"Audit trail intact: {checked} entries")
        if not against_center:
            return
        from secops.forward.sync import CenterClient, load_target

        target = load_target(workspace)
        with CenterClient(target, timeout=30.0) as client:
            anchors = client.audit_anchors()
        mismatches = check_anchors(store, ((entries, digest) for entries, digest, _ in anchors))
    if not anchors:
        click.echo(f"The center {target.center} has no audit head of this school yet (run secops forward run --once)")
        return
    if mismatches:
        for mismatch in mismatches:
            click.echo(f"Audit trail differs from the center at entry {mismatch.entries}: {mismatch.reason}", err=True)
        raise SystemExit(1)
    newest = max(entries for entries, _, _ in anchors)
    click.echo(f"Matches the center: {len(anchors)} audit heads up to entry {newest} (of {checked})")


@click.command(cls=SecopsCommand, name="check-clocks")
@format_option()
@pass_app
def check_clocks_cmd(app: AppContext, fmt: str) -> None:
    """Send the escalation notices that fell due (the scheduler does this every minute)."""
    from secops.incident.escalation import check_clocks
    from secops.incident.policy import load_policy
    from secops.notify import load_notifiers

    workspace = app.workspace()
    with app.store(workspace) as store:
        sent = check_clocks(
            store, load_policy(), load_notifiers(workspace.path), workspace.path, app.now(), zone=app.zone()
        )
    emit(sent, fmt, ["incident", "deadline", "fraction", "text"])
