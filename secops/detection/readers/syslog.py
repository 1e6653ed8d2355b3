"""syslog files: RFC 3164 (``Oct 11 22:14:15 host prog[pid]: msg``, with or without ``<PRI>``),
rsyslog's high-precision ISO form (``2024-10-11T22:14:15.123456+08:00 host prog[pid]: msg``) and
RFC 5424 (``<34>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG``). Linux auth.log / secure are syslog
files; sshd and sudo messages get their own fields (see ``sshd``).

RFC 3164 timestamps carry no year: the year of the file's last write (its mtime, or the gzip header's)
is assumed, and a date that would fall more than a day after that moment belongs to the year before
(this is how a December-to-January rollover inside one file comes out right). Zone-less times are wall
times in the zone the caller gives (the workspace's, or ``--timezone``). A line whose time cannot be
read keeps its place with no time and is counted in ``stats.bad_times``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, cast

from secops.detection.events import EventBatch, ReadStats
from secops.detection.readers._batch import (
    LINE_ERRORS,
    MONTHS,
    RowBatcher,
    count_malformed,
    note_bad_time,
    parse_iso,
    small_int,
)
from secops.detection.readers.sshd import sshd_fields, sudo_fields

SSHD = frozenset(("sshd", "sshd-session", "sshd-auth"))  # OpenSSH >= 9.8 logs logins as sshd-session
_AUTH_FILE = re.compile(r"(?:^|[.\-_])(?:auth|secure)(?:[.\-_]|$)")  # auth.log.1, secure-20240301, x.auth.log
_PROGRAM_SERVICE = re.compile(r"[^a-z0-9_.-]")


def is_auth_file(path: Path) -> bool:
    return bool(_AUTH_FILE.search(path.name.lower()))


class Clock:
    """Year inference and parse caches for one file's RFC 3164 timestamps."""

    def __init__(self, mtime: float, zone: tzinfo = UTC) -> None:
        self.zone = zone  # RFC 3164 and zone-less ISO stamps are wall times here
        try:
            self.written = datetime.fromtimestamp(mtime, zone).replace(tzinfo=None)
        except (OverflowError, OSError, ValueError):  # a forged mtime (a gzip header's, say) past 9999
            self.written = datetime.now(zone).replace(tzinfo=None)
        self.limit = self.written + timedelta(days=1) if self.written.year < 9999 else datetime.max
        self.cache: dict[str, datetime | None] = {}
        self.bad = False  # set when the last line's time could not be read

    def bsd(self, stamp: str) -> datetime | None:
        """``Oct 11 22:14:15`` (day may be space-padded)."""
        found = self.cache.get(stamp, _MISSING)
        if found is not _MISSING:
            self.bad = found is None
            return cast("datetime | None", found)
        if len(self.cache) > 100_000:
            self.cache.clear()
        value = None
        try:
            month = MONTHS[stamp[:3]]
            day = int(stamp[4:6])
            hour, minute, second = int(stamp[7:9]), int(stamp[10:12]), int(stamp[13:15])
            year = self.written.year
            for candidate_year in (year, year - 1):
                try:
                    naive = datetime(candidate_year, month, day, hour, minute, second)
                except ValueError:  # Feb 29 in a year without it (or year 0)
                    continue
                if naive <= self.limit:
                    value = naive.replace(tzinfo=self.zone)
                    break
        except (KeyError, ValueError, OverflowError):
            value = None
        self.cache[stamp] = value
        self.bad = value is None
        return value


_MISSING: Any = object()


def read_syslog(
    path: Path,
    lines: Iterable[tuple[int, str | None]],
    batch_size: int,
    stats: ReadStats,
    mtime: float,
    zone: tzinfo = UTC,
) -> Iterator[EventBatch]:
    log_file = str(path)
    kind = "auth" if is_auth_file(path) else "syslog"
    batcher = RowBatcher("syslog", log_file, batch_size, {"_product": "linux"})
    clock = Clock(mtime, zone)
    services: dict[str | None, tuple[str, ...]] = {}
    for number, line in lines:
        if line is None:
            count_malformed(stats, log_file, record=number)
            continue
        if not line.strip():
            continue
        clock.bad = False
        try:
            parsed = parse_line(line, clock)
            if parsed is None:
                count_malformed(stats, log_file, record=number)
                continue
            timestamp, fields = parsed
            program = fields.get("program")
            service = services.get(program)
            if service is None:
                service = services[program] = service_of(program, kind)
            fields["_service"] = service
            if program in SSHD:
                fields.update(sshd_fields(fields["message"]))
            elif program == "sudo":
                fields.update(sudo_fields(fields["message"]))
        except LINE_ERRORS:
            count_malformed(stats, log_file, record=number)
            continue
        if clock.bad:
            note_bad_time(stats, log_file, number)
        batch = batcher.add(number, timestamp, line, fields)
        if batch is not None:
            yield batch
    yield from batcher.flush()


