"""The demo's student-data step on its own, on real files: the roster it generates, the scan's
summary, the masked copy, the marked copies and the leaked subset traced back to its recipient."""

from __future__ import annotations

import csv
import random
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from secops.config import Workspace
from secops.data.identifiers import age_on, id_birth_date, id_card_valid
from secops.data.watermark.ledger import list_releases
from secops.data.watermark.roster import HEADER
from secops.demo.data import DROPPED_IN_LEAK, LEAKER, RECIPIENTS, DataDemo, run_data_step, student_row
from secops.workspace import open_workspace_store

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
ROWS = 10_000


def _read(path: Path, encoding: str = "utf-8") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.reader(handle))


def _one_step(before: str, after: str) -> bool:
    """``after`` is ``before`` moved by one unit of its last place: 0.1, 1, a day or a second."""
    for parse, unit in ((date.fromisoformat, timedelta(days=1)), (datetime.fromisoformat, timedelta(seconds=1))):
        try:
            return abs(parse(after) - parse(before)) == unit
        except ValueError:
            continue
    places = len(before.partition(".")[2])
    return len(after.partition(".")[2]) == places and abs(Decimal(after) - Decimal(before)) == Decimal(10) ** -places


@pytest.fixture(scope="module")
def step(tmp_path_factory: pytest.TempPathFactory) -> tuple[DataDemo, list[str], Path]:
    from secops.workspace import init_workspace

    base = tmp_path_factory.mktemp("demo-data")
    workspace = base / "ws"
    init_workspace(
        workspace, school_code="4133000001", school_name="示例实验中学", scope=["127.0.0.1/32"], database=None, now=NOW
    )
    printed: list[str] = []
    result = run_data_step(base / "out", workspace, now=NOW, rows=ROWS, progress=printed.append)
    return result, printed, workspace


def test_student_rows_are_valid_unique_and_mostly_minors() -> None:
    today = NOW.date()
    rng = random.Random(1)
    base = ["x"] * len(HEADER)
    rows = [student_row(index, base, today, rng) for index in range(0, 300_000, 7)]
    numbers = [row[3] for row in rows]
    assert len(set(numbers)) == len(numbers)
    assert all(id_card_valid(n, today=today) for n in numbers)
    ages = [age_on(date.fromisoformat(row[4]), today) for row in rows]
    assert min(ages) == 6 and max(ages) == 17
    assert 0.55 < sum(age < 14 for age in ages) / len(ages) < 0.75
    for row, age in zip(rows, ages, strict=True):
        assert row[0] == "G" + row[3] and id_birth_date(row[3]) == date.fromisoformat(row[4])
        assert row[2] == ("男" if int(row[3][16]) % 2 else "女")
        assert row[5].startswith({6: "一年级", 12: "初一", 17: "高三"}.get(age, ""))


def test_roster_is_a_gb18030_school_export(step: tuple[DataDemo, list[str], Path]) -> None:
    result, _, _ = step
    raw = result.roster.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    rows = _read(result.roster, "gb18030")
    assert rows[0] == HEADER and len(rows) == ROWS + 1
    minors = sum(age_on(date.fromisoformat(row[4]), NOW.date()) < 14 for row in rows[1:])
    assert result.scan["minors_under_14"] == minors > ROWS // 2


def test_scan_summary(step: tuple[DataDemo, list[str], Path]) -> None:
    result, printed, _ = step
    scan = result.scan
    assert scan["rows"] == ROWS and scan["level"] == 4 and scan["encoding"].lower().startswith("gb")
    by_column = {c["column"]: c for c in scan["columns"]}
    assert by_column["身份证号"]["kind"] == "id_card" and by_column["身份证号"]["sensitive"]
    assert by_column["家长电话"]["kind"] == "mobile"
    assert scan["k_anonymity"] is not None and scan["quasi_identifiers"]
    text = "\n".join(printed)
    assert f"14 岁以下未成年人 {scan['minors_under_14']:,} 人" in text and "一般数据 4 级" in text
    assert f"k-匿名 k={scan['k_anonymity']}" in text and "身份证号*" in text


def test_masked_copy_keeps_rows_and_hides_identifiers(step: tuple[DataDemo, list[str], Path]) -> None:
    result, printed, _ = step
    original = _read(result.roster, "gb18030")
    masked = _read(result.masked, "gb18030")  # a CSV copy keeps the input's encoding
    assert masked[0] == original[0] and len(masked) == len(original)
    column = HEADER.index("身份证号")
    phone = HEADER.index("家长电话")
    for before, after in zip(original[1:], masked[1:], strict=True):
        assert after[column] != before[column] and after[column][-4:] == before[column][-4:]  # order kept
        assert "*" in after[phone] and after[phone] != before[phone]
    assert result.mask["rows"] == ROWS
    text = "\n".join(printed)
    assert (
        "脱敏（默认策略）: 10,000 行 -> students-masked.csv" in text and "屏蔽 学籍号、姓名、身份证号、家长电话" in text
    )
    k_after = re.search(r"脱敏后 k-匿名 k=(\d+)", text)
    assert k_after is not None and int(k_after.group(1)) > result.scan["k_anonymity"]


def test_marked_copies_change_only_low_digits_of_carriers(step: tuple[DataDemo, list[str], Path]) -> None:
    result, _, workspace = step
    original = _read(result.roster, "gb18030")
    changed = 0
    for path in result.marked:
        copy = _read(path, "gb18030")
        assert len(copy) == len(original)
        for before, after in zip(original[1:], copy[1:], strict=True):
            for index, (a, b) in enumerate(zip(before, after, strict=True)):
                if a != b:
                    changed += 1
                    assert HEADER[index] not in ("学籍号", "姓名", "身份证号", "数学成绩")
                    assert _one_step(a, b), (HEADER[index], "changed by more than its last unit")
    assert 0 < changed < 0.05 * ROWS * len(HEADER) * len(result.marked)
    from secops.config import load_workspace

    loaded: Workspace = load_workspace(workspace)
    with open_workspace_store(loaded) as store:
        assert [r.recipient for r in list_releases(store)] == list(RECIPIENTS)


def test_leaked_subset_is_traced_to_its_recipient(step: tuple[DataDemo, list[str], Path]) -> None:
    result, printed, _ = step
    sheet = CalamineWorkbook.from_path(str(result.leaked)).get_sheet_by_index(0).to_python()
    assert DROPPED_IN_LEAK not in sheet[0] and len(sheet) - 1 == ROWS // 10
    assert result.trace["verdict"] == "named" and result.trace["recipient"] == LEAKER
    assert result.trace["log10_bound"] < -6
    assert any(f"水印指向「{LEAKER}」" in line for line in printed)


def test_the_roster_is_encrypted_for_the_district_office_and_opens_only_there(
    step: tuple[DataDemo, list[str], Path],
) -> None:
    result, printed, workspace = step
    assert result.sealed is not None and result.opened is not None
    assert result.sealed.read_bytes().startswith(b"SECOPS-SEAL\n")
    assert result.opened.read_bytes() == result.roster.read_bytes()
    assert any(line.strip().startswith("加密: ") and "与原件一致" in line for line in printed)
    assert not any((workspace / "keys").glob("*.sm2"))  # the school holds only the office's public key
    assert any((workspace.parent / "district-office" / "keys").glob("*.sm2"))
