"""``data mask --policy encrypt`` then ``data unmask``: the key holder gets the table back exactly,
in every format; a modified cell or another key stops the run with nothing written."""

from __future__ import annotations

import csv
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from secops.data.column_cipher import TOKEN_PREFIX
from secops.data.mask_policy import load_policy
from secops.data.mask_table import key_id, mask_table
from secops.data.tables import open_table
from secops.data.unmask_table import unmask_table
from secops.errors import SecopsError
from tests.unit.data.test_tables import HEADER, all_rows, roster, write_csv

TODAY = date(2026, 11, 23)
KEY = bytes(range(32))
ENCRYPT = load_policy(Path("encrypt"))  # a bare name: the shipped policy


def _rows(path: Path | str) -> list[list[str]]:
    return [[str(cell) for cell in row] for row in all_rows(open_table(path))]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".jsonl", ".parquet"])
def test_round_trip_in_every_format(tmp_path: Path, suffix: str) -> None:
    source = write_csv(tmp_path / "名单.csv", roster(120), "gb18030")
    encrypted = tmp_path / f"enc{suffix}"
    report = mask_table(str(source), str(encrypted), policy=ENCRYPT, key=KEY, today=TODAY, chunk_rows=32)
    assert report.key_id == key_id(KEY)
    operators = {c.name: (c.operator.name, getattr(c.operator, "form", None)) for c in report.columns}
    assert operators["身份证号"] == operators["家长电话"] == operators["银行卡号"] == ("encrypt", "preserve")
    assert operators["姓名"] == ("encrypt", "token")
    enc_rows = _rows(encrypted)
    original = roster(120)
    assert all(row[0].startswith(TOKEN_PREFIX) for row in enc_rows)
    assert all(e[2] != o[2] and len(e[2]) == 18 for e, o in zip(enc_rows, original, strict=True))
    restored = tmp_path / f"back{suffix}"
    back = unmask_table(str(encrypted), str(restored), policy=ENCRYPT, key=KEY, today=TODAY, chunk_rows=32)
    assert back.rows == 120 and back.key_id == key_id(KEY)
    assert _rows(restored) == [[str(c) for c in row] for row in original]


def test_csv_comes_back_byte_for_byte(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "名单.csv", roster(200), "gb18030")
    mask_table(str(source), str(tmp_path / "enc.csv"), policy=ENCRYPT, key=KEY, today=TODAY)
    unmask_table(str(tmp_path / "enc.csv"), str(tmp_path / "back.csv"), policy=ENCRYPT, key=KEY, today=TODAY)
    assert (tmp_path / "back.csv").read_bytes() == source.read_bytes()


def test_encrypted_tables_join_on_their_ids(tmp_path: Path) -> None:
    write_csv(tmp_path / "a.csv", roster(40))
    write_csv(tmp_path / "b.csv", roster(40, start=20))
    for name in ("a", "b"):
        mask_table(
            str(tmp_path / f"{name}.csv"), str(tmp_path / f"{name}.enc.csv"), policy=ENCRYPT, key=KEY, today=TODAY
        )
    ids_a = {row[2] for row in _rows(tmp_path / "a.enc.csv")}
    ids_b = {row[2] for row in _rows(tmp_path / "b.enc.csv")}
    plain_a, plain_b = {r[2] for r in roster(40)}, {r[2] for r in roster(40, start=20)}
    assert len(ids_a & ids_b) == len(plain_a & plain_b) == 20 and not ids_a & plain_a


