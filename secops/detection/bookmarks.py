"""How far each log file has been read, so scheduled and followed runs read only new lines.

A bookmark belongs to a file, not a name: it is keyed by (device, inode) and checked against a digest
of the file's first line, so a rotated file (``access.log`` renamed ``access.log.1``) keeps its place
under its new name, and an inode reused by a new file starts from the top. A plain-text log is read up
to its last complete line (a line still being written waits for the next run). What changed under a
name since the last run:

* same file, grown: from the bookmark to the last newline;
* same file, shorter than the bookmark (copytruncate): from the top;
* another file under the name (rename rotation): the rest of the old file, found by its inode among
  the files beside it, then the new one from the top;
* gzip and EVTX files are read whole when they are new or changed, skipped when unchanged.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from secops.detection.readers._files import GZIP_MAGIC
from secops.i18n import _

ROTATED_NAME = re.compile(r"(\.\d+|-\d{8})(\.gz)?$")  # logrotate's access.log.1, secure-20240301.gz
HEAD_BYTES = 1024  # the first line, up to this much, names the file's content
_BACK_BLOCK = 1 << 16


@dataclass(frozen=True)
class Bookmark:
    device: int
    inode: int
    path: str  # the name it had when last read
    offset: int  # bytes read, always just after a newline (whole files: their size)
    records: int  # lines before ``offset``: the next line's record number is records + 1
    head: str  # sha256 of the first line (up to HEAD_BYTES); a reused inode has another
    size: int
    mtime_ns: int


@dataclass
class Segment:
    """One stretch of one file to read: bytes [start, end) (end None: the whole file, gzip or EVTX)."""

    path: Path
    start: int
    end: int | None
    first_record: int
    done: Bookmark  # the bookmark once this segment has been read


@dataclass
class Plan:
    segments: list[Segment]
    notes: list[str]  # what a person should know (truncated file, rotated file not found)


def head_digest(path: Path) -> str:
    with open(path, "rb") as handle:
        first = handle.read(HEAD_BYTES)
    end = first.find(b"\n")
    return hashlib.sha256(first if end < 0 else first[: end + 1]).hexdigest()


def last_newline_end(path: Path, start: int, size: int) -> int:
    """The offset just after the last newline in [start, size), or ``start`` when there is none."""
    with open(path, "rb") as handle:
        position = size
        while position > start:
            low = max(start, position - _BACK_BLOCK)
            handle.seek(low)
            block = handle.read(position - low)
            found = block.rfind(b"\n")
            if found >= 0:
                return low + found + 1
            position = low
    return start


def _is_whole_file(path: Path) -> bool:
    """gzip and EVTX files cannot be resumed at a byte offset: they are read whole."""
    with open(path, "rb") as handle:
        magic = handle.read(8)
    return magic[:2] == GZIP_MAGIC or magic == b"ElfFile\x00"


def plan_file(
    path: Path, by_inode: dict[tuple[int, int], Bookmark], by_path: dict[str, Bookmark], *, tail: bool = False
) -> Plan:
    """What to read of ``path`` given the bookmarks; ``tail``: a file never seen starts at its end."""
    notes: list[str] = []
    segments: list[Segment] = []
    info = path.stat()
    key = (info.st_dev, info.st_ino)
    name = str(path)
    previous = by_path.get(name)
    if previous is not None and (previous.device, previous.inode) != key:
        segments += _rotated_rest(path, previous, by_inode, notes)
    if info.st_size == 0:
        return Plan(segments, notes)
    head = head_digest(path)
    known = by_inode.get(key)
    if known is not None and known.head != head:
        notes.append(
            _("{path}: not the content read last time (truncated and rewritten): read from the top").format(path=name)
        )
        known = None
    stamp = {"size": info.st_size, "mtime_ns": info.st_mtime_ns}
    if _is_whole_file(path):
        if known is not None and known.size == info.st_size and known.mtime_ns == info.st_mtime_ns:
            return Plan(segments, notes)
        done = Bookmark(*key, name, info.st_size, 0, head, **stamp)
        segments.append(Segment(path, 0, None, 1, done))
        return Plan(segments, notes)
    start, records = 0, 0
    if known is not None:
        if info.st_size < known.offset:
            notes.append(
                _("{path}: shorter than when last read (truncated): read again from the top").format(path=name)
            )
        else:
            start, records = known.offset, known.records
    elif tail:
        start = last_newline_end(path, 0, info.st_size)
        records = -1  # unknown: counted below
    end = last_newline_end(path, start, info.st_size)
    if records < 0:
        records = _count_lines(path, 0, start)
    done = Bookmark(*key, name, end, records + _count_lines(path, start, end), head, **stamp)
    if end > start:
        segments.append(Segment(path, start, end, records + 1, done))
    else:
        segments.append(Segment(path, start, start, records + 1, done))  # nothing new: keep the place
    return Plan(segments, notes)


def _rotated_rest(
    path: Path, previous: Bookmark, by_inode: dict[tuple[int, int], Bookmark], notes: list[str]
) -> list[Segment]:
    """The unread end of the file that had this name before, wherever it was renamed to."""
    moved = _find_inode(path.parent, previous.device, previous.inode)
    if moved is None:
        if not ROTATED_NAME.search(path.name):  # a live log's old file; rotated names move on by design
            notes.append(
                _("{path}: rotated and the old file is gone: lines written after the last run may be missed").format(
                    path=path
                )
            )
        return []
    if str(moved) != str(path) and moved.exists():
        try:
            if head_digest(moved) != previous.head or _is_whole_file(moved):
                return []
            size = moved.stat().st_size
        except OSError:
            return []
        if size < previous.offset:
            return []
        end = last_newline_end(moved, previous.offset, size)
        records = previous.records + _count_lines(moved, previous.offset, end)
        done = replace(
            previous, path=str(moved), offset=end, records=records, size=size, mtime_ns=moved.stat().st_mtime_ns
        )
        by_inode[(previous.device, previous.inode)] = done  # read here: not again under its new name
        return [Segment(moved, previous.offset, end, previous.records + 1, done)] if end > previous.offset else []
    return []


def _find_inode(folder: Path, device: int, inode: int) -> Path | None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return None
    for entry in entries:
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if info.st_ino == inode and info.st_dev == device:
            return Path(entry.path)
    return None


def _count_lines(path: Path, start: int, end: int) -> int:
    """Newlines in bytes [start, end): C-speed counting, about a gigabyte a second."""
    count = 0
    with open(path, "rb") as handle:
        handle.seek(start)
        left = end - start
        while left > 0:
            block = handle.read(min(left, 1 << 20))
            if not block:
                break
            count += block.count(b"\n")
            left -= len(block)
    return count


def plan_files(
    files: Iterable[Path], bookmarks: Iterable[Bookmark], *, tail: bool = False
) -> Iterator[tuple[Path, Plan]]:
    """A plan per file, in order. Bookmarks read as part of a rotation are not read again."""
    marks = list(bookmarks)
    by_inode = {(b.device, b.inode): b for b in marks}
    by_path = {b.path: b for b in marks}
    for path in files:
        yield path, plan_file(path, by_inode, by_path, tail=tail)
