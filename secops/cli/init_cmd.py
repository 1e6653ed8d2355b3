"""``secops init``: create or update the workspace; ``--show`` prints it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from secops.cli.base import SecopsCommand
from secops.cli.context import AppContext, pass_app
from secops.cli.output import emit_object, format_option, say
from secops.i18n import _

if TYPE_CHECKING:
    from secops.config import Workspace


@click.command(cls=SecopsCommand)
@click.option("--school-code", help="The school's 10-digit 学校标识码.")
@click.option("--school-name", help="The school's official name.")
@click.option(
    "--scope",
    "scope",
    multiple=True,
    metavar="CIDR",
    help="A network the school owns and may scan (repeat); replaces the whole scope list.",
)
@click.option(
    "--add-scope", "add_scope", multiple=True, metavar="CIDR", help="Add a network to the scope (repeatable)."
)
@click.option(
    "--remove-scope",
    "remove_scope",
    multiple=True,
    metavar="CIDR",
    help="Remove a network from the scope (repeatable).",
)
@click.option(
    "--language",
    type=click.Choice(["zh", "en"]),
    help="Language of messages and documents for this workspace (--lang overrides it per command).",
)
@click.option("--database", metavar="URL", help="SQLAlchemy URL (default: SQLite in the workspace).")
@click.option("--force", is_flag=True, help="Allow re-assigning an existing workspace to another school code.")
@click.option("--show", is_flag=True, help="Print the workspace configuration and exit.")
@format_option()
@pass_app
def init(
    app: AppContext,
    school_code: str | None,
    school_name: str | None,
    scope: tuple[str, ...],
    add_scope: tuple[str, ...],
    remove_scope: tuple[str, ...],
    language: str | None,
    database: str | None,
    force: bool,
    show: bool,
    fmt: str,
) -> None:
    """Create the workspace, or update it; running it twice is safe. An update changes only what
    is given: no need to repeat the school code and name.

    \b
    Examples:
      secops init --school-code 4111010001 --school-name 某某中学 \\
                  --scope 10.20.0.0/16 --scope 2001:db8:20::/48
      secops init --add-scope 10.30.0.0/16 --remove-scope 10.20.0.0/16
      secops init --language en
    """
    if show:
        _show(app, fmt)
        return
    from secops.config import CONFIG_FILE, load_workspace

    current_scope: list[str] = []
    if (app.workspace_path / CONFIG_FILE).exists():  # an update: what is not given stays as it is
        current = load_workspace(app.workspace_path).config
        school_code = school_code or current.school.code
        school_name = school_name or current.school.name
        current_scope = list(current.scope)
    networks = _edit_scope(list(scope) or current_scope, add_scope, remove_scope)
    missing = [opt for opt, value in (("--school-code", school_code), ("--school-name", school_name)) if not value]
    if not networks:
        missing.append("--scope")
    if missing:
        raise click.UsageError(
            _("missing {options} (or use --show to print the current workspace)").format(options=", ".join(missing))
        )
    from secops.workspace import init_workspace

    result = init_workspace(
        app.workspace_path,
        school_code=str(school_code),
        school_name=str(school_name),
        scope=networks,
        database=database,
        now=app.now(),
        force=force,
        language=language,
    )
    _ensure_audit_trail(app, result.workspace)
    config = result.workspace.config
    if result.created:
        say(
            _("Created workspace {path} for {school} ({code}).").format(
                path=result.workspace.path, school=config.school.name, code=config.school.code
            )
        )
    elif result.changes:
        say(_("Updated workspace {path}:").format(path=result.workspace.path))
        for change in result.changes:
            label, _sep, values = change.partition(": ")  # the label is a catalog message (secops.workspace)
            before, _arrow, after = values.partition(" -> ")
            say("  " + _("{what}: {before} -> {after}").format(what=_(label), before=before, after=after))
    else:
        say(_("Workspace {path} is already set up; nothing changed.").format(path=result.workspace.path))


def _edit_scope(base: list[str], add: tuple[str, ...], remove: tuple[str, ...]) -> list[str]:
    """``base`` with networks added and removed; entries compared as networks (10.0.0.0/8 == 10.0.0.0/08)."""
    from secops.errors import SecopsError
    from secops.scope import parse_network

    def key(text: str) -> str:
        try:
            return str(parse_network(text))
        except SecopsError:
            return text.strip()  # a broken entry is reported by the config check with its own message

    result = list(base)
    for entry in remove:
        wanted = key(entry)
        kept = [net for net in result if key(net) != wanted]
        if len(kept) == len(result):
            raise SecopsError(
                _("--remove-scope {network} is not in the scope").format(network=entry),
                hint=_("the scope is: {scope}").format(scope=", ".join(result) or "-"),
            )
        result = kept
    for entry in add:
        if key(entry) not in {key(net) for net in result}:  # adding what is there already changes nothing
            result.append(entry)
    return result


def _show(app: AppContext, fmt: str) -> None:
    from secops.store import redact_url

    workspace = app.workspace()
    with app.store(workspace) as store:
        schema = store.schema_version
    config = workspace.config
    emit_object(
        {
            "workspace": str(workspace.path),
            "school_code": config.school.code,
            "school_name": config.school.name,
            "scope": config.scope,
            "database": redact_url(workspace.database_url),
            "schema_version": schema,
            "timezone": config.timezone,
            "language": config.language,
        },
        fmt,
        {
            "workspace": _("Workspace"),
            "school_code": _("School code"),
            "school_name": _("School name"),
            "scope": _("Scan scope"),
            "database": _("Database"),
            "schema_version": _("Schema version"),
            "timezone": _("Time zone"),
            "language": _("Language"),
        },
    )


def _ensure_audit_trail(app: AppContext, workspace: Workspace) -> None:
    """The audit key and its empty trail's head, made together when the workspace is new."""
    from secops.incident.audit import ensure_trail

    with app.store(workspace) as store:
        ensure_trail(workspace.path, store)
