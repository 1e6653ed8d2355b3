"""JSON lines: one object per line, flat or nested (ECS); nested objects flatten to dotted names.

A line that carries Windows identity (``Channel``/``EventID``, an evtx_dump ``{"Event": ...}`` record, or
Winlogbeat's ``winlog.*``) also gets the Windows field names and logsource columns, as EVTX does.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from secops.detection.events import EventBatch, ReadStats
from secops.detection.readers._batch import (
    LINE_ERRORS,
    RowBatcher,
    count_malformed,
    from_epoch,
    note_bad_time,
    parse_iso,
)
from secops.detection.readers.windows import add_logsource, flatten_event

TIME_FIELDS = ("@timestamp", "timestamp", "time", "TimeCreated", "SystemTime")
# Winlogbeat / Elastic Agent names for the Windows System values.
WINLOG = {
    "winlog.channel": "Channel",
    "winlog.event_id": "EventID",
    "winlog.provider_name": "Provider_Name",
    "winlog.computer_name": "Computer",
    "winlog.record_id": "EventRecordID",
}
WINLOG_DATA = ("winlog.event_data.", "winlog.user_data.")

# Deeper than this a line is no log event but an attack on the reader (ECS nests 3 or 4 levels).
MAX_DEPTH = 64
# A ``\\uD800``-style escape json.loads turns into a lone surrogate, which no UTF-8 output can write.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # a valid pair is one character once decoded: never here

_loads = json.loads


def read_jsonl(
    path: Path, lines: Iterable[tuple[int, str | None]], batch_size: int, stats: ReadStats, zone: tzinfo = UTC
) -> Iterator[EventBatch]:
    log_file = str(path)
    batcher = RowBatcher("jsonl", log_file, batch_size)
    for number, text in lines:
        if text is None:
            count_malformed(stats, log_file, record=number)
            continue
        line = text.strip()
        if not line:
            continue
        try:
            value = _loads(line)  # ValueError: not JSON; RecursionError: nested past the decoder's limit
            if not isinstance(value, dict) or _too_deep(line, value):
                count_malformed(stats, log_file, record=number)
                continue
            if "\\u" in line and _SURROGATE_ESCAPE.search(line):
                value = _without_surrogates(value)
            fields = event_fields(value)
            timestamp = timestamp_of(fields, zone)
        except LINE_ERRORS:
            count_malformed(stats, log_file, record=number)
            continue
        if timestamp is None and any(fields.get(name) is not None for name in TIME_FIELDS):
            note_bad_time(stats, log_file, number)
        batch = batcher.add(number, timestamp, line, fields)
        if batch is not None:
            yield batch
    yield from batcher.flush()


def _too_deep(line: str, value: Any) -> bool:
    """Whether the parsed line nests more than MAX_DEPTH levels (counting brackets first is C speed)."""
    if line.count("{") + line.count("[") <= MAX_DEPTH:
        return False
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _without_surrogates(value: Any) -> Any:
    """The value with every lone surrogate (from a ``\\uD800`` escape) replaced by U+FFFD."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_without_surrogates(key): _without_surrogates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_surrogates(item) for item in value]
    return value


def event_fields(value: dict[str, Any]) -> dict[str, Any]:
    event = value.get("Event")
    if isinstance(event, dict) and isinstance(event.get("System"), dict):
        return flatten_event(event)
    fields = flatten(value) if any(isinstance(item, dict | list) for item in value.values()) else dict(value)
    if "winlog.channel" in fields or "winlog.event_id" in fields:
        _winlog(fields)
    if "Channel" in fields and "EventID" in fields:
        add_logsource(fields)
    return fields


def flatten(value: dict[str, Any], prefix: str = "", into: dict[str, Any] | None = None) -> dict[str, Any]:
    """Nested objects as dotted names (``process.command_line``); lists of scalars stay lists, lists
    holding objects become their JSON text (searchable, but not field-addressable)."""
    fields: dict[str, Any] = {} if into is None else into
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            if item:
                flatten(item, f"{name}.", fields)
        elif isinstance(item, list):
            if all(not isinstance(element, dict | list) for element in item):
                fields[name] = item
            else:
                fields[name] = json.dumps(item, ensure_ascii=False)
        else:
            fields[name] = item
    return fields


def _winlog(fields: dict[str, Any]) -> None:
    for source, target in WINLOG.items():
        if source in fields:
            fields.setdefault(target, fields[source])
    for name in list(fields):
        for prefix in WINLOG_DATA:
            if name.startswith(prefix):
                fields.setdefault(name[len(prefix) :], fields[name])


def timestamp_of(fields: dict[str, Any], zone: tzinfo = UTC) -> datetime | None:
    """The event's time (zone-less ISO text is a wall time in ``zone``); None when there is none or
    it cannot be read."""
    for name in TIME_FIELDS:
        value = fields.get(name)
        if value is None:
            continue
        if isinstance(value, str):
            return parse_iso(value.strip(), zone)
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                seconds = float(value)
            except OverflowError:  # an int past 1e308
                return None
            if not math.isfinite(seconds):  # json.loads reads NaN and Infinity
                return None
            while seconds > 1e11:  # milliseconds, microseconds or nanoseconds since the epoch
                seconds /= 1000
            return from_epoch(seconds)
        return None
    return None
