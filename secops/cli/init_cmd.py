"""``secops init``: create or update the workspace; ``--show`` prints it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from secops.cli.base import SecopsCommand
from secops.cli.context import AppContext, pass_app
from secops.cli.output import emit_object, format_option

if TYPE_CHECKING:
    from secops.config import Workspace


@click.command(cls=SecopsCommand)
@click.option("--school-code", help="The school's 10-digit 学校标识码.")
@click.option("--school-name", help="The school's official name.")
@click.option(
    "--scope", "scope", multiple=True, metavar="CIDR", help="A network the school owns and may scan (repeat)."
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
    database: str | None,
    force: bool,
    show: bool,
    fmt: str,
) -> None:
    """Create the workspace, or update it; running it twice is safe.

    \b
    Example:
      secops init --school-code 4111010001 --school-name 某某中学 \\
                  --scope 10.20.0.0/16 --scope 2001:db8:20::/48
    """
    if show:
        _show(app, fmt)
        return
    from secops.config import CONFIG_FILE, load_workspace

    if (app.workspace_path / CONFIG_FILE).exists():  # an update: what is not given stays as it is
        current = load_workspace(app.workspace_path).config
        school_code = school_code or current.school.code
        school_name = school_name or current.school.name
        scope = scope or tuple(current.scope)
    missing = [opt for opt, value in (("--school-code", school_code), ("--school-name", school_name)) if not value]
    if not scope:
        missing.append("--scope")
    if missing:
        raise click.UsageError(f"missing {', '.join(missing)} (or use --show to print the current workspace)")
    from secops.workspace import init_workspace

    result = init_workspace(
        app.workspace_path,
        school_code=str(school_code),
        school_name=str(school_name),
        scope=list(scope),
        database=database,
        now=app.now(),
        force=force,
    )
    _ensure_audit_trail(app, result.workspace)
    config = result.workspace.config
    if result.created:
        click.echo(f"Created workspace {result.workspace.path} for {config.school.name} ({config.school.code}).")
    elif result.changes:
        click.echo(f"Updated workspace {result.workspace.path}:")
        for change in result.changes:
            click.echo(f"  {change}")
    else:
        click.echo(f"Workspace {result.workspace.path} is already set up; nothing changed.")


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
        },
        fmt,
    )


def _ensure_audit_trail(app: AppContext, workspace: Workspace) -> None:
    """The audit key and its empty trail's head, made together when the workspace is new."""
    from secops.incident.audit import ensure_trail

    with app.store(workspace) as store:
        ensure_trail(workspace.path, store)
