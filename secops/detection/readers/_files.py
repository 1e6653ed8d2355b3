"""Finding log files under the given paths, opening them (gzip transparently) and reading capped lines.

A ``.gz`` log is bounded while it is read: past ``max_gz_bytes()`` decompressed (2 GiB, or
$SECOPS_MAX_GZ_MB), or once it inflates more than ``max_gz_ratio()`` times its compressed size
(200, or $SECOPS_MAX_GZ_RATIO; real logs stay far below, a gzip bomb of zeros is at 1000), reading
stops with a ``GzipBoundError`` (an OSError): the reader keeps what it read and lists the file in
``stats.skipped`` with the reason, and the other files of the run are read as usual.
"""

from __future__ import annotations

import errno
import gzip
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from secops.detection.events import ReadStats
from secops.i18n import _

GZIP_MAGIC = b"\x1f\x8b"
# A line longer than this is counted as malformed and skipped without ever being held whole:
# real log lines are far shorter, and a 10 MB "line" is binary garbage or an attack on the reader.
MAX_LINE_BYTES = 1 << 20
BLOCK_BYTES = 1 << 18
DEFAULT_MAX_GZ_MB = 2048
DEFAULT_MAX_GZ_RATIO = 200
RATIO_FLOOR = 64 << 20  # below this much output any ratio is fine (a small, very repetitive log)


def _env_number(name: str, default: float) -> float:
    text = os.environ.get(name, "").strip()
    try:
        value = float(text) if text else default
    except ValueError:
        return default  # a typo in the environment must not stop the run: the default bound holds
    return value if value >= 0 else default


def max_gz_bytes() -> int | None:
    """How far one .gz log may inflate: $SECOPS_MAX_GZ_MB MB (0: no limit), 2 GiB by default."""
    value = _env_number("SECOPS_MAX_GZ_MB", DEFAULT_MAX_GZ_MB)
    return int(value * (1 << 20)) if value else None


def max_gz_ratio() -> float | None:
    """How many times its compressed size a .gz log may inflate: $SECOPS_MAX_GZ_RATIO (0: no check)."""
    return _env_number("SECOPS_MAX_GZ_RATIO", DEFAULT_MAX_GZ_RATIO) or None


class GzipBoundError(OSError):
    """A .gz log inflated past its bound; its ``strerror`` is the reason listed with the skipped file."""

    def __init__(self, reason: str) -> None:
        super().__init__(errno.EFBIG, reason)


class BoundedGzipFile(gzip.GzipFile):
    """A GzipFile that counts what it inflates and raises GzipBoundError past the bounds."""

    def __init__(self, fileobj: BinaryIO, limit: int | None, ratio: float | None) -> None:
        super().__init__(fileobj=fileobj, mode="rb")
        self._compressed = fileobj
        self._limit = limit
        self._ratio = ratio
        self.inflated = 0

    def _count(self, data: bytes) -> bytes:
        self.inflated += len(data)
        if self._limit is not None and self.inflated > self._limit:
            mb = self._limit >> 20
            raise GzipBoundError(
                f"inflated past the {mb:,} MB limit for one .gz log, not read further "
                f"(set SECOPS_MAX_GZ_MB={2 * mb} to read more of it)"
            )
        if self._ratio is not None and self.inflated > RATIO_FLOOR:
            ratio = self.inflated / max(self._compressed.tell(), 1)
            if ratio > self._ratio:
                raise GzipBoundError(
                    f"inflated {ratio:,.0f} times its compressed size, beyond any real log (a gzip bomb?), not read "
                    "further (set SECOPS_MAX_GZ_RATIO=0 to read it anyway)"
                )
        return data

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:  # whole: in blocks, so the bound holds before it is all in memory
            parts = []
            while block := self.read(BLOCK_BYTES):
                parts.append(block)
            return b"".join(parts)
        return self._count(super().read(size))

    def read1(self, size: int = -1) -> bytes:
        return self._count(super().read1(size if size >= 0 else BLOCK_BYTES))

    def readline(self, size: int | None = -1) -> bytes:
        if (size is None or size < 0) and self._limit is not None:
            size = self._limit - self.inflated + 1  # a line without end stops at the bound, not at the memory's
        return self._count(super().readline(size))

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._compressed.close()  # GzipFile leaves a file object it was given open

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(memoryview(buffer)))
        memoryview(buffer).cast("B")[: len(data)] = data
        return len(data)


def iter_files(paths: list[Path], stats: ReadStats) -> Iterator[Path]:
    """The files to read, in order: each given file, then each directory's files recursively, sorted.

    Symlinks inside a directory are read only when they resolve to a regular file inside that directory
    (never followed out of the root); symlinked directories are not descended into (their files are
    either inside the root anyway or outside it). A path given explicitly is read as given.
    """
    for path in paths:
        try:
            info = path.stat()
        except OSError as error:
            stats.skipped[str(path)] = _reason(error)
            continue
        if stat.S_ISDIR(info.st_mode):
            yield from _walk(path, stats)
        elif stat.S_ISREG(info.st_mode):
            yield path
        else:
            stats.skipped[str(path)] = _("not a regular file")


