"""DOCX styles and page set-up for official Chinese documents (python-docx).

python-docx's default template declares theme fonts and en-US as the East Asian language, so
LibreOffice picks CJK glyphs by guesswork (Japanese or Hong Kong forms) and Word substitutes.
Here every style names the official faces (宋体/黑体/仿宋_GB2312, with their Windows names as
w:altName in the font table) and zh-CN; see ``secops.render.fonts`` for how they resolve.
"""

from __future__ import annotations

from typing import Any

from secops.render.fonts import FACES, Face
from secops.render.layout import Page, body_font_pt, line_pitch_pt, page_for, table_font_pt
from secops.render.model import Layout

TABLE_TEXT = "Table Text"  # 表格文字
TABLE_HEADING = "Table Heading"  # 表头
COVER_TEXT = "Cover Text"
_THEME_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
# PANOSE of the Windows faces, so Word can match a substitute when the face is absent.
_PANOSE = {"宋体": "02010600030101010101", "黑体": "02010609060101010101", "仿宋_GB2312": "02010609030101010101"}


def _set_fonts(r_pr: Any, face: Face) -> None:
    """All four script slots name the official face; theme fonts would override explicit names."""
    from docx.oxml.ns import qn

    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.insert(0, fonts)
    for attribute in _THEME_ATTRIBUTES:
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), face.official)


def _set_lang(r_pr: Any) -> None:
    from docx.oxml.ns import qn

    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = r_pr.makeelement(qn("w:lang"), {})
        r_pr.append(lang)
    # Chinese text is zh-CN; Latin text stays en-US, as Chinese Word writes it: with w:val zh-CN
    # LibreOffice breaks English words anywhere (Wri-table), measured on the incident report.
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:bidi"), "ar-SA")


def set_run_face(run: Any, face: Face) -> None:
    _set_fonts(run._r.get_or_add_rPr(), face)


def _style(document: Any, name: str, face: Face, size: float, base: str | None = None) -> Any:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt, RGBColor

    styles = document.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if base:
        style.base_style = styles[base]
    r_pr = style.element.get_or_add_rPr()
    _set_fonts(r_pr, face)
    _set_lang(r_pr)
    style.font.size = Pt(size)
    style.font.bold = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    return style


def apply_styles(document: Any, layout: Layout) -> None:
    """Normal, headings, captions and table text in the faces and sizes of official documents."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Pt

    body = FACES["fangsong"] if layout == "gbt9704" else FACES["song"]
    hei = FACES["hei"]
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(defaults, body)
    _set_lang(defaults)

    size = body_font_pt(layout)
    normal = _style(document, "Normal", body, size)
    fmt = normal.paragraph_format
    fmt.first_line_indent = Pt(2 * size)  # 首行缩进两字
    fmt.space_before, fmt.space_after = Pt(0), Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line_pitch_pt(layout))
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    for name, heading_size, before in (("Title", 22.0, 0.0), ("Heading 1", 16.0, 12.0), ("Heading 2", 14.0, 6.0)):
        style = _style(document, name, hei, heading_size)
        style.paragraph_format.first_line_indent = Pt(0)
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.ONE_POINT_FIVE
        # the default template draws a blue rule under the title; official titles have none
        p_pr = style.element.get_or_add_pPr()
        for border in p_pr.findall(qn("w:pBdr")):
            p_pr.remove(border)
    document.styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    small = table_font_pt(layout, False)
    caption = _style(document, "Caption", hei, small)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.first_line_indent = Pt(0)
    caption.paragraph_format.space_before = Pt(6)
    caption.paragraph_format.keep_with_next = True
    caption.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    text = _style(document, TABLE_TEXT, body, small, base="Normal")
    text.paragraph_format.first_line_indent = Pt(0)
    text.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    text.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    heading = _style(document, TABLE_HEADING, hei, small, base=TABLE_TEXT)
    heading.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    cover = _style(document, COVER_TEXT, FACES["song"], 15.0, base="Normal")
    cover.paragraph_format.first_line_indent = Pt(0)
    cover.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    cover.paragraph_format.line_spacing_rule = WD_LINE_SPACING.ONE_POINT_FIVE
    _declare_faces(document)


def _declare_faces(document: Any) -> None:
    """Font-table entries for the official faces: Windows names as w:altName, GB2312 charset."""
    from lxml import etree

    part = next(p for p in document.part.package.parts if str(p.partname) == "/word/fontTable.xml")
    root = etree.fromstring(part.blob)
    w = root.nsmap["w"]
    for face in {face.official: face for face in FACES.values()}.values():
        entry = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": face.official})
        etree.SubElement(entry, f"{{{w}}}altName", {f"{{{w}}}val": face.alternates[-1]})
        etree.SubElement(entry, f"{{{w}}}panose1", {f"{{{w}}}val": _PANOSE[face.official]})
        etree.SubElement(entry, f"{{{w}}}charset", {f"{{{w}}}val": "86"})
        etree.SubElement(
            entry, f"{{{w}}}family", {f"{{{w}}}val": "modern" if face.generic == "sans-serif" else "roman"}
        )
        etree.SubElement(entry, f"{{{w}}}pitch", {f"{{{w}}}val": "variable"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def set_page(section: Any, layout: Layout, landscape: bool) -> Page:
    """A4 with the layout's margins; landscape pages turn the portrait ones. The line grid of
    GB/T 9704 (22 lines) is Normal's exact line spacing, not a document grid, so tables and
    headings keep their own spacing."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    page = page_for(layout)
    if landscape:
        page = page.turned()
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(page.width), Mm(page.height)
    section.top_margin, section.bottom_margin = Mm(page.top), Mm(page.bottom)
    section.left_margin, section.right_margin = Mm(page.left), Mm(page.right)
    section.header_distance, section.footer_distance = Mm(12), Mm(12)
    return page
