"""Fuzzing the table readers: random bytes and mutations of real CSV, JSON and XLSX tables.

Whatever the bytes, opening a table and reading all its batches gives a table or one SecopsError
(ContentError included), never another exception. Examples per test: SECOPS_FUZZ_EXAMPLES
(default 60; the whole module stays well under a minute on one core).
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secops.data.tables import open_table
from secops.errors import SecopsError

EXAMPLES = int(os.environ.get("SECOPS_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

CSV_SAMPLES = [
    "姓名,学号,身份证号,班级\n张三,2024001,110101201001011234,初一(1)班\n李四,2024002,,初一(2)班\n".encode(),
    "\ufeff姓名;电话\r\n王五;13800138000\r\n赵六;\r\n".encode(),
    "姓名\t家长电话\n钱七\t13900139000\n".encode("gb18030"),
    "name,id\n A ,1\n".encode("utf-16"),
    b'name,note\n"a, quoted",x\n"multi\nline",y\n"esc ""q""",z\nragged,1,2\nshort\n',
]
JSON_SAMPLES = [
    '[{"姓名": "张三", "学号": 1}, {"姓名": "李四", "学号": 2, "extra": [1, {"a": null}]}]'.encode(),
    b'{"name": "a", "id": 1}\n{"name": "b"}\nnot json\n{"id": 3.5}\n',
]
SPECIAL = [
    b"\r",
    b"\n",
    b"\r\n",
    b"\0",
    b'"',
    b",",
    b"\t",
    b"\xff",
    b"\xfe",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\x81",
    b"[",
]


def _xlsx_sample() -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("名单")
    for row, values in enumerate([["姓名", "学号", "出生日期"], ["张三", 2024001, "2010-01-01"], ["李四", 2.5, None]]):
        for col, value in enumerate(values):
            if value is not None:
                sheet.write(row, col, value)
    book.close()
    return buffer.getvalue()


XLSX_SAMPLE = _xlsx_sample()


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="secops-fuzz-") as name:  # hypothesis reuses it per example
        yield Path(name)


def read_all(path: Path) -> None:
    """Open and read every batch; a SecopsError is the one accepted failure."""
    try:
        table = open_table(path)
        for batch in table.batches:
            assert batch.num_columns == len(table.header)
    except SecopsError as error:
        assert str(error).strip(), "an empty error message"


@st.composite
def mutated(draw: st.DrawFn, samples: list[bytes]) -> bytes:
    data = bytearray(draw(st.sampled_from(samples)))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "flip", "truncate", "repeat"]))
        if action == "insert":
            data[at:at] = draw(st.sampled_from(SPECIAL))
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 8))]
        elif action == "flip" and at < len(data):
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif action == "truncate":
            del data[at:]
        elif action == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 40))] * draw(st.integers(2, 50))
    return bytes(data)


@FUZZ
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".tsv", ".json", ".jsonl", ".xlsx", ".parquet"]))
def test_random_bytes_in_any_format(folder: Path, data: bytes, suffix: str) -> None:
    path = folder / f"random{suffix}"
    path.write_bytes(data)
    read_all(path)


@FUZZ
@given(data=mutated(CSV_SAMPLES))
def test_mutated_csv(folder: Path, data: bytes) -> None:
    path = folder / "mutated.csv"
    path.write_bytes(data)
    read_all(path)


@FUZZ
@given(data=mutated(JSON_SAMPLES), suffix=st.sampled_from([".json", ".jsonl"]))
def test_mutated_json(folder: Path, data: bytes, suffix: str) -> None:
    path = folder / f"mutated{suffix}"
    path.write_bytes(data)
    read_all(path)


@FUZZ
@given(data=mutated([XLSX_SAMPLE]))
def test_mutated_xlsx_bytes(folder: Path, data: bytes) -> None:
    path = folder / "mutated.xlsx"
    path.write_bytes(data)
    read_all(path)


def _members(sample: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(sample)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


XLSX_MEMBERS = _members(XLSX_SAMPLE)


@FUZZ
@given(
    name=st.sampled_from(sorted(XLSX_MEMBERS)),
    text=st.data(),
)
def test_xlsx_with_mutated_xml_inside_a_valid_zip(folder: Path, name: str, text: st.DataObject) -> None:
    """Byte flips mostly break the zip's checksums; this mutates the XML the reader parses."""
    members = dict(XLSX_MEMBERS)
    members[name] = text.draw(mutated([members[name]]))
    path = folder / "inner.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    read_all(path)


def _sqlite_sample() -> bytes:
    import sqlite3

    with tempfile.TemporaryDirectory() as name:
        path = Path(name) / "roster.db"
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE TABLE students (name TEXT, id INTEGER, born TEXT)")
            connection.executemany(
                "INSERT INTO students VALUES (?, ?, ?)", [(f"学生{i}", i, "2012-03-04") for i in range(300)]
            )
        connection.close()
        return path.read_bytes()


SQLITE_SAMPLE = _sqlite_sample()


@FUZZ
@given(data=mutated([SQLITE_SAMPLE]) | st.binary(max_size=2000))
def test_mutated_sqlite_database(folder: Path, data: bytes) -> None:
    path = folder / "roster.db"
    path.write_bytes(data)
    try:
        table = open_table(f"sqlite:///{path}#students")
        for _batch in table.batches:
            pass
    except SecopsError as error:
        assert str(error).strip()


@pytest.mark.parametrize(
    ("suffix", "text"),
    [
        (".jsonl", '{"a": 1}\n' + "[" * 50_000 + "]" * 50_000 + "\n"),
        (".json", '[{"a": 1}, ' + "[" * 50_000 + "]" * 50_000 + "]"),
        (".json", "[" + '{"a":' * 50_000 + "1" + "}" * 50_000 + "]"),
    ],
)
def test_json_nested_past_the_stack_is_ragged_or_one_error(folder: Path, suffix: str, text: str) -> None:
    path = folder / f"deep{suffix}"
    path.write_text(text, encoding="utf-8")
    read_all(path)
