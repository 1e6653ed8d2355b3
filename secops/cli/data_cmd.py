"""``secops data``: student data protection: discovery and classification, masking, watermarks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from secops.cli.base import SecopsGroup
from secops.cli.output import emit, emit_object, format_option


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
    if any(c.sensitive for r in reports for c in r.columns):
        raise SystemExit(1)


def _print_scan(value: dict[str, Any]) -> None:
    k = value["k_anonymity_detail"]
    if k["k"] is not None:
        anonymity = f" · k-匿名 {k['k']}（{'、'.join(k['quasi_identifiers'])}）"
    elif k["exceeded_limit"]:
        anonymity = f" · k-匿名 ≤ {k['k_at_most']}（组合超过 {k['groups']:,} 种，未精确计算）"
    else:
        anonymity = ""
    columns = value["columns"]
    missed = sum(1 for c in columns if not c["recognised"])
    click.echo(
        f"{value['path']}: {value['rows']:,} 行 · {len(columns)} 列（未识别 {missed} 列） · {value['grade']}"
        f" · 14 岁以下 {value['minors_under_14']:,} 人{anonymity}"
    )
    for candidate in value["candidates"]:
        click.echo(f"  · {candidate['grade']}候选（需人工复核）：{candidate['note']}")
    rows = []
    for column in columns:  # every column: an unrecognised one with its reason, never its values
        recognised = column["recognised"]
        rows.append(
            {
                "column": column["column"],
                "label": column["label"] or "",
                "category": column["category"] if recognised else "未识别",
                "level": column["level"] if recognised else "",
                "sensitive": "敏感" if column["sensitive"] else "",
                "confidence": column["confidence"] if recognised else "",
                "hits": f"{column['hits']:,}/{column['present']:,}" if column["kind"] else "",
                "examples": " ".join(column["examples"]),
                "note": column["reason"] or "",
            }
        )
    fields = ["column", "label", "category", "level", "sensitive", "confidence", "hits", "examples", "note"]
    emit(rows, "table", fields)


OPERATOR_NAMES = {
    "mask": "部分屏蔽",
    "pseudonym": "假名化(HMAC)",
    "ff1": "保留格式加密(FF1)",
    "generalize": "泛化",
    "suppress": "删除",
    "keep": "保留",
}


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
def mask(
    source: str,
    output: str,
    policy: Path | None,
    key_file: Path | None,
    new_key_file: Path | None,
    encoding: str | None,
    max_xlsx_mb: float | None,
    fmt: str,
) -> None:
    """Mask SOURCE (CSV, XLSX, JSON, JSON lines, Parquet or a SQL URL such as sqlite:///x.db#table)
    into OUTPUT, in the format of OUTPUT's suffix, rows and header kept. Columns are recognised as
    the scan does; the policy maps kinds, categories and column names to operators. The summary
    counts changed cells per column and never shows a value."""
    from secops.data.mask_policy import load_policy
    from secops.data.mask_table import mask_table, read_key
    from secops.data.mask_table import new_key_file as create_key
    from secops.errors import SecopsError

    if key_file and new_key_file:
        raise SecopsError("give --key-file or --new-key-file, not both")
    key = create_key(new_key_file) if new_key_file else read_key(key_file) if key_file else None
    report = mask_table(source, output, policy=load_policy(policy), key=key, encoding=encoding, max_xlsx_mb=max_xlsx_mb)
    value = report.as_dict()
    if fmt != "table":
        emit_object(value, fmt)
        return
    rate = f" · {value['rows_per_second']:,} 行/秒" if value["rows_per_second"] else ""
    click.echo(f"{value['source']} -> {value['output']}: {value['rows']:,} 行 · 策略 {value['policy']}{rate}")
    notes = []
    if value["minors_under_14_in_sample"]:
        notes.append("样本中有 14 岁以下未成年人：其个人信息均按敏感个人信息处理")
    if value["ragged_rows"]:
        notes.append(f"{value['ragged_rows']:,} 行列数不齐（已补齐或截断）")
    if value["formula_cells_neutralised"]:
        notes.append(f"{value['formula_cells_neutralised']:,} 个单元格疑似公式，已加前缀 ' 防注入")
    if value["cells_truncated"]:
        notes.append(f"{value['cells_truncated']:,} 个单元格超出 XLSX 长度上限，已截断")
    for note in notes:
        click.echo(f"  · {note}")
    rows = [
        {
            "column": c["column"],
            "label": c["label"] or "",
            "category": c["category"] or "",
            "operator": OPERATOR_NAMES.get(c["operator"], c["operator"]),
            "chosen_by": c["chosen_by"],
            "changed": f"{c['cells_changed']:,}",
            "fallbacks": f"{c['fallbacks']:,}" if c["fallbacks"] else "",
        }
        for c in value["columns"]
    ]
    emit(rows, "table", ["column", "label", "category", "operator", "chosen_by", "changed", "fallbacks"])


def _attach_watermark_group() -> None:
    from secops.cli.data_watermark_cmd import watermark

    data.add_command(watermark)


_attach_watermark_group()
