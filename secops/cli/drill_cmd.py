"""``secops drill``: 应急演练 on the workspace: a scenario's incident marked 演练, its clocks in real
time or faster, its injects, questions, findings, and the drill report."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from secops.cli.base import SecopsGroup
from secops.cli.context import AppContext, pass_app
from secops.cli.incident_common import actor_option, clock_status_name, session_for
from secops.cli.output import emit, emit_object, force_option, format_option, refuse_overwrite, say
from secops.i18n import _

if TYPE_CHECKING:
    from secops.incident.drill.outcome import Outcome
    from secops.incident.drill.store import Drill

drill_argument = click.argument("drill_id", type=int)


@click.group(cls=SecopsGroup)
def drill() -> None:
    """应急演练: run a scenario as a drill incident (marked 演练, never counted or reported as real),
    with its clocks in real time or faster, and write the drill report.

    \b
      secops drill scenarios
      secops drill start webshell-portal --speed 10 [--notify]
      secops incident ack 7 ; secops incident step done confirm --incident 7   # work it as usual
      secops drill status 1
      secops drill answer 1 who-takes-offline "分管领导决定，安全管理员执行"
      secops drill finish 1
      secops drill report 1 -o 演练报告.docx
    """


def _local(app: AppContext, moment: datetime | None) -> str:
    return moment.astimezone(app.display_zone()).strftime("%Y-%m-%d %H:%M:%S") if moment else "—"


@drill.command("scenarios")
@format_option()
def scenarios(fmt: str) -> None:
    """The drill scenarios (playbooks/drills/): what each drills and how it runs."""
    from secops.incident.drill.scenarios import load_scenarios

    rows = [
        {
            "id": s.id,
            "name": s.name.zh,
            "playbook": s.playbook,
            "grade": s.grade,
            "injects": len(s.injects),
            "artifacts": len(s.artifacts),
            "questions": len(s.questions),
        }
        for s in load_scenarios()
    ]
    headers = {
        "id": _("id"),
        "name": _("scenario"),
        "playbook": _("playbook"),
        "grade": _("grade"),
        "injects": _("injects"),
        "artifacts": _("artifacts"),
        "questions": _("questions"),
    }
    emit(rows, fmt, headers=headers, empty=_("no drill scenarios"))


@drill.command("start")
@click.argument("scenario")
@click.option(
    "--speed",
    type=float,
    help="drill time runs this many times faster (1 to 60): at 10 the 1-hour report is due after 6 minutes "
    "(default 1, or what the center asked with --notice)",
)
@click.option("--notify", is_flag=True, help="send the injects and clock notices to the notifiers (marked 【演练】)")
@click.option("--owner", default="", help="who leads the response")
@click.option("--notice", "notice_id", help="the center's drill notice this drill answers")
@actor_option
@format_option()
@pass_app
def start(
    app: AppContext,
    scenario: str,
    speed: float | None,
    notify: bool,
    owner: str,
    notice_id: str | None,
    actor: str | None,
    fmt: str,
) -> None:
    """Start the drill SCENARIO: its incident opens now, marked 演练; artifacts are laid out in the
    workspace's drills/ folder; injects arrive over drill time (secops drill status, or the
    scheduler's clock check, sends them)."""
    from secops.incident.drill import run
    from secops.incident.drill.scenarios import scenario_named
    from secops.incident.drill.store import check_speed
    from secops.notify import load_notifiers

    chosen = scenario_named(scenario)
    workspace = app.workspace()
    with app.store(workspace) as store:
        if notice_id is not None:
            speed = _asked(store, notice_id, chosen.id, speed)
        speed = check_speed(speed if speed is not None else 1.0)
        session = session_for(app, store, actor)
        started, written = run.start(
            session, workspace.path, chosen, speed=speed, notify=notify, owner=owner, notice_id=notice_id
        )
        notifiers = load_notifiers(workspace.path) if notify else None
        sent = run.deliver(store, started, app.now(), notifiers, workspace.path)
        upcoming = run.upcoming(started if not sent else _reload(store, started.id), chosen)
        told = _tell_center(workspace, store, app.now())
    if fmt != "table":
        emit_object(
            {
                "drill": started.id,
                "incident": started.incident_id,
                "scenario": chosen.id,
                "speed": started.speed,
                "folder": str(run.drill_folder(workspace.path, started.id)) if written else None,
                "artifacts": [str(p) for p in written],
                "injects_sent": [s["text"] for s in sent],
            },
            fmt,
        )
        return
    pace = _("{speed:g}x: 1 hour of drill time is {minutes:g} real minutes").format(speed=speed, minutes=60 / speed)
    click.echo(
        _("Drill #{drill} started: incident #{incident} {title} ({grade}, {speed})").format(
            drill=started.id,
            incident=started.incident_id,
            title=started.title,
            grade=chosen.grade,
            speed=_("real time") if speed == 1 else pace,
        )
    )
    click.echo(f"  {_('Scenario')}: {chosen.briefing}")
    for number, objective in enumerate(chosen.objectives, 1):
        click.echo(f"  {_('Objective')} {number}: {objective}")
    if written:
        click.echo("  " + _("Artifacts to find: {folder}").format(folder=run.drill_folder(workspace.path, started.id)))
    for line in sent:
        click.echo(f"  ▶ {line['text']}")
    if upcoming:  # the next one only: what comes later is the drill's surprise
        coming = _("next inject at {at} ({count} still to come)").format(
            at=_local(app, upcoming[0].due_at), count=len(upcoming)
        )
        click.echo(f"  · {coming}")
    incident_id = started.incident_id
    if told:
        say(told)
    say(
        _(
            "Work incident #{incident} as usual (secops incident ack/step/contain/submit ...); "
            "secops drill status {drill} shows the clocks; secops drill finish {drill} ends it."
        ).format(incident=incident_id, drill=started.id)
    )


