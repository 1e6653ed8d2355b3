"""``secops data``: student data protection (discovery and classification so far)."""

from __future__ import annotations

from pathlib import Path

import click

from secops.cli.output import emit, emit_object, format_option


@click.group()
def data() -> None:
    """Student data: find and classify personal data in tables (CSV in UTF-8 or GBK, XLSX, JSON lines).

    Masking and watermarks are being built (issue #8).
    """


@data.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@format_option()
def scan(paths: tuple[Path, ...], fmt: str) -> None:
    """Per column: identifier, category, level, sensitive flag, masked examples; per table: level,
    minors under 14, k-anonymity. Exit 1 when sensitive personal information was found."""
    from secops.data.scan import scan_table

    reports = [scan_table(path) for path in paths]
    if fmt != "table":
        for report in reports:
            emit_object(report.as_dict(), fmt)
    else:
        for report in reports:
            value = report.as_dict()
            minors = value["minors_under_14"]
            k = f" · k-匿名 {value['k_anonymity']}" if value["k_anonymity"] is not None else ""
            click.echo(f"{value['path']}: {value['rows']:,} rows · {value['level_name']} · 14 岁以下 {minors} 人{k}")
            rows = [c for c in value["columns"] if c["kind"] or c["category"]]
            for row in rows:
                row["sensitive"] = "敏感" if row["sensitive"] else ""
                row["examples"] = " ".join(row["examples"])
            emit(rows, "table", ["column", "label", "category", "level", "sensitive", "confidence", "hits", "examples"])
    if any(c.sensitive for r in reports for c in r.columns):
        raise SystemExit(1)
