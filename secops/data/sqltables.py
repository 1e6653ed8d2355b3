"""SQL tables by URL through SQLAlchemy: SQLite, PostgreSQL (psycopg), MySQL and MariaDB (PyMySQL;
a bare ``mysql://`` uses it). The table is named after ``#`` or in a ``table=`` query parameter:
``sqlite:///roster.db#students``, ``postgresql+psycopg://user@host/db?table=school.students``.

Reading streams with server-side cursors (``yield_per``); writing creates a new table and fills it
in one transaction, so a failed run leaves nothing behind where the database allows
transactional DDL (SQLite, PostgreSQL); on MySQL, whose DDL commits, a failed run drops the
table it created.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from secops.data.table_base import Table, batch_of, hide_password, text_of
from secops.errors import SecopsError
from secops.i18n import _

_URL = re.compile(r"^(sqlite|postgresql|postgres|mysql|mariadb|mssql|oracle)(\+\w+)?://", re.IGNORECASE)


def is_sql_url(text: str) -> bool:
    return bool(_URL.match(text))


def split_url(url: str) -> tuple[Any, str | None, str]:
    """(SQLAlchemy URL without the table, schema or None, table name)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    base, _sep, fragment = url.partition("#")
    try:
        parsed = make_url(base)
    except (ArgumentError, ValueError):  # ValueError: e.g. a port that is not a number
        raise SecopsError(_("{url}: not a database URL").format(url=hide_password(url))) from None
    name = fragment or parsed.query.get("table")
    if isinstance(name, tuple):
        name = name[0]
    if not name:
        raise SecopsError(
            _("{url}: no table named").format(url=hide_password(url)),
            hint=_("add #TABLE or ?table=TABLE, e.g. sqlite:///roster.db#students"),
        )
    parsed = parsed.difference_update_query(["table"])
    if parsed.drivername in ("mysql", "mariadb"):  # the bare name means mysqlclient; PyMySQL is what we ship
        parsed = parsed.set(drivername=f"{parsed.drivername}+pymysql")
    schema, _dot, table = name.rpartition(".")
    return parsed, schema or None, table


def display(url: str) -> str:
    """The URL with its password hidden, for messages and reports."""
    return hide_password(url)


def _engine(parsed: Any, *, must_exist: bool = True) -> Any:
    from sqlalchemy import create_engine

    sqlite_file = parsed.get_backend_name() == "sqlite" and parsed.database
    if must_exist and sqlite_file and not Path(parsed.database).is_file():
        raise SecopsError(_("{path}: no such SQLite database file").format(path=parsed.database))
    try:
        return create_engine(parsed)
    except Exception as error:  # a missing DB-API driver is the usual cause
        raise SecopsError(
            _("{url}: cannot use this database ({kind}: {reason})").format(
                url=hide_password(str(parsed)), kind=type(error).__name__, reason=str(error)[:120]
            ),
            hint=_("install its driver, e.g. pip install pymysql for mysql+pymysql://"),
        ) from None


def open_sql_table(url: str, *, chunk_rows: int) -> Table:
    from sqlalchemy import MetaData, select
    from sqlalchemy import Table as SqlTable
    from sqlalchemy.exc import NoSuchTableError, SQLAlchemyError

    parsed, schema, name = split_url(url)
    engine = _engine(parsed)
    try:
        sql_table = SqlTable(name, MetaData(), schema=schema, autoload_with=engine)
    except NoSuchTableError:
        raise SecopsError(_("{url}: no table {name!r}").format(url=display(url), name=name)) from None
    except SQLAlchemyError as error:
        raise SecopsError(
            _("{url}: cannot read the database ({kind})").format(url=display(url), kind=type(error).__name__)
        ) from None
    header = [column.name for column in sql_table.columns]
    table = Table(Path(display(url)), "sql", header, source=url)

    def batches() -> Iterator[pa.RecordBatch]:
        rows = 0
        try:
            with engine.connect() as connection:
                result = connection.execution_options(yield_per=chunk_rows).execute(select(sql_table))
                for part in result.partitions():
                    rows += len(part)
                    yield batch_of([list(row) for row in part], header)
        except SQLAlchemyError as error:  # a damaged database file, a lost connection
            raise SecopsError(
                _("{url}: cannot read the database after row {rows:,} ({kind})").format(
                    url=display(url), rows=rows, kind=type(error).__name__
                )
            ) from None
        finally:
            engine.dispose()

    table.batches = batches()
    return table


