"""Student data on a real MySQL-protocol server (MariaDB, started by scripts/test.sh): scan, mask and
watermark tables by URL, streamed in chunks, with Chinese column names; passwords never shown; a
failed write leaves no table behind (MySQL's DDL is not transactional)."""

from __future__ import annotations

import csv
import gc
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from secops.config import Workspace
from secops.data.tables import open_table
from secops.data.watermark.roster import HEADER, roster_rows
from secops.data.writers import open_writer
from tests.conftest import Invoke
from tests.unit.data.test_tables import all_rows, roster


@pytest.fixture
def mysql_url() -> Iterator[str]:
    """The test database's URL; the tables a test creates are dropped afterwards."""
    url = os.environ.get("SECOPS_TEST_MYSQL_URL")
    if not url:
        pytest.skip("SECOPS_TEST_MYSQL_URL is not set; scripts/test.sh starts a MariaDB server and sets it")
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url)
    before = set(inspect(engine).get_table_names())
    yield url
    # Connections a command left to the garbage collector (a CliRunner result keeps its traceback)
    # would hold their tables' metadata locks, and DROP TABLE waits for those without end: collect
    # them first, and bound the wait so a leak fails this test instead of stalling the suite.
    gc.collect()
    made = set(inspect(engine).get_table_names()) - before
    with engine.begin() as connection:
        connection.execute(text("SET SESSION lock_wait_timeout = 60"))
        for name in made:
            connection.execute(text(f"DROP TABLE `{name}`"))
    engine.dispose()


def _name() -> str:
    return "t" + uuid.uuid4().hex[:10]


def _students(url: str, rows: int) -> str:
    """A students table the way a school's system holds it: typed columns, Chinese names."""
    from sqlalchemy import create_engine, text

    name = _name()
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(f"CREATE TABLE `{name}` (`姓名` VARCHAR(20), `身份证号` CHAR(18), `家长电话` VARCHAR(20), `年龄` INT)")
        )
        connection.execute(
            text(f"INSERT INTO `{name}` VALUES (:a, :b, :c, :d)"),
            [{"a": r[0], "b": r[2], "c": r[5], "d": int(r[9])} for r in roster(rows)],
        )
    engine.dispose()
    return f"{url}#{name}"


def test_streamed_in_chunks_with_types(mysql_url: str) -> None:
    source = _students(mysql_url, 2_500)
    table = open_table(source, chunk_rows=1_000)
    batches = list(table.batches)
    assert table.format == "sql" and table.header == ["姓名", "身份证号", "家长电话", "年龄"]
    assert [b.num_rows for b in batches] == [1_000, 1_000, 500] and batches[0].column(3).type == pa.int64()
    assert batches[0].column(0)[3].as_py() == roster(4)[3][0]  # 欧阳子涵: utf8mb4 both ways


def test_scan_mask_and_refusals_by_url(mysql_url: str, run_cli: Invoke, workspace: Workspace) -> None:
    source = _students(mysql_url, 300)
    result = run_cli("data", "scan", source, "--format", "json")
    assert result.exit_code == 1, result.stderr  # 1: sensitive personal information found
    report = json.loads(result.stdout)
    by_column = {c["column"]: c for c in report["columns"]}
    assert report["rows"] == 300 and report["minors_under_14"] == 300  # born 2013-2018
    assert by_column["身份证号"]["kind"] == "id_card" and by_column["身份证号"]["hits"] == 300
    assert by_column["家长电话"]["kind"] == "mobile"

    target = f"{mysql_url}#{_name()}"
    result = run_cli("data", "mask", source, "-o", target)
    assert result.exit_code == 0, result.stderr
    masked = all_rows(open_table(target))
    original = roster(300)
    assert len(masked) == 300 and masked[0][1] == original[0][2][:3] + "*" * 11 + original[0][2][-4:]
    assert masked[3][0] == "欧阳**" and masked[0][2] == original[0][5][:3] + "****" + original[0][5][-4:]

    again = run_cli("data", "mask", source, "-o", target)  # the output table exists: refused, kept
    assert again.exit_code == 2 and "already exists" in again.stderr
    same = run_cli("data", "mask", source, "-o", source)
    assert same.exit_code == 2 and "the output is the input" in same.stderr
    assert len(all_rows(open_table(target))) == 300


def test_bare_mysql_url_and_hidden_password(mysql_url: str, run_cli: Invoke, workspace: Workspace) -> None:
    source = _students(mysql_url, 20)
    # The test server has no grant tables, so any password is accepted: it must still never be shown.
    bare = source.replace("mysql+pymysql://root@", "mysql://root:s3cr3t@", 1)
    result = run_cli("data", "scan", bare)
    assert result.exit_code == 1, result.stderr  # minors' data: sensitive
    assert "root:***@" in result.stdout and "s3cr3t" not in result.stdout + result.stderr


def test_watermark_into_mysql_and_traced_back(
    mysql_url: str, run_cli: Invoke, workspace: Workspace, tmp_path: Path
) -> None:
    source = tmp_path / "roster.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(roster_rows(10_000))
    copies = {}
    for recipient in ("区教育局", "某培训机构"):
        copies[recipient] = f"{mysql_url}#{_name()}"
        result = run_cli("data", "watermark", "embed", str(source), "-o", copies[recipient], "--recipient", recipient)
        assert result.exit_code == 0, result.stderr
    result = run_cli("data", "watermark", "detect", copies["某培训机构"], "--format", "json")
    assert result.exit_code == 1, result.stderr  # a named leaker is a finding
    verdict = json.loads(result.stdout)
    assert verdict["verdict"] == "named" and verdict["recipient"] == "某培训机构" and verdict["bound"] < 1e-9


def test_failed_write_leaves_no_table(mysql_url: str) -> None:
    from sqlalchemy import create_engine, inspect

    target = f"{mysql_url}#{_name()}"
    batch = pa.RecordBatch.from_arrays([pa.array(["张*", "李*"]), pa.array([1, 2])], names=["姓名", "序号"])
    with pytest.raises(RuntimeError), open_writer(target, ["姓名", "序号"]) as writer:
        writer.write(batch)
        raise RuntimeError("the run fails after the table was created")
    engine = create_engine(mysql_url)
    assert target.rpartition("#")[2] not in inspect(engine).get_table_names()
    engine.dispose()
