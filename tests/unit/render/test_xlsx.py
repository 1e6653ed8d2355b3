"""XLSX in the official faces, with a chart sheet only for charts that compare something."""

from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook

from secops.render.formats import render_bytes
from tests.unit.render.official import official_report


def test_official_faces_and_only_informative_charts() -> None:
    data = render_bytes(official_report(), "xlsx")
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["概要", "全部要求项", "图表 1"]  # one chart of three: the two-bar one
    assert book["图表 1"]["A2"].value == "甲"
    assert book["全部要求项"].max_row == 41
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        styles = archive.read("xl/styles.xml").decode("utf-8")
        chart = archive.read("xl/charts/chart1.xml").decode("utf-8")
    assert '<name val="宋体"/>' in styles and '<name val="黑体"/>' in styles
    assert "Calibri" not in styles
    assert 'typeface="宋体"' in chart and 'typeface="黑体"' in chart  # axis and title text
    sheet = book["全部要求项"]
    assert "第 &P 页，共 &N 页" in sheet.oddFooter.center.text
    assert sheet.oddHeader.center.text == "网络安全等级保护差距分析报告"
