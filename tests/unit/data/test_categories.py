"""The category table: how a column is classified, and broken tables caught at file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from secops.data import scan
from secops.data.categories import default_table_path, load_categories
from secops.data.policy import known_categories
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
