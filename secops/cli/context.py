"""What every command gets from the root: the workspace folder, verbosity and the clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # imported lazily: `secops --help` must not pay for pydantic or SQLAlchemy
    from zoneinfo import ZoneInfo

    from secops.config import Workspace
    from secops.store import Store


DEFAULT_ZONE = "Asia/Shanghai"


@dataclass
class AppContext:
    workspace_path: Path
    verbose: bool = False
    quiet: bool = False  # -q: results and errors only, no status lines or progress
    shown_zone: ZoneInfo | None = field(default=None, repr=False)  # set once: display_zone()

    def display_zone(self) -> ZoneInfo:
        """The zone times are shown in: --timezone's when the command took one, else the workspace's
        (a broken workspace config shows Asia/Shanghai here; the command itself reports the config)."""
        if self.shown_zone is None:
            from secops.errors import SecopsError

            try:
                self.shown_zone = self.zone()
            except SecopsError:
                from zoneinfo import ZoneInfo

                self.shown_zone = ZoneInfo(DEFAULT_ZONE)
        return self.shown_zone

    def now(self) -> datetime:
        """The current time; SECOPS_NOW (ISO 8601) fixes it, for drills and tests of the clocks."""
        import os

        fixed = os.environ.get("SECOPS_NOW")
        if fixed:
            try:
                moment = datetime.fromisoformat(fixed)
            except ValueError:
                from secops.errors import SecopsError
                from secops.i18n import _

                raise SecopsError(
                    _("SECOPS_NOW={value!r} is not an ISO 8601 time").format(value=fixed),
                    hint=_("e.g. {example}").format(example="2026-11-23T10:00:00+08:00"),
                ) from None
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return datetime.now(UTC)

    def zone(self, override: str | None = None) -> ZoneInfo:
        """The zone times are shown in and zone-less inputs are read in: ``override`` (an IANA name,
        from --timezone), else the workspace's, else Asia/Shanghai when there is no workspace yet."""
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        from secops.errors import SecopsError
        from secops.i18n import _

        name = override
        if name is None:
            from secops.config import CONFIG_FILE

            name = self.workspace().config.timezone if (self.workspace_path / CONFIG_FILE).is_file() else DEFAULT_ZONE
        try:
            found = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise SecopsError(
                _("time zone {name!r} is not an IANA time zone name").format(name=name),
                hint=_("e.g. --timezone Asia/Shanghai, UTC or America/New_York"),
            ) from None
        if override is not None:
            self.shown_zone = found  # what a command reads in, it shows in
        return found

    def workspace(self) -> Workspace:
        from secops.config import load_workspace

        return load_workspace(self.workspace_path)

    def store(self, workspace: Workspace | None = None) -> Store:
        from secops.workspace import open_workspace_store

        return open_workspace_store(workspace or self.workspace())


pass_app = click.make_pass_decorator(AppContext)
