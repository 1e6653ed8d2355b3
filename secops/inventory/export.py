"""Inventory export: CSV (one row per asset), XLSX (assets and services sheets), JSON (nested)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from secops.errors import SecopsError
from secops.fsutil import check_output_path, write_bytes_atomic
from secops.i18n import _

COLUMNS = [
    "key",
    "ipv4",
    "ipv6",
    "mac",
    "vendor",
    "hostname",
    "type",
    "owner",
    "system",
    "status",
    "ports",
    "first_seen",
    "last_seen",
]
SERVICE_COLUMNS = ["asset", "ipv4", "port", "proto", "name", "product", "version", "extrainfo", "cpe", "banner"]


def _cell(value: Any) -> Any:
    """Flatten for spreadsheets; text that a spreadsheet would run as a formula is quoted."""
    if isinstance(value, list):
        value = " ".join(map(str, value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def _asset_row(asset: dict[str, Any]) -> list[Any]:
    ports = [f"{s['port']}/{s['proto']}" for s in asset["services"]]
    return [_cell(ports if column == "ports" else asset.get(column)) for column in COLUMNS]


def _service_rows(items: list[dict[str, Any]]) -> list[list[Any]]:
    return [
        [
            _cell(v)
            for v in (
                a["key"],
                a["ipv4"],
                s["port"],
                s["proto"],
                s["name"],
                s["product"],
                s["version"],
                s["extrainfo"],
                s["cpe"],
                s["banner"],
            )
        ]
        for a in items
        for s in a["services"]
    ]


def render_export(items: list[dict[str, Any]], fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps(items, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(COLUMNS)
        writer.writerows(_asset_row(a) for a in items)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens Chinese text correctly
    if fmt == "xlsx":
        import xlsxwriter

        out = io.BytesIO()
        book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
        bold = book.add_format({"bold": True})
        for name, header, rows in (
            ("assets", COLUMNS, [_asset_row(a) for a in items]),
            ("services", SERVICE_COLUMNS, _service_rows(items)),
        ):
            sheet = book.add_worksheet(name)
            sheet.write_row(0, 0, header, bold)
            for index, row in enumerate(rows, start=1):
                sheet.write_row(index, 0, row)
            sheet.freeze_panes(1, 0)
            sheet.autofilter(0, 0, max(len(rows), 1), len(header) - 1)
        book.close()
        return out.getvalue()
    raise SecopsError(
        _("cannot export as {type!r}").format(type=fmt), hint=_("end the file name in .csv, .xlsx or .json")
    )


def export_assets(items: list[dict[str, Any]], path: Path, fmt: str | None = None) -> int:
    """Write ``items`` to ``path`` as ``fmt`` (default: from the file name); the bytes written."""
    fmt = fmt or Path(path).suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx", "json"):
        raise SecopsError(
            _("cannot tell the export format from {path}").format(path=path),
            hint=_("end the file name in .csv, .xlsx or .json, or give --as"),
        )
    check_output_path(Path(path))
    data = render_export(items, fmt)
    write_bytes_atomic(Path(path), data)
    return len(data)
