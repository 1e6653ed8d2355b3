"""Reading real files in every format, in chunks: encodings, ragged rows kept in place, huge cells,
XLSX formulas read as their cached values, JSON arrays, Parquet row groups, SQLite and PostgreSQL
tables by URL. ``roster`` here is the generated roster the other data tests use."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
from pathlib import Path

import pyarrow as pa
import pytest

from secops.data import csvtables, tables
from secops.data.identifiers import bank_card_valid, id_card_valid, id_check_char, luhn_valid, xueji_valid
from secops.data.tables import open_table
from secops.errors import SecopsError

HEADER = [
    "姓名",
    "性别",
    "身份证号",
    "学籍号",
    "出生日期",
    "家长电话",
    "银行卡号",
    "家庭住址",
    "班级",
    "年龄",
    "心理健康备注",
]
SURNAMES = "王李张刘陈杨黄赵吴周"


def id_number(year: int, n: int, region: str = "320684") -> str:
    first17 = f"{region}{year}{n % 12 + 1:02d}{n % 28 + 1:02d}{n % 1000:03d}"
    return first17 + id_check_char(first17)


def bank_card(n: int) -> str:
    body = f"622202{n:09d}"
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


def roster(rows: int = 60, *, start: int = 0) -> list[list[str]]:
    out = []
    for i in range(start, start + rows):
        year = 2013 + i % 6  # ages 7..12 on 2026-11-23: all under 14
        number = id_number(year, i)
        out.append(
            [
                ("欧阳" if i % 10 == 3 else SURNAMES[i % 10]) + "子涵",
                "男" if i % 2 else "女",
                number,
                "G" + number,
                f"{year}-{i % 12 + 1:02d}-{i % 28 + 1:02d}",
                f"13{i % 10}{i:08d}",
                bank_card(i),
                f"江苏省南通市海门区人民路{i}号",
                f"七年级{i % 4 + 1}班",
                str(7 + i % 6),
                "无" if i % 5 else "需关注",
            ]
        )
    return out


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8", header: list[str] = HEADER) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def all_rows(table: tables.Table) -> list[list[object]]:
    return [row for chunk in table.chunks for row in chunk]


def test_generated_roster_is_valid() -> None:
    row = roster(1)[0]
    assert id_card_valid(row[2]) and xueji_valid(row[3]) and bank_card_valid(row[6])


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_csv_encodings_in_chunks(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "r.csv", roster(50), encoding)
    table = open_table(path, chunk_rows=7)
    assert table.encoding == encoding and table.header == HEADER
    batches = list(table.batches)
    assert len(batches) == 8 and all(isinstance(b, pa.RecordBatch) for b in batches)
    assert [r for b in batches for r in zip(*(c.to_pylist() for c in b.columns), strict=True)] == [
        tuple(r) for r in roster(50)
    ]


def test_ragged_rows_stay_in_place_across_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csvtables, "CSV_BLOCK_BYTES", 256)  # many parser blocks
    lines = ["a,b,c"] + [f"{i},x{i},y{i}" if i % 9 else f"{i},short" for i in range(60)]
    lines[30] = "29,x29,y29,extra"
    lines.insert(5, '"quoted\nnewline",q,r')
    path = tmp_path / "ragged.csv"
    path.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    table = open_table(path, chunk_rows=10)
    rows = all_rows(table)
    assert len(rows) == 61 and table.ragged_rows == 8
    assert rows[4] == ["quoted\nnewline", "q", "r"]
    assert rows[0] == ["0", "short", ""] and rows[10] == ["9", "short", ""]
    assert rows[30] == ["29", "x29", "y29"]  # cut to the header
    assert [r[0] for r in rows if r[0] != "quoted\nnewline"] == [str(i) for i in range(60)]


def test_ragged_last_row_and_huge_cell(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    huge = "长" * 3_000_000  # 9 MB in UTF-8
    path.write_text(f"姓名,备注\n张三,{huge}\n李四\n", encoding="utf-8")
    rows = all_rows(open_table(path))
    assert rows == [["张三", huge], ["李四", ""]]


def test_bad_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(SecopsError, match="empty"):
        open_table(empty)
    blank = tmp_path / "blank.csv"
    blank.write_text("\n\n", encoding="utf-8")
    with pytest.raises(SecopsError, match="no header"):
        open_table(blank)
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\xff\xfe\x00\x00" * 10 + b"\x81\x20\x81\x20")
    with pytest.raises(SecopsError, match="encoding"):
        open_table(binary)
    with pytest.raises(SecopsError, match="unknown table format"):
        open_table(tmp_path / "x.doc")
    with pytest.raises(SecopsError, match="no such file"):
        open_table(tmp_path / "none.csv")
    header_only = write_csv(tmp_path / "h.csv", [])
    assert all_rows(open_table(header_only)) == []


def test_xlsx_formulas_are_not_evaluated(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名", "电话", "成绩", "备注"])
    sheet.append(["张三", 13812345678, 95, '=HYPERLINK("http://x","点我")'])
    sheet.append(["李四", None, 88.5, "=1+1"])
    path = tmp_path / "r.xlsx"
    book.save(path)
    table = open_table(path)
    batch = next(table.batches)
    assert batch.column(2).type == pa.float64()  # numbers stay numbers (empty cells are null)
    rows = [list(r) for r in zip(*(c.to_pylist() for c in batch.columns), strict=True)]
    # openpyxl stores no cached value: a formula reads as empty, never as its result or its text
    assert rows[0][:3] == ["张三", 13812345678.0, 95.0] and rows[1][1] is None
    assert rows[0][3] in (None, "") and rows[1][3] in (None, "")


def test_json_array_and_lines(tmp_path: Path) -> None:
    records = [dict(zip(HEADER, row, strict=True)) for row in roster(30)]
    array = tmp_path / "r.json"
    array.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    table = open_table(array, chunk_rows=4)
    assert table.format == "json" and table.header == HEADER
    assert all_rows(table) == roster(30)
    lines = tmp_path / "r.jsonl"
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in records[:5])
    lines.write_text(text + '\n{"姓名": "x", "外号": "y"}\n[1]\n{bad\n', encoding="gb18030")
    table = open_table(lines)
    rows = all_rows(table)
    assert table.format == "jsonl" and len(rows) == 6 and table.ragged_rows == 3
    not_objects = tmp_path / "n.json"
    not_objects.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(SecopsError, match="not a JSON object"):
        open_table(not_objects)


def test_parquet_by_row_groups(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    columns = list(zip(*roster(40), strict=True))
    data = pa.table({name: list(values) for name, values in zip(HEADER, columns, strict=True)})
    data = data.append_column("分数", pa.array(list(range(40)), pa.int64()))
    path = tmp_path / "r.parquet"
    pq.write_table(data, path, row_group_size=16)
    table = open_table(path, chunk_rows=10)
    batches = list(table.batches)
    assert table.header == [*HEADER, "分数"] and sum(b.num_rows for b in batches) == 40
    assert batches[0].column(11).type == pa.int64()
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet at all")
    with pytest.raises(SecopsError, match="Parquet"):
        open_table(bad)


def _sqlite(path: Path, rows: list[list[str]]) -> None:
    with sqlite3.connect(path) as db:
        db.execute('CREATE TABLE students ("姓名" TEXT, "身份证号" TEXT, "年龄" INTEGER)')
        db.executemany("INSERT INTO students VALUES (?, ?, ?)", [(r[0], r[2], int(r[9])) for r in rows])


def test_sqlite_by_url(tmp_path: Path) -> None:
    path = tmp_path / "school.db"
    _sqlite(path, roster(25))
    for url in (f"sqlite:///{path}#students", f"sqlite:///{path}?table=students"):
        table = open_table(url, chunk_rows=10)
        batches = list(table.batches)
        assert table.format == "sql" and table.header == ["姓名", "身份证号", "年龄"]
        assert [b.num_rows for b in batches] == [10, 10, 5] and batches[0].column(2).type == pa.int64()
    with pytest.raises(SecopsError, match="no table"):
        open_table(f"sqlite:///{path}#nope")
    with pytest.raises(SecopsError, match="no table named"):
        open_table(f"sqlite:///{path}")
    with pytest.raises(SecopsError, match="no such SQLite"):
        open_table(f"sqlite:///{tmp_path}/none.db#students")


def test_postgresql_streamed() -> None:
    url = os.environ.get("SECOPS_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("SECOPS_TEST_POSTGRES_URL is not set; scripts/test.sh starts a PostgreSQL server and sets it")
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS mask_read_test"))
        connection.execute(text('CREATE TABLE mask_read_test ("姓名" text, "身份证号" text)'))
        connection.execute(
            text("INSERT INTO mask_read_test VALUES (:a, :b)"), [{"a": r[0], "b": r[2]} for r in roster(30)]
        )
    engine.dispose()
    table = open_table(url + "#mask_read_test", chunk_rows=8)
    assert [b.num_rows for b in table.batches] == [8, 8, 8, 6]


def test_parser_errors_never_quote_the_row(tmp_path: Path) -> None:
    """Arrow's parse errors can quote the offending row (student data): the error keeps only the
    file, the row number and what to do."""
    leaked = pa.ArrowInvalid("CSV parse error: Expected 3 columns, got 2: 张三,110105194912310021")
    error = csvtables._csv_error(tmp_path / "名单.csv", 1_200, leaked)
    assert "张三" not in str(error) and "110105194912310021" not in str(error)
    assert "after row 1,200" in str(error) and error.exit_code == 2
