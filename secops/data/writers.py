"""Writing tables chunk by chunk in the format of the output's suffix (or a SQL URL), header and row
order kept, through a temporary file renamed into place only when everything was written.

CSV and XLSX output is neutralised against formula injection: a text cell starting with
= + - @ TAB or CR gets a leading apostrophe, except plain numbers (-5, +86...) which no
spreadsheet runs. XLSX is written by xlsxwriter in constant-memory mode with formulas off.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from abc import ABC, abstractmethod
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from secops.data.arrowbuf import string_buffers
from secops.data.table_base import text_of
from secops.data.tables import format_of
from secops.errors import SecopsError
from secops.fsutil import atomic_output
from secops.i18n import _

_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_CHARS = 32_767
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "utf-16")


_RISKY_BYTE = np.zeros(256, dtype=bool)
_RISKY_BYTE[[ord(c) for c in "=+-@\t\r"]] = True


def _risky_first_byte(column: pa.Array) -> pa.Array:
    """Cells whose first byte is one of = + - @ TAB CR: a gather over the Arrow buffers (no
    per-cell slices), the cheap test every written cell goes through."""
    offsets, data = string_buffers(column)
    starts = offsets[:-1]
    if not data.size:
        return pa.array(np.zeros(len(column), dtype=bool))
    risky = _RISKY_BYTE[data[np.minimum(starts, data.size - 1)]] & np.greater(offsets[1:], starts)
    valid = column.is_valid() if column.null_count else None
    return pc.and_(pa.array(risky), valid) if valid is not None else pa.array(risky)


def neutralise(column: pa.Array) -> tuple[pa.Array, int]:
    """(column with formula-like text cells prefixed by ', number of cells changed)."""
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)) or not len(column):
        return column, 0
    risky = _risky_first_byte(column)
    if not pc.any(risky).as_py():
        return column, 0
    risky = pc.and_(risky, pc.invert(pc.match_substring_regex(column, _NUMBER)))
    count = pc.sum(risky).as_py() or 0
    if not count:
        return column, 0
    quote, empty = pa.scalar("'", column.type), pa.scalar("", column.type)
    return pc.if_else(risky, pc.binary_join_element_wise(quote, column, empty), column), count


def neutralise_text(value: str) -> str:
    column, _count = neutralise(pa.array([value], pa.string()))
    return str(column[0].as_py())


def _json_ready(column: pa.Array) -> pa.Array:
    """Nested or binary columns as JSON text, for formats without those types."""
    kind = column.type
    if pa.types.is_nested(kind) or pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        return pa.array([None if v is None else text_of(v) for v in column.to_pylist()], pa.string())
    return column


class TableWriter(ABC):
    def __init__(self, header: list[str]) -> None:
        self.header = header
        self.rows = 0
        self.neutralised = 0  # text cells given a leading ' against formula injection
        self.truncated = 0  # cells cut to the format's limit (XLSX: 32,767 characters)

    @abstractmethod
    def write(self, batch: pa.RecordBatch) -> None: ...

    def finish(self) -> None:  # noqa: B027 - most formats have no trailer
        """Write what comes after the last row (file trailers); before the rename."""

    def abandon(self) -> None:  # noqa: B027 - only writers holding a native handle need it
        """Release what the writer holds after a failure (the file itself is discarded)."""

    def _safe_columns(self, batch: pa.RecordBatch) -> list[pa.Array]:
        columns = []
        for column in batch.columns:
            safe, count = neutralise(_json_ready(column))
            self.neutralised += count
            columns.append(safe)
        return columns


