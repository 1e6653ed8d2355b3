"""``secops incident`` reporting up and checking: a report filed with the authorities, a report
submitted to the center, the audit trail verified (against the center's anchors too), the clocks'
escalation notices."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from secops.cli.base import SecopsCommand
from secops.cli.context import AppContext, pass_app
from secops.cli.incident_common import actor_option, complete_incident_id, parse_when, session_for
from secops.cli.output import emit, emit_object, findings, format_option, say
from secops.i18n import _

incident_argument = click.argument("incident_id", type=int, shell_complete=complete_incident_id)


@click.command(cls=SecopsCommand)
@incident_argument
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
    if final:
        say(_("Incident #{id}: final report recorded at {when}").format(id=incident_id, when=when))
    else:
        say(_("Incident #{id}: report recorded at {when}").format(id=incident_id, when=when))


@click.command(cls=SecopsCommand)
@incident_argument
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
        submitted = record_submission(session_for(app, store, actor), incident_id, kind, moment)
        if submitted.is_drill:  # a drill's report stops its clock here and is never sent as real
            delivery = _("a drill: recorded here only, never sent to the center as a real report")
        else:
            delivery = _deliver_incidents(workspace, store, app.now())
    when = shown(moment).isoformat(timespec="seconds")
    line = _("Incident #{id}: {kind} submitted at {when}; {delivery}")
    say(line.format(id=incident_id, kind=KINDS[kind], when=when, delivery=delivery))


def _deliver_incidents(workspace: Any, store: Any, now: datetime) -> str:
    """Send the incident changes to the center now, if this workspace forwards; what happened."""
    from secops.errors import SecopsError
    from secops.forward.incidents import send_incidents
    from secops.forward.sync import CenterClient, load_target

    if workspace.config.forward is None:
        return _("forwarding is not set up, so the center was not told (secops forward setup)")
    try:
        target = load_target(workspace)
    except SecopsError as exc:
        return _("the center was not told: {error}").format(error=exc)
    with CenterClient(target, timeout=15.0) as client:
        outcome = send_incidents(client.http, target, store, now)
    if outcome.startswith("sent") or outcome == "up to date":
        return _("the center has it")
    return _("not delivered yet ({outcome}); the next forward run sends it with this submission time").format(
        outcome=outcome
    )


@click.command(cls=SecopsCommand, name="verify-audit")
@click.option(
    "--against-center",
    is_flag=True,
    help="Also check the trail against the audit heads this school's forwarder sent the center.",
)
@format_option()
@pass_app
def verify_audit(app: AppContext, against_center: bool, fmt: str) -> None:
    """Check the audit trail's hash chain and its keyed head; exit 1 naming the first bad entry.

    With --against-center, the entries the center anchored must still have the hashes it saw: a
    trail rewritten with the local key after it was sent is caught there."""
    from secops.incident.audit import audit_key, check_anchors, verify

    workspace = app.workspace()
    result: dict[str, Any] = {"intact": True, "entries": 0, "problem": None}
    with app.store(workspace) as store:
        checked, problem = verify(store, audit_key(app.workspace_path, store))
        result["entries"] = checked
        if problem is not None:
            result.update(intact=False, problem={"entry": problem.seq, "reason": problem.reason})
        elif against_center:
            from secops.forward.sync import CenterClient, load_target

            target = load_target(workspace)
            with CenterClient(target, timeout=30.0) as client:
                anchors = client.audit_anchors()
            mismatches = check_anchors(store, ((entries, digest) for entries, digest, _at in anchors))
            result["center"] = {
                "center": target.center,
                "anchors": len(anchors),
                "up_to": max((entries for entries, _digest, _at in anchors), default=0),
                "mismatches": [{"entry": m.entries, "reason": m.reason} for m in mismatches],
            }
            result["intact"] = not mismatches
    if fmt != "table":
        emit_object(result, fmt)
    else:
        _say_audit(result)
    findings(not result["intact"])


def _say_audit(result: dict[str, Any]) -> None:
    """The verdict for people: what is wrong on stderr (the exit code says it too), else on stdout."""
    problem = result["problem"]
    if problem is not None:
        line = _("Audit trail broken at entry {entry}: {reason}")
        click.echo(line.format(entry=problem["entry"], reason=problem["reason"]), err=True)
        return
    click.echo(_("Audit trail intact: {count} entries").format(count=result["entries"]))
    center = result.get("center")
    if center is None:
        return
    if not center["anchors"]:
        line = _("The center {center} has no audit head of this school yet (run secops forward run --once)")
        click.echo(line.format(center=center["center"]))
        return
    for mismatch in center["mismatches"]:
        line = _("Audit trail differs from the center at entry {entry}: {reason}")
        click.echo(line.format(entry=mismatch["entry"], reason=mismatch["reason"]), err=True)
    if not center["mismatches"]:
        line = _("Matches the center: {count} audit heads up to entry {newest} (of {total})")
        click.echo(line.format(count=center["anchors"], newest=center["up_to"], total=result["entries"]))


@click.command(cls=SecopsCommand, name="check-clocks")
@format_option()
@pass_app
def check_clocks_cmd(app: AppContext, fmt: str) -> None:
    """Send the escalation notices that fell due (the scheduler does this every minute).

    Lists the notices sent; exits 1 while a clock of an open incident has run out (overdue)."""
    from secops.contacts.reach import reminder_reach
    from secops.incident.clocks import clocks_for
    from secops.incident.escalation import check_clocks
    from secops.incident.model import list_incidents
    from secops.incident.policy import load_policy
    from secops.notify import load_notifiers

    workspace = app.workspace()
    policy = load_policy()
    now = app.now()
    with app.store(workspace) as store:
        reach = reminder_reach(workspace.path, now, app.zone())  # who to call, in what the channels deliver
        sent = check_clocks(
            store, policy, load_notifiers(workspace.path), workspace.path, now, zone=app.zone(), reach=reach
        )
        from secops.incident.drill.run import deliver_running

        for inject in deliver_running(store, workspace.path, now):  # the drills' injects that fell due
            sent.append({"incident": None, "deadline": "inject", "fraction": None, "text": inject["text"]})
        overdue = [
            clock
            for found in list_incidents(store, open_only=True)
            for clock in clocks_for(found, policy, now)
            if clock.status == "overdue"
        ]
    emit(
        sent,
        fmt,
        ["incident", "deadline", "fraction", "text"],
        headers={"incident": _("Incident"), "deadline": _("Deadline"), "fraction": _("Elapsed"), "text": _("Notice")},
        empty=_("No escalation notice fell due"),
    )
    if overdue:
        line = _("{count} clock(s) of open incidents have run out (see secops incident status)")
        say(line.format(count=len(overdue)), err=True)
    findings(bool(overdue))
