"""A click group whose subcommands are imported only when used, so ``--help`` stays fast."""

from __future__ import annotations

import importlib
from typing import Any

import click

from secops.i18n import _


class LazyGroup(click.Group):
    """``lazy`` maps a command name to ("module:attribute", short help)."""

    def __init__(self, *args: Any, lazy: dict[str, tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *self.lazy]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module, _, attribute = self.lazy[cmd_name][0].partition(":")
            command = getattr(importlib.import_module(module), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self.lazy[cmd_name][0]} is not a click command")
            return command
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List commands with their short help without importing them."""
        rows = [(name, _(help_text)) for name, (_target, help_text) in self.lazy.items()]
        rows += [(name, cmd.get_short_help_str(60)) for name, cmd in self.commands.items()]
        if rows:
            with formatter.section(_("Commands")):
                formatter.write_dl(
                    sorted(rows, key=lambda row: list(self.lazy).index(row[0]) if row[0] in self.lazy else 999)
                )
