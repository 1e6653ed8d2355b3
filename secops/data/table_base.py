"""What every table reader and writer shares: the ``Table`` (a header and an iterator of pyarrow
RecordBatches), building batches from rows, and cells and columns as text.

The readers (``tables`` for files, ``csvtables``, ``sqltables``) and the writers build on this
module; it imports none of them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

CHUNK_ROWS = 65_536


@dataclass
class Table:
    path: Path  # the file, or the URL (password hidden) for SQL tables
    format: str
    header: list[str]
    encoding: str | None = None
    delimiter: str = ","
    newline: str = "\r\n"
    ragged_rows: int = 0
    batches: Iterator[pa.RecordBatch] = field(default_factory=lambda: iter(()))
    source: str = ""  # what was opened: the path or the full URL

    @property
    def shown(self) -> str:
        """How messages and reports name the table: the path, or the URL with its password hidden
        (a URL kept as a Path would lose a slash of its //)."""
        return hide_password(self.source) if self.format == "sql" else str(self.path)

    @property
    def chunks(self) -> Iterator[list[list[Any]]]:
        """The same data as row lists, one list per batch (for row-at-a-time consumers)."""
        for batch in self.batches:
            columns = [column.to_pylist() for column in batch.columns]
            yield [list(row) for row in zip(*columns, strict=True)]


def text_of(value: Any) -> str:
    """A cell as text: whole floats without '.0' (phone numbers typed into Excel), JSON for nested."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def to_array(values: list[Any]) -> pa.Array:
    """One column of Python values: its own type when uniform, else text (None stays null)."""
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return pa.array([None if v is None else text_of(v) for v in values], pa.string())


def batch_of(rows: list[list[Any]], header: list[str]) -> pa.RecordBatch:
    columns = [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in header]
    return pa.RecordBatch.from_arrays([to_array(c) for c in columns], names=header)


def rows_to_batches(rows: Iterable[list[Any]], header: list[str], chunk_rows: int) -> Iterator[pa.RecordBatch]:
    chunk: list[list[Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= chunk_rows:
            yield batch_of(chunk, header)
            chunk = []
    if chunk:
        yield batch_of(chunk, header)


def fit_row(row: list[Any], width: int, table: Table) -> list[Any]:
    if len(row) == width:
        return row
    table.ragged_rows += 1
    return (row + [None] * width)[:width]


def hide_password(url: str) -> str:
    """A database URL with its password hidden, for messages and reports."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


def as_text(column: pa.Array) -> pa.Array:
    """Any column as strings: whole floats without '.0', dates ISO, nested values as JSON."""
    kind = column.type
    if pa.types.is_string(kind):
        return column
    if pa.types.is_large_string(kind) or pa.types.is_null(kind) or pa.types.is_integer(kind):
        return pc.cast(column, pa.string())
    if pa.types.is_floating(kind):
        whole = pc.and_(pc.equal(pc.floor(column), column), pc.less(pc.abs(column), 2.0**53))
        as_int = pc.cast(pc.if_else(whole, column, 0.0), pa.int64())
        return pc.if_else(whole, pc.cast(as_int, pa.string()), pc.cast(column, pa.string()))
    if pa.types.is_timestamp(kind):
        return pc.strftime(column, format="%Y-%m-%d %H:%M:%S")
    if pa.types.is_date(kind) or pa.types.is_boolean(kind) or pa.types.is_decimal(kind):
        return pc.cast(column, pa.string())
    return pa.array([None if v is None else text_of(v) for v in column.to_pylist()], pa.string())