def _sql_type(arrow_type: pa.DataType) -> Any:
    from sqlalchemy import BigInteger, Boolean, Date, DateTime, Float, LargeBinary, Text

    if pa.types.is_integer(arrow_type):
        return BigInteger()
    if pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return Float()
    if pa.types.is_boolean(arrow_type):
        return Boolean()
    if pa.types.is_timestamp(arrow_type):
        return DateTime()
    if pa.types.is_date(arrow_type):
        return Date()
    if pa.types.is_binary(arrow_type) or pa.types.is_large_binary(arrow_type):
        return LargeBinary()
    return Text()


class SqlWriter:
    """Creates ``TABLE`` (it must not exist) and inserts every batch, in one transaction."""

    def __init__(self, url: str, header: list[str]) -> None:
        from sqlalchemy import inspect

        self.url = url
        self.header = header
        self.parsed, self.schema, self.name = split_url(url)
        if self.parsed.get_backend_name() == "sqlite" and self.parsed.database:
            folder = Path(self.parsed.database).resolve().parent
            if not folder.is_dir():
                raise SecopsError(_("output folder {folder} does not exist").format(folder=folder))
        self.engine = _engine(self.parsed, must_exist=False)
        if inspect(self.engine).has_table(self.name, schema=self.schema):
            raise SecopsError(
                _("{url}: table {name!r} already exists").format(url=display(url), name=self.name),
                hint=_("write to a new table name"),
            )
        self.connection: Any = None
        self.transaction: Any = None
        self.sql_table: Any = None

    def write(self, batch: pa.RecordBatch) -> None:
        from sqlalchemy import Column, MetaData
        from sqlalchemy import Table as SqlTable

        if self.sql_table is None:
            columns = [
                Column(name, _sql_type(column.type), key=f"c{i}")
                for i, (name, column) in enumerate(zip(self.header, batch.columns, strict=True))
            ]
            self.sql_table = SqlTable(self.name, MetaData(), *columns, schema=self.schema)
            self.connection = self.engine.connect()
            self.transaction = self.connection.begin()
            self.sql_table.create(self.connection)
        keys = [f"c{i}" for i in range(len(self.header))]
        values = [_plain(column.to_pylist()) for column in batch.columns]
        rows = [dict(zip(keys, row, strict=True)) for row in zip(*values, strict=True)]
        if rows:
            self.connection.execute(self.sql_table.insert(), rows)

    def close(self, ok: bool) -> None:
        try:
            if self.transaction is not None:
                if ok:
                    self.transaction.commit()
                else:
                    self.transaction.rollback()
                    if self.parsed.get_backend_name() in ("mysql", "mariadb"):  # CREATE TABLE committed itself
                        self.sql_table.drop(self.connection, checkfirst=True)
            if self.connection is not None:
                self.connection.close()
        finally:
            self.engine.dispose()


def _plain(values: list[Any]) -> list[Any]:
    """Values a DB-API driver takes: nested JSON values as text."""
    if any(isinstance(v, dict | list) for v in values):
        return [None if v is None else text_of(v) if isinstance(v, dict | list) else v for v in values]
    return values


def same_table(a: str, b: str) -> bool:
    """True when two URLs name the same table of the same database."""
    first, second = split_url(a), split_url(b)
    if first[1:] != second[1:]:
        return False
    url_a, url_b = first[0], second[0]
    if url_a.get_backend_name() == "sqlite" and url_b.get_backend_name() == "sqlite":
        return Path(url_a.database or "").resolve() == Path(url_b.database or "").resolve()
    return bool(url_a.set(drivername=url_a.get_backend_name()) == url_b.set(drivername=url_b.get_backend_name()))
