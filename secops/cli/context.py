"""What every command gets from the root: the workspace folder, verbosity and the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # imported lazily: `secops --help` must not pay for pydantic or SQLAlchemy
    from secops.config import Workspace
    from secops.store import Store


@dataclass
class AppContext:
    workspace_path: Path
    verbose: bool = False

    def now(self) -> datetime:
        """The current time; SECOPS_NOW (ISO 8601) fixes it, for drills and tests of the clocks."""
        import os

        fixed = os.environ.get("SECOPS_NOW")
        if fixed:
            try:
                moment = datetime.fromisoformat(fixed)
            except ValueError:
                from secops.errors import SecopsError

                raise SecopsError(
                    f"SECOPS_NOW={fixed!r} is not an ISO 8601 time", hint="e.g. 2026-11-23T10:00:00+08:00"
                ) from None
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return datetime.now(UTC)

    def workspace(self) -> Workspace:
        from secops.config import load_workspace

        return load_workspace(self.workspace_path)

    def store(self, workspace: Workspace | None = None) -> Store:
        from secops.workspace import open_workspace_store

        return open_workspace_store(workspace or self.workspace())


pass_app = click.make_pass_decorator(AppContext)
