"""Opening the workspace database: engine set-up, health checks and migrations on open."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError

from secops.errors import WorkspaceError
from secops.fsutil import private_sqlite_file
from secops.i18n import _
from secops.store.migrate import apply_migrations, current_version


@dataclass
class Store:
    engine: Engine
    url: str

    @property
    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            return current_version(conn)

    def dispose(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.dispose()


def redact_url(url: str) -> str:
    """The URL with any password hidden, safe to print."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid database URL>"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    # WAL lets the scheduler write while the CLI reads; busy_timeout rides out short locks.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@dataclass(frozen=True)
class ServerPool:
    """How a long-running server pools its PostgreSQL connections (the CLI keeps SQLAlchemy's defaults).

    ``size`` connections stay open: as many as the threads that use the database at once, or they
    are opened and closed per request, a backend process forked on the server each time (SQLAlchemy's
    default of 5 cost the center a third of its ingestion rate). ``pre_ping`` stays on: after a
    restart or failover no request meets a dead connection, and measured it costs nothing visible.
    ``recycle`` seconds bound how long one connection lives."""

    size: int = 16
    overflow: int = 16
    pre_ping: bool = True
    recycle: int = 1800


def create_engine(url: str, *, server_pool: ServerPool | None = None) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise WorkspaceError(
            _("database URL {url!r} is not valid").format(url=redact_url(url)),
            hint=_("use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"),
        ) from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            folder = Path(database).parent
            if not folder.is_dir():
                raise WorkspaceError(
                    _("database folder {folder} does not exist").format(folder=folder), hint=_("run secops init first")
                )
            # Raw log values and incident records: owner-only, made so before SQLite creates it.
            private_sqlite_file(Path(database))
        engine = sa.create_engine(parsed)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() != "postgresql":
        raise WorkspaceError(
            _("database {name!r} is not supported").format(name=parsed.get_backend_name()),
            hint=_("use SQLite (the default) or PostgreSQL"),
        )
    options: dict[str, Any] = {"pool_pre_ping": True}
    if server_pool is not None:
        options = {
            "pool_pre_ping": server_pool.pre_ping,
            "pool_size": server_pool.size,
            "max_overflow": server_pool.overflow,
            "pool_recycle": server_pool.recycle,
        }
    try:
        return sa.create_engine(parsed, **options)
    except ModuleNotFoundError:
        raise WorkspaceError(
            _("the PostgreSQL driver is not installed"), hint="pip install 'secops[postgres]'"
        ) from None


def open_store(url: str, *, migrate: bool = True, server_pool: ServerPool | None = None) -> Store:
    """Open (and by default migrate) the database at ``url``.

    A corrupted file, an unreachable server or a schema from a newer secops is one
    WorkspaceError that says which database and what to do.
    """
    engine = create_engine(url, server_pool=server_pool)
    shown = redact_url(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("SELECT 1"))
        if migrate:
            apply_migrations(engine)
    except WorkspaceError:
        engine.dispose()
        raise
    except (DatabaseError, OperationalError) as exc:
        engine.dispose()
        reason = str(exc.orig).splitlines()[0] if exc.orig is not None else type(exc).__name__
        raise WorkspaceError(
            _("cannot open the workspace database {path}: {reason}").format(path=shown, reason=reason),
            hint=_("restore it from a backup, or move it aside and re-run secops init"),
        ) from None
    return Store(engine=engine, url=url)
