"""Column widths, landscape pages and which charts carry information."""

from __future__ import annotations

import pytest

from secops.render.layout import (
    GBT9704_PAGE,
    column_widths,
    display_width,
    landscape,
    table_widths,
    units_per_line,
)
from secops.render.model import Chart, Section, Table
from tests.unit.render.official import APPENDIX_COLUMNS, appendix_rows, official_report


def test_gbt9704_page_has_the_official_text_block() -> None:
    assert (GBT9704_PAGE.top, GBT9704_PAGE.left) == (37, 28)
    assert (GBT9704_PAGE.text_width, GBT9704_PAGE.text_height) == (156, 225)
    turned = GBT9704_PAGE.turned()
    assert (turned.width, turned.height) == (297, 210)
    # 三号 (16 pt) fills the 156 mm line with 27.6 characters; GB/T 9704's 28 tighten the spacing a little
    assert 27 < units_per_line(156, 16) / 2 < 28


def test_short_columns_keep_their_values_on_one_line() -> None:
    table = Table("全部要求项", APPENDIX_COLUMNS, appendix_rows())
    available = units_per_line(247, 9)  # a landscape A4 line at 小五
    shares = column_widths(table, available)
    assert sum(shares) == pytest.approx(1.0)
    units = dict(zip(APPENDIX_COLUMNS, (share * available for share in shares), strict=True))
    for column, longest in (
        ("安全类", "安全物理环境"),
        ("结果", "部分符合"),
        ("编号", "L3-PES1-40"),
        ("来源", "自动检查+问卷"),
    ):
        assert units[column] >= display_width(longest), column
    assert units["要求概述"] > units["结果"] and units["证据/说明"] > units["风险"]
    for column in APPENDIX_COLUMNS:  # no header prints one character per line
        assert units[column] >= display_width(column), column


def test_explicit_widths_are_shares() -> None:
    table = Table("t", ["项目", "内容"], [["a", "b"]], widths=(1, 3))
    assert column_widths(table, 100) == [0.25, 0.75]
    with pytest.raises(ValueError, match="widths"):
        Table("t", ["项目", "内容"], [], widths=(1,))


def test_wide_tables_and_asked_sections_go_landscape() -> None:
    report = official_report()
    conclusion, appendix = report.sections
    assert not landscape(report, conclusion)
    assert landscape(report, appendix)  # its minimum widths do not fit a portrait line
    assert landscape(report, Section("宽", landscape=True))
    narrow = Table(
        "各安全类",
        ["安全类", "符合", "部分符合", "不符合", "不适用", "未测评", "符合率"],
        [["安全物理环境", 1, 2, 3, 4, 5, "50.0%"]],
    )
    assert not landscape(report, Section("各安全类", [narrow]))  # seven short columns fit a portrait page
    assert sum(table_widths(narrow, "report", False)) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("chart", "informative", "fact"),
    [
        (Chart("各安全类", "bar", ["安全物理环境"], {"符合": [3.0]}), False, "各安全类：安全物理环境 3。"),
        (Chart("占比", "pie", ["符合", "不符合"], {"项数": [12.0, 0.0]}), False, "占比：符合 12（100%）。"),
        (Chart("趋势", "line", ["12-01"], {"符合率": [50.0]}), False, "趋势：12-01 50。"),
        (Chart("空", "bar", [], {}), False, "空：0。"),
        (Chart("两类", "bar", ["甲", "乙"], {"n": [1.0, 2.0]}), True, "两类：甲 1；乙 2。"),
        (Chart("两组", "bar", ["甲"], {"符合": [1.0], "不符合": [2.0]}), True, "两组：甲 符合 1；甲 不符合 2。"),
        (Chart("趋势", "line", ["12-01", "12-02"], {"符合率": [50.0, 50.0]}), True, "趋势：12-01 50；12-02 50。"),
    ],
)
def test_a_chart_must_compare_something(chart: Chart, informative: bool, fact: str) -> None:
    assert chart.informative is informative
    assert chart.fact() == fact
