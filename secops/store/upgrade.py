"""What a migration may need from outside the database while it upgrades one."""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path

# The folder holding audit.key while a workspace's database is migrated (its database may live
# elsewhere, e.g. PostgreSQL): migration 16 builds the head of an existing trail with that key.
UPGRADE_KEY_FOLDER: ContextVar[Path | None] = ContextVar("UPGRADE_KEY_FOLDER", default=None)
