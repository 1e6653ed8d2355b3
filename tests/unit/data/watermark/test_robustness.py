"""Robustness on real files of 10,000 rows: deletion, reordering, dropped columns, CSV<->XLSX<->JSON,
foreign rows; no accusation on unmarked data, never the wrong recipient, a wrong key says so."""

from __future__ import annotations

import csv
import json
import random
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from secops.data.table_base import batch_of
from secops.data.watermark.cells import scaled
from secops.data.watermark.keys import key_id
from secops.data.watermark.ledger import Release
from secops.data.watermark.release import EmbedOptions, mark_table
from secops.data.watermark.roster import HEADER, roster_rows
from secops.data.watermark.tableio import read_table
from secops.data.watermark.trace import Trace, trace_table
from secops.data.writers import open_writer

ROWS = 10_000
RECIPIENTS = [f"区教育局{i:02d}" for i in range(12)]
KEY = bytes(range(100, 132))


def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _write(path: Path, header: list[str], rows: list[list[Any]], encoding: str = "utf-8") -> Path:
    with open_writer(path, header, encoding=encoding) as writer:
        writer.write(batch_of(rows, header))
    return path


def _read(path: Path) -> tuple[list[str], list[list[Any]]]:
    table = read_table(path)
    return table.header, [row for chunk in table.chunks for row in chunk]


class Leak:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.source = _write_csv(folder / "roster.csv", HEADER, list(roster_rows(ROWS)))
        self.releases: list[Release] = []
        for number, recipient in enumerate(RECIPIENTS, start=1):
            output = folder / f"copy{number:02d}.csv"
            mark_id = f"mark{number:02d}"
            result = mark_table(
                self.source, output, key=KEY, recipient=recipient, mark_id=mark_id, options=EmbedOptions()
            )
            self.releases.append(
                Release(number, mark_id, recipient, datetime.now(UTC), "roster.csv", output.name, ROWS,
                        result.key_id, result.scheme, sum(result.stats.marked.values()),
                        sum(result.stats.changed.values()), ())
            )  # fmt: skip
            self.last_stats = result.stats

    def copy(self, number: int) -> Path:
        return self.folder / f"copy{number:02d}.csv"

    def trace(self, path: Path, key: bytes = KEY) -> Trace:
        return trace_table(path, key=key, releases=self.releases)

    def crowded(self, extra: int = 500) -> list[Release]:
        """The ledger plus ``extra`` releases of the same table to recipients whose copies never leaked."""
        template = self.releases[0]
        return self.releases + [
            Release(100 + i, f"other{i}", f"学校{i:03d}", template.created_at, "roster.csv", f"o{i}.csv", ROWS,
                    template.key_id, template.scheme, 0, 0, ())
            for i in range(extra)
        ]  # fmt: skip


@pytest.fixture(scope="module")
def leak(tmp_path_factory: pytest.TempPathFactory) -> Leak:
    return Leak(tmp_path_factory.mktemp("leak"))


def _named(trace: Trace) -> str | None:
    return trace.verdict.named.recipient if trace.verdict.named else None


def test_full_copies_name_their_recipient(leak: Leak) -> None:
    for number in (1, 7, 12):
        trace = leak.trace(leak.copy(number))
        assert _named(trace) == RECIPIENTS[number - 1]
        best = trace.verdict.named
        assert best is not None and best.matches == best.total == 128 and best.log10_bound < -30


def test_changes_only_low_digits_of_few_carrier_cells(leak: Leak) -> None:
    header, original = _read(leak.source)
    _, marked = _read(leak.copy(3))
    carriers = {c.column: c for c in leak.releases[2].scheme.carriers}
    changed = 0
    for before, after in zip(original, marked, strict=True):
        for name, old, new in zip(header, before, after, strict=True):
            if old == new:
                continue
            changed += 1
            carrier = carriers[name]  # any other column (ID, name, score, phone, birth date) never changes
            if carrier.kind == "number":
                old_n, new_n = scaled(old, carrier.precision), scaled(new, carrier.precision)
                assert old_n is not None and new_n is not None and abs(old_n - new_n) == 1 and old_n // 2 == new_n // 2
            elif carrier.kind == "date":
                old_d, new_d = date.fromisoformat(old), date.fromisoformat(new)
                assert (old_d.year, old_d.month) == (new_d.year, new_d.month) and abs(old_d.day - new_d.day) == 1
            else:
                assert old[:-2] == new[:-2] and abs(int(old[-2:]) - int(new[-2:])) == 1
    numeric_cells = ROWS * sum(1 for c in carriers.values() if c.kind == "number")
    share = changed / (ROWS * len(carriers))
    assert 0.03 < share < 0.065, share  # about 1/(2*gamma) of carrier cells
    assert changed < 0.065 * numeric_cells * len(carriers) / 3
    assert leak.last_stats.changed_share < 0.065


