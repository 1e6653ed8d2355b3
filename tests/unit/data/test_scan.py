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
    table = CliRunner().invoke(cli, ["--lang", "zh", "data", "scan", str(path)])
    assert "身份证号" in table.stdout and "敏感" in table.stdout
    missing = CliRunner().invoke(cli, ["data", "scan", str(tmp_path / "none.csv")])
    assert missing.exit_code == 2


def small_table(tmp_path: Path, text: str) -> Path:
    """A copy of the shipped category table with the edits of ``text`` (old -> new pairs)."""
    from secops.data.categories import default_table_path

    body = default_table_path().read_text(encoding="utf-8").replace("id: education", "id: small")
    for old, new in zip(text.split("|")[::2], text.split("|")[1::2], strict=True):
        assert old in body
        body = body.replace(old, new)
    path = tmp_path / "small.yml"
    path.write_text(body, encoding="utf-8")
    return path


def test_counts_are_exact_over_every_batch_not_the_sample(tmp_path: Path) -> None:
    rows = [list(row) for row in roster(40) * 125]  # 5,000 rows: the sample sees the first 2,000
    for row in rows[3000:4000]:
        row[2] = row[2][:-1] + ("0" if row[2][-1] != "0" else "1")  # a wrong check character
        row[3] = ""
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    report = scan_table(path, today=TODAY, chunk_rows=256)
    columns = {c.name: c for c in report.columns}
    assert report.rows == 5000 and columns["身份证号"].hits == 4000 and columns["身份证号"].present == 5000
    assert columns["身份证号"].confidence == "high"  # 80% valid, under its own header
    assert columns["家长电话"].hits == columns["家长电话"].present == 4000
    assert report.minors == 2000  # half of the valid IDs are of children under 14; broken IDs count as none
    assert report.individuals == 5000 and report.sensitive_individuals == 5000


def test_parquet_and_sqlite_give_the_same_scan(tmp_path: Path) -> None:
    import sqlite3

    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = roster(40)
    csv_path = tmp_path / "r.csv"
    write_csv(csv_path, "utf-8")
    pq.write_table(pa.table({h: [r[i] for r in rows] for i, h in enumerate(HEADER)}), tmp_path / "r.parquet")
    with sqlite3.connect(tmp_path / "r.db") as db:
        columns = ", ".join(f'"{h}" TEXT' for h in HEADER)
        db.execute(f"CREATE TABLE students ({columns})")
        db.executemany(f"INSERT INTO students VALUES ({', '.join('?' * len(HEADER))})", rows)
    reports = [
        scan_table(source, today=TODAY)
        for source in (csv_path, tmp_path / "r.parquet", f"sqlite:///{tmp_path / 'r.db'}#students")
    ]
    assert [r.format for r in reports] == ["csv", "parquet", "sql"]
    shapes = [[(c.kind, c.category, c.level, c.sensitive, c.hits) for c in r.columns] for r in reports]
    assert shapes[0] == shapes[1] == shapes[2]
    assert {r.minors for r in reports} == {20} and {r.k_anonymity for r in reports} == {reports[0].k_anonymity}


def test_k_anonymity_exact_and_bounded(tmp_path: Path) -> None:
    path = tmp_path / "k.csv"
    lines = ["性别,班级,出生日期,备注"]
    lines += [f"男,一班,2012-03-0{i % 3 + 1},x" for i in range(9)]  # three groups of 3
    lines += ["女,二班,2012-05-01,x", "女,二班,2012-05-01,x", "女,三班,2012-06-01,x"]  # 2 and 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = scan_table(path, today=TODAY, chunk_rows=4)
    k = report.kanon
    assert k.columns == ["性别", "班级", "出生日期"] and (k.k, k.groups, k.unique_rows) == (1, 5, 1)
    bounded = scan_table(path, today=TODAY, chunk_rows=4, group_limit=2).kanon
    assert bounded.exceeded and bounded.k is None and bounded.k_at_most == 12 // bounded.groups


def test_scale_thresholds_from_a_custom_category_table(tmp_path: Path) -> None:
    from secops.data.categories import load_categories

    path = tmp_path / "名单.csv"
    write_csv(path, "utf-8")
    important = small_table(tmp_path, "individuals: 100000000\n|minors: 21\n|individuals: 1000000\n|individuals: 40\n")
    report = scan_table(path, today=TODAY, categories=load_categories(important))
    assert [c.grade for c in report.candidates] == ["重要数据"] and report.grade == "重要数据候选"
    core = small_table(tmp_path, "individuals: 100000000\n|minors: 20\n")
    report = scan_table(path, today=TODAY, categories=load_categories(core))
    assert [c.grade for c in report.candidates] == ["核心数据"] and report.as_dict()["important_data_candidate"]
    assert not scan_table(path, today=TODAY).candidates  # 40 rows are far below the shipped thresholds


def test_every_column_is_listed_and_an_unrecognised_one_says_why(tmp_path: Path) -> None:
    from secops.data.categories import load_categories

    path = tmp_path / "mixed.csv"
    rows = [
        [
            _id(2014, i),
            str(150 + i),  # 出勤天数: plain numbers under a header no category names
            f"1381234{i:04d}" if i % 5 == 0 else f"第{i}条",  # one value in five is a phone number
            "",
            f"0.{i % 9 + 1}",  # weight as 权重
            f"苏F{i:05d}",
            f"{150 + i % 30}.5",
        ]
        for i in range(40)
    ]
    header = ["身份证号", "出勤天数", "备注", "空列", "weight", "车辆", "身高cm"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    report = scan_table(path, today=TODAY)
    assert [c.name for c in report.columns] == header
    why = {c.name: c.unrecognised for c in report.columns}
    assert why == {
        "身份证号": None,
        "出勤天数": "no_match",
        "备注": "below_threshold",
        "空列": "empty",
        "weight": "out_of_range",
        "车辆": None,
        "身高cm": None,
    }
    columns = {c.name: c for c in report.columns}
    assert columns["备注"].reason is not None and "20%" in columns["备注"].reason and "手机号" in columns["备注"].reason
    assert columns["出勤天数"].present == 40 and columns["空列"].present == 0
    assert columns["身高cm"].category == "健康生理" and columns["身高cm"].sensitive and columns["身高cm"].level == 4
    # what the report says about its columns, as text (numbers such as shares and timings are not
    # cells: a share of 0.2 must not pass for the cell "0.2")
    said = [
        str(v) for c in report.as_dict()["columns"] for k, v in c.items() if isinstance(v, str | list) and k != "column"
    ]
    text = json.dumps(said, ensure_ascii=False)
    assert not any(value in text for row in rows for value in row[1:] if value)  # no cell of any of them
    value = {c["column"]: c for c in report.as_dict()["columns"]}
    assert value["出勤天数"]["recognised"] is False and value["出勤天数"]["reason"] == "表头和取值都不匹配任何类别"
    assert value["身高cm"]["recognised"] and value["身高cm"]["reason"] is None
    no_plates = small_table(tmp_path, "email: 2, plate: 2}|email: 2}")
    custom = scan_table(path, today=TODAY, categories=load_categories(no_plates))
    plates = next(c for c in custom.columns if c.name == "车辆")
    assert (plates.kind, plates.unrecognised) == ("plate", "kind_without_category") and "small" in (plates.reason or "")
