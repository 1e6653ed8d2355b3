"""Reading tables in chunks: CSV (``csvtables``: UTF-8 / UTF-8-BOM / UTF-16 / GB18030 detected),
XLSX (calamine, formulas never evaluated: their cached values are read), JSON arrays and JSON
lines, Parquet (by row groups), and SQL tables by URL (see ``sqltables``). Never all in memory.

A table is its header plus an iterator of pyarrow RecordBatches, one column per header name in
order. Columnar chunks let CSV and Parquet go from reader to masks to writer without a Python
object per cell; row-at-a-time consumers use ``Table.chunks``. Ragged CSV rows are padded or cut
to the header (in place, order kept) and counted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from secops.data.table_base import CHUNK_ROWS, Table, fit_row, rows_to_batches
from secops.errors import SecopsError
from secops.i18n import _

FORMATS = ("csv", "xlsx", "json", "jsonl", "parquet", "sql")
SUFFIXES = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xlsx",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".parquet": "parquet",
    ".pq": "parquet",
}


def format_of(path: Path | str) -> str:
    from secops.data.sqltables import is_sql_url

    if isinstance(path, str) and is_sql_url(path):
        return "sql"
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    raise SecopsError(
        _("{path}: unknown table format {suffix}").format(path=path, suffix=suffix or _("(none)")),
        hint=_("use .csv, .xlsx, .json, .jsonl, .parquet or a SQL URL such as sqlite:///FILE.db#TABLE"),
    )


def open_table(
    source: Path | str, *, chunk_rows: int = CHUNK_ROWS, ordered: bool = True, max_xlsx_mb: float | None = None
) -> Table:
    """Open a file or a SQL URL (``sqlite:///PATH#table``, ``postgresql://...?table=NAME``).

    ``ordered=False`` (a scan, which only counts) lets CSV parse on all cores; ragged rows then
    come after the others, since their row numbers are known only to a single-threaded parse.
    ``max_xlsx_mb``: how far an XLSX's XML may expand (``zipbounds``; None: $SECOPS_MAX_XLSX_MB
    or 200 MB, 0: no limit), checked before the workbook is loaded."""
    if format_of(source) == "sql":
        from secops.data.sqltables import open_sql_table

        return open_sql_table(str(source), chunk_rows=chunk_rows)
    path = Path(source)
    if not path.is_file():
        raise SecopsError(_("{path}: no such file").format(path=path))
    if path.stat().st_size == 0:
        raise SecopsError(_("{path}: the file is empty").format(path=path))
    kind = format_of(path)
    if kind == "csv":
        from secops.data.csvtables import read_csv

        table = read_csv(path, chunk_rows, threads=not ordered)
    elif kind == "xlsx":
        from secops.zipbounds import check_xlsx

        check_xlsx(path, max_xlsx_mb)  # calamine loads a sheet whole: its size is bounded first
        table = _xlsx(path, chunk_rows)
    else:
        table = {"json": _json, "jsonl": _json, "parquet": _parquet}[kind](path, chunk_rows)
    table.source = str(path)
    return table


def _xlsx(path: Path, chunk_rows: int) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_index(0)
        rows = iter(sheet.iter_rows())
    except Exception as error:  # calamine raises its own error types for damaged files
        raise SecopsError(
            _("{path}: not a readable XLSX file ({kind})").format(path=path, kind=type(error).__name__)
        ) from None
    header = next(rows, None)
    if not header or not any(str(h).strip() for h in header):
        raise SecopsError(_("{path}: the first sheet has no header row").format(path=path))
    table = Table(path, "xlsx", [str(h).strip() for h in header])
    width = len(table.header)

    def cells() -> Iterator[list[Any]]:
        for row in rows:
            # calamine gives '' for an empty cell: None keeps number columns numbers
            yield fit_row([None if value == "" else value for value in row], width, table)

    table.batches = rows_to_batches(cells(), table.header, chunk_rows)
    return table


def _json(path: Path, chunk_rows: int) -> Table:
    """A JSON array of objects, or JSON lines (one object per line); the first object names the
    columns, and objects with other keys count as ragged (missing keys are empty)."""
    from secops.data.csvtables import detect_encoding

    encoding = detect_encoding(path)
    with path.open("r", encoding=encoding, errors="replace") as probe:
        start = probe.read(4096).lstrip()
    records = _json_array if start.startswith("[") else _json_lines
    first = next(records(path, encoding, None), None)
    if not isinstance(first, dict) or not first:
        raise SecopsError(
            _("{path}: the first record is not a JSON object").format(path=path),
            hint=_("a JSON array of objects, or one object per line"),
        )
    table = Table(path, "jsonl" if records is _json_lines else "json", [str(k) for k in first], encoding)
    keys = list(first)
    known = set(keys)

    def rows() -> Iterator[list[Any]]:
        for record in records(path, encoding, table):
            if not isinstance(record, dict):
                table.ragged_rows += 1
                continue
            if not known.issuperset(record):
                table.ragged_rows += 1
            yield [record.get(key) for key in keys]

    table.batches = rows_to_batches(rows(), table.header, chunk_rows)
    return table


def _json_lines(path: Path, encoding: str, table: Table | None) -> Iterator[Any]:
    with path.open("r", encoding=encoding, errors="replace") as handle:
        for line in handle:
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except (json.JSONDecodeError, RecursionError):  # RecursionError: nested past Python's stack
                if table is not None:
                    table.ragged_rows += 1


def _json_array(path: Path, encoding: str, table: Table | None) -> Iterator[Any]:
    """The elements of a top-level JSON array, decoded one by one from a sliding buffer."""
    decoder = json.JSONDecoder()
    with path.open("r", encoding=encoding, errors="replace") as handle:
        buffer, pos, eof, step, count = handle.read(1 << 16), 0, False, 1 << 16, 0
        pos = buffer.index("[") + 1
        while True:
            while pos < len(buffer) and buffer[pos] in " \t\r\n,":
                pos += 1
            if pos >= len(buffer) and not eof:
                buffer, pos = handle.read(step), 0
                eof = not buffer
                continue
            if pos >= len(buffer) or buffer[pos] == "]":
                return
            try:
                value, end = decoder.raw_decode(buffer, pos)
                complete = end < len(buffer) or eof
            except json.JSONDecodeError:
                complete = False
                if eof:
                    raise SecopsError(_("{path}: the JSON array is cut or damaged").format(path=path)) from None
            except RecursionError:
                raise SecopsError(
                    _("{path}: record {record:,} is nested too deeply (lists or objects inside each other)").format(
                        path=path, record=count + 1
                    ),
                    hint=_("flatten the records: a table's cells are values, not deep structures"),
                ) from None
            if not complete:  # an element straddles the buffer's end: read more
                more = handle.read(step)
                eof = not more
                buffer, pos = buffer[pos:] + more, 0
                step = min(step * 2, 64 << 20)
                continue
            yield value
            count += 1
            pos = end


def _parquet(path: Path, chunk_rows: int) -> Table:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise SecopsError(
            _("{path}: not a readable Parquet file ({reason})").format(path=path, reason=str(error)[:120])
        ) from None
    header = list(parquet.schema_arrow.names)
    if not header:
        raise SecopsError(_("{path}: the Parquet file has no columns").format(path=path))
    table = Table(path, "parquet", header)
    table.batches = (
        pa.RecordBatch.from_arrays(batch.columns, names=header) for batch in parquet.iter_batches(chunk_rows)
    )
    return table