def test_survives_deleting_90_percent_and_reordering(leak: Leak, tmp_path: Path) -> None:
    header, rows = _read(leak.copy(5))
    kept = random.Random(90).sample(rows, ROWS // 10)  # a random 10%, in random order
    assert _named(leak.trace(_write_csv(tmp_path / "kept.csv", header, kept))) == RECIPIENTS[4]


@pytest.mark.parametrize("carrier", ["身高cm", "出勤天数", "体检日期", "最近刷卡时间"])
def test_survives_dropping_all_but_one_carrier(leak: Leak, tmp_path: Path, carrier: str) -> None:
    header, rows = _read(leak.copy(9))
    keep = [header.index("身份证号"), header.index(carrier)]
    reduced = [[row[i] for i in reversed(keep)] for row in rows]  # the columns reordered too
    path = _write_csv(tmp_path / "one.csv", [header[i] for i in reversed(keep)], reduced)
    assert _named(leak.trace(path)) == RECIPIENTS[8]


def test_survives_deletion_with_one_carrier_left(leak: Leak, tmp_path: Path) -> None:
    header, rows = _read(leak.copy(2))
    keep = [header.index("身份证号"), header.index("体重kg")]
    kept = random.Random(7).sample(rows, ROWS // 10)
    path = _write_csv(tmp_path / "thin.csv", ["身份证号", "体重kg"], [[row[i] for i in keep] for row in kept])
    trace = leak.trace(path)
    assert _named(trace) == RECIPIENTS[1]
    assert trace.verdict.named is not None and trace.verdict.named.log10_bound < -9


def _typed(value: Any) -> Any:
    """What a spreadsheet user's export holds: numbers as numbers (IDs stay text)."""
    if isinstance(value, str) and value.replace(".", "", 1).isdigit() and len(value) < 8:
        return float(value) if "." in value else int(value)
    return value


def test_survives_csv_xlsx_json_conversion(leak: Leak, tmp_path: Path) -> None:
    header, rows = _read(leak.copy(11))
    xlsx = tmp_path / "copy.xlsx"
    _write(xlsx, header, [[_typed(v) for v in row] for row in rows])
    assert _named(leak.trace(xlsx)) == RECIPIENTS[10]
    header2, rows2 = _read(xlsx)
    assert isinstance(rows2[0][header2.index("身高cm")], float)  # numbers came back as numbers
    jsonl = tmp_path / "copy.jsonl"
    with jsonl.open("w", encoding="utf-8") as handle:
        for row in rows2:
            handle.write(json.dumps(dict(zip(header2, row, strict=True)), ensure_ascii=False) + "\n")
    assert _named(leak.trace(jsonl)) == RECIPIENTS[10]
    array = _write(tmp_path / "copy.json", *_read(jsonl))  # a JSON array, and Parquet
    assert _named(leak.trace(array)) == RECIPIENTS[10]
    assert _named(leak.trace(_write(tmp_path / "copy.parquet", *_read(array)))) == RECIPIENTS[10]
    back = tmp_path / "back.csv"
    header3, rows3 = _read(jsonl)
    _write(back, header3, rows3, encoding="gb18030")  # and on to a GBK CSV
    assert _named(leak.trace(back)) == RECIPIENTS[10]


def test_survives_appended_foreign_rows(leak: Leak, tmp_path: Path) -> None:
    header, rows = _read(leak.copy(6))
    foreign = list(roster_rows(ROWS, seed=77, start=500_000))
    mixed = rows[: ROWS // 4] + foreign
    random.Random(3).shuffle(mixed)
    assert _named(leak.trace(_write_csv(tmp_path / "mixed.csv", header, mixed))) == RECIPIENTS[5]


def test_never_accuses_on_unmarked_data(leak: Leak, tmp_path: Path) -> None:
    tables = [leak.source]  # the original itself: same identities, no marks
    for seed in range(24):
        start = 0 if seed % 3 == 0 else seed * 20_000  # some share the roster's students
        rows = list(roster_rows(3000, seed=1000 + seed, start=start))
        tables.append(_write_csv(tmp_path / f"clean{seed}.csv", HEADER, rows))
    crowded = leak.crowded()
    for path in tables:
        trace = trace_table(path, key=KEY, releases=crowded)
        assert trace.verdict.named is None and trace.verdict.reason in ("no_mark", "no_cells"), path
        assert trace.verdict.tests == len(crowded) and trace.verdict.candidates[0].log10_bound > -9


def test_never_names_the_wrong_one_among_500_recipients(leak: Leak, tmp_path: Path) -> None:
    crowded = leak.crowded()
    header, rows = _read(leak.copy(10))
    kept = random.Random(11).sample(rows, ROWS // 10)
    trace = trace_table(_write_csv(tmp_path / "kept.csv", header, kept), key=KEY, releases=crowded)
    assert _named(trace) == RECIPIENTS[9]
    runner_up = trace.verdict.candidates[1]
    assert runner_up.matches < 0.75 * runner_up.total  # innocents agree by chance only


def test_wrong_key_says_so(leak: Leak) -> None:
    trace = leak.trace(leak.copy(1), key=bytes(32))
    assert trace.verdict.named is None and trace.verdict.tests == 0
    assert trace.releases_with_other_keys == {key_id(KEY): len(RECIPIENTS)}
    assert trace.key_id == key_id(bytes(32))


def test_two_leakers_mixed_are_not_pinned_on_one_guess(leak: Leak, tmp_path: Path) -> None:
    header, first = _read(leak.copy(4))
    _, second = _read(leak.copy(8))
    mixed = first[: ROWS // 2] + second[ROWS // 2 :]
    trace = leak.trace(_write_csv(tmp_path / "collude.csv", header, mixed))
    assert _named(trace) in (None, RECIPIENTS[3], RECIPIENTS[7])  # a guilty one or nobody, never an innocent
