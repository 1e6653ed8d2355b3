"""Which columns identify rows and which may carry marks: never IDs, names, codes, birth dates or scores."""

from __future__ import annotations

import pytest

from secops.data.watermark.cells import Carrier
from secops.data.watermark.columns import plan_layout, protected_header
from secops.data.watermark.roster import HEADER, roster_rows
from secops.errors import SecopsError


def _samples(header: list[str], rows: list[list[str]]) -> list[list[str]]:
    return [[row[i] for row in rows] for i in range(len(header))]


def test_roster_layout() -> None:
    layout = plan_layout(HEADER, _samples(HEADER, list(roster_rows(2000))))
    assert layout.identity == ("身份证号",) and layout.identity_kinds == ("id_card",)
    assert layout.carriers == (
        Carrier("身高cm", "number", 1),
        Carrier("体重kg", "number", 1),
        Carrier("出勤天数", "number", 0),
        Carrier("体检日期", "date", 0),
        Carrier("最近刷卡时间", "datetime", 0),
    )
    # 学籍号, 姓名, 性别, 出生日期, 班级, 家长电话 and 数学成绩 are never carriers


def test_scores_only_when_named_and_identity_override() -> None:
    rows = list(roster_rows(500))
    layout = plan_layout(HEADER, _samples(HEADER, rows), identity=["学籍号"], carriers=["数学成绩", "体检日期"])
    assert layout.identity == ("学籍号",) and layout.identity_kinds == ("xueji",)
    assert [c.column for c in layout.carriers] == ["体检日期", "数学成绩"]  # in the table's order
    with pytest.raises(SecopsError, match="neither numbers nor dates"):
        plan_layout(HEADER, _samples(HEADER, rows), carriers=["姓名"])
    with pytest.raises(SecopsError, match="not in the table"):
        plan_layout(HEADER, _samples(HEADER, rows), identity=["学号"])


def test_identity_fallbacks() -> None:
    header = ["学号", "姓名", "出生日期", "身高"]
    rows = [
        [f"2023{i:04d}", "张" + "伟芳娜敏静"[i % 5], f"2012-03-{i % 28 + 1:02d}", f"{150 + i % 30}"] for i in range(300)
    ]
    assert plan_layout(header, _samples(header, rows)).identity == ("学号",)
    header2 = ["姓名", "出生日期", "身高"]
    rows2 = [row[1:] for row in rows]
    assert plan_layout(header2, _samples(header2, rows2)).identity == ("姓名", "出生日期")
    header3 = ["班级", "身高"]
    with pytest.raises(SecopsError, match="no stable identifier"):
        plan_layout(header3, _samples(header3, [[f"{i % 3}班", "150"] for i in range(50)]))


def test_codes_and_categories_are_not_carriers() -> None:
    header = ["学号", "邮编", "座位编码", "household", "宿舍", "体重"]
    rows = [
        [f"S{i}", f"2{i % 90:05d}", f"0{i % 50:02d}", str(i % 4), f"{100 + i % 3}", f"{40 + i % 20}.{i % 10}"]
        for i in range(400)
    ]
    layout = plan_layout(header, _samples(header, rows))
    assert [c.column for c in layout.carriers] == ["体重"]  # codes, leading zeros, few distinct values refused
    assert protected_header("语文成绩") and protected_header("Student ID") and protected_header("math_score")
    assert not protected_header("身高cm") and not protected_header("attendance_days")
