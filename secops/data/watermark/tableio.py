"""Tables in and out for watermarking, column by column: only the identity and carrier columns of
each chunk become Python values; every other column goes from reader to writer as Arrow arrays.

Reading and writing are ``secops.data.tables`` and ``secops.data.writers`` (every format they
know, formula neutralisation, temp file then rename).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa

from secops.data.table_base import Table
from secops.data.tables import format_of, open_table
from secops.data.writers import open_writer
from secops.errors import SecopsError
from secops.fsutil import check_output_path
from secops.i18n import _

SAMPLE_ROWS = 2000


def read_table(path: Path | str) -> Table:
    return open_table(path)


def check_paths(source: Path | str, output: Path | str) -> None:
    if Path(output).resolve() == Path(source).resolve():
        raise SecopsError(
            _("output {path} is the input file").format(path=output), hint=_("write the marked copy to another file")
        )
    if format_of(output) != "sql":  # an unknown output format is refused before any work
        check_output_path(Path(output))


def display_name(target: Path | str) -> str:
    """A file's name, or a SQL URL with any password hidden (for the ledger and messages)."""
    if format_of(target) == "sql":
        from secops.store import redact_url

        return redact_url(str(target))
    return Path(target).name


def write_batches(output: Path | str, table: Table, batches: Iterable[pa.RecordBatch]) -> None:
    """In ``output``'s format; a CSV copy of a CSV keeps its encoding, delimiter and line ends."""
    same = table.format == "csv" and format_of(output) == "csv"
    options: dict[str, Any] = {"encoding": table.encoding or "utf-8"} if same else {}
    if same:
        options.update(delimiter=table.delimiter, newline=table.newline)
    with open_writer(output, table.header, **options) as writer:
        for batch in batches:
            writer.write(batch)


def sample_columns(batch: pa.RecordBatch | None, width: int) -> list[list[Any]]:
    if batch is None:
        return [[] for _ in range(width)]
    head = batch.slice(0, SAMPLE_ROWS)
    return [head.column(i).to_pylist() for i in range(width)]


def peek(table: Table) -> tuple[pa.RecordBatch | None, Iterable[pa.RecordBatch]]:
    """The first batch, and every batch (the first again included)."""
    batches = iter(table.batches)
    first = next(batches, None)

    def again() -> Iterable[pa.RecordBatch]:
        if first is not None:
            yield first
        yield from batches

    return first, again()
