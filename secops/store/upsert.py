"""INSERT ... ON CONFLICT for the databases the store supports (SQLite and PostgreSQL).

SQLAlchemy spells the upsert per dialect (``sqlalchemy.dialects.sqlite.insert`` and
``sqlalchemy.dialects.postgresql.insert``); both statements take the same
``on_conflict_do_nothing(index_elements=...)`` / ``on_conflict_do_update(index_elements=...,
set_=..., where=...)`` and ``excluded``, so callers write one statement for both.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection


def upsert_insert(conn: Connection, table: sa.Table) -> Any:
    """An INSERT into ``table`` that accepts ``on_conflict_do_*`` on ``conn``'s database."""
    name = conn.dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no upsert for database {name!r}")  # open_store accepts only these two
