"""``secops data``: student data protection: discovery and classification, masking, watermarks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from secops.cli.base import SecopsGroup
from secops.cli.data_output import refuse_table_overwrite
from secops.cli.data_summary import column_headers, print_summary
from secops.cli.output import emit, emit_object, findings, force_option, format_option
from secops.i18n import _


@click.group(cls=SecopsGroup)
def data() -> None:
    """Student data: classify (scan), mask (脱敏) and watermark tables: CSV in UTF-8 or GBK, XLSX, JSON,
    JSON lines, Parquet, SQL tables by URL."""


@data.command()
@click.argument("sources", nargs=-1, required=True, metavar="PATH|URL...")
@click.option(
    "--categories",
    type=click.Path(path_type=Path, dir_okay=False),
    help="a category table (YAML); default: rules/data/categories/education.yml",
)
@click.option(
    "--max-xlsx-mb",
    type=click.FloatRange(min=0),
    help="refuse an XLSX whose sheets expand past this many MB (default 200, or $SECOPS_MAX_XLSX_MB; 0: no limit)",
)
@format_option()
def scan(sources: tuple[str, ...], categories: Path | None, max_xlsx_mb: float | None, fmt: str) -> None:
    """Classify tables: files (CSV in UTF-8 or GBK, XLSX, JSON, JSON lines, Parquet) or SQL tables by
    URL (sqlite:///FILE.db#TABLE, postgresql://HOST/DB?table=NAME). Per column: identifier,
    category, level, sensitive flag, exact hit counts, confidence and masked examples, and for a
    column left unrecognised the reason (never its values); per table:
    level, 重要/核心数据 candidates, minors under 14, k-anonymity. Exit 1 when sensitive personal
    information was found."""
    from secops.data.categories import load_categories
    from secops.data.scan import scan_table

    table_def = load_categories(categories)
    reports = [scan_table(source, categories=table_def, max_xlsx_mb=max_xlsx_mb) for source in sources]
    if fmt != "table":
        for report in reports:
            emit_object(report.as_dict(), fmt)
    else:
        for report in reports:
            _print_scan(report.as_dict())
    findings(any(c.sensitive for r in reports for c in r.columns))


def _print_scan(value: dict[str, Any]) -> None:
    k = value["k_anonymity_detail"]
    if k["k"] is not None:
        anonymity = _(" · k-anonymity {k} ({columns})").format(k=k["k"], columns=_(", ").join(k["quasi_identifiers"]))
    elif k["exceeded_limit"]:
        anonymity = _(" · k-anonymity ≤ {k} (more than {groups:,} combinations, not computed exactly)").format(
            k=k["k_at_most"], groups=k["groups"]
        )
    else:
        anonymity = ""
    columns = value["columns"]
    missed = sum(1 for c in columns if not c["recognised"])
    click.echo(
        _("{path}: {rows:,} rows · {columns} columns ({missed} unrecognised) · {grade} · {minors:,} under 14").format(
            path=value["path"],
            rows=value["rows"],
            columns=len(columns),
            missed=missed,
            grade=value["grade"],
            minors=value["minors_under_14"],
        )
        + anonymity
    )
    for candidate in value["candidates"]:
        click.echo(
            "  · "
            + _("{grade} candidate (needs review by a person): {note}").format(
                grade=candidate["grade"], note=candidate["note"]
            )
        )
    rows = []
    for column in columns:  # every column: an unrecognised one with its reason, never its values
        recognised = column["recognised"]
        rows.append(
            {
                "column": column["column"],
                "label": column["label"] or "",
                "category": column["category"] if recognised else _("unrecognised"),
                "level": column["level"] if recognised else "",
                "sensitive": _("sensitive") if column["sensitive"] else "",
                "confidence": column["confidence"] if recognised else "",
                "hits": f"{column['hits']:,}/{column['present']:,}" if column["kind"] else "",
                "examples": " ".join(column["examples"]),
                "note": column["reason"] or "",
            }
        )
    fields = ["column", "label", "category", "level", "sensitive", "confidence", "hits", "examples", "note"]
    emit(rows, "table", fields, headers=column_headers(), empty=_("No columns."))


@data.command()
@click.argument("source")
@click.option(
    "-o", "--output", required=True, help="the masked copy: .csv .tsv .xlsx .json .jsonl .parquet or a SQL URL"
)
@click.option(
    "--policy",
    type=click.Path(path_type=Path, dir_okay=False),
    help="a mask policy (YAML); default: rules/data/policies/default.yml",
)
@click.option(
    "--key-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="32-byte key for pseudonyms and FF1 (raw or hex)",
)
@click.option(
    "--new-key-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="create a new random key file (mode 0600) and use it",
)
@click.option(
    "--encoding",
    type=click.Choice(["utf-8", "utf-8-sig", "gb18030"]),
    help="CSV output encoding (default: the input's; UTF-8 with BOM for Excel when the input is not CSV)",
)
@click.option(
    "--max-xlsx-mb",
    type=click.FloatRange(min=0),
    help="refuse an XLSX whose sheets expand past this many MB (default 200, or $SECOPS_MAX_XLSX_MB; 0: no limit)",
)
@format_option()
@force_option()
def mask(
    source: str,
    output: str,
    policy: Path | None,
    key_file: Path | None,
    new_key_file: Path | None,
    encoding: str | None,
    max_xlsx_mb: float | None,
    fmt: str,
    force: bool,
) -> None:
    """Mask SOURCE (CSV, XLSX, JSON, JSON lines, Parquet or a SQL URL such as sqlite:///x.db#table)
    into OUTPUT, in the format of OUTPUT's suffix, rows and header kept. Columns are recognised as
    the scan does; the policy maps kinds, categories and column names to operators. The summary
    counts changed cells per column and never shows a value. An existing OUTPUT file is replaced only
    with --force (a SQL table is never replaced)."""
    from secops.data.mask_policy import load_policy
    from secops.data.mask_table import mask_table, read_key
    from secops.data.mask_table import new_key_file as create_key
    from secops.errors import SecopsError

    if key_file and new_key_file:
        raise SecopsError(_("give --key-file or --new-key-file, not both"))
    refuse_table_overwrite(source, output, force)
    key = create_key(new_key_file) if new_key_file else read_key(key_file) if key_file else None
    report = mask_table(source, output, policy=load_policy(policy), key=key, encoding=encoding, max_xlsx_mb=max_xlsx_mb)
    value = report.as_dict()
    if fmt != "table":
        emit_object(value, fmt)
        return
    print_summary(value)


def _attach_watermark_group() -> None:
    from secops.cli.data_watermark_cmd import watermark

    data.add_command(watermark)
    from secops.cli.data_seal_cmd import decrypt, encrypt, releases

    data.add_command(encrypt)
    data.add_command(decrypt)
    data.add_command(releases)
    from secops.cli.data_unmask_cmd import unmask

    data.add_command(unmask)


_attach_watermark_group()
