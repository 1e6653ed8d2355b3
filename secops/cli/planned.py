"""Command groups whose capability has not landed yet: they exist, say so, and exit 2."""

from __future__ import annotations

import click

# name -> (short help, what it will do, the issue that builds it)
PLANNED: dict[str, tuple[str, str, int]] = {
    "center": (
        "Provincial monitoring center",
        "Provincial monitoring center: signed alert ingestion, Elasticsearch, dashboard.",
        7,
    ),
    "forward": (
        "Alert delivery to the center",
        "Signed delivery of a school's alerts to its provincial center (durable outbox).",
        7,
    ),
}


def _planned_group(name: str, short: str, summary: str, issue: int) -> click.Group:
    note = f"Not built yet: arrives with issue #{issue}."

    @click.group(
        name=name, help=f"{summary}\n\n{note}", short_help=f"{short} (not built yet)", invoke_without_command=True
    )
    @click.pass_context
    def group(ctx: click.Context) -> None:
        if ctx.invoked_subcommand is None:
            click.echo(f"secops {name}: {note}", err=True)
            ctx.exit(2)

    return group


GROUPS = {name: _planned_group(name, *spec) for name, spec in PLANNED.items()}


def __getattr__(name: str) -> click.Group:
    """``secops.cli.planned:assets`` and friends, as the lazy root group asks for them."""
    try:
        return GROUPS[name]
    except KeyError:
        raise AttributeError(name) from None