def _walk(root: Path, stats: ReadStats) -> Iterator[Path]:
    real_root = root.resolve()
    found: list[Path] = []

    def onerror(error: OSError) -> None:
        stats.skipped[str(error.filename or root)] = _reason(error)

    for directory, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=False):
        for name in dirnames:
            entry = Path(directory, name)
            if entry.is_symlink() and not _inside(entry, real_root):
                stats.skipped[str(entry)] = _("symlink out of the root, not followed")
        for name in filenames:
            entry = Path(directory, name)
            try:
                mode = entry.lstat().st_mode
            except OSError as error:
                stats.skipped[str(entry)] = _reason(error)
                continue
            if stat.S_ISLNK(mode):
                if not _inside(entry, real_root):
                    stats.skipped[str(entry)] = _("symlink out of the root, not followed")
                    continue
                try:
                    mode = entry.stat().st_mode
                except OSError as error:
                    stats.skipped[str(entry)] = _reason(error)
                    continue
            if stat.S_ISREG(mode):
                found.append(entry)
            else:
                stats.skipped[str(entry)] = _("not a regular file")
    yield from sorted(found)


def _inside(entry: Path, real_root: Path) -> bool:
    try:
        return entry.resolve().is_relative_to(real_root)
    except (OSError, RuntimeError):  # a symlink loop
        return False


def _reason(error: OSError) -> str:
    return error.strerror or str(error) or type(error).__name__


def open_log(path: Path) -> tuple[BinaryIO, bool]:
    """The file's decompressed byte stream and whether it was gzip (by its magic, not its name).

    A gzip stream is a ``BoundedGzipFile``: reading it past the bounds raises GzipBoundError."""
    handle: BinaryIO = open(path, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    try:
        magic = handle.read(2)
        handle.seek(0)
    except OSError:
        handle.close()
        raise
    if magic == GZIP_MAGIC:
        return BoundedGzipFile(handle, max_gz_bytes(), max_gz_ratio()), True  # type: ignore[return-value]
    return handle, False


class Window:
    """At most ``size`` bytes of a stream from where it stands: a bookmark's stretch of a log."""

    def __init__(self, stream: BinaryIO, size: int) -> None:
        self.stream = stream
        self.left = size

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        block = self.stream.read(self.left if size < 0 else min(size, self.left))
        self.left -= len(block)
        return block


def log_mtime(path: Path, stream: BinaryIO) -> float:
    """When the log was last written: the gzip header's mtime when there is one, else the file's."""
    header_mtime = getattr(stream, "mtime", None)
    if header_mtime:
        return float(header_mtime)
    return path.stat().st_mtime


def iter_lines(stream: BinaryIO, first_number: int = 1) -> Iterator[tuple[int, str | None]]:
    """(line number, text) for each line; text is None for an over-long line (which is skipped unread).

    Reads 256 KiB blocks and decodes and splits each block at once (C speed), instead of line by line.
    Bytes are decoded as UTF-8 with replacement, so binary garbage never raises; line ends are stripped.
    Only a line's first MAX_LINE_BYTES are ever held: past that it is skipped until its newline.
    """
    read = stream.read
    number = first_number - 1
    carry = b""  # the unfinished last line of the previous blocks
    skipping = False  # inside an over-long line
    while True:
        block = read(BLOCK_BYTES)
        if not block:
            break
        end = block.rfind(b"\n")
        if end < 0:  # no line ends here: the current line only grows
            if not skipping:
                carry += block
                if len(carry) >= MAX_LINE_BYTES:
                    skipping, carry = True, b""
            continue
        first_end = block.find(b"\n")
        over_long = skipping or len(carry) + first_end >= MAX_LINE_BYTES
        text = (block[first_end + 1 : end] if over_long else carry + block[:end]).decode("utf-8", "replace")
        carry, skipping = block[end + 1 :], False
        if not number and text[:1] == "\ufeff":
            text = text[1:]  # a UTF-8 byte order mark (Windows tools write one) is not part of the first line
        if over_long:
            number += 1
            yield number, None
            if first_end == end:
                continue
        if "\r" in text:
            text = text.replace("\r\n", "\n")
            lines = [line[:-1] if line[-1:] == "\r" else line for line in text.split("\n")]
        else:
            lines = text.split("\n")
        for line in lines:
            number += 1
            yield number, line
    if skipping:
        yield number + 1, None
    elif carry:
        last = carry.decode("utf-8", "replace").rstrip("\r")
        yield number + 1, last[1:] if not number and last[:1] == "\ufeff" else last
