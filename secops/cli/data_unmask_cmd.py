"""``secops data unmask``: the key holder restores what the ``encrypt`` mask operator encrypted."""

from __future__ import annotations

from pathlib import Path

import click

from secops.cli.base import SecopsCommand
from secops.cli.data_output import refuse_table_overwrite
from secops.cli.output import emit_object, force_option, format_option


@click.command(cls=SecopsCommand)
@click.argument("source")
@click.option(
    "-o", "--output", required=True, help="the restored table: .csv .tsv .xlsx .json .jsonl .parquet or a SQL URL"
)
@click.option(
    "--key-file",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="the key the table was encrypted with (the mask --key-file)",
)
@click.option(
    "--policy",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("encrypt"),
    show_default=True,
    help="the mask policy used to encrypt (a file, or the name of a shipped policy)",
)
@click.option(
    "--column",
    "columns",
    multiple=True,
    help="decrypt this column (repeatable); default: token columns and the policy's in-shape columns",
)
@click.option(
    "--encoding",
    type=click.Choice(["utf-8", "utf-8-sig", "gb18030"]),
    help="CSV output encoding (default: the input's)",
)
@click.option(
    "--max-xlsx-mb",
    type=click.FloatRange(min=0),
    help="refuse an XLSX whose sheets expand past this many MB (default 200, or $SECOPS_MAX_XLSX_MB; 0: no limit)",
)
@format_option()
@force_option()
def unmask(
    source: str,
    output: str,
    key_file: Path,
    policy: Path,
    columns: tuple[str, ...],
    encoding: str | None,
    max_xlsx_mb: float | None,
    fmt: str,
    force: bool,
) -> None:
    """Decrypt the columns of SOURCE that `data mask` encrypted with the encrypt operator (SM4) and
    write OUTPUT with the original values. Token columns (SM4:...) are found by their values and
    checked: one modified cell, or a table encrypted with another key, stops the run and nothing is
    written. Format-preserving columns are the ones the policy encrypts; they carry no check, so
    compare the key id with the one mask printed."""
    from secops.cli.data_summary import print_summary
    from secops.data.mask_policy import load_policy
    from secops.data.mask_table import read_key
    from secops.data.unmask_table import unmask_table

    refuse_table_overwrite(source, output, force)
    report = unmask_table(
        source,
        output,
        policy=load_policy(policy),
        key=read_key(key_file),
        columns=columns,
        encoding=encoding,
        max_xlsx_mb=max_xlsx_mb,
    )
    value = report.as_dict()
    if fmt != "table":
        emit_object(value, fmt)
        return
    print_summary(value)
