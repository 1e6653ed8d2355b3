"""Reading tables in chunks: CSV (UTF-8 / UTF-8-BOM / GB18030 detected), XLSX (calamine, formulas
never evaluated), JSON lines. A table is its header plus an iterator of row chunks, never all in
memory. Ragged CSV rows are padded or cut to the header and counted.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from secops.errors import SecopsError

CHUNK_ROWS = 50_000
FORMATS = ("csv", "xlsx", "jsonl")
csv.field_size_limit(16 * 1024 * 1024)  # huge cells are read, not fatal


@dataclass
class Table:
    path: Path
    format: str
    header: list[str]
    encoding: str | None = None
    ragged_rows: int = 0
    chunks: Iterator[list[list[Any]]] = field(default_factory=lambda: iter(()))


def detect_encoding(path: Path, probe_bytes: int = 1 << 20) -> str:
    """utf-8-sig, utf-8 or gb18030 (a superset of GBK/GB2312), from the first MiB."""
    with path.open("rb") as handle:
        head = handle.read(probe_bytes)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return encoding
        except UnicodeDecodeError as error:
            if error.start >= len(head) - 4:  # a character cut by the probe's end
                return encoding
    raise SecopsError(
        f"{path}: unknown text encoding (neither UTF-8 nor GB18030/GBK)",
        hint="convert the file to UTF-8, e.g. iconv -f <encoding> -t utf-8",
    )


def _chunked(rows: Iterator[list[Any]], table: Table, chunk_rows: int) -> Iterator[list[list[Any]]]:
    """Rows in chunks, each padded or cut to the header's width (ragged rows are counted)."""
    width = len(table.header)
    chunk: list[list[Any]] = []
    for row in rows:
        if len(row) != width:
            table.ragged_rows += 1
            row = (row + [""] * width)[:width]
        chunk.append(row)
        if len(chunk) >= chunk_rows:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return "csv"
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return "xlsx"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    raise SecopsError(f"{path}: unknown table format {suffix or '(none)'}", hint="use .csv, .xlsx or .jsonl")


def open_table(path: Path, *, chunk_rows: int = CHUNK_ROWS) -> Table:
    if not path.is_file():
        raise SecopsError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise SecopsError(f"{path}: the file is empty")
    fmt = format_of(path)
    if fmt == "csv":
        return _csv(path, chunk_rows)
    if fmt == "xlsx":
        return _xlsx(path, chunk_rows)
    return _jsonl(path, chunk_rows)


def _csv(path: Path, chunk_rows: int) -> Table:
    encoding = detect_encoding(path)
    handle = path.open("r", encoding=encoding, newline="", errors="replace")
    sample = handle.read(64 * 1024)
    handle.seek(0)
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(handle, dialect)
    header = next(reader, None)
    if not header:
        handle.close()
        raise SecopsError(f"{path}: no header row")
    table = Table(path, "csv", [h.strip() for h in header], encoding)

    def chunks() -> Iterator[list[list[Any]]]:
        try:
            yield from _chunked((row for row in reader if row), table, chunk_rows)
        finally:
            handle.close()

    table.chunks = chunks()
    return table


def _xlsx(path: Path, chunk_rows: int) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_index(0)
        rows = iter(sheet.iter_rows())
    except Exception as error:  # calamine raises its own error types for damaged files
        raise SecopsError(f"{path}: not a readable XLSX file ({type(error).__name__})") from None
    header = next(rows, None)
    if not header:
        raise SecopsError(f"{path}: the first sheet has no header row")
    table = Table(path, "xlsx", [str(h).strip() for h in header])

    table.chunks = _chunked((list(row) for row in rows), table, chunk_rows)
    return table


def _jsonl(path: Path, chunk_rows: int) -> Table:
    encoding = detect_encoding(path)
    with path.open("r", encoding=encoding, errors="replace") as probe:
        first = next((line for line in probe if line.strip()), "")
    try:
        first_row = json.loads(first)
    except json.JSONDecodeError:
        raise SecopsError(f"{path}: the first line is not a JSON object", hint="one JSON object per line") from None
    if not isinstance(first_row, dict):
        raise SecopsError(f"{path}: the first line is not a JSON object", hint="one JSON object per line")
    header = list(first_row)
    table = Table(path, "jsonl", header, encoding)

    def chunks() -> Iterator[list[list[Any]]]:
        chunk: list[list[Any]] = []
        with path.open("r", encoding=encoding, errors="replace") as handle:
            for line in handle:
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    table.ragged_rows += 1
                    continue
                if not isinstance(row, dict):
                    table.ragged_rows += 1
                    continue
                chunk.append([row.get(name) for name in header])
                if len(chunk) >= chunk_rows:
                    yield chunk
                    chunk = []
        if chunk:
            yield chunk

    table.chunks = chunks()
    return table
