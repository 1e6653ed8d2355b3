"""``secops center incident``: the center's cases (incidents opened from school alerts) for staff
at a terminal: list and show them, and act on them through ``secops.center.cases`` (the same
rules, roles and audit trail as the dashboard)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import click

from secops.cli.base import SecopsGroup
from secops.cli.center_common import center_db, center_home, center_now, headers, labelled, when
from secops.cli.center_complete import complete_cases, complete_schools, complete_users
from secops.cli.output import emit, emit_object, format_option, say, to_json
from secops.errors import SecopsError
from secops.i18n import N_, _

if TYPE_CHECKING:
    from secops.center.cases import Staff
    from secops.incident.clocks import Clock
    from secops.incident.model import Incident
    from secops.store import Store

F = TypeVar("F", bound=Callable[..., Any])
SHOWN_ALERTS = 20  # a merged case may hold thousands of alerts: show how many, and the first few
HOST_PREFIX = "host:"  # ':' is not allowed in staff names, so the OS user never passes for an account
LIST_COLUMNS = ["id", "title", "school", "grade", "state", "owner", "detected_at", "clock", "left"]
ROLE_WORDS = {"duty": N_("duty officer"), "analyst": N_("analyst"), "admin": N_("administrator")}


def _case_argument(name: str = "incident_id", metavar: str = "ID") -> Callable[[F], F]:
    return click.argument(name, metavar=metavar, type=int, shell_complete=complete_cases)


@contextmanager
def _state() -> Iterator[Store]:
    from secops.center.context import open_state

    with open_state(center_home(), center_db()) as state:
        yield state


def _case(state: Store, incident_id: int) -> Incident:
    """The case, or one line naming the center's list (the model's hint points at the school's)."""
    from secops.incident.model import get_incident

    try:
        return get_incident(state, incident_id)
    except SecopsError:
        raise SecopsError(
            _("no case #{id} at this center").format(id=incident_id), hint=_("see secops center incident list")
        ) from None


def _state_name(state: str) -> str:
    from secops.incident.model import STATE_NAMES

    return STATE_NAMES.get(state, state)


@click.group(cls=SecopsGroup)
def incident() -> None:
    """The center's cases: list and show them, acknowledge, note, grade, assign, merge, close, reopen.

    \b
      secops center incident list                       # open cases, overdue clocks first
      secops center incident show 3
      secops center incident ack 3 --as zhang           # as staff account zhang (值班员 or above)
      secops center incident close 3 --reason "误报：扫描器的正常探测"

    Actions are taken as --as USER, a center staff account whose role decides what is allowed
    (值班员 duty: ack, note; 分析员 analyst: also grade, assign, merge, close, reopen). Without --as,
    the operating-system user acts as an administrator, recorded as host:NAME: whoever runs the
    CLI on the center host holds the center's files anyway.
    """


def _clock_row(clock: Clock, *, table: bool) -> dict[str, Any]:
    return {
        "name": clock.name,
        "status": clock.status,
        "due_at": when(clock.due_at, table=table),
        "left": clock.outcome_text(),
        "left_seconds": int(clock.left.total_seconds()),
        "source": clock.source,
    }


@incident.command("list")
@click.option("--all", "show_all", is_flag=True, help="Closed cases too (after the open ones).")
@click.option(
    "--school", metavar="CODE", help="Only the cases of this school (its 学校标识码).", shell_complete=complete_schools
)
@format_option()
def list_cases(show_all: bool, school: str | None, fmt: str) -> None:
    """Open cases, the most urgent clock first (overdue ones on top), with the time left."""
    from secops.center.dashboard.queries import incident_views
    from secops.incident.policy import load_policy

    now = center_now()
    policy = load_policy()
    table = fmt == "table"
    with _state() as state:
        views = incident_views(state, policy, now, open_only=not show_all, school=school)
    rows = []
    for view in views:
        case, urgent = view.incident, view.urgent
        rows.append(
            {
                "id": case.id,
                "title": case.title,
                "school": view.school,
                "grade": case.grade,
                "state": _state_name(case.state) if table else case.state,
                "state_name": _state_name(case.state),
                "owner": case.owner,
                "detected_at": when(case.detected_at, table=table),
                "clock": urgent.name if urgent else None,
                "clock_status": urgent.status if urgent else None,
                "due_at": when(urgent.due_at, table=table) if urgent else None,
                "left": urgent.outcome_text() if urgent else None,
                "version": case.version,
            }
        )
    emit(rows, fmt, LIST_COLUMNS, headers=headers(), empty=_("No cases yet.") if show_all else _("No open cases."))


