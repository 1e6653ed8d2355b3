"""Scanning real files: a GBK CSV roster, an XLSX with a formula, JSON lines; levels and minors."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from secops.cli.main import cli
from secops.data.identifiers import id_check_char
from secops.data.scan import scan_table
from secops.errors import SecopsError

TODAY = date(2026, 11, 23)
HEADER = ["姓名", "性别", "身份证号", "家长电话", "班级", "心理健康备注", "数学成绩"]


def _id(year: int, n: int) -> str:
    first17 = f"320684{year}0315{n:03d}"
    return first17 + id_check_char(first17)


def roster(rows: int = 40) -> list[list[str]]:
    surnames = "王李张刘陈杨黄赵"
    return [
        [
            surnames[i % 8] + "小明",
            "男" if i % 2 else "女",
            _id(2014 if i % 2 else 2008, i),  # half of them under 14 on TODAY
            f"1381234{i:04d}",
            f"七年级{i % 3 + 1}班",
            "无" if i % 5 else "需关注",
            str(60 + i % 40),
        ]
        for i in range(rows)
    ]


def write_csv(path: Path, encoding: str) -> None:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(roster())


def test_gbk_csv_roster(tmp_path: Path) -> None:
    path = tmp_path / "名单.csv"
    write_csv(path, "gbk")
    report = scan_table(path, today=TODAY)
    assert report.encoding == "gb18030" and report.rows == 40
    columns = {c.name: c for c in report.columns}
    assert columns["身份证号"].kind == "id_card" and columns["身份证号"].confidence == "high"
    assert columns["身份证号"].hits == 40 and columns["身份证号"].examples[0].startswith("320***")
    assert columns["家长电话"].kind == "mobile" and columns["家长电话"].examples[0].startswith("138****")
    assert columns["姓名"].kind == "name" and columns["姓名"].examples[0].endswith("**")
    assert columns["心理健康备注"].category == "心理健康" and columns["心理健康备注"].level == 4
    assert report.minors == 20 and report.level == 4
    assert all(columns[name].sensitive for name in ("姓名", "身份证号", "家长电话"))  # minors: all PI sensitive
    assert report.k_anonymity is not None and report.k_anonymity >= 1
    assert "性别" in report.quasi_identifiers and "班级" in report.quasi_identifiers
    assert "11010519491231002X" not in json.dumps(report.as_dict(), ensure_ascii=False)


def test_utf8_bom_xlsx_and_jsonl(tmp_path: Path) -> None:
    csv_path = tmp_path / "bom.csv"
    write_csv(csv_path, "utf-8-sig")
    assert scan_table(csv_path, today=TODAY).encoding == "utf-8-sig"
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in roster(10):
        sheet.append(row)
    sheet.append(["赵六", "男", "", "", "七年级1班", '=HYPERLINK("http://x")', "90"])  # a formula: never evaluated
    xlsx = tmp_path / "roster.xlsx"
    book.save(xlsx)
    report = scan_table(xlsx, today=TODAY)
    assert report.rows == 11 and {c.name: c for c in report.columns}["身份证号"].hits == 10
    jsonl = tmp_path / "roster.jsonl"
    jsonl.write_text(
        "\n".join(json.dumps(dict(zip(HEADER, row, strict=True)), ensure_ascii=False) for row in roster(5))
        + "\n{bad\n",
        encoding="utf-8",
    )
    report = scan_table(jsonl, today=TODAY)
    assert report.rows == 5 and report.ragged_rows == 1


def test_ragged_and_bad_files(tmp_path: Path) -> None:
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("姓名,电话\n张三,13812345678,多余\n李四\n", encoding="utf-8")
    report = scan_table(ragged, today=TODAY)
    assert report.rows == 2 and report.ragged_rows == 2
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(SecopsError, match="empty"):
        scan_table(empty)
    latin = tmp_path / "x.csv"
    latin.write_bytes(b"\xff\xfe\x00\x00" * 10 + b"\x81\x20\x81\x20")
    with pytest.raises(SecopsError, match="encoding"):
        scan_table(latin)
    with pytest.raises(SecopsError, match="unknown table format"):
        scan_table(tmp_path / "x.doc") if (tmp_path / "x.doc").write_text("x") else None


def test_cli_scan_exit_1_on_sensitive_data(tmp_path: Path) -> None:
    path = tmp_path / "名单.csv"
    write_csv(path, "gbk")
    result = CliRunner().invoke(cli, ["data", "scan", str(path), "--format", "json"])
    assert result.exit_code == 1
    value = json.loads(result.stdout)
    assert value["level"] == 4 and value["minors_under_14"] >= 1
    table = CliRunner().invoke(cli, ["data", "scan", str(path)])
    assert "身份证号" in table.stdout and "敏感" in table.stdout
    missing = CliRunner().invoke(cli, ["data", "scan", str(tmp_path / "none.csv")])
    assert missing.exit_code == 2
