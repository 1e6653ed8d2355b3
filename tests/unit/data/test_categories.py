"""The category table: how a column is classified, and broken tables caught at file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from secops.data import scan
from secops.data.categories import default_table_path, load_categories
from secops.data.mask_policy import known_categories
from secops.errors import ContentErrors, SecopsError

GOOD = """\
id: mini
title: 最小分类分级表
levels: {1: 一级, 2: 二级, 3: 三级, 4: 四级}
candidates:
  - grade: 重要数据
    individuals: 10
categories:
  - name: 标识
    level: 4
    sensitive: false
    kinds: {id_card: 4}
    examples:
      match:
        - {column: 身份证号, values: ["11010519491231002X"]}
      no_match:
        - {column: 备注, values: [无]}
  - name: 心理
    level: 4
    sensitive: true
    headers: [心理]
    examples:
      match:
        - {column: 心理备注, values: [无]}
      no_match:
        - {column: 备注, values: [无]}
"""


def _write(tmp_path: Path, text: str, name: str = "mini") -> Path:
    folder = tmp_path / "rules" / "data" / "categories"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_classification_rules_of_the_shipped_table() -> None:
    def classify(header: str, kind: str | None, *, minor: bool = False) -> tuple[object, ...]:
        found = scan.classify_column(header, kind, minor=minor)
        return (found.category, found.level, found.sensitive, found.personal)

    assert classify("身份证号", "id_card")[0] == "身份与学籍标识"
    assert classify("学生姓名", "name")[:3] == ("学籍基本信息", 3, False)
    assert classify("家长姓名", "name")[0] == "联系与家庭"  # the header's category on a tie
    assert classify("体检日期", "birth_date")[:3] == ("健康生理", 4, True)  # the header's is higher
    assert classify("年级排名", None)[0] == "学业成绩/排名"  # the highest header category
    assert classify("心理健康备注", None)[0] == "心理健康"  # first in the file on a tie
    assert classify("col", "bank_card") == ("金融账户", 4, True, True)
    assert classify("出勤天数", None) == (None, 0, False, False)
    assert classify("性别", None, minor=True)[2]  # a child's personal data: all sensitive
    assert not classify("登录ip", "ip", minor=True)[2]  # not a person's data on its own
    assert not classify("统一社会信用代码", "uscc", minor=True)[2]


def test_the_old_constants_and_policy_names_come_from_the_table() -> None:
    assert scan.CATEGORIES["id_card"] == ("身份与学籍标识", 4, False)
    assert scan.CATEGORIES["xueji"][1] == 3
    assert any(name == "心理健康" for _, name, _, _ in scan.HEADER_CATEGORIES)
    assert {"心理健康", "金融账户", "联系与家庭", "特定身份"} <= known_categories()
    with pytest.raises(AttributeError):
        _ = scan.NO_SUCH_THING


def test_a_small_custom_table(tmp_path: Path) -> None:
    table = load_categories(_write(tmp_path, GOOD))
    assert table.classify("证件号码", "id_card").category == "标识"
    assert table.classify("心理测评", None).sensitive and table.classify("姓名", "name").category is None
    assert [r.grade for r in table.candidates_for(4, 10, 0, 0)] == ["重要数据"]
    assert table.candidates_for(4, 9, 0, 0) == [] and table.k_target == 5 and table.minor_age == 14
    assert load_categories() is load_categories()  # the shipped table is read once


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("kinds: {id_card: 4}", "kinds: {id_card: 4, shoe_size: 2}", 11, "unknown kind shoe_size"),
        ("kinds: {id_card: 4}", "kinds: {id_card: 5}", 11, "a kind's level is 1..4"),
        ("    level: 4\n    sensitive: false", "    level: 3\n    sensitive: false", 8, "levels inside the category"),
        ("    headers: [心理]", "    headers: [心理]\n    kinds: {id_card: 4}", 21, "kind id_card is already in"),
        (
            "        - {column: 心理备注, values: [无]}",
            "        - {column: 备注, values: [无]}",
            23,
            "classified as nothing",
        ),
        ("    individuals: 10", "    note: x", 5, "give at least one of"),
        ("levels: {1: 一级, 2: 二级, 3: 三级, 4: 四级}", "levels: {1: 一级}", 3, "name the levels 1, 2, 3 and 4"),
        ("    level: 4\n    sensitive: true", "    level: 4\n    sensitve: true", 19, "unknown key"),
        ("id: mini", "id: other", 1, "must equal the file name"),
    ],
)
def test_broken_tables_are_caught_at_their_line(tmp_path: Path, old: str, new: str, line: int, message: str) -> None:
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ContentErrors) as caught:
        load_categories(path)
    errors = caught.value.errors
    assert any(e.line == line and message in e.message for e in errors), [str(e) for e in errors]
    assert str(errors[0]).startswith(f"{path}:")


def test_missing_table_file(tmp_path: Path) -> None:
    with pytest.raises(SecopsError, match="no such category table"):
        load_categories(tmp_path / "none.yml")
    assert default_table_path().name == "education.yml"


@pytest.mark.parametrize(
    ("header", "median", "category"),
    [
        ("身高cm", 158.3, "健康生理"),
        ("身高(m)", 1.58, "健康生理"),
        ("身高", 1080.0, "健康生理"),  # 身高 means nothing else: its values do not matter
        ("体重/kg", None, "健康生理"),
        ("视力-左", 4.9, "健康生理"),
        ("血型", None, "健康生理"),
        ("BMI指数", 19.5, "健康生理"),
        ("studentBMI", 19.5, "健康生理"),
        ("bodyWeight", 45.0, "健康生理"),
        ("Body Height", 1.6, "健康生理"),
        ("weight", None, "健康生理"),  # no numbers to check: the keyword stands
        ("weight", 0.3, None),  # a 权重
        ("screen_height", 1080.0, None),
        ("temperature", 24.0, None),
        ("晨检体温", 24.0, "健康生理"),
        ("weighted_score", 85.0, "学业成绩/排名"),
        ("英语听力成绩", 25.0, "学业成绩/排名"),
        ("听力(左)", None, "健康生理"),
        ("心理测评", None, "心理健康"),
        ("division", None, None),
        ("submit_time", None, None),
        ("is_disabled", None, None),  # an account switched off, not a disability
        ("disability", None, "健康生理"),
        ("psychology_notes", None, "心理健康"),  # an English keyword is still a word's prefix
    ],
)
def test_health_headers_words_and_ranges(header: str, median: float | None, category: str | None) -> None:
    assert load_categories().classify(header, None, median=median).category == category
    if category == "健康生理":
        found = load_categories().classify(header, None, median=median)
        assert (found.level, found.sensitive, found.by) == (4, True, "header")


def test_header_keywords_start_english_words_only() -> None:
    from secops.data.categories import header_has

    assert header_has("身高(cm)", "身高") and header_has("体重/kg", "体重")
    assert header_has("Blood-Type", "blood_type") and header_has("heartRate", "heart_rate")
    assert header_has("体重weight", "weight") and header_has("vision_left", "vision")
    assert not header_has("division", "vision") and not header_has("submit", "bmi")
    assert not header_has("subclass", "class") and header_has("ClassName", "class")


def test_out_of_range_names_the_category_the_values_refused() -> None:
    table = load_categories()
    rejected = table.out_of_range("weight", 0.3)
    assert rejected is not None and rejected.name == "健康生理"
    assert table.out_of_range("weight", 45.0) is None and table.out_of_range("weight", None) is None
    assert table.out_of_range("出勤天数", 180.0) is None


def test_ranges_must_name_a_header_keyword(tmp_path: Path) -> None:
    bad = GOOD.replace("    headers: [心理]", "    headers: [心理]\n    ranges: {weight: [2, 300]}", 1)
    with pytest.raises(ContentErrors) as caught:
        load_categories(_write(tmp_path, bad))
    assert any("ranges name weight" in e.message for e in caught.value.errors)
    upside_down = GOOD.replace("    headers: [心理]", "    headers: [心理]\n    ranges: {心理: [5, 1]}", 1)
    with pytest.raises(ContentErrors) as caught:
        load_categories(_write(tmp_path, upside_down))
    assert any("low <= high" in e.message for e in caught.value.errors)
