"""read_paths: files and directory trees, gzip, format detection and override, and bad input that is
counted and reported instead of raising (binary garbage, 10 MB lines, unreadable and truncated files)."""

from __future__ import annotations

import gzip
import os
import shutil
import tracemalloc
from pathlib import Path

import pytest

from secops.detection.events import EventBatch, ReadStats
from secops.detection.readers import FORMATS, MAX_LINE_BYTES, detect_format, read_paths
from secops.errors import SecopsError

LOGS = Path(__file__).parent.parent / "fixtures" / "logs"


def read(paths: list[Path], **options: object) -> tuple[list[EventBatch], ReadStats]:
    stats = ReadStats()
    batches = list(read_paths(paths, stats=stats, **options))  # type: ignore[arg-type]
    return batches, stats


def events(batches: list[EventBatch]) -> list[dict[str, object]]:
    return [batch.event(row, internal=True) for batch in batches for row in batch.rows()]


def test_formats_constant() -> None:
    assert FORMATS == ("evtx", "jsonl", "syslog", "web", "auditd")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("nginx/access.log", "web"),
        ("apache/access_log", "web"),
        ("apache/other_vhosts_access.log", "web"),
        ("linux/auth.log", "syslog"),
        ("linux/auth.log.2.gz", "syslog"),
        ("linux/syslog", "syslog"),
        ("linux/messages.iso", "syslog"),
        ("linux/remote-5424.log", "syslog"),
        ("audit/audit.log", "auditd"),
        ("json/events.jsonl", "jsonl"),
        ("evtx/Security_short_selected.evtx", "evtx"),
    ],
)
def test_format_is_detected_from_content(name: str, expected: str) -> None:
    assert detect_format(LOGS / name) == (expected, "")


def test_detection_ignores_the_file_name(tmp_path: Path) -> None:
    misleading = tmp_path / "events.jsonl"
    shutil.copy(LOGS / "nginx" / "access.log", misleading)
    batches, stats = read([misleading])
    assert stats.formats == {str(misleading): "web"}
    assert sum(b.size for b in batches) == 19


def test_directory_tree_is_read_recursively_in_sorted_order(tmp_path: Path) -> None:
    root = tmp_path / "logs"
    shutil.copytree(LOGS, root)
    batches, stats = read([root])
    files = [b.log_file for b in batches]
    assert files == sorted(files)
    assert set(stats.formats.values()) == set(FORMATS)
    assert stats.files == len(stats.formats) == 11
    assert stats.events == sum(b.size for b in batches) == 86
    # the README next to the EVTX sample is not a log: reported, not fatal
    assert stats.skipped == {str(root / "evtx" / "README.md"): stats.skipped[str(root / "evtx" / "README.md")]}
    assert "not recognised" in stats.skipped[str(root / "evtx" / "README.md")]
    assert all(b.source == stats.formats[b.log_file] for b in batches)


def test_batches_hold_one_file_and_at_most_batch_size_events() -> None:
    batches, _ = read([LOGS / "nginx" / "access.log", LOGS / "linux" / "auth.log"], batch_size=7)
    assert [(Path(b.log_file).name, b.size) for b in batches] == [
        ("access.log", 7),
        ("access.log", 7),
        ("access.log", 5),
        ("auth.log", 7),
        ("auth.log", 7),
        ("auth.log", 7),
        ("auth.log", 3),
    ]
    for batch in batches:
        assert all(len(column) == batch.size for column in batch.columns.values())
        assert len(batch.raws) == len(batch.timestamps) == batch.size
    assert [r for b in batches[:3] for r in b.records] == [*range(1, 19), 21]  # line numbers


