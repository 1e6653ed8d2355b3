"""JSON lines: one object per line, flat or nested (ECS); nested objects flatten to dotted names.

A line that carries Windows identity (``Channel``/``EventID``, an evtx_dump ``{"Event": ...}`` record, or
Winlogbeat's ``winlog.*``) also gets the Windows field names and logsource columns, as EVTX does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from secops.detection.events import EventBatch, ReadStats
from secops.detection.readers._batch import RowBatcher, count_malformed, from_epoch, note_bad_time, parse_iso
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

_loads = json.loads


def read_jsonl(
    path: Path, lines: Iterable[tuple[int, str | None]], batch_size: int, stats: ReadStats, zone: tzinfo = UTC
) -> Iterator[EventBatch]:
    log_file = str(path)
    batcher = RowBatcher("jsonl", log_file, batch_size)
    for number, text in lines:
        if text is None:
            count_malformed(stats, log_file)
            continue
        line = text.strip()
        if not line:
            continue
        try:
            value = _loads(line)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than the decoder allows
            count_malformed(stats, log_file)
            continue
        if not isinstance(value, dict):
            count_malformed(stats, log_file)
            continue
        fields = event_fields(value)
        timestamp = timestamp_of(fields, zone)
        if timestamp is None and any(fields.get(name) is not None for name in TIME_FIELDS):
            note_bad_time(stats, log_file, number)
        batch = batcher.add(number, timestamp, line, fields)
        if batch is not None:
            yield batch
    yield from batcher.flush()


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
            seconds = float(value)
            while seconds > 1e11:  # milliseconds, microseconds or nanoseconds since the epoch
                seconds /= 1000
            return from_epoch(seconds)
        return None
    return None
