"""The migrations build exactly the schema that ``secops/store/schema.py`` declares.

Code reads and writes through the declared tables, while real databases are built by the
migrations. A column, index, unique constraint or foreign key that one has and the other lacks is a
bug that only shows on someone's upgraded database, so every difference fails here, on SQLite and
on PostgreSQL.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect

from secops.store import open_store
from secops.store.schema import metadata

# Tables the store creates beside the declared schema: the migration ledger and APScheduler's job
# store (its own library declares that one).
NOT_DECLARED = {"schema_migrations", "apscheduler_jobs"}


def _type(column_type: Any, dialect: Dialect) -> str:
    impl = column_type.impl if isinstance(column_type, sa.types.TypeDecorator) else column_type
    text = impl.compile(dialect=dialect).upper()
    # how each database names the same type when it reads it back
    return {
        "JSONB": "JSON",
        "TIMESTAMP WITH TIME ZONE": "TIMESTAMP",
        "TIMESTAMP WITHOUT TIME ZONE": "TIMESTAMP",
        "DOUBLE PRECISION": "FLOAT",
        "FLOAT(53)": "FLOAT",
    }.get(text, text)


def _declared(dialect: Dialect) -> dict[str, dict[str, Any]]:
    tables: dict[str, dict[str, Any]] = {}
    for table in metadata.sorted_tables:
        tables[table.name] = {
            "columns": {
                c.name: (_type(c.type, dialect), bool(c.nullable) and not c.primary_key) for c in table.columns
            },
            "primary_key": sorted(c.name for c in table.primary_key.columns),
            "indexes": sorted((sorted(c.name for c in i.columns), bool(i.unique)) for i in table.indexes),
            "unique": sorted(
                sorted(c.name for c in u.columns) for u in table.constraints if isinstance(u, sa.UniqueConstraint)
            ),
            "foreign_keys": sorted((fk.parent.name, fk.column.table.name, fk.column.name) for fk in table.foreign_keys),
        }
    return tables


def _built(conn: Connection) -> dict[str, dict[str, Any]]:
    inspector = sa.inspect(conn)
    tables: dict[str, dict[str, Any]] = {}
    for name in inspector.get_table_names():
        if name in NOT_DECLARED:
            continue
        pk = sorted(inspector.get_pk_constraint(name)["constrained_columns"])
        indexes = inspector.get_indexes(name)
        uniques = inspector.get_unique_constraints(name)
        unique_sets = {tuple(sorted(u["column_names"])) for u in uniques}
        # PostgreSQL reports a unique constraint's backing index as well: count it once, as the constraint
        plain = [i for i in indexes if not (i.get("unique") and tuple(sorted(i["column_names"])) in unique_sets)]
        tables[name] = {
            "columns": {
                c["name"]: (_type(c["type"], conn.dialect), bool(c["nullable"]) and c["name"] not in pk)
                for c in inspector.get_columns(name)
            },
            "primary_key": pk,
            "indexes": sorted((sorted(str(n) for n in i["column_names"]), bool(i.get("unique"))) for i in plain),
            "unique": sorted(sorted(u["column_names"]) for u in uniques),
            "foreign_keys": sorted(
                (column, fk["referred_table"], referred)
                for fk in inspector.get_foreign_keys(name)
                for column, referred in zip(fk["constrained_columns"], fk["referred_columns"], strict=True)
            ),
        }
    return tables


def _differences(conn: Connection) -> list[str]:
    declared, built = _declared(conn.dialect), _built(conn)
    problems = [f"table {t} is declared but no migration creates it" for t in sorted(set(declared) - set(built))]
    problems += [f"table {t} is created by a migration but not declared" for t in sorted(set(built) - set(declared))]
    for name in sorted(set(declared) & set(built)):
        for part in ("columns", "primary_key", "indexes", "unique", "foreign_keys"):
            if declared[name][part] != built[name][part]:
                problems.append(f"{name}.{part}: declared {declared[name][part]!r}, migrated {built[name][part]!r}")
    return problems


def test_sqlite_migrations_build_the_declared_schema(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'secops.db'}") as store, store.engine.connect() as conn:
        assert _differences(conn) == []


@pytest.mark.postgres
def test_postgresql_migrations_build_the_declared_schema() -> None:
    url = os.environ.get("SECOPS_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("SECOPS_TEST_POSTGRES_URL is not set; scripts/test.sh starts a PostgreSQL server and sets it")
    schema = f"schema_check_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        scoped = sa.engine.make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
        with open_store(scoped.render_as_string(hide_password=False)) as store, store.engine.connect() as conn:
            assert _differences(conn) == []
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()
