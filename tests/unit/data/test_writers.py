"""Writing every format and reading it back: header, row order and encoding kept, formula cells
neutralised in CSV/XLSX (but not negative numbers), atomic output, SQL tables created new."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pytest

from secops.data.tables import open_table
from secops.data.writers import neutralise, open_writer
from secops.errors import SecopsError
from tests.unit.data.test_tables import HEADER, all_rows, roster, write_csv


def copy(source: Path | str, target: Path | str, **options: str) -> list[list[object]]:
    table = open_table(source, chunk_rows=7)
    with open_writer(target, table.header, **options) as writer:
        for batch in table.batches:
            writer.write(batch)
    return all_rows(open_table(target))


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".xlsx", ".json", ".jsonl", ".parquet"])
def test_round_trip_every_format(tmp_path: Path, suffix: str) -> None:
    source = write_csv(tmp_path / "in.csv", roster(40))
    rows = copy(source, tmp_path / f"out{suffix}")
    assert open_table(tmp_path / f"out{suffix}").header == HEADER
    assert rows == roster(40)


def test_sqlite_table_round_trip(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", roster(30))
    url = f"sqlite:///{tmp_path}/out.db#masked"
    assert copy(source, url) == roster(30)
    with pytest.raises(SecopsError, match="already exists"):
        copy(source, url)


def test_postgresql_table_written() -> None:
    url = os.environ.get("SECOPS_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("SECOPS_TEST_POSTGRES_URL is not set; scripts/test.sh starts a PostgreSQL server and sets it")
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS mask_write_test"))
    engine.dispose()
    batch = pa.RecordBatch.from_arrays([pa.array(["张*", "李*"]), pa.array([1, 2])], names=["姓名", "序号"])
    with open_writer(url + "#mask_write_test", ["姓名", "序号"]) as writer:
        writer.write(batch)
    assert all_rows(open_table(url + "#mask_write_test")) == [["张*", 1], ["李*", 2]]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_csv_encoding_kept(tmp_path: Path, encoding: str) -> None:
    source = write_csv(tmp_path / "in.csv", roster(10), encoding)
    table = open_table(source)
    copy(source, tmp_path / "out.csv", encoding=encoding)
    assert open_table(tmp_path / "out.csv").encoding == table.encoding
    raw = (tmp_path / "out.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    codec = {"gb18030": "gb18030", "utf-16": "utf-16"}.get(encoding, "utf-8-sig")
    assert raw.decode(codec).splitlines()[0] == ",".join(HEADER)
    assert raw.startswith(b"\xff\xfe") == (encoding == "utf-16") and raw.count(b"\xff\xfe") == (encoding == "utf-16")


def test_formula_injection_neutralised(tmp_path: Path) -> None:
    cells = ["=cmd|'/C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "-5", "+8613812345678", "3.5e-2", "plain", ""]
    column, count = neutralise(pa.array([*cells, None]))
    assert count == 5
    assert column.to_pylist() == [
        "'=cmd|'/C calc'!A0",
        "'+1+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "-5",
        "+8613812345678",
        "3.5e-2",
        "plain",
        "",
        None,
    ]
    assert neutralise(pa.array([-5, 3]))[1] == 0  # numeric columns are never touched
    # a slice of a chunk (non-zero offset), large strings and all-empty columns are read right
    sliced, count = neutralise(pa.array(["=a", "ok", "@b", None, "=c"]).slice(1, 3))
    assert (sliced.to_pylist(), count) == (["ok", "'@b", None], 1)
    assert neutralise(pa.array(["=x", "y"], pa.large_string()))[0].to_pylist() == ["'=x", "y"]
    assert neutralise(pa.array(["", None]))[1] == 0 and neutralise(pa.array([], pa.string()))[1] == 0
    batch = pa.RecordBatch.from_arrays([pa.array(cells), pa.array(range(10))], names=["=备注", "分数"])
    for suffix in (".csv", ".xlsx"):
        with open_writer(tmp_path / f"f{suffix}", ["=备注", "分数"]) as writer:
            writer.write(batch)
        assert writer.neutralised == 5
        table = open_table(tmp_path / f"f{suffix}")
        assert table.header == ["'=备注", "分数"]
        values = [row[0] for row in all_rows(table)]
        assert values[0] == "'=cmd|'/C calc'!A0" and values[5] == "-5"
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "f.xlsx").active
    assert sheet is not None
    assert sheet["A2"].data_type == "s" and sheet["B2"].data_type == "n"  # text, never a formula


def test_xlsx_keeps_types_and_limits(tmp_path: Path) -> None:
    from datetime import date

    batch = pa.RecordBatch.from_arrays(
        [pa.array([1.5, None]), pa.array([date(2014, 3, 5), None]), pa.array(["x" * 40_000, "ok"])],
        names=["n", "d", "t"],
    )
    with open_writer(tmp_path / "t.xlsx", ["n", "d", "t"]) as writer:
        writer.write(batch)
    assert writer.truncated == 1
    rows = all_rows(open_table(tmp_path / "t.xlsx"))
    assert rows[0][0] == 1.5 and str(rows[0][1]).startswith("2014-03-05") and len(str(rows[0][2])) == 32_767
    with pytest.raises(SecopsError, match="xlsx only"):
        open_writer(tmp_path / "t.xls", ["n"]).__enter__()


def test_atomic_output(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n", encoding="utf-8")
    batch = pa.RecordBatch.from_arrays([pa.array(["a"])], names=["x"])
    with pytest.raises(RuntimeError), open_writer(target, ["x"]) as writer:
        writer.write(batch)
        raise RuntimeError("interrupted")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary file left
    (tmp_path / "blocker").write_text("", encoding="utf-8")
    with pytest.raises(SecopsError, match="cannot be created"):
        open_writer(tmp_path / "blocker" / "x.csv", ["x"]).__enter__()
    with open_writer(tmp_path / "new" / "x.csv", ["x"]) as writer:  # a missing folder is created
        writer.write(batch)
    assert (tmp_path / "new" / "x.csv").is_file()


def test_parquet_empty_and_type_change(tmp_path: Path) -> None:
    with open_writer(tmp_path / "e.parquet", ["a", "b"]):
        pass
    assert open_table(tmp_path / "e.parquet").header == ["a", "b"]
    with pytest.raises(SecopsError, match="changes type"), open_writer(tmp_path / "t.parquet", ["a"]) as writer:
        writer.write(pa.RecordBatch.from_arrays([pa.array([1])], names=["a"]))
        writer.write(pa.RecordBatch.from_arrays([pa.array(["x"])], names=["a"]))
    assert not (tmp_path / "t.parquet").exists()