def service_of(program: str | None, kind: str) -> tuple[str, ...]:
    if not program:
        return (kind,)
    name = _PROGRAM_SERVICE.sub("", program.lower())
    if name in SSHD:
        return ("sshd", kind) if name == "sshd" else (name, "sshd", kind)
    return (name, kind) if name else (kind,)


def parse_line(line: str, clock: Clock) -> tuple[datetime | None, dict[str, Any]] | None:
    """(timestamp, fields) of one syslog line, or None when it is not one."""
    fields: dict[str, Any] = {}
    rest = line
    if line[:1] == "<":
        end = line.find(">", 1, 5)
        priority = small_int(line[1:end]) if end > 0 else None
        if priority is None:
            return None
        fields["facility"] = priority >> 3
        fields["severity"] = priority & 7
        rest = line[end + 1 :]
        if rest[:1].isdigit() and rest[1:2] == " ":
            return _rfc5424(rest[2:], fields, clock)
    if rest[:3] in MONTHS and rest[3:4] == " " and rest[6:7] == " " and rest[9:10] == ":":
        timestamp = clock.bsd(rest[:15])
        rest = rest[16:]
    elif rest[:4].isdigit() and rest[4:5] == "-" and rest[10:11] == "T":
        stamp, _, rest = rest.partition(" ")
        timestamp = parse_iso(stamp, clock.zone)
        clock.bad = timestamp is None
    else:
        return None
    host, _, rest = rest.partition(" ")
    fields["host"] = host
    _tag(rest, fields)
    return timestamp, fields


def _tag(text: str, fields: dict[str, Any]) -> None:
    """``prog[pid]: message`` (the tag has no spaces; a message without a tag is kept whole)."""
    colon = text.find(": ")
    tag = text[:colon] if colon > 0 else (text[:-1] if text.endswith(":") and " " not in text else "")
    if not tag or " " in tag:
        fields["message"] = text
        return
    fields["message"] = text[colon + 2 :] if colon > 0 else ""
    if tag.endswith("]") and "[" in tag:
        bracket = tag.index("[")
        fields["program"] = tag[:bracket]
        pid = tag[bracket + 1 : -1]
        number = small_int(pid)
        fields["pid"] = pid if number is None else number
    else:
        fields["program"] = tag


def _rfc5424(text: str, fields: dict[str, Any], clock: Clock) -> tuple[datetime | None, dict[str, Any]] | None:
    parts = text.split(" ", 5)
    if len(parts) < 5:
        return None
    stamp, host, app, procid, msgid = parts[:5]
    rest = parts[5] if len(parts) > 5 else ""
    timestamp = None if stamp == "-" else parse_iso(stamp, clock.zone)
    clock.bad = stamp != "-" and timestamp is None
    for name, value in (("host", host), ("program", app), ("msgid", msgid)):
        if value != "-":
            fields[name] = value
    if procid != "-":
        number = small_int(procid)
        fields["pid"] = procid if number is None else number
    if rest.startswith("-"):
        message = rest[2:]
    elif rest.startswith("["):
        end = _sd_end(rest)
        if end < 0:
            return None
        fields["structured_data"] = rest[:end]
        message = rest[end + 1 :]
    else:
        return None
    fields["message"] = message.removeprefix("\ufeff")
    return timestamp, fields


def _sd_end(text: str) -> int:
    """Where the structured data ``[id k="v" ...][...]`` ends (``"``, ``]`` and ``\\`` are escaped in values)."""
    position = 0
    length = len(text)
    while position < length and text[position] == "[":
        position += 1
        quoted = False
        while position < length:
            char = text[position]
            if quoted and char == "\\":
                position += 2
                continue
            if char == '"':
                quoted = not quoted
            elif char == "]" and not quoted:
                break
            position += 1
        else:
            return -1
        position += 1
    return position
