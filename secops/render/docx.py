"""DOCX through python-docx: headings, metadata, paragraphs, tables and charts as pictures."""

from __future__ import annotations

import io
from typing import Any

from secops.render.charts import chart_png
from secops.render.fonts import require_chinese_font
from secops.render.model import Chart, Paragraph, Report, Table


def _set_east_asian_font(style: Any, family: str) -> None:
    """Word picks CJK glyphs from w:eastAsia, which python-docx does not set by itself."""
    from docx.oxml.ns import qn

    style.font.name = family
    r_pr = style.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.append(fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), family)


def render_docx(report: Report) -> bytes:
    from docx import Document
    from docx.shared import Cm, Pt, RGBColor

    family = require_chinese_font()
    document = Document()
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Caption"):
        _set_east_asian_font(document.styles[name], family)
    document.styles["Normal"].font.size = Pt(10.5)
    document.core_properties.title = report.title
    document.core_properties.author = "secops"

    document.add_heading(report.title, level=0)
    if report.subtitle:
        document.add_paragraph(report.subtitle)
    stamp = report.stamp
    meta = [*report.metadata, (report.labels.get("generated", "Generated"), stamp)]
    table = document.add_table(rows=0, cols=2)
    table.style = "Light List Accent 1"
    for key, value in meta:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = key, value

    for index, section in enumerate(report.sections, start=1):
        document.add_heading(f"{report.section_number(index)}{section.title}", level=1)
        for block in section.blocks:
            if isinstance(block, Paragraph):
                paragraph = document.add_paragraph(block.text)
                if block.style == "warning":
                    for run in paragraph.runs:
                        run.font.color.rgb = RGBColor(0x8A, 0x1F, 0x11)
            elif isinstance(block, Table):
                _add_table(document, block, report.labels.get("no_rows", ""))
            elif isinstance(block, Chart):
                document.add_picture(io.BytesIO(chart_png(block)), width=Cm(15.5))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _add_table(document: Any, block: Table, no_rows: str) -> None:
    document.add_paragraph(block.title, style="Caption")
    table = document.add_table(rows=1, cols=len(block.columns))
    table.style = "Table Grid"
    for cell, column in zip(table.rows[0].cells, block.columns, strict=True):
        cell.text = column
        for run in cell.paragraphs[0].runs:
            run.font.bold = True
    for values in block.rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = "" if value is None else str(value)
    if not block.rows:
        merged = table.add_row().cells
        merged[0].merge(merged[-1]).text = no_rows