class CsvWriter(TableWriter):
    def __init__(self, handle: IO[bytes], header: list[str], encoding: str, delimiter: str, newline: str) -> None:
        super().__init__(header)
        import pyarrow.csv as pacsv

        if encoding not in ENCODINGS:
            raise SecopsError(
                _("cannot write CSV in {encoding}").format(encoding=encoding),
                hint=_("use one of {choices}").format(choices=", ".join(ENCODINGS)),
            )
        self.handle = handle
        # one BOM at the start, then BOM-less chunks
        self.codec = {"utf-8-sig": "utf-8", "utf-16": "utf-16-le"}.get(encoding, encoding)
        # unquoted like most exports; a chunk with a delimiter, quote or newline in a cell is quoted
        self.plain = pacsv.WriteOptions(include_header=False, delimiter=delimiter, eol=newline, quoting_style="none")
        self.quoted = pacsv.WriteOptions(include_header=False, delimiter=delimiter, eol=newline)
        self._pacsv = pacsv
        text = io.StringIO()
        csv.writer(text, delimiter=delimiter, lineterminator=newline).writerow(
            [neutralise_text(name) for name in header]
        )
        if encoding == "utf-8-sig":
            handle.write(b"\xef\xbb\xbf")
        elif encoding == "utf-16":
            handle.write(b"\xff\xfe")
        handle.write(text.getvalue().encode(self.codec))

    def write(self, batch: pa.RecordBatch) -> None:
        safe = pa.RecordBatch.from_arrays(self._safe_columns(batch), names=[f"c{i}" for i in range(batch.num_columns)])
        sink = pa.BufferOutputStream()
        try:
            self._pacsv.write_csv(safe, sink, self.plain)
        except pa.ArrowInvalid:
            sink = pa.BufferOutputStream()
            self._pacsv.write_csv(safe, sink, self.quoted)
        data = sink.getvalue()
        if self.codec != "utf-8":
            data = data.to_pybytes().decode("utf-8").encode(self.codec)
        self.handle.write(data)  # an Arrow buffer is written without a copy
        self.rows += batch.num_rows


class XlsxWriter(TableWriter):
    def __init__(self, handle: IO[bytes], header: list[str]) -> None:
        super().__init__(header)
        import xlsxwriter

        options = {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "remove_timezone": True,
            "nan_inf_to_errors": True,
        }
        self.book = xlsxwriter.Workbook(handle, options)
        self.sheet = self.book.add_worksheet()
        self.date_format = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.time_format = self.book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        for index, name in enumerate(header):
            self.sheet.write_string(0, index, neutralise_text(name))

    def write(self, batch: pa.RecordBatch) -> None:
        if self.rows + batch.num_rows >= XLSX_MAX_ROWS:
            raise SecopsError(
                _("more than {rows:,} rows do not fit in one XLSX sheet").format(rows=XLSX_MAX_ROWS - 1),
                hint=_("write CSV, JSON lines or Parquet instead"),
            )
        sheet = self.sheet
        columns = [column.to_pylist() for column in self._safe_columns(batch)]
        first = self.rows + 1
        for offset, row in enumerate(zip(*columns, strict=True)):
            line = first + offset
            for index, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    if len(value) > XLSX_MAX_CHARS:
                        self.truncated += 1
                    sheet.write_string(line, index, value[:XLSX_MAX_CHARS])
                elif isinstance(value, bool):
                    sheet.write_boolean(line, index, value)
                elif isinstance(value, int | float):
                    sheet.write_number(line, index, value)
                elif isinstance(value, datetime):
                    sheet.write_datetime(line, index, value, self.time_format)
                elif isinstance(value, date):
                    sheet.write_datetime(line, index, value, self.date_format)
                else:
                    sheet.write_string(line, index, text_of(value)[:XLSX_MAX_CHARS])
        self.rows += batch.num_rows

    def finish(self) -> None:
        self.book.close()


class JsonWriter(TableWriter):
    """JSON lines, or one JSON array (``array=True``) written element by element."""

    def __init__(self, handle: IO[bytes], header: list[str], *, array: bool) -> None:
        super().__init__(header)
        self.handle = handle
        self.array = array
        if array:
            handle.write(b"[")

    def write(self, batch: pa.RecordBatch) -> None:
        columns = [column.to_pylist() for column in batch.columns]
        separator = ",\n" if self.array else "\n"
        lines = [
            json.dumps(dict(zip(self.header, row, strict=True)), ensure_ascii=False, default=str)
            for row in zip(*columns, strict=True)
        ]
        if not lines:
            return
        text = separator.join(lines)
        if self.array:
            text = ("\n" if self.rows == 0 else ",\n") + text
        else:
            text += "\n"
        self.handle.write(text.encode("utf-8"))
        self.rows += batch.num_rows

    def finish(self) -> None:
        if self.array:
            self.handle.write(b"\n]\n")


