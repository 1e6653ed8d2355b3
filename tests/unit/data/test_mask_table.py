"""``secops data mask`` on generated rosters: every operator positive and negative, every format,
tokens stable across files with one key, bad input refused (the operators alone: test_mask_operators)."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from secops.data.mask_policy import load_policy
from secops.data.mask_table import mask_table, new_key_file, read_key
from secops.data.tables import open_table
from secops.errors import SecopsError
from tests.unit.data.test_tables import HEADER, all_rows, roster, write_csv

TODAY = date(2026, 11, 23)
KEY = bytes(range(32))
POLICIES = Path(__file__).resolve().parents[3] / "rules" / "data" / "policies"


def test_default_policy_on_a_roster(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "名单.csv", roster(80), "gb18030")
    report = mask_table(str(source), str(tmp_path / "out.csv"), today=TODAY, chunk_rows=16)
    out = open_table(tmp_path / "out.csv")
    assert out.encoding == "gb18030" and out.header == HEADER and report.rows == 80
    rows = all_rows(out)
    original = roster(80)
    first = dict(zip(HEADER, rows[3], strict=True))
    assert first["姓名"] == "欧阳**" and first["身份证号"] == original[3][2][:3] + "*" * 11 + original[3][2][-4:]
    assert str(first["学籍号"]).startswith("G32***") and first["家长电话"] == "133****0003"
    assert str(first["银行卡号"]).startswith("6222 **** ") and first["家庭住址"] == "江苏省南通市海门区****"
    assert first["出生日期"] == "2016-04" and first["年龄"] == "10-14"
    assert first["性别"] == first["班级"] == first["心理健康备注"] == ""  # minors: every personal column
    columns = {c.name: c for c in report.columns}
    assert columns["性别"].reason == "sensitive" and columns["心理健康备注"].reason == "category"
    assert columns["年龄"].reason == "column" and all(c.changed == 80 for c in report.columns)
    assert report.minors_in_sample > 0
    text = json.dumps(report.as_dict(), ensure_ascii=False)
    assert original[0][2] not in text and original[0][0] not in text  # never a value


def test_same_token_across_files_and_keys(tmp_path: Path) -> None:
    policy = load_policy(POLICIES / "share-research.yml")
    a = write_csv(tmp_path / "a.csv", roster(30))
    b = write_csv(tmp_path / "b.csv", roster(30, start=20))  # rows 20..29 in both
    other = bytes(32)
    for name, source, key in (("a1", a, KEY), ("b1", b, KEY), ("b2", b, other)):
        mask_table(str(source), str(tmp_path / f"{name}.jsonl"), policy=policy, key=key, today=TODAY)
    first, second, third = (all_rows(open_table(tmp_path / f"{n}.jsonl")) for n in ("a1", "b1", "b2"))
    assert [r[2] for r in first[20:]] == [r[2] for r in second[:10]]
    assert not {r[2] for r in first} & {r[2] for r in third}
    assert first[0][0] == "" and first[0][4] == "2013" and first[0][7] == "江苏省南通市"
    assert first[0][10] == "[已删除]"


def test_test_data_policy_keeps_shapes(tmp_path: Path) -> None:
    from secops.data.identifiers import bank_card_valid, id_card_valid, mobile_valid

    source = write_csv(tmp_path / "r.csv", roster(40))
    policy = load_policy(POLICIES / "test-data.yml")
    mask_table(str(source), str(tmp_path / "o.parquet"), policy=policy, key=KEY, today=TODAY)
    rows = all_rows(open_table(tmp_path / "o.parquet"))
    assert all(id_card_valid(str(r[2])) and mobile_valid(str(r[5])) and bank_card_valid(str(r[6])) for r in rows)
    assert [r[2] for r in rows] != [r[2] for r in roster(40)]


def test_formats_and_bad_input(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "in.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["姓名", "计算", "备注"])
    sheet.write_string(1, 0, "张三")
    sheet.write_formula(1, 1, "=1+1", None, 99)  # the cached value is read, the formula never run
    sheet.write_string(1, 2, '=HYPERLINK("http://evil","x")')
    book.close()
    report = mask_table(str(path), str(tmp_path / "out.xlsx"), today=TODAY)
    assert all_rows(open_table(tmp_path / "out.xlsx")) == [["张*", 99.0, '\'=HYPERLINK("http://evil","x")']]
    assert report.neutralised == 1
    db = tmp_path / "s.db"
    with sqlite3.connect(db) as connection:
        connection.execute('CREATE TABLE t ("姓名" TEXT, "电话" TEXT)')
        connection.executemany("INSERT INTO t VALUES (?, ?)", [("李四", "13812345678")] * 5)
    mask_table(f"sqlite:///{db}#t", f"sqlite:///{db}#masked", today=TODAY)
    assert all_rows(open_table(f"sqlite:///{db}#masked"))[0] == ["李*", "138****5678"]
    with pytest.raises(SecopsError, match="output is the input"):
        mask_table(f"sqlite:///{db}#t", f"sqlite:///{db}?table=t")
    csv_path = write_csv(tmp_path / "r.csv", roster(5))
    (tmp_path / "link.csv").symlink_to(csv_path)
    for same in (str(csv_path), str(tmp_path / "link.csv"), str(tmp_path / "sub" / ".." / "r.csv")):
        with pytest.raises(SecopsError, match="output is the input"):
            mask_table(str(csv_path), same)
    with pytest.raises(SecopsError, match="needs a key"):
        mask_table(str(csv_path), str(tmp_path / "o.csv"), policy=load_policy(POLICIES / "share-research.yml"))
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(SecopsError, match="empty"):
        mask_table(str(tmp_path / "empty.csv"), str(tmp_path / "o.csv"))
    assert not (tmp_path / "o.csv").exists()


def test_ragged_huge_and_header_only(tmp_path: Path) -> None:
    huge = "心" * 2_000_000
    source = tmp_path / "r.csv"
    source.write_text(f"姓名,电话,备注\n张三,13812345678,{huge}\n李四\n王五,13912345678,a,b\n", encoding="utf-8")
    report = mask_table(str(source), str(tmp_path / "o.csv"), today=TODAY)
    rows = all_rows(open_table(tmp_path / "o.csv"))
    assert report.ragged_rows == 2 and [r[0] for r in rows] == ["张*", "李*", "王*"] and rows[0][2] == huge
    empty = write_csv(tmp_path / "h.csv", [])
    assert mask_table(str(empty), str(tmp_path / "h.jsonl")).rows == 0


def test_key_files(tmp_path: Path) -> None:
    path = tmp_path / "k.key"
    key = new_key_file(path)
    assert read_key(path) == key and path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(SecopsError, match="already exists"):
        new_key_file(path)
    raw = tmp_path / "raw.key"
    raw.write_bytes(KEY)
    assert read_key(raw) == KEY
    bad = tmp_path / "bad.key"
    bad.write_text("too short", encoding="utf-8")
    with pytest.raises(SecopsError, match="not a key file"):
        read_key(bad)
