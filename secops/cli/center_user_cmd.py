"""``secops center user``: the staff accounts that may log in to the center dashboard."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from secops.cli.base import SecopsGroup
from secops.cli.center_common import center_db, headers
from secops.cli.center_complete import complete_users
from secops.cli.context import AppContext
from secops.cli.output import emit, format_option, say
from secops.i18n import N_, _

TIMEZONE = "Asia/Shanghai"


def _default_home() -> Path:
    from secops.center.context import default_home

    return default_home()


@click.group(cls=SecopsGroup)
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Center home folder (center.db, center.secret) [env SECOPS_CENTER_HOME; default ~/.secops-center].",
)
@click.pass_context
def user(ctx: click.Context, home: Path | None) -> None:
    """Staff accounts for the center dashboard (passwords hashed with scrypt)."""
    # Under `secops center --home X` the center's home is the default; `user --home` still wins.
    ctx.meta["secops.center.user.home"] = home or ctx.meta.get("secops.center.home") or _default_home()


def _home() -> Path:
    home: Path = click.get_current_context().meta["secops.center.user.home"]
    return home


def _now() -> datetime:
    """The root's clock (SECOPS_NOW fixes it) when run under ``secops``; the same rules standalone."""
    app = click.get_current_context().find_object(AppContext)
    return (app or AppContext(Path())).now()


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        # One line: what a secrets manager or `printf '%s\n' "$PW"` pipes in.
        return sys.stdin.readline().rstrip("\r\n")
    password: str = click.prompt(_("Password"), hide_input=True, confirmation_prompt=True)
    return password


# The roles, least first (secops.center.staff.ROLES; kept here so `--help` does not import the center).
ROLE_CHOICES = ("duty", "analyst", "admin")
ROLE_HELP = (
    "duty (值班员: acknowledge, note), analyst (分析员: also grade, assign, merge, close, reopen), "
    "admin (管理员: everything)"
)


ROLE_WORDS = {"duty": N_("duty officer"), "analyst": N_("analyst"), "admin": N_("administrator")}


def _role_name(role: str) -> str:
    word = ROLE_WORDS.get(role)
    return _(word) if word else role


@user.command()
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@click.option("--role", type=click.Choice(ROLE_CHOICES), default="duty", show_default=True, help=ROLE_HELP)
def add(name: str, password_stdin: bool, role: str) -> None:
    """Create a staff account NAME with a role (the password is asked for twice)."""
    from secops.center.context import open_state
    from secops.center.staff import add_user, check_password, check_role, check_username

    check_username(name)
    check_role(role)
    password = check_password(_read_password(password_stdin))
    state = open_state(_home(), center_db())
    try:
        add_user(state, name, password, _now(), role=role)
    finally:
        state.dispose()
    say(
        _("Added {name} as {role_name} ({role}); they can log in to the dashboard now.").format(
            name=name, role_name=_role_name(role), role=role
        )
    )


@user.command("role")
@click.argument("name", shell_complete=complete_users)
@click.option("--role", type=click.Choice(ROLE_CHOICES), required=True, help=ROLE_HELP)
def change_role(name: str, role: str) -> None:
    """Give staff account NAME another role (it applies to their next action)."""
    from secops.center.context import open_state
    from secops.center.staff import set_role

    state = open_state(_home(), center_db())
    try:
        found = set_role(state, name, role)
    finally:
        state.dispose()
    say(
        _("{name} is now {role_name} ({role}).").format(
            name=found.username, role_name=_role_name(found.role), role=found.role
        )
    )


@user.command(name="list")
@format_option()
def list_users(fmt: str) -> None:
    """List staff accounts."""
    from secops.center.context import open_state
    from secops.center.staff import list_users as query
    from secops.cli.output import localize

    state = open_state(_home(), center_db())
    try:
        users = query(state)
    finally:
        state.dispose()
    table = fmt == "table"
    rows = [
        {
            "username": u.username,
            "role": u.role,
            "role_name": _role_name(u.role),
            "status": _status(u.active) if table else "active" if u.active else "disabled",
            "created_at": u.created_at,
            "disabled_at": u.disabled_at,
        }
        for u in users
    ]
    emit(
        localize(rows, TIMEZONE),
        fmt,
        ["username", "role_name", "role", "status", "created_at", "disabled_at"],
        headers=headers(),
        empty=_("No staff accounts: secops center user add NAME"),
    )


def _status(active: bool) -> str:
    return _("active") if active else _("disabled")


@user.command()
@click.argument("name", shell_complete=complete_users)
def disable(name: str) -> None:
    """Disable NAME and end their dashboard sessions."""
    from secops.center.context import open_state
    from secops.center.staff import disable_user

    state = open_state(_home(), center_db())
    try:
        disable_user(state, name, _now())
    finally:
        state.dispose()
    say(_("Disabled {name}; their sessions have ended.").format(name=name))
