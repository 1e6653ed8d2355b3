"""``secops center notice`` (通报 down to schools, and who has handled them), ``secops center group``
(named sets of schools a notice can go to) and ``secops center key`` (the center's signing key that
schools pin)."""

from __future__ import annotations

import getpass
import re
from datetime import timedelta
from pathlib import Path

import click

from secops.cli.base import SecopsGroup
from secops.cli.center_common import center_db, center_home, center_now, headers, labelled, when
from secops.cli.center_complete import complete_groups, complete_notices, complete_schools
from secops.cli.output import emit, emit_object, findings, format_option, say
from secops.errors import SecopsError
from secops.i18n import _

NOTICE_KINDS = ("vulnerability", "threat", "indicators", "policy")  # secops.protocol.notices.NOTICE_KINDS
_DUE = re.compile(r"^(\d{1,4})\s*([hd])$")


def parse_due(text: str) -> timedelta:
    match = _DUE.match(text.strip().lower())
    if not match:
        raise SecopsError(_("--due {value} is not a duration").format(value=repr(text)), hint=_("e.g. 60h or 3d"))
    number, unit = int(match.group(1)), match.group(2)
    return timedelta(hours=number) if unit == "h" else timedelta(days=number)


@click.group(cls=SecopsGroup)
def notice() -> None:
    """通报: issue a signed notice to schools (it opens a 60-hour incident there) and watch their status.

    \b
      secops center notice issue --all --kind vulnerability --title "某系统远程代码执行漏洞" \\
          --body "请于 60 小时内完成排查和修复" --due 60h --attach advisory.pdf
      secops center notice list
      secops center notice show ID        # each school: received, acknowledged, rectified, overdue
    """


@notice.command("issue")
@click.option("--school", "schools", multiple=True, help="A school code (repeatable).", shell_complete=complete_schools)
@click.option("--group", help="A group of schools (secops center group).", shell_complete=complete_groups)
@click.option("--all", "everyone", is_flag=True, help="Every registered school.")
@click.option("--kind", type=click.Choice(NOTICE_KINDS), required=True, help="What the notice is.")
@click.option("--title", required=True, help="One line.")
@click.option("--body", default="", help="The text (or --body-file).")
@click.option("--body-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Read the text here.")
@click.option("--due", default="60h", show_default=True, help="Time to rectify, from now: 60h, 3d ...")
@click.option(
    "--attach",
    "attachments",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A file sent with it (≤ 1 MiB, repeatable up to 5).",
)
@click.option("--as", "actor", help="Who issues it (default: the OS user).")
def issue(
    schools: tuple[str, ...],
    group: str | None,
    everyone: bool,
    kind: str,
    title: str,
    body: str,
    body_file: Path | None,
    due: str,
    attachments: tuple[Path, ...],
    actor: str | None,
) -> None:
    """Issue a notice: signed with the center's key and fetched by the schools on their next run."""
    from secops.center.context import open_state
    from secops.center.notices import audience, issue_notice

    if body and body_file:
        raise SecopsError(_("give --body or --body-file, not both"))
    text = body_file.read_text(encoding="utf-8", errors="replace") if body_file else body
    if len(attachments) > 5:
        raise SecopsError(_("at most 5 attachments"))
    home = center_home()
    state = open_state(home, center_db())
    try:
        codes, shown = audience(state, schools=list(schools), group=group, everyone=everyone)
        issued = issue_notice(
            state,
            home,
            kind=kind,
            title=title,
            text=text,
            due=parse_due(due),
            schools=codes,
            audience_text=shown,
            issued_by=actor or f"host:{getpass.getuser()}",
            issuer=home.name,
            now=center_now(),
            attachments=attachments,
        )
    finally:
        state.dispose()
    say(
        _("Notice {id} issued to {audience}; rectify by {due}").format(
            id=issued.id, audience=issued.audience, due=when(issued.due_at, table=True)
        )
    )


@notice.command("list")
@format_option()
@click.option("--check", is_flag=True, help="Exit 1 when a school is past a notice's time to rectify.")
def list_notices(fmt: str, check: bool) -> None:
    """Notices, newest first, with how many schools rectified and how many are overdue."""
    from secops.center.context import open_state
    from secops.center.notices import notice_views

    state = open_state(center_home(), center_db())
    try:
        views = notice_views(state, center_now())
    finally:
        state.dispose()
    table = fmt == "table"
    rows = [
        {
            "id": v.id,
            "kind": v.kind,
            "title": v.title,
            "issued_at": when(v.issued_at, table=table),
            "due_at": when(v.due_at, table=table),
            "audience": v.audience,
            "schools": len(v.schools),
            "rectified": v.rectified_count,
            "overdue": v.overdue_count,
        }
        for v in views
    ]
    columns = ["id", "kind", "title", "issued_at", "due_at", "schools", "rectified", "overdue"]
    emit(rows, fmt, columns, headers=headers(), empty=_("No notices issued: secops center notice issue ..."))
    overdue = sum(v.overdue_count for v in views)
    if check and overdue:
        say(
            _("{count} school(s) past the time to rectify (see secops center notice show ID)").format(count=overdue),
            err=True,
        )
    findings(check and overdue > 0)