def _case_object(state: Store, case: Incident, now: datetime, *, table: bool) -> dict[str, Any]:
    from secops.center.cases import case_groups, claimed_alert_ids
    from secops.center.dashboard.queries import school_of
    from secops.incident.clocks import clocks_for
    from secops.incident.policy import load_policy

    claimed = claimed_alert_ids(state, case.id)
    clocks = sorted(clocks_for(case, load_policy(), now), key=lambda c: c.due_at)
    facts = case.facts
    return {
        "id": case.id,
        "title": case.title,
        "school": school_of(case),
        "school_name": facts.get("school_name"),
        "groups": case_groups(case),
        "category": f"{case.category} {case.subcategory}".strip(),
        "grade": case.grade,
        "grade_reason": facts.get("grade_reason"),
        "state": _state_name(case.state) if table else case.state,
        "state_name": None if table else _state_name(case.state),
        "owner": case.owner,
        "playbook": case.playbook,
        "detected_at": when(case.detected_at, table=table),
        "reported_at": when(case.reported_at, table=table),
        "updated_at": when(case.updated_at, table=table),
        "version": case.version,
        "merged": facts.get("merged", []),
        "merged_into": facts.get("merged_into"),
        "close_reason": facts.get("close_reason"),
        "facts": facts,
        "clocks": [_clock_row(c, table=table) for c in clocks],
        "center_alerts": len(claimed),
        "center_alert_ids": claimed[:SHOWN_ALERTS],
    }


def _audit_rows(state: Store, incident_id: int, *, table: bool) -> list[dict[str, Any]]:
    from secops.incident.audit import entries

    rows = []
    for entry in entries(state, incident_id):
        detail = entry["detail"]
        rows.append(
            {
                "seq": entry["seq"],
                "at": when(entry["at"], table=table),
                "actor": entry["actor"],
                "action": entry["action"],
                # one line for people; the whole detail for machines
                "detail": to_json(detail, indent=None) if table else detail,
            }
        )
    return rows


@incident.command("show")
@_case_argument()
@format_option()
def show_case(incident_id: int, fmt: str) -> None:
    """Case ID with its facts, clocks, the center alerts that joined it and its audit trail."""
    table = fmt == "table"
    now = center_now()
    with _state() as state:
        case = _case(state, incident_id)
        found = _case_object(state, case, now, table=table)
        audit = _audit_rows(state, incident_id, table=table)
    if fmt == "json":
        click.echo(to_json({**found, "audit": audit}))
        return
    if fmt == "jsonl":  # one object on one line
        click.echo(to_json({**found, "audit": audit}, indent=None))
        return
    clocks, facts = found.pop("clocks"), found.pop("facts")
    shown_facts = {k: v for k, v in facts.items() if k not in found and k not in ("groups", "group")}
    emit_object(labelled({k: v for k, v in found.items() if v not in (None, [], "")}), "table")
    if shown_facts:
        click.echo("\n" + _("facts"))
        emit_object({k: to_json(v, indent=None) if isinstance(v, dict) else v for k, v in shown_facts.items()}, "table")
    if clocks:
        click.echo("\n" + _("clocks"))
        emit(clocks, "table", ["name", "status", "due_at", "left"], headers=headers())
    click.echo("\n" + _("audit"))
    emit(audit, "table", ["seq", "at", "actor", "action", "detail"], headers=headers(), empty=_("No audit entries"))


# --- actions -------------------------------------------------------------------------------------


def _as_option(fn: F) -> F:
    return click.option(
        "--as",
        "as_user",
        metavar="USER",
        shell_complete=complete_users,
        help="Act as this center staff account (its role decides what is allowed). "
        "Default: the OS user, as an administrator (recorded as host:NAME).",
    )(fn)


def _version_option(fn: F) -> F:
    return click.option(
        "--version",
        "version",
        type=click.IntRange(1),
        help="The case version you looked at (see show): refused if someone changed it since.",
    )(fn)


def _host_user() -> str:
    import getpass

    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no login name (a bare container): ask for an account
        raise SecopsError(_("cannot tell the operating-system user"), hint=_("give --as USER")) from None
    return HOST_PREFIX + name


def staff_for(state: Store, as_user: str | None, now: datetime) -> Staff:
    """Who acts: the staff account --as names (active, with its role), else the OS user as admin."""
    from secops.center.cases import Staff
    from secops.center.context import prepare_home
    from secops.center.staff import get_user
    from secops.incident.audit import audit_key

    if as_user is None:
        username, role = _host_user(), "admin"
    else:
        account = get_user(state, as_user)
        if account is None:
            raise SecopsError(
                _("no center staff account {name}").format(name=repr(as_user)), hint=_("see secops center user list")
            )
        if not account.active:
            raise SecopsError(
                _("center staff account {name} is disabled").format(name=repr(as_user)),
                hint=_("an administrator may add another"),
            )
        username, role = account.username, account.role
    key = audit_key(prepare_home(center_home()), state)  # a lost key with a trail is an error, not a new key
    return Staff(state, key, username, role, now)


