"""Click classes that speak the workspace language: help is looked up in the catalog when shown.

Help strings stay English in the code (the catalog's message ids); they are swapped for their
translation only while help is being formatted, so one process can show help in either language.
Click's own messages ("Usage:", "Missing option ...") go through the same catalog (see ``speak_click``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from secops.cli.help_format import SecopsContext
from secops.cli.lazy import LazyGroup
from secops.i18n import N_, _, ngettext

_CLICK_MODULES = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.shell_completion",
    "click.termui",
    "click.types",
    "click.utils",
    "click._termui_impl",
)
HELP_OPTION_HELP = "Show this message and exit."


def speak_click() -> None:
    """Route click's own messages through our catalog instead of gettext's global domain (which
    follows $LANGUAGE and knows nothing of --lang). Click binds ``_`` and ``ngettext`` per module."""
    import importlib

    for name in _CLICK_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:  # a private module click no longer has
            continue
        if hasattr(module, "_"):
            module._ = _  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]


def _swap(target: Any, attribute: str, saved: list[tuple[Any, str, Any]]) -> None:
    value = getattr(target, attribute, None)
    if isinstance(value, str) and value:
        saved.append((target, attribute, value))
        setattr(target, attribute, _(value))


@contextmanager
def translated(command: click.Command, ctx: click.Context | None = None) -> Iterator[None]:
    """The command's help, epilog and its parameters' help in the current language, for the block."""
    saved: list[tuple[Any, str, Any]] = []
    try:
        for attribute in ("help", "short_help", "epilog"):
            _swap(command, attribute, saved)
        params = command.get_params(ctx) if ctx is not None else command.params
        for param in params:
            _swap(param, "help", saved)
            _swap(param, "show_default", saved)
        yield
    finally:
        for target, attribute, value in reversed(saved):
            setattr(target, attribute, value)


# click builds "required" through a variable (``_(extra["required"])``), out of the extractor's sight
N_("required")
_log = logging.getLogger("secops.cli")


class SecopsCommand(click.Command):
    """A command whose help is shown in the workspace language, wrapped by terminal columns."""

    context_class = SecopsContext

    def invoke(self, ctx: click.Context) -> Any:
        if isinstance(self, click.Group):
            return super().invoke(ctx)
        # for --log-file: which command ran with which options, never their values (they may name people)
        given = sorted(name for name, value in ctx.params.items() if value not in (None, False, (), []))
        _log.info("%s started (options: %s)", ctx.command_path, ", ".join(given) or "none")
        try:
            result = super().invoke(ctx)
        except click.exceptions.Exit as done:
            _log.info("%s finished (exit %s)", ctx.command_path, done.exit_code)
            raise
        _log.info("%s finished (exit 0)", ctx.command_path)
        return result

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with translated(self, ctx):
            super().format_help(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        with translated(self):
            return super().get_short_help_str(limit)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        created = getattr(self, "_help_option", None) is None
        option = super().get_help_option(ctx)
        if option is not None and created:  # click builds it once, in the language current then
            option.help = HELP_OPTION_HELP
        return option


class SecopsGroup(SecopsCommand, LazyGroup):
    """A group of commands (optionally imported lazily) whose help is shown in the workspace language;
    its subcommands and subgroups are of these classes too."""

    command_class = SecopsCommand
    group_class = type  # subgroups made with @group.group() are SecopsGroups
