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
        return datetime.now(UTC)

    def workspace(self) -> Workspace:
        from secops.config import load_workspace

        return load_workspace(self.workspace_path)

    def store(self, workspace: Workspace | None = None) -> Store:
        from secops.workspace import open_workspace_store

        return open_workspace_store(workspace or self.workspace())


pass_app = click.make_pass_decorator(AppContext)
