"""``secops yara``: being built (issue #5); replaced by the real command group."""

from __future__ import annotations

import click

from secops.errors import SecopsError


@click.group(invoke_without_command=True)
def yara() -> None:
    """Being built (issue #5)."""
    raise SecopsError("secops yara is being built (issue #5)")
