"""Tables in and out for watermarking: header plus row chunks, never the whole table in memory.

Reading uses ``secops.data.tables.open_table``. Writing keeps the input's format unless the output
name asks for another (.csv, .xlsx, .jsonl/.json); written to a temp file and renamed. Text that a
spreadsheet would run as a formula (= + - @ that is not a number) is quoted on CSV/XLSX output.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from secops.data.tables import Table, format_of, open_table

__all__ = ["Table", "format_of", "open_table"]
from secops.errors import SecopsError
from secops.fsutil import atomic_output, check_output_path

_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")


def read_table(path: Path) -> Table:
    return open_table(Path(path))


def check_paths(source: Path, output: Path) -> Path:
    if Path(output).resolve() == Path(source).resolve():
        raise SecopsError(f"output {output} is the input file", hint="write the marked copy to another file")
    format_of(Path(output))  # an unknown output format is refused before any work
    return check_output_path(Path(output))


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not _NUMBER.match(value):
        return "'" + value
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def write_table(path: Path, header: list[str], chunks: Iterable[list[list[Any]]], *, encoding: str | None) -> int:
    """Write rows in ``path``'s format; returns the row count."""
    fmt = format_of(Path(path))
    if fmt == "xlsx":
        return _write_xlsx(Path(path), header, chunks)
    count = 0
    with atomic_output(Path(path), "wb") as raw:
        text = io.TextIOWrapper(raw, encoding=encoding or "utf-8", newline="", errors="strict")
        try:
            if fmt == "csv":
                writer = csv.writer(text)
                writer.writerow(header)
                for chunk in chunks:
                    writer.writerows([[_safe(_text(v)) for v in row] for row in chunk])
                    count += len(chunk)
            else:
                for chunk in chunks:
                    for row in chunk:
                        text.write(json.dumps(dict(zip(header, row, strict=False)), ensure_ascii=False, default=str))
                        text.write("\n")
                    count += len(chunk)
            text.flush()
        finally:
            text.detach()
    return count


def _write_xlsx(path: Path, header: list[str], chunks: Iterable[list[list[Any]]]) -> int:
    import xlsxwriter

    count = 0
    with atomic_output(path, "wb") as handle:
        book = xlsxwriter.Workbook(
            handle, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        )
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, header)
        row_number = 1
        for chunk in chunks:
            for row in chunk:
                for column, value in enumerate(row):
                    if isinstance(value, bool) or not isinstance(value, int | float):
                        sheet.write_string(row_number, column, _safe(_text(value)))
                    else:
                        sheet.write_number(row_number, column, value)
                row_number += 1
            count += len(chunk)
        book.close()
    return count


def columns_of(chunk: list[list[Any]], indexes: dict[str, int]) -> dict[str, list[Any]]:
    """The chunk's named columns (only those needed: transposing costs per cell)."""
    return {name: [row[index] for row in chunk] for name, index in indexes.items()}


def sample_columns(chunk: list[list[Any]], width: int, limit: int = 2000) -> list[list[Any]]:
    rows = chunk[:limit]
    return [[row[i] for row in rows] for i in range(width)]


def peek(table: Table) -> tuple[list[list[Any]], Iterator[list[list[Any]]]]:
    """The first chunk, and an iterator over all chunks (the first again included)."""
    chunks = iter(table.chunks)
    first = next(chunks, [])

    def again() -> Iterator[list[list[Any]]]:
        if first:
            yield first
        yield from chunks

    return first, again()
