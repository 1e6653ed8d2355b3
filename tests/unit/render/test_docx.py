"""DOCX in the official faces, read back with python-docx: styles, font table, page set-up,
landscape appendix, cover, 声明, sign-off and charts only where they carry information."""

from __future__ import annotations

import io
from typing import Any

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Length, Mm
from lxml import etree

from secops.render.formats import render_bytes
from tests.unit.render.official import official_report

OFFICIAL = {"宋体", "黑体", "仿宋_GB2312"}


def _open(data: bytes) -> Any:
    return Document(io.BytesIO(data))


@pytest.fixture(scope="module")
def report_docx() -> Any:
    return _open(render_bytes(official_report("report"), "docx"))


@pytest.fixture(scope="module")
def form_docx() -> Any:
    return _open(render_bytes(official_report("gbt9704", front=False), "docx"))


def _fonts(element: Any) -> dict[str, str]:
    fonts = element.find(qn("w:rPr")).find(qn("w:rFonts"))
    return {name.split("}")[1]: value for name, value in fonts.attrib.items()}


def _lang(element: Any) -> dict[str, str]:
    lang = element.find(qn("w:rPr")).find(qn("w:lang"))
    return {name.split("}")[1]: value for name, value in lang.attrib.items()}


@pytest.mark.parametrize(
    ("style", "face"),
    [("Normal", "宋体"), ("Title", "黑体"), ("Heading 1", "黑体"), ("Caption", "黑体"), ("Table Text", "宋体")],
)
def test_styles_name_the_official_faces_in_chinese(report_docx: Any, style: str, face: str) -> None:
    element = report_docx.styles[style].element
    fonts = _fonts(element)
    # the named face in every script slot, no theme font (a theme font would override it)
    assert fonts == {"ascii": face, "hAnsi": face, "eastAsia": face, "cs": face}
    assert _lang(element)["eastAsia"] == "zh-CN" and _lang(element)["val"] == "en-US"  # Latin words stay whole
    assert (
        report_docx.styles[style].font.color.rgb in (None, "000000")
        or str(report_docx.styles[style].font.color.rgb) == "000000"
    )


def test_document_defaults_are_chinese(report_docx: Any) -> None:
    defaults = report_docx.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    assert _lang(defaults) == {"val": "en-US", "eastAsia": "zh-CN", "bidi": "ar-SA"}
    assert _fonts(defaults)["eastAsia"] == "宋体"


def test_forms_use_fangsong_on_the_gbt9704_page(form_docx: Any) -> None:
    assert _fonts(form_docx.styles["Normal"].element)["eastAsia"] == "仿宋_GB2312"
    assert form_docx.styles["Normal"].font.size.pt == 16  # 三号
    spacing = form_docx.styles["Normal"].paragraph_format.line_spacing.pt
    assert abs(spacing - 225 / 22 * 72 / 25.4) <= 0.05  # 22 lines in 225 mm, to the twip Word stores
    first = form_docx.sections[0]
    assert first.orientation == WD_ORIENT.PORTRAIT
    assert (round(first.page_width.mm), round(first.page_height.mm)) == (210, 297)
    assert (round(first.top_margin.mm), round(first.left_margin.mm)) == (37, 28)  # 天头, 订口
    assert round(Length(first.page_width - first.left_margin - first.right_margin).mm) == 156
    assert round(Length(first.page_height - first.top_margin - first.bottom_margin).mm) == 225


def test_font_table_gives_the_windows_names(report_docx: Any) -> None:
    part = next(p for p in report_docx.part.package.parts if str(p.partname) == "/word/fontTable.xml")
    root = etree.fromstring(part.blob)
    w = root.nsmap["w"]
    alt = {
        font.get(f"{{{w}}}name"): font.find(f"{{{w}}}altName").get(f"{{{w}}}val")
        for font in root.iter(f"{{{w}}}font")
        if font.find(f"{{{w}}}altName") is not None
    }
    assert alt["宋体"] == "SimSun" and alt["黑体"] == "SimHei" and alt["仿宋_GB2312"] == "FangSong"
    used = {value for run in report_docx.element.iter(qn("w:rFonts")) for value in run.attrib.values()}
    assert used <= OFFICIAL  # no face is named anywhere but the official ones


def test_wide_appendix_is_a_landscape_section_with_fixed_columns(report_docx: Any) -> None:
    sections = report_docx.sections
    assert [s.orientation for s in sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE]
    assert sections[1].page_width > sections[1].page_height
    appendix = report_docx.tables[-1]
    assert appendix.rows[0].cells[0].text == "编号" and len(appendix.rows) == 41
    assert appendix._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    text_width = sections[1].page_width - sections[1].left_margin - sections[1].right_margin
    widths = [column.width for column in appendix.columns]
    assert abs(sum(widths) - text_width) < Mm(1)
    size_emu = Mm(9 * 25.4 / 72)  # 小五: one Chinese character
    for header, width in zip((c.text for c in appendix.rows[0].cells), widths, strict=True):
        assert width > len(header) * size_emu, header  # the header never stands one character per line
    assert widths[1] > 6 * size_emu  # 安全物理环境 on one line
    assert appendix.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page


def test_cover_statement_and_signoff(report_docx: Any) -> None:
    texts = [p.text for p in report_docx.paragraphs]
    assert texts[0] == "密级：内部"
    assert texts[1] == "报告编号：DJBH-CJFX-4111010001-202612071800"
    assert texts[2] == "网络安全等级保护差距分析报告"
    cover = report_docx.tables[0]
    assert [[c.text for c in row.cells] for row in cover.rows] == [
        ["被测单位", "测试实验中学"],
        ["委托单位", "测试实验中学（自评估）"],
    ]
    assert "声　明" in texts and any("不能代替等级测评" in t for t in texts)
    sign = report_docx.tables[1]
    assert [row.cells[0].text for row in sign.rows] == ["职责", "编制", "审核", "批准"]
    headings = [p for p in report_docx.paragraphs if p.style.name == "Heading 1"]
    assert [p.text for p in headings] == ["一、测评结论", "附录A　全部要求项"]
    assert headings[0].paragraph_format.page_break_before  # the body starts after the front matter


def test_forms_have_no_cover_and_sign_off_at_the_end(form_docx: Any) -> None:
    assert form_docx.paragraphs[0].text == "网络安全等级保护差距分析报告"
    assert form_docx.paragraphs[0].style.name == "Title"
    assert [row.cells[0].text for row in form_docx.tables[-1].rows] == ["职责", "编制", "审核", "批准"]
    assert form_docx.sections[-1].orientation == WD_ORIENT.PORTRAIT  # back from the landscape appendix


def test_only_informative_charts_become_pictures(report_docx: Any) -> None:
    assert len(report_docx.inline_shapes) == 1  # the two-bar chart; not the one bar nor the 100% slice
    texts = [p.text for p in report_docx.paragraphs]
    assert "各安全类评估结果：安全物理环境 3。" in texts
    assert "结果占比：符合 12（100%）。" in texts


def test_chart_pictures_are_not_clipped_by_the_exact_line_spacing(report_docx: Any) -> None:
    from docx.enum.text import WD_LINE_SPACING

    holder = next(p for p in report_docx.paragraphs if p._p.xpath(".//pic:pic"))
    assert holder.paragraph_format.line_spacing_rule == WD_LINE_SPACING.SINGLE
