"""DOCX through python-docx: cover and 声明, numbered headings, fixed-width tables, landscape
sections for wide tables, charts as pictures, the 编制/审核/批准 block."""

from __future__ import annotations

import io
from typing import Any

from secops.render.charts import chart_png
from secops.render.docx_styles import COVER_TEXT, TABLE_HEADING, TABLE_TEXT, apply_styles, set_page, set_run_face
from secops.render.fonts import FACES, require_faces
from secops.render.layout import Page, landscape, table_font_pt, table_widths
from secops.render.model import Chart, FrontMatter, Paragraph, Report, Table


def render_docx(report: Report) -> bytes:
    from docx import Document
    from docx.enum.section import WD_SECTION

    require_faces()
    document = Document()
    apply_styles(document, report.layout)
    document.core_properties.title = report.title
    document.core_properties.author = "secops"
    document.core_properties.language = "zh-CN" if report.lang == "zh" else "en-US"
    page = set_page(document.sections[0], report.layout, landscape=False)
    _page_numbers(document, report.labels.get("page", "{page} / {pages}"))

    if report.front:
        _cover(document, report, report.front)
        _statement(document, report, report.front)
    else:
        document.add_paragraph(report.title, style="Title")
        if report.subtitle:
            document.add_paragraph(report.subtitle, style=COVER_TEXT)
        _meta(document, report)

    turned = False
    new_page = report.front is not None  # the body starts on its own page after the front matter
    for section, heading in zip(report.sections, report.headings(), strict=True):
        wide = landscape(report, section)
        if wide != turned:
            page = set_page(document.add_section(WD_SECTION.NEW_PAGE), report.layout, wide)
            turned, new_page = wide, False
        document.add_heading(heading, level=1).paragraph_format.page_break_before = new_page or None
        new_page = False
        for block in section.blocks:
            if isinstance(block, Paragraph) and block.style == "heading":
                document.add_heading(block.text, level=2)
            elif isinstance(block, Paragraph):
                paragraph = document.add_paragraph(block.text)
                if block.style != "body":
                    paragraph.style = document.styles[TABLE_TEXT] if block.style == "note" else paragraph.style
                if block.style == "warning":
                    for run in paragraph.runs:
                        set_run_face(run, FACES["hei"])
            elif isinstance(block, Table):
                _add_table(document, block, report, page, wide)
            elif isinstance(block, Chart):
                _add_chart(document, block, page)
    if not report.front and report.signatures:
        if turned:
            page = set_page(document.add_section(WD_SECTION.NEW_PAGE), report.layout, False)
        _signatures(document, report)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _cover(document: Any, report: Report, front: FrontMatter) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Mm, Pt

    labels = report.labels
    if front.classification:
        mark = document.add_paragraph(f"{labels['classification']}：{front.classification}", style=COVER_TEXT)
        mark.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        set_run_face(mark.runs[0], FACES["hei"])
    number = document.add_paragraph(f"{labels['report_number']}：{front.number}", style=COVER_TEXT)
    number.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    number.runs[0].font.size = Pt(12)
    title = document.add_paragraph(report.title, style="Title")
    title.paragraph_format.space_before = Pt(90)
    title.paragraph_format.space_after = Pt(60)
    title.runs[0].font.size = Pt(26)
    table = document.add_table(rows=0, cols=2)
    table.alignment = 1  # centred
    _fix_widths(table, [Mm(45), Mm(85)])
    for key, value in front.fields:
        cells = table.add_row().cells
        _cell_text(cells[0], key, COVER_TEXT, FACES["hei"])
        _cell_text(cells[1], value, COVER_TEXT)
        cells[0].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.DISTRIBUTE
        cells[1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.LEFT
        _bottom_border(cells[1])
    issuer = document.add_paragraph(front.issuer, style=COVER_TEXT)
    issuer.paragraph_format.space_before = Pt(90)
    issuer.runs[0].font.size = Pt(16)
    date = document.add_paragraph(front.date, style=COVER_TEXT)
    date.runs[0].font.size = Pt(16)
    date.add_run().add_break(WD_BREAK.PAGE)


def _statement(document: Any, report: Report, front: FrontMatter) -> None:
    if front.statement:
        heading = document.add_paragraph(report.labels["statement"], style="Title")
        heading.runs[0].font.size = document.styles["Heading 1"].font.size
        for number, line in enumerate(front.statement, start=1):
            document.add_paragraph(f"{number}. {line}")
    if report.signatures:
        _signatures(document, report)
    _meta(document, report)


def _signatures(document: Any, report: Report) -> None:
    from docx.shared import Mm

    labels = report.labels
    title = document.add_paragraph(labels["signoff"], style="Caption")
    title.paragraph_format.space_before = document.styles["Heading 1"].paragraph_format.space_before
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    _fix_widths(table, [Mm(30), Mm(80), Mm(45)])
    for cell, text in zip(table.rows[0].cells, (labels["role"], labels["signature"], labels["date"]), strict=True):
        _cell_text(cell, text, TABLE_HEADING)
    for role in report.signatures:
        cells = table.add_row().cells
        _cell_text(cells[0], role, TABLE_HEADING)
        _cell_text(cells[1], "", TABLE_TEXT)
        _cell_text(cells[2], labels["date_blank"], TABLE_TEXT)
        table.rows[-1].height = Mm(12)


def _meta(document: Any, report: Report) -> None:
    from docx.shared import Mm

    rows = [*report.metadata, (report.labels.get("generated", "Generated"), report.stamp)]
    document.add_paragraph("", style=TABLE_TEXT)
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    _fix_widths(table, [Mm(40), Mm(115)])
    for key, value in rows:
        cells = table.add_row().cells
        _cell_text(cells[0], key, TABLE_HEADING)
        _cell_text(cells[1], value, TABLE_TEXT)


def _add_table(document: Any, block: Table, report: Report, page: Page, wide: bool) -> None:
    from docx.shared import Mm, Pt

    document.add_paragraph(block.title, style="Caption")
    table = document.add_table(rows=1, cols=len(block.columns))
    table.style = "Table Grid"
    shares = table_widths(block, report.layout, wide)
    size = Pt(table_font_pt(report.layout, wide))  # landscape appendices print smaller (小五)
    _fix_widths(table, [Mm(page.text_width * share) for share in shares])
    _repeat_header(table.rows[0])
    for cell, column in zip(table.rows[0].cells, block.columns, strict=True):
        _cell_text(cell, column, TABLE_HEADING, size=size)
    for values in block.rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            _cell_text(cell, "" if value is None else str(value), TABLE_TEXT, size=size)
    if not block.rows:
        merged = table.add_row().cells
        _cell_text(merged[0].merge(merged[-1]), report.labels.get("no_rows", ""), TABLE_HEADING)
    _fix_widths(table, [Mm(page.text_width * share) for share in shares])  # rows added since


def _add_chart(document: Any, block: Chart, page: Page) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Mm

    if not block.informative:
        document.add_paragraph(block.fact())
        return
    document.add_picture(io.BytesIO(chart_png(block)), width=Mm(min(155.0, page.text_width)))
    holder = document.paragraphs[-1].paragraph_format
    holder.alignment = WD_ALIGN_PARAGRAPH.CENTER
    holder.first_line_indent = 0
    holder.line_spacing_rule = WD_LINE_SPACING.SINGLE  # Normal's exact spacing would clip the picture to one line
    holder.keep_together = True


def _cell_text(cell: Any, text: str, style: str, face: Any = None, size: Any = None) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.style = paragraph.part.document.styles[style]
    run = paragraph.add_run(text)
    if face is not None:
        set_run_face(run, face)
    if size is not None:
        run.font.size = size


def _fix_widths(table: Any, widths: list[Any]) -> None:
    """Fixed layout with explicit grid and cell widths: Word and LibreOffice both honour them,
    where autofit would squeeze short columns to one character per line."""
    from docx.oxml.ns import qn

    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = tbl_pr.find(qn("w:tblLayout"))
    if layout is None:
        layout = tbl_pr.makeelement(qn("w:tblLayout"), {})
        tbl_pr.append(layout)
    layout.set(qn("w:type"), "fixed")
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=False):
            cell.width = width