def _asked(store: Any, notice_id: str, scenario: str, speed: float | None) -> float | None:
    """The center's request ``notice_id``: it must exist and name this scenario; its speed unless given."""
    from secops.errors import SecopsError
    from secops.forward.drills import request_named

    request = request_named(store, notice_id)
    if request is None:
        raise SecopsError(
            _("no drill request {id} from the center").format(id=notice_id), hint=_("see secops drill requests")
        )
    if request.scenario != scenario:
        raise SecopsError(
            _("the center asked for the scenario {asked}, not {given}").format(asked=request.scenario, given=scenario),
            hint=f"secops drill start {request.scenario} --notice {notice_id}",
        )
    return speed if speed is not None else request.speed


def _tell_center(workspace: Any, store: Any, now: datetime) -> str:
    """Send the drills' states to the center now if this school forwards; what happened."""
    from secops.errors import SecopsError
    from secops.forward.drills import send_drill_results
    from secops.forward.sync import CenterClient, load_target

    if workspace.config.forward is None:
        return ""
    try:
        target = load_target(workspace)
        with CenterClient(target, timeout=15.0) as client:
            outcome = send_drill_results(client.http, target, store, now)
    except SecopsError as exc:
        return _("the center was not told: {error}").format(error=exc)
    if outcome.startswith("sent") or outcome == "up to date":
        return _("the center has it")
    return _("not delivered yet ({outcome}); the next forward run sends it").format(outcome=outcome)


@drill.command("requests")
@format_option()
@pass_app
def requests_(app: AppContext, fmt: str) -> None:
    """The drills the center asked for (pulled by secops forward), the newest first, with this
    school's answer: finished, running, not started, or overdue."""
    from secops.forward.drills import requests

    workspace = app.workspace()
    with app.store(workspace) as store:
        found = requests(store)
    states = {"finished": _("finished"), "running": _("running"), "waiting": _("not started"), "overdue": _("overdue")}
    table = fmt == "table"
    rows = [
        {
            "id": r.id,
            "scenario": r.scenario,
            "title": r.title,
            "speed": r.speed,
            "due_at": _local(app, r.due_at) if table else r.due_at,
            "state": states[r.state] if table else r.state,
            "drills": "、".join(f"#{d.id}" for d in r.drills) if table else [d.id for d in r.drills],
            "text": r.text,
        }
        for r in found
    ]
    headers = {
        "id": _("request"),
        "scenario": _("scenario"),
        "title": _("title"),
        "speed": _("speed"),
        "due_at": _("due"),
        "state": _("state"),
        "drills": _("drills"),
        "text": _("instructions"),
    }
    emit(rows, fmt, headers=headers, empty=_("no drill requests from the center"))


def _reload(store: Any, drill_id: int) -> Drill:
    from secops.incident.drill.store import get

    return get(store, drill_id)


@drill.command("list")
@format_option()
@pass_app
def list_(app: AppContext, fmt: str) -> None:
    """Every drill of this workspace, newest last."""
    from secops.incident.drill.store import list_all

    workspace = app.workspace()
    with app.store(workspace) as store:
        found = list_all(store)
    table = fmt == "table"
    rows = [
        {
            "id": d.id,
            "scenario": d.scenario,
            "incident": d.incident_id,
            "speed": d.speed,
            "state": (_("running") if d.running else _("finished")) if table else d.state,
            "started_at": _local(app, d.started_at) if table else d.started_at,
            "finished_at": _local(app, d.finished_at) if table else d.finished_at,
            "request": d.notice_id,
        }
        for d in found
    ]
    headers = {
        "id": _("drill"),
        "scenario": _("scenario"),
        "incident": _("incident"),
        "speed": _("speed"),
        "state": _("state"),
        "started_at": _("started"),
        "finished_at": _("finished"),
        "request": _("request"),
    }
    emit(rows, fmt, headers=headers, empty=_("no drills yet: secops drill start SCENARIO"))


