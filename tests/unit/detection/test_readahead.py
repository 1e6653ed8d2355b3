"""Reading in a second process: the same batches in the same order as reading here, the readers'
counts merged back, and a failing or vanished reader reported, never a hang."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from secops.detection import readahead
from secops.detection.events import EventBatch, ReadStats, coalesce
from secops.detection.readers import read_paths
from secops.errors import SecopsError
from tests.unit.detection.evtx_writer import Record, evtx_bytes

T0 = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
SYSMON = ("Microsoft-Windows-Sysmon/Operational", "Microsoft-Windows-Sysmon")

pytestmark = pytest.mark.skipif(
    not readahead.usable(), reason="read-ahead needs more than one CPU, fork and no other thread in this process"
)


def _logs(folder: Path) -> Path:
    """Forty small EVTX files, a JSON-lines file, a damaged file and an empty one."""
    folder.mkdir()
    for number in range(40):
        records = [
            Record(1, *SYSMON, T0 + timedelta(minutes=number, seconds=i), data=[("Image", f"C:\\t\\{number}-{i}.exe")])
            for i in range(7)
        ]
        (folder / f"host-{number:02d}.evtx").write_bytes(evtx_bytes(records, 1 + number * 7))
    lines = [f'{{"EventID": 4624, "User": "u{i}", "@timestamp": "2026-12-07T10:00:0{i}+08:00"}}' for i in range(5)]
    (folder / "z.jsonl").write_text("\n".join([*lines, "{not json"]) + "\n", encoding="utf-8")
    (folder / "zz-damaged.evtx").write_bytes(b"ElfFile\0" + b"\x01" * 100)
    (folder / "zzz-empty.log").write_bytes(b"")
    return folder


def _shape(batches: list[EventBatch]) -> list[tuple[object, ...]]:
    return [
        (b.source, b.records, b.timestamps, [b.file_of(r) for r in range(b.size)], b.columns, b.raws) for b in batches
    ]


def _sequential(folder: Path) -> tuple[list[EventBatch], ReadStats]:
    stats = ReadStats()
    return list(coalesce(read_paths([folder], stats=stats), rows=100)), stats


def _ahead(folder: Path) -> tuple[list[EventBatch], ReadStats]:
    stats = ReadStats()

    def merge(read: ReadStats) -> None:
        vars(stats).update(vars(read))

    def batches() -> Iterator[EventBatch]:
        return coalesce(read_paths([folder], stats=stats), rows=100)

    with readahead.ReadAhead(batches, lambda: stats, merge) as ahead:
        return list(ahead), stats


def test_the_batches_and_counts_are_those_of_reading_here(tmp_path: Path) -> None:
    folder = _logs(tmp_path / "logs")
    here, here_stats = _sequential(folder)
    there, there_stats = _ahead(folder)
    assert len(here) > 3 and _shape(there) == _shape(here)
    assert there_stats == here_stats
    assert there_stats.events == 40 * 7 + 5 and there_stats.malformed and there_stats.skipped


def test_an_error_in_the_reader_is_raised_here(tmp_path: Path) -> None:
    def batches() -> Iterator[EventBatch]:
        yield from coalesce(read_paths([_logs(tmp_path / "logs")], stats=ReadStats()), rows=100)
        raise ValueError("reader bug")

    with readahead.ReadAhead(batches, lambda: None, lambda _: None) as ahead:
        got = []
        with pytest.raises(ValueError, match="reader bug"):
            for batch in ahead:
                got.append(batch)
    assert sum(b.size for b in got) == 40 * 7 + 5


def test_a_reader_that_dies_is_an_error_not_a_hang(tmp_path: Path) -> None:
    def batches() -> Iterator[EventBatch]:
        yield EventBatch("jsonl", "x.jsonl", [1], [None], ["{}"], {"a": [1]})
        os.kill(os.getpid(), signal.SIGKILL)
        yield from ()

    started = time.monotonic()
    with readahead.ReadAhead(batches, lambda: None, lambda _: None) as ahead:
        iterator = iter(ahead)
        assert next(iterator).records == [1]
        with pytest.raises(SecopsError, match="exit code -9"):
            next(iterator)
    assert time.monotonic() - started < 10


def test_leaving_early_stops_the_reader(tmp_path: Path) -> None:
    def batches() -> Iterator[EventBatch]:
        while True:  # far more than the pipe holds: the child blocks sending
            yield EventBatch("jsonl", "x.jsonl", [1], [None], ["x" * 100_000], {"a": [1]})

    ahead = readahead.ReadAhead(batches, lambda: None, lambda _: None)
    with ahead:
        next(iter(ahead))
    process = ahead._process
    assert not process.is_alive() and process.exitcode is not None