def _who(staff: Staff) -> str:
    role = ROLE_WORDS.get(staff.role)
    return f"{_(role) if role else staff.role} {staff.username}"


def _act(as_user: str | None, incident_ids: list[int], action: Callable[[Staff], str]) -> None:
    """Run one staff action on existing cases and print its one line."""
    with _state() as state:
        staff = staff_for(state, as_user, center_now())
        for incident_id in incident_ids:
            _case(state, incident_id)  # a missing case: one line naming the center's list
        said = action(staff)
    say(_("{done} ({who})").format(done=said, who=_who(staff)))


@incident.command("ack")
@_case_argument()
@click.option("--note", default="", help="A note kept with the acknowledgement.")
@_as_option
@_version_option
def ack_case(incident_id: int, note: str, as_user: str | None, version: int | None) -> None:
    """Acknowledge case ID (值班员 or above): someone is on it."""
    from secops.center import cases

    def run(staff: Staff) -> str:
        cases.acknowledge(staff, incident_id, note, version=version)
        return _("Case #{id} acknowledged").format(id=incident_id)

    _act(as_user, [incident_id], run)


@incident.command("note")
@_case_argument()
@click.argument("text")
@_as_option
def note_case(incident_id: int, text: str, as_user: str | None) -> None:
    """Add note TEXT to case ID (值班员 or above)."""
    from secops.center import cases

    def run(staff: Staff) -> str:
        cases.note(staff, incident_id, text)
        return _("Note added to case #{id}").format(id=incident_id)

    _act(as_user, [incident_id], run)


@incident.command("grade")
@_case_argument()
@click.argument("grade")
@click.option("--reason", default="", help="Why the grade changes (required; kept in the case and its audit).")
@_as_option
@_version_option
def grade_case(incident_id: int, grade: str, reason: str, as_user: str | None, version: int | None) -> None:
    """Change case ID's grade to GRADE (特别重大, 重大, 较大 or 一般; 分析员 or above)."""
    from secops.center import cases

    def run(staff: Staff) -> str:
        cases.regrade(staff, incident_id, grade, reason, version=version)
        return _("Case #{id} graded {grade}").format(id=incident_id, grade=grade)

    _act(as_user, [incident_id], run)


@incident.command("assign")
@_case_argument()
@click.argument("owner")
@_as_option
@_version_option
def assign_case(incident_id: int, owner: str, as_user: str | None, version: int | None) -> None:
    """Make OWNER the one who handles case ID (分析员 or above)."""
    from secops.center import cases

    def run(staff: Staff) -> str:
        cases.assign(staff, incident_id, owner, version=version)
        return _("Case #{id} assigned to {owner}").format(id=incident_id, owner=owner.strip())

    _act(as_user, [incident_id], run)


@incident.command("merge")
@click.argument("into", metavar="INTO", type=int, shell_complete=complete_cases)
@click.argument("others", metavar="OTHER...", type=int, nargs=-1, required=True, shell_complete=complete_cases)
@click.option("--reason", default="", help="Why they are one case (required).")
@_as_option
def merge_cases(into: int, others: tuple[int, ...], reason: str, as_user: str | None) -> None:
    """Merge cases OTHER... into case INTO (分析员 or above): their alerts join it, and each is
    closed as 合并到 #INTO."""
    from secops.center import cases

    def run(staff: Staff) -> str:
        cases.merge(staff, into, list(others), reason)
        merged = "、".join(f"#{i}" for i in sorted(set(others) - {into}))
        return _("Cases {merged} merged into #{into}").format(merged=merged, into=into)

    _act(as_user, [into, *others], run)


@incident.command("close")
@_case_argument()
@click.option("--reason", default="", help="Why it is closed (required).")
@_as_option
@_version_option
def close_case(incident_id: int, reason: str, as_user: str | None, version: int | None) -> None:
    """Close case ID with a reason (分析员 or above)."""
    from secops.center import cases

    def run(staff: Staff) -> str:
        cases.close(staff, incident_id, reason, version=version)
        return _("Case #{id} closed").format(id=incident_id)

    _act(as_user, [incident_id], run)


@incident.command("reopen")
@_case_argument()
@click.option("--reason", default="", help="Why it is handled again (required).")
@_as_option
def reopen_case(incident_id: int, reason: str, as_user: str | None) -> None:
    """Reopen closed case ID with a reason (分析员 or above); its clocks run again."""
    from secops.center import cases

    def run(staff: Staff) -> str:
        cases.reopen(staff, incident_id, reason)
        return _("Case #{id} reopened").format(id=incident_id)

    _act(as_user, [incident_id], run)