@notice.command("show")
@click.argument("notice_id", shell_complete=complete_notices)
@format_option()
def show_notice(notice_id: str, fmt: str) -> None:
    """One notice and every school it went to: status, times, evidence summary; overdue first."""
    from secops.center.context import open_state
    from secops.center.notices import notice_views

    state = open_state(center_home(), center_db())
    try:
        views = notice_views(state, center_now(), notice_id)
    finally:
        state.dispose()
    if not views:
        raise SecopsError(_("no notice {id}").format(id=repr(notice_id)), hint=_("see secops center notice list"))
    view = views[0]
    table = fmt == "table"
    schools = [
        {
            "school": s.school,
            "name": s.name,
            "status": s.status,
            "received_at": when(s.received_at, table=table),
            "acknowledged_at": when(s.acknowledged_at, table=table),
            "rectified_at": when(s.rectified_at, table=table),
            "overdue": s.overdue,
            "summary": s.summary,
            "reason": s.reason,
        }
        for s in view.schools
    ]
    head = {
        "id": view.id,
        "kind": view.kind,
        "title": view.title,
        "issued_at": when(view.issued_at, table=table),
        "due_at": when(view.due_at, table=table),
        "issued_by": view.issued_by,
        "audience": view.audience,
        "attachments": [a["name"] for a in view.attachments],
    }
    if not table:
        emit_object({**head, "schools": schools}, fmt)
        return
    emit_object(labelled(head), fmt)
    click.echo("")
    columns = ["school", "name", "status", "received_at", "rectified_at", "overdue", "summary", "reason"]
    emit(schools, fmt, columns, headers=headers(), empty=_("No schools"))


@click.group(cls=SecopsGroup)
def group() -> None:
    """Named sets of schools (a county, a city) that a notice or a period can go to."""


@group.command("add")
@click.argument("name", shell_complete=complete_groups)
@click.argument("codes", nargs=-1, required=True, shell_complete=complete_schools)
def group_add(name: str, codes: tuple[str, ...]) -> None:
    """Put registered schools into group NAME (made if new)."""
    from secops.center.context import open_state
    from secops.center.notices import set_group

    state = open_state(center_home(), center_db())
    try:
        members = set_group(state, name, list(codes))
    finally:
        state.dispose()
    say(_("Group {name}: {count} schools").format(name=name, count=len(members)))


@group.command("remove")
@click.argument("name", shell_complete=complete_groups)
@click.argument("codes", nargs=-1, required=True, shell_complete=complete_schools)
def group_remove(name: str, codes: tuple[str, ...]) -> None:
    """Take schools out of group NAME."""
    from secops.center.context import open_state
    from secops.center.notices import set_group

    state = open_state(center_home(), center_db())
    try:
        members = set_group(state, name, list(codes), remove=True)
    finally:
        state.dispose()
    say(_("Group {name}: {count} schools").format(name=name, count=len(members)))


@group.command("list")
@format_option()
def group_list(fmt: str) -> None:
    """Groups and their schools."""
    from secops.center.context import open_state
    from secops.center.notices import groups

    state = open_state(center_home(), center_db())
    try:
        found = groups(state)
    finally:
        state.dispose()
    rows = [{"group": g, "schools": " ".join(c), "count": len(c)} for g, c in found.items()]
    emit(
        rows,
        fmt,
        ["group", "schools", "count"],
        headers=headers(),
        empty=_("No groups: secops center group add NAME CODE ..."),
    )


@click.group(cls=SecopsGroup)
def key() -> None:
    """The center's Ed25519 signing key: schools pin its public half at forward setup --center-key."""


@key.command("show")
def key_show() -> None:
    """Print the public key (made on first use) and its fingerprint, to give to the schools."""
    from secops.center.context import prepare_home
    from secops.center.signing_key import signing_key
    from secops.protocol import envelope

    private = signing_key(prepare_home(center_home()))
    click.echo(envelope.public_text(private))
    say(_("fingerprint {key_id}").format(key_id=envelope.key_id(private)), err=True)
