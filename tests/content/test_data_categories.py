"""Data category tables (rules/data/categories/): every shipped table validates, and every category
entry's own positive and negative examples hold, in memory and through a real scanned file."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from secops.content.kinds import kind_named
from secops.content.validate import load_units, validate_paths
from secops.data.categories import Category, CategoryTable, ColumnExample
from secops.data.recognize import BY_KIND, recognize_column
from secops.data.scan import scan_table

TABLES: list[CategoryTable] = load_units("data-category")
ENTRIES = [(table, category) for table in TABLES for category in table.categories]


def test_shipped_tables_validate_and_cover_every_recognizer() -> None:
    files = kind_named("data-category").shipped_files()
    assert files and validate_paths(files) == (len(files), [])
    education = next(t for t in TABLES if t.id == "education")
    covered = {kind for category in education.categories for kind in category.kinds}
    assert covered == set(BY_KIND)
    assert {c.name for c in education.categories} >= {
        "心理健康",
        "健康生理",
        "家庭经济困难/资助",
        "宗教信仰",
        "金融账户",
    }
    assert all(c.sensitive for c in education.categories if c.level == 4 and c.name != "身份与学籍标识")


def _scanned_category(tmp_path: Path, table: CategoryTable, example: ColumnExample) -> str | None:
    path = tmp_path / "example.csv"
    values = example.values or [""]
    with path.open("w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([example.column, "序号"])
        writer.writerows([value, str(n)] for n, value in enumerate(values * 3))
    report = scan_table(path, today=date(2026, 11, 23), categories=table)
    return report.columns[0].category


@pytest.mark.parametrize(("table", "category"), ENTRIES, ids=lambda x: getattr(x, "name", getattr(x, "id", "")))
def test_every_category_entry_has_examples_that_hold(tmp_path: Path, table: CategoryTable, category: Category) -> None:
    assert category.examples.match and category.examples.no_match
    for example in category.examples.match:
        found = recognize_column(example.column, example.values)  # the kind, and the numbers' median
        assert table.classify(example.column, found.kind, median=found.median).category == category.name, example
        assert _scanned_category(tmp_path, table, example) == category.name, example
    for example in category.examples.no_match:
        found = recognize_column(example.column, example.values)
        assert table.classify(example.column, found.kind, median=found.median).category != category.name, example
        assert _scanned_category(tmp_path, table, example) != category.name, example
