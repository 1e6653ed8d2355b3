"""Versioned schema migrations, applied in order when the store is opened.

Each migration is a module ``secops/store/migrations/mNNNN_name.py`` with ``VERSION``,
``DESCRIPTION`` and ``upgrade(conn)``. Each runs in its own transaction and is recorded in
``schema_migrations``; a database newer than this secops is refused rather than touched.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from datetime import UTC, datetime
from types import ModuleType

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from secops.errors import WorkspaceError
from secops.i18n import _
from secops.store import migrations as migrations_package

_meta = sa.MetaData()
schema_migrations = sa.Table(
    "schema_migrations",
    _meta,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.String(200), nullable=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    module: ModuleType

    def upgrade(self, conn: Connection) -> None:
        self.module.upgrade(conn)


def available_migrations() -> list[Migration]:
    found = []
    for info in pkgutil.iter_modules(migrations_package.__path__):
        if not info.name.startswith("m"):
            continue
        module = importlib.import_module(f"{migrations_package.__name__}.{info.name}")
        found.append(Migration(module.VERSION, module.DESCRIPTION, module))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, found {versions}")
    return found


def current_version(conn: Connection) -> int:
    if not sa.inspect(conn).has_table("schema_migrations"):
        return 0
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(schema_migrations.c.version), 0))).scalar_one())


def apply_migrations(engine: Engine, *, target: int | None = None) -> list[int]:
    """Bring the database up to ``target`` (default: the newest); returns the versions applied."""
    migrations = available_migrations()
    newest = migrations[-1].version if migrations else 0
    target = newest if target is None else target
    with engine.begin() as conn:
        schema_migrations.create(conn, checkfirst=True)
        version = current_version(conn)
    if version > newest:
        raise WorkspaceError(
            _("the workspace database has schema version {version}, newer than this secops knows ({newest})").format(
                version=version, newest=newest
            ),
            hint=_("upgrade secops to the version that wrote it"),
        )
    applied = []
    for migration in migrations:
        if version < migration.version <= target:
            with engine.begin() as conn:
                migration.upgrade(conn)
                conn.execute(
                    schema_migrations.insert().values(
                        version=migration.version, description=migration.description, applied_at=datetime.now(UTC)
                    )
                )
            applied.append(migration.version)
    return applied