def _outcome(app: AppContext, store: Any, found: Drill) -> Outcome:
    from secops.errors import SecopsError
    from secops.incident.drill.outcome import outcome
    from secops.incident.drill.scenarios import scenario_named
    from secops.incident.model import get_incident
    from secops.incident.playbooks import load_playbooks
    from secops.incident.policy import load_policy

    if found.incident_id is None:
        raise SecopsError(_("drill #{id} has no incident").format(id=found.id))
    incident = get_incident(store, found.incident_id)
    scenario = scenario_named(found.scenario)
    playbook = next(p for p in load_playbooks() if p.id == incident.playbook)
    return outcome(store, found, scenario, incident, playbook, load_policy(), app.now())


@drill.command("status")
@drill_argument
@format_option()
@pass_app
def status(app: AppContext, drill_id: int, fmt: str) -> None:
    """Where drill DRILL_ID stands: drill time, injects (the due ones are sent now), each step and
    clock with its deadline and result, the questions still open."""
    from secops.incident.drill import run
    from secops.incident.drill.outcome import STEP_STATUS
    from secops.incident.drill.scenarios import scenario_named
    from secops.incident.drill.store import get
    from secops.notify import load_notifiers

    workspace = app.workspace()
    now = app.now()
    with app.store(workspace) as store:
        found = get(store, drill_id)
        notifiers = load_notifiers(workspace.path) if found.notify else None
        sent = run.deliver(store, found, now, notifiers, workspace.path)
        found = get(store, drill_id)
        result = _outcome(app, store, found)
    upcoming = run.upcoming(found, scenario_named(found.scenario)) if found.running else []
    if fmt != "table":
        emit_object(
            {
                "drill": found.id,
                "state": found.state,
                "drill_minutes": round(found.drill_elapsed(now).total_seconds() / 60, 1),
                "injects_sent": [s["text"] for s in sent],
                "upcoming_injects": [u.due_at for u in upcoming],
                **result.summary(),
            },
            fmt,
        )
        return
    from secops.incident.clocks import format_left

    click.echo(
        _("Drill #{drill} {title}: {state}, drill time {elapsed} (speed {speed:g})").format(
            drill=found.id,
            title=found.title,
            state=_("running") if found.running else _("finished"),
            elapsed=format_left(found.drill_elapsed(now)),
            speed=found.speed,
        )
    )
    for line in sent:
        click.echo(f"  ▶ {line['text']}")
    if upcoming:  # the next one only: what comes later is the drill's surprise
        coming = _("next inject at {at} ({count} still to come)").format(
            at=_local(app, upcoming[0].due_at), count=len(upcoming)
        )
        click.echo(f"  · {coming}")
    for step in result.steps:
        due = _local(app, step.due_at)
        click.echo(f"  [{STEP_STATUS[step.status]}] {step.name}（{step.role}）· {_('due')} {due}")
    for clock in result.clocks:
        click.echo(f"  ⏱ {clock.name}: {clock_status_name(clock.status)}")
    for question, answer in result.questions:
        if answer is None:
            click.echo("  ? " + _("{id}: {text}").format(id=question.id, text=question.text))


@drill.command("watch")
@drill_argument
@click.option("--interval", type=click.FloatRange(min=0.5, max=60), default=5.0, show_default=True, help="seconds")
@pass_app
def watch(app: AppContext, drill_id: int, interval: float) -> None:
    """Follow drill DRILL_ID on this terminal: print each inject as it falls due and each step whose
    deadline passes, until the drill finishes (Ctrl-C stops watching; the drill goes on)."""
    from secops.incident.drill import run
    from secops.incident.drill.store import get
    from secops.notify import load_notifiers

    workspace = app.workspace()
    announced: set[str] = set()
    while True:
        now = app.now()
        with app.store(workspace) as store:
            found = get(store, drill_id)
            notifiers = load_notifiers(workspace.path) if found.notify else None
            sent = run.deliver(store, found, now, notifiers, workspace.path)
            result = _outcome(app, store, get(store, drill_id))
        for line in sent:
            click.echo(f"{_local(app, now)} ▶ {line['text']}")
        for step in result.steps:
            if step.status == "overdue" and step.id not in announced:
                announced.add(step.id)
                text = _("step {name} ({role}) is past its deadline").format(name=step.name, role=step.role)
                click.echo(f"{_local(app, now)} ⚠ {text}")
        if not found.running:
            say(_("Drill #{drill} finished.").format(drill=drill_id))
            return
        time.sleep(interval)


