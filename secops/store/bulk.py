"""Bulk writes. SQLAlchemy's per-row parameter processing dominates at 100k+ rows, so on SQLite
rows go straight to the driver (values converted once, in the formats SQLAlchemy itself stores);
other databases take SQLAlchemy's own executemany path."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from secops.store.utctime import utc_naive

CHUNK = 5000


def _plain(value: Any, cache: dict[datetime, str]) -> Any:
    if isinstance(value, datetime):
        text = cache.get(value)
        if text is None:  # SQLAlchemy's SQLite DateTime storage format, in UTC as UTCDateTime stores it
            text = cache[value] = utc_naive(value).isoformat(" ", "microseconds")
        return text
    if isinstance(value, list | dict):
        try:
            return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()  # ~5x json.dumps: alerts' details
        except TypeError:  # an integer past 64 bits (EVTX has them), or a type only json knows
            return json.dumps(value)
    return value


def _tuples(rows: list[dict[str, Any]], order: Sequence[str]) -> list[tuple[Any, ...]]:
    """Rows as driver tuples, built column by column: a column of plain scalars (the common case)
    is passed as it is; any column holding a time, a list or a dict goes through ``_plain``."""
    cache: dict[datetime, str] = {}
    columns = []
    for name in order:
        column = [row[name] for row in rows]
        if any(isinstance(value, datetime | list | dict) for value in column):
            column = [_plain(value, cache) for value in column]
        columns.append(column)
    return list(zip(*columns, strict=True))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def insert_rows(
    conn: Connection,
    table: sa.Table,
    rows: list[dict[str, Any]],
    *,
    conflict: Sequence[str] = (),
    update: Sequence[str] = (),
) -> None:
    """INSERT every row (all with the same keys); with ``conflict``, update ``update`` columns instead."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        _insert_generic(conn, table, rows, conflict, update)
        return
    columns = list(rows[0])
    names, marks = ", ".join(map(_quote, columns)), ", ".join("?" * len(columns))
    sql = f"INSERT INTO {_quote(table.name)} ({names}) VALUES ({marks})"  # noqa: S608 - names from the schema
    if conflict:
        action = ", ".join(f"{_quote(c)} = excluded.{_quote(c)}" for c in update) if update else ""
        sql += f" ON CONFLICT ({', '.join(map(_quote, conflict))}) DO " + (
            f"UPDATE SET {action}" if action else "NOTHING"
        )
    for start in range(0, len(rows), CHUNK):
        conn.exec_driver_sql(sql, _tuples(rows[start : start + CHUNK], columns))


def _insert_generic(
    conn: Connection, table: sa.Table, rows: list[dict[str, Any]], conflict: Sequence[str], update: Sequence[str]
) -> None:
    statement: Any = table.insert()
    if conflict:
        from sqlalchemy.dialects.postgresql import insert

        statement = insert(table)
        statement = (
            statement.on_conflict_do_update(
                index_elements=list(conflict), set_={c: statement.excluded[c] for c in update}
            )
            if update
            else statement.on_conflict_do_nothing(index_elements=list(conflict))
        )
    for start in range(0, len(rows), CHUNK):
        conn.execute(statement, rows[start : start + CHUNK])


def execute_many(
    conn: Connection, statement: Any, sqlite_sql: str, rows: list[dict[str, Any]], order: Sequence[str]
) -> None:
    """Run one UPDATE/DELETE per row: ``sqlite_sql`` (``?`` parameters in ``order``) on SQLite,
    the SQLAlchemy ``statement`` (bind parameters by name) elsewhere."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        for start in range(0, len(rows), CHUNK):
            conn.execute(statement, rows[start : start + CHUNK])
        return
    for start in range(0, len(rows), CHUNK):
        conn.exec_driver_sql(sqlite_sql, _tuples(rows[start : start + CHUNK], order))
