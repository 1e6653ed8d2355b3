"""``secops detect``: being built (issue #5); replaced by the real command group."""

from __future__ import annotations

import click

from secops.errors import SecopsError


@click.group(invoke_without_command=True)
def detect() -> None:
    """Being built (issue #5)."""
    raise SecopsError("secops detect is being built (issue #5)")