@drill.command("answer")
@drill_argument
@click.argument("question")
@click.argument("text")
@actor_option
@pass_app
def answer(app: AppContext, drill_id: int, question: str, text: str, actor: str | None) -> None:
    """Record the team's answer to QUESTION of the drill's scenario (secops drill status lists the
    open ones); it goes in the drill report and the incident's audit trail."""
    from secops.incident.drill import run
    from secops.incident.drill.store import get

    workspace = app.workspace()
    with app.store(workspace) as store:
        run.answer(session_for(app, store, actor), get(store, drill_id), question, text)
    say(_("Answer to {question} recorded.").format(question=question))


@drill.command("note")
@drill_argument
@click.option("--gap", help="a problem the drill showed")
@click.option("--improvement", help="what will be changed")
@actor_option
@pass_app
def note(app: AppContext, drill_id: int, gap: str | None, improvement: str | None, actor: str | None) -> None:
    """Record a gap the drill showed or an improvement to make (the report lists them beside the
    ones found from the clocks)."""
    from secops.errors import SecopsError
    from secops.incident.drill import run
    from secops.incident.drill.store import get

    if bool(gap) == bool(improvement):
        raise SecopsError(_("give --gap TEXT or --improvement TEXT"))
    workspace = app.workspace()
    with app.store(workspace) as store:
        session = session_for(app, store, actor)
        run.add_finding(session, get(store, drill_id), "gap" if gap else "improvement", str(gap or improvement))
    say(_("Recorded."))


@drill.command("finish")
@drill_argument
@actor_option
@format_option()
@pass_app
def finish(app: AppContext, drill_id: int, actor: str | None, fmt: str) -> None:
    """End drill DRILL_ID: its incident is closed if still open and the outcome is fixed (what the
    center receives when this school forwards)."""
    from secops.incident.drill import run
    from secops.incident.drill.store import get

    workspace = app.workspace()
    with app.store(workspace) as store:
        session = session_for(app, store, actor)
        found = get(store, drill_id)
        run.deliver(store, found, session.now, None, workspace.path)
        closing = run.finish(session, get(store, drill_id), {})
        result = _outcome(app, store, closing)
        from secops.incident.drill.store import update

        update(store, drill_id, result=result.summary())
        told = _tell_center(workspace, store, session.now)
    summary = result.summary()
    if fmt != "table":
        emit_object(summary, fmt)
        return
    click.echo(
        _(
            "Drill #{drill} finished: steps on time {steps}/{steps_total}, clocks met {clocks}/{clocks_total}, "
            "questions answered {answered}/{questions}, gaps {gaps}"
        ).format(
            drill=drill_id,
            steps=summary["steps_met"],
            steps_total=summary["steps_total"],
            clocks=summary["clocks_met"],
            clocks_total=summary["clocks_total"],
            answered=summary["questions_answered"],
            questions=summary["questions_total"],
            gaps=summary["gaps"],
        )
    )
    if told:
        say(told)
    say(_("The report: secops drill report {drill} -o 演练报告.docx").format(drill=drill_id))


@drill.command("report")
@drill_argument
@click.option(
    "-o",
    "--output",
    "outputs",
    required=True,
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help=".docx .pdf or .html (repeatable)",
)
@force_option()
@pass_app
def report(app: AppContext, drill_id: int, outputs: tuple[Path, ...], force: bool) -> None:
    """The 应急演练报告 of drill DRILL_ID: timeline, each step and clock met or missed, questions and
    answers, gaps and improvements."""
    from secops.errors import SecopsError
    from secops.incident.drill.store import get
    from secops.render.formats import write_report
    from secops.reporting.drill_report import drill_report

    for output in outputs:
        if output.suffix.lower() not in (".docx", ".pdf", ".html", ".htm"):
            raise SecopsError(
                _("-o {path}: cannot tell the document type from the file name").format(path=output),
                hint=_("end it in .docx, .pdf or .html"),
            )
        refuse_overwrite(output, force)
    workspace = app.workspace()
    with app.store(workspace) as store:
        result = _outcome(app, store, get(store, drill_id))
    built = drill_report(result, workspace, app.now())
    for output in outputs:
        written = write_report(built, output)
        say(_("Wrote {path} ({size} bytes)").format(path=output, size=f"{len(written):,}"))
