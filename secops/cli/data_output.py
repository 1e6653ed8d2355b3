"""Where `data mask` and `data watermark embed` write: a table file (never over an existing one
without --force) or a SQL table."""

from __future__ import annotations

from pathlib import Path

from secops.cli.output import refuse_overwrite
from secops.i18n import _


def refuse_table_overwrite(source: str, output: str, force: bool) -> None:
    """No silent overwrite of an output table: a file needs --force; stdout cannot take a table whose
    format is its file name's suffix. (A SQL output table is refused when it exists, --force or not;
    an output that is the input is refused by the feature itself, with its own message.)"""
    from secops.data.tables import format_of
    from secops.errors import SecopsError

    if output == "-":
        raise SecopsError(
            _("a table cannot be written to stdout (-): its format is the output file's suffix"),
            hint=_("name an output file such as masked.csv, .xlsx, .jsonl or .parquet"),
        )
    if format_of(output) != "sql" and Path(output).resolve() != Path(source).resolve():
        refuse_overwrite(Path(output), force)