class ParquetWriter(TableWriter):
    """Column types from the first chunk (all-empty columns as text); later chunks are cast."""

    def __init__(self, handle: IO[bytes], header: list[str]) -> None:
        super().__init__(header)
        self.handle = handle
        self.writer: Any = None
        self.schema: pa.Schema | None = None
        seen: dict[str, int] = {}
        self.names = []
        for name in header:  # Parquet needs distinct column names
            seen[name] = seen.get(name, 0) + 1
            self.names.append(name if seen[name] == 1 else f"{name}_{seen[name]}")

    def write(self, batch: pa.RecordBatch) -> None:
        import pyarrow.parquet as pq

        columns = list(batch.columns)
        if self.schema is None:
            fields = [
                pa.field(name, pa.string() if pa.types.is_null(c.type) else c.type)
                for name, c in zip(self.names, columns, strict=True)
            ]
            self.schema = pa.schema(fields)
            self.writer = pq.ParquetWriter(self.handle, self.schema, compression="zstd")
        cast = []
        for index, (column, target) in enumerate(zip(columns, self.schema, strict=True)):
            try:
                cast.append(column if column.type == target.type else pc.cast(column, target.type))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise SecopsError(
                    _("column {column!r} changes type after row {rows:,} ({before} -> {after})").format(
                        column=self.header[index], rows=self.rows, before=target.type, after=column.type
                    ),
                    hint=_("write CSV or JSON lines instead, or make the column's type uniform"),
                ) from None
        self.writer.write_batch(pa.RecordBatch.from_arrays(cast, schema=self.schema))
        self.rows += batch.num_rows

    def abandon(self) -> None:
        if self.writer is not None:
            with contextlib.suppress(Exception):
                self.writer.close()

    def finish(self) -> None:
        if self.writer is None:  # no rows: still a valid file with the header's columns
            import pyarrow.parquet as pq

            self.schema = pa.schema([pa.field(name, pa.string()) for name in self.names])
            self.writer = pq.ParquetWriter(self.handle, self.schema)
        self.writer.close()


class _SqlTableWriter(TableWriter):
    def __init__(self, url: str, header: list[str]) -> None:
        super().__init__(header)
        from secops.data.sqltables import SqlWriter

        self.sql = SqlWriter(url, header)

    def write(self, batch: pa.RecordBatch) -> None:
        self.sql.write(batch)
        self.rows += batch.num_rows

    def finish(self) -> None:
        if self.sql.sql_table is None:  # no rows: the table is still created
            self.sql.write(
                pa.RecordBatch.from_arrays([pa.array([], pa.string())] * len(self.header), names=self.header)
            )


@contextlib.contextmanager
def open_writer(
    target: Path | str,
    header: list[str],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
    newline: str = "\r\n",
    permissions: int | None = None,
) -> Iterator[TableWriter]:
    """A writer for ``target`` by its suffix (.csv .tsv .xlsx .json .jsonl .parquet) or SQL URL.

    The file appears only when the ``with`` block ends without an error, with ``permissions`` when
    given (a restored plaintext table: owner only)."""
    fmt = format_of(target)
    if fmt == "sql":
        sql = _SqlTableWriter(str(target), header)
        try:
            yield sql
            sql.finish()
        except BaseException:
            sql.sql.close(ok=False)
            raise
        sql.sql.close(ok=True)
        return
    path = Path(target)
    if fmt == "xlsx" and path.suffix.lower() != ".xlsx":
        raise SecopsError(
            _("{path}: XLSX output is written as .xlsx only").format(path=path), hint=_("name the output file *.xlsx")
        )
    if fmt == "csv" and path.suffix.lower() == ".tsv":
        delimiter = "\t"
    with atomic_output(path, "wb", permissions=permissions) as handle:
        writer: TableWriter
        if fmt == "csv":
            writer = CsvWriter(handle, header, encoding, delimiter, newline)
        elif fmt == "xlsx":
            writer = XlsxWriter(handle, header)
        elif fmt == "parquet":
            writer = ParquetWriter(handle, header)
        else:
            writer = JsonWriter(handle, header, array=fmt == "json")
        try:
            yield writer
            writer.finish()
        except BaseException:
            writer.abandon()
            raise
