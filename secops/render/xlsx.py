"""XLSX: a summary sheet (title and metadata), then one sheet per table, charts as native Excel charts."""

from __future__ import annotations

import io
import re

from secops.render.fonts import FACES
from secops.render.model import Chart, Report

# Excel and WPS name the official faces; LibreOffice resolves them through fontconfig (see fonts.py).
_SONG = {"font_name": FACES["song"].official, "font_size": 10.5}
_HEI = {"font_name": FACES["hei"].official}
_CHART_SONG = {"name": FACES["song"].official}  # chart fonts take "name", cell formats "font_name"
_CHART_HEI = {"name": FACES["hei"].official, "bold": False, "size": 12}

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_names(wanted: list[str]) -> list[str]:
    """Excel sheet names: at most 31 characters, no []:*?/\\, unique (case-insensitive)."""
    used: set[str] = set()
    names = []
    for index, want in enumerate(wanted, start=1):
        base = _BAD_SHEET_CHARS.sub("_", want).strip("'") or f"Sheet {index}"
        name, suffix = base[:31], 2
        while name.lower() in used:
            tag = f" ({suffix})"
            name, suffix = base[: 31 - len(tag)] + tag, suffix + 1
        used.add(name.lower())
        names.append(name)
    return names


def _display_width(text: str) -> int:
    # CJK characters take two columns in Excel's default font.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _print_setup(sheet: object, report: Report) -> None:
    """Printed pages: A4, the title in the header and the page number in the footer, in the
    official faces (the defaults print in a Latin-only face under LibreOffice)."""
    footer = report.labels.get("page", "{page} / {pages}").replace("{page}", "&P").replace("{pages}", "&N")
    title = report.title.replace("&", "&&")
    sheet.set_paper(9)  # type: ignore[attr-defined]  # A4
    sheet.set_header(f'&C&"{_HEI["font_name"]},Regular"&9{title}')  # type: ignore[attr-defined]
    sheet.set_footer(f'&C&"{_SONG["font_name"]},Regular"&9{footer}')  # type: ignore[attr-defined]


def render_xlsx(report: Report) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties({"title": report.title, "comments": report.labels.get("generator", "secops")})
    book.formats[0].set_font_name(_SONG["font_name"])  # the workbook's default (Normal) style
    title = book.add_format({**_HEI, "font_size": 16})
    bold = book.add_format(_HEI)
    header = book.add_format(
        {**_HEI, "font_size": 10.5, "bg_color": "#f2f2f2", "border": 1, "text_wrap": True, "valign": "top"}
    )
    cell = book.add_format({**_SONG, "border": 1, "valign": "top", "text_wrap": True})
    stamp = report.stamp

    tables = report.tables()
    charts = [chart for chart in report.charts() if chart.informative]  # one bar or slice: no chart
    chart_label = report.labels.get("chart", "Chart")
    names = _sheet_names(
        [report.labels.get("summary", "Summary")]
        + [table.sheet_name or table.title for table in tables]
        + [f"{chart_label} {index}" for index in range(1, len(charts) + 1)]
    )
    summary = book.add_worksheet(names[0])
    _print_setup(summary, report)
    summary.write(0, 0, report.title, title)
    row = 2
    for key, value in [*report.metadata, (report.labels.get("generated", "Generated"), stamp)]:
        summary.write(row, 0, key, bold)
        summary.write(row, 1, value)
        row += 1
    summary.set_column(0, 0, 16)
    summary.set_column(1, 1, 60)

    for table, name in zip(tables, names[1 : 1 + len(tables)], strict=True):
        sheet = book.add_worksheet(name)
        _print_setup(sheet, report)
        widths = [_display_width(str(c)) for c in table.columns]
        for col, column in enumerate(table.columns):
            sheet.write(0, col, column, header)
        for r, values in enumerate(table.rows, start=1):
            for col, cell_value in enumerate(values):
                sheet.write(r, col, "" if cell_value is None else cell_value, cell)
                widths[col] = max(widths[col], min(_display_width(str(cell_value)), 60))
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width + 2)
        sheet.freeze_panes(1, 0)
        if table.rows:
            sheet.autofilter(0, 0, len(table.rows), len(table.columns) - 1)

    for chart, name in zip(charts, names[1 + len(tables) :], strict=True):
        _chart_sheet(book, chart, name, header, cell)
        _print_setup(book.get_worksheet_by_name(name), report)  # the data stays even where a picture would not
    book.close()
    return buffer.getvalue()


def _chart_sheet(book: object, chart: Chart, name: str, header: object, cell: object) -> None:
    sheet = book.add_worksheet(name)  # type: ignore[attr-defined]
    sheet.write(0, 0, chart.title, header)
    names = list(chart.series)
    for col, series_name in enumerate(names, start=1):
        sheet.write(0, col, series_name, header)
    for r, label in enumerate(chart.labels, start=1):
        sheet.write(r, 0, label, cell)
        for col, series_name in enumerate(names, start=1):
            sheet.write(r, col, chart.series[series_name][r - 1], cell)
    kind = {"bar": "column", "barh": "bar", "pie": "pie", "line": "line"}[chart.kind]
    excel_chart = book.add_chart({"type": kind})  # type: ignore[attr-defined]
    last = len(chart.labels)
    for col, series_name in enumerate(names, start=1):
        excel_chart.add_series(
            {
                "name": series_name,
                "categories": [name, 1, 0, last, 0],
                "values": [name, 1, col, last, col],
                "data_labels": {"value": True, "font": _CHART_SONG} if chart.kind == "pie" else {},
            }
        )
    # a chart's text defaults to Calibri, which LibreOffice replaces with a Latin-only face
    excel_chart.set_title({"name": chart.title, "name_font": _CHART_HEI})
    for axis in (excel_chart.set_x_axis, excel_chart.set_y_axis):
        axis({"num_font": _CHART_SONG, "name_font": _CHART_SONG})
    excel_chart.set_legend({"font": _CHART_SONG})
    sheet.set_column(0, 0, 24)
    sheet.insert_chart(1, len(names) + 2, excel_chart)
