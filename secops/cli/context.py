"""What every command gets from the root: the workspace folder, verbosity and the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click

from secops.config import Workspace, load_workspace
from secops.store import Store


@dataclass
class AppContext:
    workspace_path: Path
    verbose: bool = False

    def now(self) -> datetime:
        return datetime.now(UTC)

    def workspace(self) -> Workspace:
        return load_workspace(self.workspace_path)

    def store(self, workspace: Workspace | None = None) -> Store:
        from secops.workspace import open_workspace_store

        return open_workspace_store(workspace or self.workspace())


pass_app = click.make_pass_decorator(AppContext)