def _repeat_header(row: Any) -> None:
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(tr_pr.makeelement(qn("w:tblHeader"), {}))


def _bottom_border(cell: Any) -> None:
    from docx.oxml.ns import qn

    tc_pr = cell._tc.get_or_add_tcPr()
    borders = tc_pr.makeelement(qn("w:tcBorders"), {})
    bottom = borders.makeelement(qn("w:bottom"), {qn("w:val"): "single", qn("w:sz"): "6", qn("w:color"): "000000"})
    borders.append(bottom)
    tc_pr.append(borders)


def _page_numbers(document: Any, pattern: str) -> None:
    """The footer prints 第 N 页，共 M 页 as Word fields; later sections link to this footer."""
    import re

    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn

    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.style = document.styles[TABLE_TEXT]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for part in re.split(r"(\{page\}|\{pages\})", pattern):
        if part in ("{page}", "{pages}"):
            field = paragraph._p.makeelement(
                qn("w:fldSimple"), {qn("w:instr"): " PAGE " if part == "{page}" else " NUMPAGES "}
            )
            run = paragraph._p.makeelement(qn("w:r"), {})
            text = run.makeelement(qn("w:t"), {})
            text.text = "1"
            run.append(text)
            field.append(run)
            paragraph._p.append(field)
        elif part:
            paragraph.add_run(part)
