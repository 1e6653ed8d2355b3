"""Log readers: files and directories of logs as columnar event batches.

``read_paths`` walks the given files and directories (recursively, sorted; symlinks are not followed
out of a given directory), opens ``.gz`` files transparently (by their magic), picks a reader per file
from its first lines (or the ``log_format`` override) and yields ``EventBatch``es of at most
``batch_size`` events of one file each. Bad input never raises: malformed lines/records are counted in
``stats.malformed[file]`` (the first line numbers in ``stats.malformed_lines[file]``) and skipped;
files that cannot be read are in ``stats.skipped[file]`` with a one-line reason (a file that broke
off part-way, such as a truncated ``.gz``, keeps the events read so far, counts one malformed record
and has its reason in ``skipped`` too). ``stats.files`` counts the files read (an empty file
included), ``stats.formats`` the reader each of them got.

Formats (``FORMATS``): evtx, jsonl, syslog (RFC 3164/5424, auth.log), web (nginx/apache access), auditd.
Field names per format are described in each reader module and in the detection spec.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Iterator
from datetime import UTC, tzinfo
from pathlib import Path
from typing import BinaryIO, cast

from secops.detection.events import EventBatch, ReadStats
from secops.detection.readers._batch import LINE_ERRORS, count_malformed
from secops.detection.readers._files import MAX_LINE_BYTES, Window, iter_files, iter_lines, log_mtime, open_log
from secops.detection.readers.auditd import read_auditd
from secops.detection.readers.detect import SAMPLE_LINES, detect
from secops.detection.readers.jsonl import read_jsonl
from secops.detection.readers.syslog import read_syslog
from secops.detection.readers.web import read_web
from secops.detection.readers.windows import EVTX_MAGIC, EvtxError, read_evtx
from secops.errors import SecopsError
from secops.i18n import _

FORMATS = ("evtx", "jsonl", "syslog", "web", "auditd")
HEAD_BYTES = 64 * 1024
# What reading a damaged or vanished file raises: truncated gzip (EOFError), corrupt deflate data.
_READ_ERRORS = (OSError, EOFError, zlib.error)

__all__ = ["FORMATS", "MAX_LINE_BYTES", "detect_format", "read_file", "read_paths"]


def read_paths(
    paths: list[Path],
    *,
    log_format: str | None = None,
    batch_size: int = 5000,
    stats: ReadStats,
    zone: tzinfo = UTC,
) -> Iterator[EventBatch]:
    """``zone``: where zone-less log times (RFC 3164 syslog, auth.log, ISO without offset) are wall
    times; the workspace's zone when the CLI calls, UTC when a library caller gives none."""
    if log_format is not None and log_format not in FORMATS:
        raise SecopsError(
            _("unknown log format {name!r}").format(name=log_format),
            hint=_("use one of {choices}").format(choices=", ".join(FORMATS)),
        )
    for path in iter_files([Path(p) for p in paths], stats):
        yield from read_file(path, log_format, batch_size, stats, zone)


def detect_format(path: Path) -> tuple[str | None, str]:
    """(format, reason when None) of one file, from its first bytes and lines."""
    stream, _gz = open_log(path)
    with stream:
        head = b""
        with contextlib.suppress(*_READ_ERRORS):  # what came before a gzip broke off still tells the format
            head = stream.read(HEAD_BYTES)
    if head.startswith(EVTX_MAGIC):
        return "evtx", ""  # binary: no lines to sample (decoding 64 KB of it cost more than parsing it)
    text = head.removeprefix(b"\xef\xbb\xbf").split(b"\n")
    if len(text) > 1 and len(head) == HEAD_BYTES:
        text.pop()  # the last piece may be cut
    lines: list[str | None] = [
        None if len(line) >= MAX_LINE_BYTES else line.decode("utf-8", "replace").rstrip("\r")
        for line in text[: SAMPLE_LINES * 4]
    ]
    if len(text) == 1 and len(head) == HEAD_BYTES:
        if head.lstrip()[:2] in (b'{"', b"{\n", b"{ "):
            return "jsonl", ""  # one big JSON event (a long PowerShell script block, say)
        lines = [None]  # one line filling the whole head: not a log line
    return detect(head, lines)


def read_file(
    path: Path,
    log_format: str | None,
    batch_size: int,
    stats: ReadStats,
    zone: tzinfo = UTC,
    *,
    start: int = 0,
    end: int | None = None,
    first_record: int = 1,
) -> Iterator[EventBatch]:
    """One file's events; bytes [``start``, ``end``) of a plain-text log with its line numbering
    starting at ``first_record`` (a bookmark's stretch). EVTX and gzip files are always read whole."""
    log_file = str(path)
    try:
        kind, reason = (log_format, "") if log_format else detect_format(path)
    except _READ_ERRORS as error:
        stats.skipped[log_file] = _("cannot read: {reason}").format(reason=_reason(error))
        return
    except LINE_ERRORS as error:  # the readers' line checks should make this unreachable
        stats.skipped[log_file] = _("format not recognised ({kind})").format(kind=type(error).__name__)
        return
    if kind is None:
        if reason != "empty":
            stats.skipped[log_file] = reason
        else:
            stats.files += 1
        return
    read = 0
    try:
        stream, gz = open_log(path)
    except _READ_ERRORS as error:
        stats.skipped[log_file] = _("cannot read: {reason}").format(reason=_reason(error))
        return
    try:
        with stream:
            source = stream
            if end is not None and not gz and kind != "evtx":
                stream.seek(start)
                source = cast(BinaryIO, Window(stream, end - start))
            for batch in _batches(kind, path, source, gz, batch_size, stats, zone, first_record):
                read += batch.size
                stats.events += batch.size
                yield batch
    except EvtxError as error:
        stats.skipped[log_file] = (
            str(error) if not read else _("partly read ({count} events): {reason}").format(count=read, reason=error)
        )
        if not read:
            return
    except _READ_ERRORS as error:
        count_malformed(stats, log_file)
        stats.skipped[log_file] = _("partly read ({count} events): {reason}").format(count=read, reason=_reason(error))
    except LINE_ERRORS as error:  # a last resort: the readers count a bad line and go on themselves
        count_malformed(stats, log_file)
        stats.skipped[log_file] = _("partly read ({count} events): unreadable content ({kind})").format(
            count=read, kind=type(error).__name__
        )
    stats.files += 1
    stats.formats[log_file] = kind


def _batches(
    kind: str,
    path: Path,
    stream: BinaryIO,
    gz: bool,
    batch_size: int,
    stats: ReadStats,
    zone: tzinfo,
    first_record: int,
) -> Iterator[EventBatch]:
    if kind == "evtx":
        return read_evtx(path, stream, gz, batch_size, stats)
    if gz:
        stream.peek(1)  # type: ignore[attr-defined]  # reads the gzip header, which holds the original mtime
    lines = iter_lines(stream, first_record)
    if kind == "web":
        return read_web(path, lines, batch_size, stats)
    if kind == "syslog":
        return read_syslog(path, lines, batch_size, stats, log_mtime(path, stream), zone)
    if kind == "auditd":
        return read_auditd(path, lines, batch_size, stats)
    return read_jsonl(path, lines, batch_size, stats, zone)


def _reason(error: BaseException) -> str:
    text = getattr(error, "strerror", None) or str(error) or type(error).__name__
    return " ".join(text.split())[:200]
