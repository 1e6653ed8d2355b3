"""nginx/apache access logs (combined, common, and apache's vhost_combined) as Sigma web fields.

``c-uri`` is the request target as sent (path + query), split into ``cs-uri-stem`` and
``cs-uri-query``; backslash escapes the server wrote (nginx ``\\x22``, apache ``\\"``) are undone first.
URL-decoded variants (decoded up to three times, '+' as space in the query) go to ``F@decoded`` columns
only where decoding changes something. ``-`` (absent) becomes None; a ``-`` byte count is 0.
A request line that is not ``METHOD TARGET [VERSION]`` (``-``, TLS bytes sent to a plain-HTTP port)
still gives an event with the client, time, status and agent; a line that is not an access-log line
at all is malformed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote, unquote_plus

from secops.detection.events import EventBatch, ReadStats
from secops.detection.readers._batch import LINE_ERRORS, MAX_DIGITS, MONTHS, count_malformed, note_bad_time

_QUOTED = r'"([^"\\]*(?:\\.[^"\\]*)*)"'
# The one regex per line (a hand-written scanner is slower in Python than re's C loop). A plain request
# line "METHOD /stem?query HTTP/x" is split by the regex itself; anything else (escapes, spaces in the
# target, HTTP/0.9, garbage) is captured whole and split in Python.
LINE = re.compile(
    r"(\S+) (\S+) (\S+) (?:(\S+) )?\[([^\]]*)\] "
    r'"(?:([A-Z][A-Z0-9_-]{0,31}) (([^"\\ ?]*)(?:\?([^"\\ ]*))?) (HTTP/[0-9.]{1,5})|([^"\\]*(?:\\.[^"\\]*)*))"'
    # ASCII digits only, and the whole field: "30²12" is no byte count (int() rejects it, isdigit() does not)
    r" ([0-9]{3}|-) ([0-9]{1,20}|-)(?=\s|$)(?: " + _QUOTED + " " + _QUOTED + ")?"
)
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|.)", re.DOTALL)
_METHOD = re.compile(r"[A-Z][A-Z0-9_-]{0,31}")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}

COLUMNS = (
    "c-ip",
    "cs-username",
    "date",
    "cs-method",
    "c-uri",
    "cs-uri-stem",
    "cs-uri-query",
    "cs-version",
    "sc-status",
    "sc-bytes",
    "cs-referer",
    "c-useragent",
    "cs-host",
    "c-uri@decoded",
    "cs-uri-stem@decoded",
    "cs-uri-query@decoded",
    "cs-referer@decoded",
)
# Columns left out of a batch when no event in it has them (the engine reads a missing column as null).
OPTIONAL = frozenset(("cs-host", "c-uri@decoded", "cs-uri-stem@decoded", "cs-uri-query@decoded", "cs-referer@decoded"))


def product_of(path: Path) -> str | None:
    text = str(path).lower()
    if "nginx" in text:
        return "nginx"
    if "apache" in text or "httpd" in text:
        return "apache"
    return None


def read_web(
    path: Path, lines: Iterable[tuple[int, str | None]], batch_size: int, stats: ReadStats
) -> Iterator[EventBatch]:
    log_file = str(path)
    constants: dict[str, Any] = {"_category": "webserver", "_service": ("access",)}
    product = product_of(path)
    if product:
        constants["_product"] = product
    times: dict[str, datetime | None] = {}
    records: list[int] = []
    stamps: list[datetime | None] = []
    raws: list[str] = []
    rows: list[tuple[Any, ...]] = []
    size = max(1, batch_size)
    match = LINE.match
    split = _split
    for number, line in lines:
        if line is None:
            count_malformed(stats, log_file, record=number)
            continue
        groups = split(line)
        if groups is None:
            found = match(line)
            if found is None:
                if line.strip():
                    count_malformed(stats, log_file, record=number)
                continue
            groups = found.groups()
        try:
            row, when = _event(groups, times)
        except LINE_ERRORS:
            count_malformed(stats, log_file, record=number)
            continue
        if when is None:
            note_bad_time(stats, log_file, number)
        records.append(number)
        stamps.append(when)
        raws.append(line)
        rows.append(row)
        if len(rows) >= size:
            yield _batch(log_file, records, stamps, raws, rows, constants)
            records, stamps, raws, rows = [], [], [], []
    if rows:
        yield _batch(log_file, records, stamps, raws, rows, constants)


def _batch(
    log_file: str,
    records: list[int],
    stamps: list[datetime | None],
    raws: list[str],
    rows: list[tuple[Any, ...]],
    constants: dict[str, Any],
) -> EventBatch:
    columns: dict[str, list[Any]] = {}
    count = len(rows)
    for name, values in zip(COLUMNS, zip(*rows, strict=True), strict=True):
        if name in OPTIONAL and values.count(None) == count:
            continue
        columns[name] = list(values)
    for name, value in constants.items():
        columns[name] = [value] * count
    return EventBatch("web", log_file, records, stamps, raws, columns)


def _split(line: str) -> tuple[Any, ...] | None:
    """The regex's groups for a plain line, by splitting on quotes (three times faster than the regex);
    None sends the line to the regex (escaped quotes, odd spacing, not an access line)."""
    parts = line.split('"')
    count = len(parts)
    if count < 3 or not count % 2 or '\\"' in line:
        return None
    head = parts[0]
    bracket = head.find(" [")
    if bracket < 0 or head[-2:] != "] ":
        return None
    names = head[:bracket].split(" ")
    if len(names) == 3:
        first, second, third = names
        fourth = None
    elif len(names) == 4:
        first, second, third, fourth = names
    else:
        return None
    numbers = parts[2].split(" ")  # " 200 512 " (combined) or " 200 512" (common, the line's end)
    if count == 3:
        if len(numbers) != 3 or numbers[0]:
            return None
        referer = agent = None
    elif count >= 7 and parts[4] == " " and len(numbers) == 4 and not numbers[0] and not numbers[3]:
        referer, agent = parts[3], parts[5]
    else:
        return None
    status, size = numbers[1], numbers[2]
    if not ((status.isdigit() and len(status) == 3 and status.isascii()) or status == "-") or not (
        (size.isdigit() and size.isascii() and len(size) <= MAX_DIGITS) or size == "-"
    ):
        return None  # the regex decides (a non-ASCII digit such as "²" is not a number a server writes)
    request = parts[1]
    words = request.split(" ")
    if len(words) == 3 and words[0] in _KNOWN_METHODS and words[2][:5] == "HTTP/" and "\\" not in request:
        method, target, version = words
        stem, mark, query = target.partition("?")
        return (
            first,
            second,
            third,
            fourth,
            head[bracket + 2 : -2],
            method,
            target,
            stem,
            query if mark else None,
            version,
            None,
            status,
            size,
            referer,
            agent,
        )
    return (
        first,
        second,
        third,
        fourth,
        head[bracket + 2 : -2],
        None,
        None,
        None,
        None,
        None,
        request,
        status,
        size,
        referer,
        agent,
    )


_KNOWN_METHODS = frozenset(
    (
        *("GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE"),
        *("PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK"),  # WebDAV
    )
)


def _event(groups: tuple[Any, ...], times: dict[str, datetime | None]) -> tuple[tuple[Any, ...], datetime | None]:
    first, second, third, fourth, stamp, method, target, stem, query, version, other, status, size, referer, agent = (
        groups
    )
    if fourth is None:
        client, user, host = first, third, None
    else:  # vhost_combined: "host:port client ident user [time] ..."
        client, user, host = second, fourth, first.rsplit(":", 1)[0] if ":" in first else first
    when = times.get(stamp, _MISSING)
    if when is _MISSING:
        when = times[stamp] = _stamp(stamp, times)
    if other is not None:
        method, target, stem, query, version = _request(other)
    uri_decoded = stem_decoded = query_decoded = None
    if stem is not None and "%" in stem:
        stem_decoded = decode(stem, plus=False)
    if query and ("%" in query or "+" in query):
        query_decoded = decode(query, plus=True)
    if stem_decoded is not None or query_decoded is not None:
        uri_decoded = stem_decoded if stem_decoded is not None else stem
        if query is not None:
            uri_decoded = f"{uri_decoded}?{query_decoded if query_decoded is not None else query}"
    referer_decoded = None
    if referer is not None:
        if referer == "-":
            referer = None
        else:
            if "\\" in referer:
                referer = unescape(referer)
            if "%" in referer:
                referer_decoded = decode(referer, plus=False)
    if agent is not None:
        if agent == "-":
            agent = None
        elif "\\" in agent:
            agent = unescape(agent)
    row = (
        client,
        None if user == "-" else user,
        stamp,
        method,
        target,
        stem,
        query,
        version,
        None if status == "-" else int(status),
        0 if size == "-" else int(size),
        referer,
        agent,
        host,
        uri_decoded,
        stem_decoded,
        query_decoded,
        referer_decoded,
    )
    return row, when


def _request(request: str) -> tuple[str | None, str | None, str | None, str | None, str | None]:
    """(method, target, stem, query, version) of a request line the regex did not split."""
    if "\\" in request:
        request = unescape(request)
    parts = request.split(" ")
    if len(parts) < 2 or not _METHOD.fullmatch(parts[0]):
        return None, None, None, None, None  # "-", TLS or other bytes on a plain-HTTP port
    version = None
    if len(parts) >= 3 and parts[-1].startswith("HTTP/"):
        version = parts[-1]
        target = " ".join(parts[1:-1])
    else:
        target = " ".join(parts[1:])
    stem, mark, rest = target.partition("?")
    return parts[0], target, stem, rest if mark else None, version


_MISSING: Any = object()
_ZONES: dict[str, timezone] = {}


def _stamp(stamp: str, times: dict[str, Any]) -> datetime | None:
    """Parse through a per-minute cache: access logs have many lines per minute, fewer per second."""
    if len(times) > 100_000:
        times.clear()
    minute = "m" + stamp[:17] + stamp[20:]  # "10/Oct/2000:13:55" + " -0700"
    base = times.get(minute, _MISSING)
    if base is _MISSING:
        base = times[minute] = parse_time(stamp[:18] + "00" + stamp[20:])
    if base is None:
        return None
    try:
        second = int(stamp[18:20])
        if second >= 0:
            return cast("datetime | None", base + _SECONDS[second])
    except (ValueError, IndexError, OverflowError):  # not two digits, or past 9999-12-31 23:59
        pass
    return parse_time(stamp)


_SECONDS = [timedelta(seconds=second) for second in range(61)]


def parse_time(text: str) -> datetime | None:
    """``10/Oct/2000:13:55:36 -0700`` (the %t of both servers)."""
    try:
        day, month, rest = text.split("/", 2)
        year, hour, minute, second_zone = rest.split(":", 3)
        second, _, zone = second_zone.partition(" ")
        tz = _ZONES.get(zone)
        if tz is None:
            sign = -1 if zone[0] == "-" else 1
            tz = _ZONES[zone] = timezone(sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5])))
        return datetime(int(year), MONTHS[month], int(day), int(hour), int(minute), int(second), tzinfo=tz)
    except (ValueError, KeyError, IndexError, OverflowError):  # OverflowError: a 20-digit year
        return None


def decode(value: str, *, plus: bool) -> str | None:
    """URL-decoded up to three times (attackers double-encode); None when nothing changes."""
    current = value
    for _ in range(3):
        decoded = unquote_plus(current, errors="replace") if plus else unquote(current, errors="replace")
        if decoded == current:
            break
        current = decoded
    return None if current == value else current


def unescape(text: str) -> str:
    """Undo the servers' log escaping: ``\\xHH`` bytes (UTF-8 sequences rejoined), ``\\"``, ``\\\\``."""

    def one(found: re.Match[str]) -> str:
        code = found.group(1)
        if len(code) == 3:
            byte = int(code[1:], 16)
            return chr(byte) if byte < 0x80 else chr(0xDC00 + byte)  # surrogateescape, rejoined below
        return _SIMPLE_ESCAPES.get(code, code)

    escaped = _ESCAPE.sub(one, text)
    return escaped.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