def test_a_modified_cell_or_another_key_writes_nothing(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "名单.csv", roster(50))
    mask_table(str(source), str(tmp_path / "enc.csv"), policy=ENCRYPT, key=KEY, today=TODAY)
    with (tmp_path / "enc.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    token = rows[7][0]
    rows[7][0] = token[:-3] + ("x" if token[-3] != "x" else "y") + token[-2:]
    with (tmp_path / "bad.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(SecopsError, match=r"1 encrypted cells failed their check \(姓名: 1\)"):
        unmask_table(str(tmp_path / "bad.csv"), str(tmp_path / "out.csv"), policy=ENCRYPT, key=KEY, today=TODAY)
    assert not (tmp_path / "out.csv").exists()
    with pytest.raises(SecopsError, match="another key") as raised:
        unmask_table(str(tmp_path / "enc.csv"), str(tmp_path / "out.csv"), policy=ENCRYPT, key=bytes(32), today=TODAY)
    assert not (tmp_path / "out.csv").exists()
    for row in roster(50):
        assert row[0] not in str(raised.value)  # never a value in the message


def test_named_columns_and_plain_columns(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "名单.csv", roster(30))
    mask_table(str(source), str(tmp_path / "enc.csv"), policy=ENCRYPT, key=KEY, today=TODAY)
    only = unmask_table(
        str(tmp_path / "enc.csv"), str(tmp_path / "one.csv"), policy=ENCRYPT, key=KEY, columns=["姓名"], today=TODAY
    )
    chosen = {c.name for c in only.columns if c.operator.name == "decrypt"}
    assert chosen == {"姓名"}
    rows = _rows(tmp_path / "one.csv")
    assert [r[0] for r in rows] == [r[0] for r in roster(30)] and rows[0][2] != roster(30)[0][2]
    with pytest.raises(SecopsError, match="no column 学号"):
        unmask_table(str(tmp_path / "enc.csv"), str(tmp_path / "x.csv"), policy=ENCRYPT, key=KEY, columns=["学号"])
    # a table that was never encrypted is refused, whole or by column: in-shape ciphertexts look like
    # plaintext, and "decrypting" real IDs would scramble them and report success
    with pytest.raises(SecopsError, match="no encrypted column found"):
        unmask_table(str(source), str(tmp_path / "same.csv"), policy=ENCRYPT, key=KEY, today=TODAY)
    with pytest.raises(SecopsError, match="no ciphertext of this key in column 姓名"):
        unmask_table(str(source), str(tmp_path / "same.csv"), policy=ENCRYPT, key=KEY, columns=["姓名"], today=TODAY)
    assert not (tmp_path / "same.csv").exists()


def test_the_restored_table_is_owner_only(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "名单.csv", roster(10))
    mask_table(str(source), str(tmp_path / "enc.csv"), policy=ENCRYPT, key=KEY, today=TODAY)
    unmask_table(str(tmp_path / "enc.csv"), str(tmp_path / "back.csv"), policy=ENCRYPT, key=KEY, today=TODAY)
    assert (tmp_path / "back.csv").stat().st_mode & 0o777 == 0o600


def test_notes_beside_numbers_are_never_left_readable(tmp_path: Path) -> None:
    rows = roster(12)
    rows[0][5] = "13800138000（父 张建国）"  # a phone column with a note
    rows[1][5] = "母 李秀英 13912345678"
    source = write_csv(tmp_path / "名单.csv", rows)
    mask_table(str(source), str(tmp_path / "enc.csv"), policy=ENCRYPT, key=KEY, today=TODAY)
    text = (tmp_path / "enc.csv").read_text(encoding="utf-8-sig")
    assert "张建国" not in text and "李秀英" not in text
    unmask_table(str(tmp_path / "enc.csv"), str(tmp_path / "back.csv"), policy=ENCRYPT, key=KEY, today=TODAY)
    assert _rows(tmp_path / "back.csv") == _rows(source)


def test_sqlite_tables(tmp_path: Path) -> None:
    db = tmp_path / "school.db"
    with sqlite3.connect(db) as connection:
        connection.execute(f"create table students ({', '.join(f'{h!r} text' for h in HEADER)})")
        connection.executemany(f"insert into students values ({', '.join('?' * len(HEADER))})", roster(25))
    mask_table(f"sqlite:///{db}#students", f"sqlite:///{db}#encrypted", policy=ENCRYPT, key=KEY, today=TODAY)
    unmask_table(f"sqlite:///{db}#encrypted", f"sqlite:///{db}#restored", policy=ENCRYPT, key=KEY, today=TODAY)
    with sqlite3.connect(db) as connection:
        assert connection.execute("select * from restored").fetchall() == [tuple(r) for r in roster(25)]
