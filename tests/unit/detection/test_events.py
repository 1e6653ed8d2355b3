"""Batches joined across files (``coalesce``): each row keeps its file, record, time and fields, and
a join gives exactly the matches the per-file batches give."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from secops.detection.events import BatchBuilder, EventBatch, ReadStats, coalesce
from secops.detection.readers import read_paths
from secops.detection.sigma.engine import Engine
from secops.detection.sigma.rules import load_rules

ROOT = Path(__file__).resolve().parents[3]
T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)


def _batch(source: str, name: str, *rows: dict[str, object]) -> EventBatch:
    builder = BatchBuilder(source, name)
    for index, fields in enumerate(rows):
        builder.add(index + 1, T0, repr(fields), fields)
    return builder.take()


def test_small_batches_of_one_reader_join_and_keep_their_files() -> None:
    one = _batch("evtx", "a.evtx", {"EventID": 1, "Image": "x"}, {"EventID": 2})
    two = _batch("evtx", "b.evtx", {"EventID": 3, "CommandLine": "y"})
    web = _batch("web", "access.log", {"cs-uri-stem": "/"})
    joined = list(coalesce([one, two, web]))
    assert [b.source for b in joined] == ["evtx", "web"]  # readers are never mixed
    first = joined[0]
    assert first.size == 3 and [first.file_of(r) for r in range(3)] == ["a.evtx", "a.evtx", "b.evtx"]
    assert first.records == [1, 2, 1]
    assert first.columns["Image"] == ["x", None, None] and first.columns["CommandLine"] == [None, None, "y"]
    assert first.event(2) == {"EventID": 3, "CommandLine": "y"}
    assert joined[1].file_of(0) == "access.log" and joined[1].files is None


def test_the_size_bound_holds_and_a_full_batch_passes_through() -> None:
    small = [_batch("jsonl", f"{n}.jsonl", *({"n": i} for i in range(30))) for n in range(10)]
    sizes = [b.size for b in coalesce(small, rows=100)]
    assert sizes == [90, 90, 90, 30] and sum(sizes) == 300
    big = _batch("jsonl", "big.jsonl", *({"n": i} for i in range(120)))
    assert [b.size for b in coalesce([small[0], big, small[1]], rows=100)] == [30, 120, 30]


def test_alternating_readers_still_give_full_batches() -> None:
    """A folder where EVTX files and JSON lines alternate: each reader's rows join their own group."""
    mixed = []
    for n in range(10):
        mixed.append(_batch("evtx", f"{n}.evtx", *({"EventID": 1, "n": i} for i in range(30))))
        mixed.append(_batch("jsonl", f"{n}.jsonl", *({"n": i} for i in range(30))))
    joined = list(coalesce(mixed, rows=100))
    assert [(b.source, b.size) for b in joined] == [("evtx", 90), ("jsonl", 90)] * 3 + [("evtx", 30), ("jsonl", 30)]
    evtx = [b for b in joined if b.source == "evtx"]
    assert [b.file_of(r) for b in evtx for r in range(b.size)] == [f"{n}.evtx" for n in range(10) for _ in range(30)]


def test_joined_batches_match_exactly_as_per_file_batches(tmp_path: Path) -> None:
    """Hundreds of small files (copies of the shipped samples): the same matches, file by file."""
    samples = ROOT / "tests" / "content" / "sigma_samples"
    logs = tmp_path / "logs"
    for index, sample in enumerate(sorted(p for p in samples.rglob("match.*") if p.is_file())):
        for copy in range(4):
            target = logs / f"{index:03d}-{copy}{sample.suffix}"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(sample, target)
    engine = Engine(load_rules([ROOT / "rules" / "sigma"]))
    files = sorted(logs.iterdir())
    assert len(files) > 200

    def run(join: bool) -> list[tuple[str, str, int]]:
        batches = read_paths(files, stats=ReadStats())
        found = engine.run_batches(coalesce(batches) if join else batches)
        return sorted((m.rule_id, m.log_file, m.record) for m in found)

    per_file, joined = run(False), run(True)
    assert joined == per_file and len(joined) > 100
