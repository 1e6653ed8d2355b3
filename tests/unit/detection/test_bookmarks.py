"""Reading only what is new: growth, a line still being written, truncation, rename rotation,
a reused inode, gzip files read whole once."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

from secops.detection.bookmarks import Bookmark, plan_files
from secops.detection.events import ReadStats
from secops.detection.incremental import IncrementalRead

LINE = "Dec  7 09:{:02d}:00 web sshd[1]: Failed password for root from 203.0.113.{} port 22 ssh2\n"


def _lines(first: int, count: int) -> str:
    return "".join(LINE.format(n % 60, n % 250) for n in range(first, first + count))


def _pass(
    paths: list[Path], marks: list[Bookmark], *, tail: bool = False
) -> tuple[list[int], list[Bookmark], list[str]]:
    """Record numbers read in one pass, the bookmarks it earned (merged with the old), its notes."""
    reader = IncrementalRead(paths, marks, ReadStats(), tail=tail, log_format="syslog")
    records = [record for batch in reader.batches() for record in batch.records]
    notes = list(reader.notes)
    reader.advance()
    return records, reader.bookmarks, notes


def test_a_growing_file_is_read_once_line_by_line(tmp_path: Path) -> None:
    log = tmp_path / "auth.log"
    log.write_text(_lines(0, 3), encoding="utf-8")
    records, marks, _ = _pass([log], [])
    assert records == [1, 2, 3]
    assert _pass([log], marks)[0] == []
    with log.open("a", encoding="utf-8") as handle:
        handle.write(_lines(3, 2) + "Dec  7 09:05:00 web sshd[1]: half a li")  # the last line is still being written
    records, marks, _ = _pass([log], marks)
    assert records == [4, 5]
    with log.open("a", encoding="utf-8") as handle:
        handle.write("ne\n")
    records, marks, _ = _pass([log], marks)
    assert records == [6]


def test_a_truncated_file_is_read_again_from_the_top(tmp_path: Path) -> None:
    log = tmp_path / "auth.log"
    log.write_text(_lines(0, 5), encoding="utf-8")
    _, marks, _ = _pass([log], [])
    log.write_text(_lines(10, 2), encoding="utf-8")  # copytruncate, then two new lines: same inode, shorter
    records, _, notes = _pass([log], marks)
    assert records == [1, 2]
    assert any("truncated" in note for note in notes)


def test_rename_rotation_finishes_the_old_file_then_reads_the_new(tmp_path: Path) -> None:
    log = tmp_path / "auth.log"
    log.write_text(_lines(0, 3), encoding="utf-8")
    _, marks, _ = _pass([log], [])
    with log.open("a", encoding="utf-8") as handle:
        handle.write(_lines(3, 2))  # written after the last run, before the rotation
    log.rename(tmp_path / "auth.log.1")
    log.write_text(_lines(5, 1), encoding="utf-8")
    records, marks, _ = _pass([log], marks)
    assert records == [4, 5, 1]  # the old file's last two lines, then the new file's first
    assert _pass([log], marks)[0] == []


def test_a_folder_with_rotated_files_reads_nothing_twice(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text(_lines(0, 4), encoding="utf-8")
    _, marks, _ = _pass([tmp_path], [])
    log.rename(tmp_path / "access.log.1")
    log.write_text(_lines(4, 2), encoding="utf-8")
    records, marks, _ = _pass([tmp_path], marks)
    assert records == [1, 2]  # access.log.1 is the file read last time: nothing new in it
    with gzip.open(tmp_path / "access.log.2.gz", "wt", encoding="utf-8") as handle:
        handle.write(_lines(100, 3))
    records, marks, _ = _pass([tmp_path], marks)
    assert records == [1, 2, 3]  # a gzip file is read whole the first time it is seen
    assert _pass([tmp_path], marks)[0] == []  # and skipped while unchanged


def test_a_reused_inode_is_a_new_file(tmp_path: Path) -> None:
    log = tmp_path / "auth.log"
    log.write_text(_lines(0, 3), encoding="utf-8")
    _, marks, _ = _pass([log], [])
    info = log.stat()
    other = Bookmark(info.st_dev, info.st_ino, str(log), 10_000, 99, "0" * 64, 10_000, 0)
    records, _, _ = _pass([log], [other])  # same inode, another first line: not the file bookmarked
    assert records == [1, 2, 3]
    assert marks[0].head != other.head


def test_tail_starts_a_file_never_seen_at_its_end(tmp_path: Path) -> None:
    log = tmp_path / "auth.log"
    log.write_text(_lines(0, 3), encoding="utf-8")
    records, marks, _ = _pass([log], [], tail=True)
    assert records == []
    with log.open("a", encoding="utf-8") as handle:
        handle.write(_lines(3, 1))
    assert _pass([log], marks, tail=True)[0] == [4]  # line numbers count the lines skipped


def test_plans_do_not_read_an_empty_file(tmp_path: Path) -> None:
    log = tmp_path / "empty.log"
    log.touch()
    (path, plan), *_ = plan_files([log], [])
    assert path == log and plan.segments == [] and plan.notes == []
    os.truncate(log, 0)