def test_symlinks_are_not_followed_out_of_the_root(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(LOGS / "linux" / "auth.log", outside / "auth.log")
    root = tmp_path / "root"
    (root / "web").mkdir(parents=True)
    shutil.copy(LOGS / "nginx" / "access.log", root / "web" / "access.log")
    (root / "escape.log").symlink_to(outside / "auth.log")
    (root / "escape-dir").symlink_to(outside, target_is_directory=True)
    (root / "inside.log").symlink_to(root / "web" / "access.log")
    (root / "dangling.log").symlink_to(tmp_path / "missing.log")
    batches, stats = read([root])
    assert sorted(stats.formats) == [str(root / "inside.log"), str(root / "web" / "access.log")]
    assert stats.skipped[str(root / "escape.log")] == "symlink out of the root, not followed"
    assert stats.skipped[str(root / "escape-dir")] == "symlink out of the root, not followed"
    assert str(root / "dangling.log") in stats.skipped
    assert all(str(outside) not in b.log_file for b in batches)


def test_gzip_is_read_transparently_by_magic(tmp_path: Path) -> None:
    packed = tmp_path / "access.log.1"  # no .gz suffix: the magic decides
    packed.write_bytes(gzip.compress((LOGS / "nginx" / "access.log").read_bytes()))
    plain, _ = read([LOGS / "nginx" / "access.log"])
    unpacked, stats = read([packed])
    assert stats.formats == {str(packed): "web"}
    assert [b.raws for b in unpacked] == [b.raws for b in plain]
    evtx_gz = tmp_path / "Security.evtx.gz"
    evtx_gz.write_bytes(gzip.compress((LOGS / "evtx" / "Security_short_selected.evtx").read_bytes()))
    _batches, stats = read([evtx_gz])
    assert stats.formats == {str(evtx_gz): "evtx"} and stats.events == 7


def test_truncated_gzip_keeps_what_was_read(tmp_path: Path) -> None:
    lines = [
        f'192.0.2.{i % 250} - - [12/Mar/2024:08:00:{i % 60:02d} +0800] "GET /p{i}.html HTTP/1.1" 200 {i} "-" "ua-{i}"\n'
        for i in range(20000)
    ]
    data = gzip.compress("".join(lines).encode())
    broken = tmp_path / "access.log.gz"
    broken.write_bytes(data[: len(data) // 2])
    batches, stats = read([broken])
    read_count = sum(b.size for b in batches)
    assert 0 < read_count < 20000
    assert stats.files == 1 and stats.formats[str(broken)] == "web"
    assert stats.malformed[str(broken)] == 1
    assert stats.skipped[str(broken)].startswith(f"partly read ({read_count} events): ")


def test_override_forces_the_reader(tmp_path: Path) -> None:
    batches, stats = read([LOGS / "linux" / "auth.log"], log_format="web")
    assert batches == [] and stats.malformed == {str(LOGS / "linux" / "auth.log"): 24}
    batches, stats = read([LOGS / "linux" / "auth.log"], log_format="evtx")
    assert batches == [] and stats.files == 0
    assert stats.skipped == {str(LOGS / "linux" / "auth.log"): "not an EVTX file (no ElfFile header)"}


def test_unknown_override_is_one_clear_error() -> None:
    with pytest.raises(SecopsError, match="unknown log format 'iis'"):
        list(read_paths([LOGS], log_format="iis", stats=ReadStats()))


def test_missing_path_and_empty_file_are_reported(tmp_path: Path) -> None:
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"")
    batches, stats = read([tmp_path / "nope.log", empty])
    assert batches == []
    assert stats.skipped == {str(tmp_path / "nope.log"): "No such file or directory"}
    assert stats.files == 1 and stats.events == 0


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_is_skipped_with_its_reason(tmp_path: Path) -> None:
    locked = tmp_path / "auth.log"
    shutil.copy(LOGS / "linux" / "auth.log", locked)
    locked.chmod(0)
    batches, stats = read([tmp_path])
    assert batches == []
    assert stats.skipped == {str(locked): "cannot read: Permission denied"}


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("override", [None, "syslog", "evtx"])
def test_file_whose_reads_fail_is_skipped_with_its_reason(override: str | None) -> None:
    failing = Path("/proc/self/mem")  # a regular file whose read(2) fails with EIO, even for root
    batches, stats = read([failing], log_format=override)
    assert batches == [] and stats.files == 0
    assert stats.skipped == {str(failing): "cannot read: Input/output error"}


def test_fifo_in_a_tree_is_skipped_not_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    shutil.copy(LOGS / "linux" / "syslog", tmp_path / "syslog")
    _, stats = read([tmp_path])
    assert stats.skipped == {str(tmp_path / "pipe"): "not a regular file"}
    assert stats.formats == {str(tmp_path / "syslog"): "syslog"}


def test_binary_garbage_files_are_skipped_and_garbage_lines_counted(tmp_path: Path) -> None:
    blob = tmp_path / "core.dump"
    blob.write_bytes(bytes(range(256)) * 64 + os.urandom(8192))
    mixed = tmp_path / "access.log"
    good = (LOGS / "nginx" / "access.log").read_bytes()
    mixed.write_bytes(good + os.urandom(4096).replace(b"\n", b"") + b"\n" + b"\xff\xfe\x00\x80" * 100 + b"\n" + good)
    _batches, stats = read([tmp_path])
    assert stats.skipped == {str(blob): "binary file, not a log format secops reads"}
    assert stats.events == 38  # 19 good events on each side of the garbage
    assert stats.malformed[str(mixed)] == 2 + 2 + 2  # the fixture's two bad lines, twice, and the garbage
    for override in FORMATS[1:]:  # forcing a text reader onto garbage never raises either
        _, forced = read([blob], log_format=override)
        assert forced.events == 0 and forced.malformed[str(blob)] > 0


def test_ten_megabyte_line_is_malformed_and_never_held_whole(tmp_path: Path) -> None:
    good = (LOGS / "nginx" / "access.log").read_bytes().splitlines(keepends=True)
    path = tmp_path / "access.log"
    with path.open("wb") as handle:
        handle.writelines(good[:5])
        handle.write(b'203.0.113.1 - - [12/Mar/2024:08:15:02 +0800] "GET /' + b"A" * (10 << 20) + b' HTTP/1.1" 200 1\n')
        handle.writelines(good[5:])
    tracemalloc.start()
    try:
        batches, stats = read([path])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert stats.events == 19
    assert stats.malformed[str(path)] == 3  # the long line plus the fixture's two bad lines
    assert [r for b in batches for r in b.records][:7] == [1, 2, 3, 4, 5, 7, 8]  # numbering goes on after it
    assert MAX_LINE_BYTES < (10 << 20)
    assert peak < (10 << 20) // 2  # read in pieces of at most MAX_LINE_BYTES, never the 10 MB line whole


def test_a_ten_megabyte_single_line_file_is_not_a_log(tmp_path: Path) -> None:
    path = tmp_path / "one-line.log"
    path.write_bytes(b"x" * (10 * 1024 * 1024))
    _, stats = read([path])
    assert "not recognised" in stats.skipped[str(path)]
    _, stats = read([path], log_format="syslog")
    assert stats.malformed == {str(path): 1} and stats.events == 0


def test_undecodable_bytes_are_replaced_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "auth.log"
    path.write_bytes(
        b"Mar 12 08:02:15 web01 sshd[20412]: Failed password for r\xff\xfeot from 203.0.113.50 port 51140 ssh2\n"
        b"Mar 12 08:02:16 web01 sshd[20412]: Failed password for \xe7\x8e\x8b\xe4\xb8\x89 from 203.0.113.50 port 51141"
        b" ssh2\n"
    )
    batches, stats = read([path])
    users = [event["user"] for event in events(batches)]
    assert users == ["r\ufffd\ufffdot", "王三"]
    assert not stats.malformed


def test_line_splitting_across_blocks() -> None:
    import io

    from secops.detection.readers._files import BLOCK_BYTES, iter_lines

    def lines(data: bytes) -> list[tuple[int, str | None]]:
        return list(iter_lines(io.BytesIO(data)))  # type: ignore[arg-type]

    assert lines(b"") == []
    assert lines(b"a\r\nb\n\nc") == [(1, "a"), (2, "b"), (3, ""), (4, "c")]
    long_ok = b"x" * (BLOCK_BYTES + 10)  # spans two blocks, still under the cap
    assert lines(b"a\n" + long_ok + b"\nb\n") == [(1, "a"), (2, long_ok.decode()), (3, "b")]
    huge = b"y" * (MAX_LINE_BYTES + BLOCK_BYTES // 2)
    assert lines(b"a\n" + huge + b"\nb\n") == [(1, "a"), (2, None), (3, "b")]
    assert lines(b"a\n" + huge) == [(1, "a"), (2, None)]  # cut off at the end of the file
    assert lines(b"a\n" + b"z" * (MAX_LINE_BYTES - 10) + b"\nb") == [
        (1, "a"),
        (2, "z" * (MAX_LINE_BYTES - 10)),
        (3, "b"),
    ]
    edge = b"q" * (BLOCK_BYTES - 1) + b"\n" + b"r\n"  # a line end exactly at the block boundary
    assert lines(edge) == [(1, "q" * (BLOCK_BYTES - 1)), (2, "r")]
    assert lines(b"\xe7\x8e\x8b\n\xff\n") == [(1, "王"), (2, "\ufffd")]
    split_char = b"a\n" + b"s" * (BLOCK_BYTES - 3) + "王".encode() + b"\n"  # its bytes straddle two blocks
    assert lines(split_char) == [(1, "a"), (2, "s" * (BLOCK_BYTES - 3) + "王")]
