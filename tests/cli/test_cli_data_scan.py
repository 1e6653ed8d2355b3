"""`secops data scan` over real files and a SQLite URL, custom category tables, and the
classification report in all four formats (PDF text via pypdf, XLSX via openpyxl): never a raw value."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import Workbook, load_workbook

from tests.conftest import SCHOOL_CODE, SCHOOL_NAME, Invoke
from tests.unit.data.test_scan import HEADER, roster, small_table, write_csv

INIT = ["init", "--school-code", SCHOOL_CODE, "--school-name", SCHOOL_NAME, "--scope", "10.20.0.0/16"]


def _tables(tmp_path: Path) -> list[str]:
    rows = roster(40)
    gbk = tmp_path / "名单.csv"
    write_csv(gbk, "gbk")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(tmp_path / "roster.xlsx")
    pq.write_table(pa.table({h: [r[i] for r in rows] for i, h in enumerate(HEADER)}), tmp_path / "roster.parquet")
    with sqlite3.connect(tmp_path / "school.db") as db:
        columns = ", ".join(f'"{h}" TEXT' for h in HEADER)
        db.execute(f"CREATE TABLE students ({columns})")
        db.executemany(f"INSERT INTO students VALUES ({', '.join('?' * len(HEADER))})", rows)
    return [
        str(gbk),
        str(tmp_path / "roster.xlsx"),
        str(tmp_path / "roster.parquet"),
        f"sqlite:///{tmp_path}/school.db#students",
    ]


def test_scan_files_and_a_sqlite_url(run_cli: Invoke, tmp_path: Path) -> None:
    sources = _tables(tmp_path)
    result = run_cli("data", "scan", *sources, "--format", "jsonl")
    assert result.exit_code == 1  # sensitive personal information found
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["format"] for r in reports] == ["csv", "xlsx", "parquet", "sql"]
    for report in reports:
        columns = {c["column"]: c for c in report["columns"]}
        assert report["rows"] == 40 and report["level"] == 4 and report["minors_under_14"] >= 1
        assert columns["身份证号"]["hits"] == 40 and columns["身份证号"]["confidence"] == "high"
        assert columns["心理健康备注"]["category"] == "心理健康" and columns["心理健康备注"]["sensitive"]
        assert report["k_anonymity_detail"]["quasi_identifiers"] == ["性别", "班级"]
    text = result.stdout
    assert all(row[2] not in text and row[3] not in text for row in roster(40))  # IDs, phones: masked only
    table = run_cli("--lang", "zh", "data", "scan", sources[0])
    assert "身份证号" in table.stdout and "40/40" in table.stdout and "k-匿名" in table.stdout


def test_custom_categories_thresholds_and_errors(run_cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "名单.csv"
    write_csv(path, "gbk")
    small = small_table(tmp_path, "individuals: 100000000\n|minors: 21\n|individuals: 1000000\n|individuals: 30\n")
    result = run_cli("data", "scan", str(path), "--categories", str(small))
    assert result.exit_code == 1 and "重要数据候选" in result.stdout
    value = json.loads(run_cli("data", "scan", str(path), "--categories", str(small), "--format", "json").stdout)
    assert value["category_table"] == "small" and value["candidates"][0]["grade"] == "重要数据"
    broken = tmp_path / "broken.yml"
    broken.write_text(
        small.read_text(encoding="utf-8").replace("id: small", "id: broken").replace("level: 4", "level: 7", 1)
    )
    bad = run_cli("data", "scan", str(path), "--categories", str(broken))
    assert bad.exit_code == 2 and f"{broken}:" in bad.stderr and "less than or equal to 4" in bad.stderr
    missing = run_cli("data", "scan", "sqlite:///" + str(tmp_path / "none.db") + "#t")
    assert missing.exit_code == 2 and "no such SQLite database file" in missing.stderr


def test_classification_report_in_four_formats(run_cli: Invoke, tmp_path: Path) -> None:
    import pypdf
    from docx import Document

    assert run_cli(*INIT).exit_code == 0
    sources = _tables(tmp_path)[::3]  # the GBK CSV and the SQLite table
    outputs = [tmp_path / f"c.{ext}" for ext in ("pdf", "xlsx", "html", "docx")]
    args = [a for out in outputs for a in ("-o", str(out))]
    result = run_cli("report", "build", "classification", "--lang", "zh", *sources, *args)
    assert result.exit_code == 0, result.output
    raw = [value for row in roster(40) for value in (row[0], row[2], row[3])]
    pages = pypdf.PdfReader(outputs[0]).pages
    pdf = "".join(page.extract_text() for page in pages).replace("\n", "")  # cells wrap in narrow columns
    assert "学生数据分类分级报告" in pdf and "身份与学籍标识" in pdf and "320***" in pdf
    book = load_workbook(outputs[1], read_only=True)
    cells = [str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "心理健康" in cells and "数据表分级汇总" in book.sheetnames and "一般数据 4 级" in cells
    assert any(c.startswith("320***") for c in cells) and "k-匿名性" in book.sheetnames
    html = outputs[2].read_text(encoding="utf-8")
    docx = "\n".join(p.text for p in Document(str(outputs[3])).paragraphs)
    assert "处置建议" in html and "分类分级依据" in docx
    # level 3 and above: the advice names the encryption commands and lists the columns with their way
    assert "secops data encrypt" in html and "--policy encrypt" in html and "secops data unmask" in html
    assert "应加密的列（3 级及以上）" in html and "保留格式加密（FF1-SM4）" in html and "SM4 令牌加密" in html
    assert "应加密的列（3 级及以上）" in book.sheetnames or any("应加密" in name for name in book.sheetnames)
    for text in (pdf, "\n".join(cells), html):
        assert not any(value in text for value in raw)  # masked examples only, never a raw value


def test_report_needs_tables_and_others_take_none(run_cli: Invoke, tmp_path: Path) -> None:
    assert run_cli(*INIT).exit_code == 0
    out = str(tmp_path / "c.html")
    none = run_cli("report", "build", "classification", "-o", out)
    assert none.exit_code == 2 and "needs the tables" in none.stderr
    extra = run_cli("report", "build", "workspace", str(tmp_path / "x.csv"), "-o", out)
    assert extra.exit_code == 2 and "takes no tables" in extra.stderr
    assert not Path(out).exists()


def test_scan_lists_all_13_demo_roster_columns(run_cli: Invoke, tmp_path: Path) -> None:
    from datetime import date

    from secops.data.watermark.roster import HEADER as DEMO_HEADER
    from secops.demo.data import write_roster

    path = tmp_path / "students.csv"
    write_roster(path, 300, date(2026, 11, 23))  # the demo's GB18030 roster
    value = json.loads(run_cli("data", "scan", str(path), "--format", "json").stdout)
    columns = {c["column"]: c for c in value["columns"]}
    assert len(DEMO_HEADER) == 13 and [c["column"] for c in value["columns"]] == DEMO_HEADER
    for name in ("身高cm", "体重kg"):
        assert (columns[name]["category"], columns[name]["level"], columns[name]["sensitive"]) == ("健康生理", 4, True)
    missed = [c for c in value["columns"] if not c["recognised"]]
    assert [c["column"] for c in missed] == ["出勤天数"] and missed[0]["unrecognised"] == "no_match"
    assert missed[0]["reason"] == "表头和取值都不匹配任何类别" and missed[0]["examples"] == []
    assert missed[0]["present"] == 300 and missed[0]["hits"] == 0
    table = run_cli("--lang", "zh", "data", "scan", str(path))
    assert table.exit_code == 1 and "13 列（未识别 1 列）" in table.stdout
    lines = {line.split()[0]: line for line in table.stdout.splitlines()[2:] if line.strip()}
    assert list(lines) == DEMO_HEADER  # every column, in the table's order
    assert lines["出勤天数"].split()[1:] == ["未识别", "表头和取值都不匹配任何类别"]  # the reason, no value
    assert "健康生理" in lines["身高cm"] and "敏感" in lines["体重kg"]
    assert run_cli(*INIT).exit_code == 0
    out = tmp_path / "c.html"
    assert run_cli("report", "build", "classification", "--lang", "zh", str(path), "-o", str(out)).exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert "未识别 1 列：出勤天数（表头和取值都不匹配任何类别）" in html and "身高cm" in html


def test_only_level_3_and_above_is_sent_to_encryption() -> None:
    from secops.reporting.data_source import _columns_to_encrypt

    def column(name: str, level: int, kind: str | None) -> dict[str, object]:
        return {"column": name, "level": level, "kind": kind, "category": "类", "level_name": f"一般数据 {level} 级"}

    low = {"path": "a.csv", "columns": [column("班级", 2, None), column("备注", 0, None)]}
    assert _columns_to_encrypt([low]) == []
    high = {"path": "/x/b.csv", "columns": [column("身份证号", 3, "id_card"), column("心理健康", 4, None)]}
    assert _columns_to_encrypt([low, high]) == [
        ["b.csv", "身份证号", "类", "一般数据 3 级", "保留格式加密（FF1-SM4）"],
        ["b.csv", "心理健康", "类", "一般数据 4 级", "SM4 令牌加密"],
    ]
