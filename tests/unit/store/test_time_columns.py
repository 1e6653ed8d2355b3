"""One time rule on every write path: each column that stores a time keeps the instant it was given,
whatever its offset (+08:00, +00:00, -05:00), and hands back an aware UTC time; on SQLite and on
PostgreSQL, through SQLAlchemy and through the bulk writer. A naive time is refused, never guessed."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from secops.store.bulk import insert_rows
from secops.store.engine import create_engine
from secops.store.migrate import apply_migrations
from secops.store.schema import UTCDateTime, metadata

ZONES = [timezone(timedelta(hours=8)), UTC, timezone(timedelta(hours=-5))]
# 2026-12-07 08:30:00 in Beijing: one instant, written three ways
INSTANT = datetime(2026, 12, 7, 0, 30, 0, 250_000, tzinfo=UTC)


def _time_columns(table: sa.Table) -> list[str]:
    return [c.name for c in table.columns if isinstance(c.type, UTCDateTime)]


def _filler(column: sa.Column[Any]) -> Any:
    """A value of the column's type: 1 for every integer (so foreign keys find the parent rows)."""
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return 1
    if isinstance(kind, sa.Float):
        return 0.5
    if isinstance(kind, sa.Date):
        return date(2026, 12, 7)
    if isinstance(kind, sa.JSON):
        return {}
    if isinstance(kind, sa.String) and kind.length:
        return "x"[: kind.length]
    return "x"


def _rows(moment: datetime) -> Iterator[tuple[sa.Table, dict[str, Any]]]:
    """One row per table that has a time column (and its parents first), every time = ``moment``."""
    for table in metadata.sorted_tables:
        row: dict[str, Any] = {}
        for column in table.columns:
            row[column.name] = moment if isinstance(column.type, UTCDateTime) else _filler(column)
        yield table, row


def _databases(tmp_path: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp_path / 'times.db'}"
    url = os.environ.get("SECOPS_TEST_POSTGRES_URL")
    if url:
        yield url


def _fresh(url: str) -> sa.Engine:
    engine = create_engine(url)
    if engine.dialect.name == "postgresql":
        existing = sa.MetaData()
        existing.reflect(engine)
        existing.drop_all(engine)
    else:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    apply_migrations(engine)
    return engine


@pytest.mark.parametrize("path", ["core", "bulk"])
@pytest.mark.parametrize("zone", ZONES, ids=["+08:00", "+00:00", "-05:00"])
def test_every_time_column_keeps_the_instant(tmp_path: Path, zone: timezone, path: str) -> None:
    moment = INSTANT.astimezone(zone)
    checked, databases = 0, list(_databases(tmp_path))
    for url in databases:
        engine = _fresh(url)
        try:
            with engine.begin() as conn:
                for table, row in _rows(moment):
                    if path == "bulk":
                        insert_rows(conn, table, [row])
                    else:
                        conn.execute(table.insert().values(**row))
            with engine.connect() as conn:
                for table in metadata.sorted_tables:
                    names = _time_columns(table)
                    if not names:
                        continue
                    stored = conn.execute(sa.select(*(table.c[n] for n in names))).one()
                    for name, value in zip(names, stored, strict=True):
                        assert value == INSTANT, f"{engine.dialect.name} {table.name}.{name}: {value!r}"
                        assert value.utcoffset() == timedelta(0), f"{table.name}.{name} not aware UTC"
                        checked += 1
        finally:
            engine.dispose()
    columns = sum(len(_time_columns(table)) for table in metadata.sorted_tables)
    assert columns >= 45 and checked == columns * len(databases)  # every one of them, on every database


def test_postgresql_is_covered_when_the_test_command_runs() -> None:
    if not os.environ.get("SECOPS_TEST_POSTGRES_URL"):
        pytest.skip("SECOPS_TEST_POSTGRES_URL is not set; scripts/test.sh starts PostgreSQL and sets it")
    assert os.environ["SECOPS_TEST_POSTGRES_URL"].startswith("postgresql")


def test_a_naive_time_is_refused_on_both_write_paths(tmp_path: Path) -> None:
    from secops.store.schema import activity

    engine = _fresh(f"sqlite:///{tmp_path / 'naive.db'}")
    naive = {"at": datetime(2026, 12, 7, 8, 30), "action": "x", "detail": {}}
    with engine.begin() as conn, pytest.raises(sa.exc.StatementError, match="naive datetime"):
        conn.execute(activity.insert().values(**naive))
    with engine.begin() as conn, pytest.raises(ValueError, match="naive datetime"):
        insert_rows(conn, activity, [naive])
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(activity)).scalar_one() == 0
    engine.dispose()
