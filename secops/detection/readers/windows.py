"""Windows event logs: EVTX files through the ``evtx`` package, and the flattening JSON lines reuse.

A record's JSON (``Event.System`` / ``Event.EventData`` / ``Event.UserData``) becomes flat Sigma field
names: ``EventID`` (int), ``Channel``, ``Provider_Name``, ``Computer``, ``EventRecordID``,
``TimeCreated`` and the other System values, plus every EventData/UserData value under its own name
(``Image``, ``CommandLine``, ...). Unnamed ``Data`` items become ``Data`` (one value, or a list).

Names are kept as the event writes them, spaces included (Windows Defender's ``Threat Name``,
``Process Name``, ``Source Name``): the event shown in an alert is the event as logged. SigmaHQ's
rules write those names without spaces (``ThreatName``); the Sigma engine treats both forms as one
field when it looks a field up (``secops.detection.sigma.batch``), once per batch, not per event.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import evtx
import orjson

from secops.detection.events import EventBatch, ReadStats
from secops.detection.readers._batch import (
    LINE_ERRORS,
    RowBatcher,
    count_malformed,
    parse_iso,
    small_int,
)

SERVICES = {
    "security": "security",
    "system": "system",
    "application": "application",
    "microsoft-windows-sysmon/operational": "sysmon",
    "windows powershell": "powershell-classic",
    "microsoft-windows-powershell/operational": "powershell",
}
# System values that identify the event (and select rules by logsource) win over EventData names.
CORE = ("EventID", "Channel", "Provider_Name", "Computer", "EventRecordID", "TimeCreated")

EVTX_MAGIC = b"ElfFile\x00"
HEADER_BYTES = 4096
CHUNK_BYTES = 65536


def service_of(channel: object) -> str | None:
    if not isinstance(channel, str) or not channel:
        return None
    lowered = channel.lower()
    return SERVICES.get(lowered, lowered)


def as_int(value: object) -> object:
    """EventID and friends as int when they are up to 20 ASCII digits (a u64); other text stays text."""
    if isinstance(value, dict):
        value = value.get("#text")
    if isinstance(value, str):
        number = small_int(value.strip())
        if number is not None:
            return number
    return value


def flatten_event(event: dict[str, Any]) -> dict[str, Any]:
    """Flat fields of one ``{"Event": {...}}`` record (EVTX JSON), with the Windows logsource columns."""
    fields: dict[str, Any] = {}
    for section in ("EventData", "UserData"):
        data = event.get(section)
        if isinstance(data, dict):
            _flatten_data(data, fields)
        elif data is not None and not isinstance(data, list):
            fields.setdefault(section, data)
    system = event.get("System")
    if isinstance(system, dict):
        _flatten_system(system, fields)
    add_logsource(fields)
    return fields


def add_logsource(fields: dict[str, Any]) -> None:
    """The Windows logsource columns for an event that carries Channel/EventID."""
    if "EventID" in fields:
        fields["EventID"] = as_int(fields["EventID"])
    fields["_product"] = "windows"
    service = service_of(fields.get("Channel"))
    if service:
        fields["_service"] = (service,)


def _flatten_system(system: dict[str, Any], fields: dict[str, Any]) -> None:
    for key, value in system.items():
        if key == "#attributes":
            continue
        if key == "EventID":
            if isinstance(value, dict):
                for name, attr in (value.get("#attributes") or {}).items():
                    fields[f"EventID_{name}"] = attr
            fields["EventID"] = as_int(value)
        elif key == "TimeCreated" and isinstance(value, dict):
            fields["TimeCreated"] = (value.get("#attributes") or {}).get("SystemTime")
        elif key == "Provider" and isinstance(value, dict):
            for name, attr in (value.get("#attributes") or {}).items():
                fields[f"Provider_{name}"] = attr
        elif isinstance(value, dict):
            # Execution(ProcessID, ThreadID), Security(UserID), Correlation(ActivityID): attribute names
            # as Windows tools show them; an EventData field of the same name keeps its own value.
            for name, attr in (value.get("#attributes") or {}).items():
                fields.setdefault(name, attr)
            if "#text" in value:
                fields[key] = value["#text"]
        elif value is not None or key in CORE:
            if key in CORE:
                fields[key] = value
            else:
                fields.setdefault(key, value)


def _flatten_data(data: dict[str, Any], fields: dict[str, Any]) -> None:
    unnamed: list[Any] = []
    for key, value in data.items():
        if key == "#attributes":
            if isinstance(value, dict):
                for name, attr in value.items():
                    if name != "xmlns":
                        fields[name] = attr
        elif key == "Data":
            _flatten_items(value, fields, unnamed)
        elif key == "#text":
            unnamed.extend(value if isinstance(value, list) else [value])
        elif isinstance(value, dict):
            if "#text" in value:
                fields[key] = value["#text"]
                for name, attr in (value.get("#attributes") or {}).items():
                    if name != "xmlns":
                        fields[f"{key}_{name}"] = attr
            else:  # UserData wraps its values in an element named after the event (LogFileCleared, ...)
                _flatten_data(value, fields)
        else:
            fields[key] = value
    if unnamed:
        fields["Data"] = unnamed[0] if len(unnamed) == 1 else unnamed


def _flatten_items(value: Any, fields: dict[str, Any], unnamed: list[Any]) -> None:
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, dict):
            name = (item.get("#attributes") or {}).get("Name")
            text = item.get("#text")
            if isinstance(name, str):
                fields[name] = text
            elif text is not None:
                unnamed.extend(text if isinstance(text, list) else [text])
            elif "#attributes" not in item:
                _flatten_data(item, fields)
        elif item is not None:
            unnamed.append(item)


def read_evtx(path: Path, stream: BinaryIO, gz: bool, batch_size: int, stats: ReadStats) -> Iterator[EventBatch]:
    """EVTX records as batches. A truncated file yields the records of its complete chunks and those
    that survive in its last, partial chunk (which is counted as one malformed record)."""
    log_file = str(path)
    batcher = RowBatcher("evtx", log_file, batch_size)
    with contextlib.ExitStack() as stack:
        source: Any
        if gz:  # the parser needs to seek; a decompressed copy on disk keeps memory flat
            source = stack.enter_context(tempfile.TemporaryFile())
            shutil.copyfileobj(stream, source, 1 << 20)
            size = source.seek(0, io.SEEK_END)
            source.seek(0)
        else:
            source = str(path)
            size = path.stat().st_size
        header = _read_at(source, 0, HEADER_BYTES)
        if header[:8] != EVTX_MAGIC:
            raise EvtxError("not an EVTX file (no ElfFile header)")
        if len(header) < HEADER_BYTES:
            raise EvtxError("truncated EVTX file (incomplete header)")
        yield from _parse(source, batcher, stats)
        partial = (size - HEADER_BYTES) % CHUNK_BYTES
        if partial:
            count_malformed(stats, log_file)
            tail = _read_at(source, size - partial, partial)
            salvage = io.BytesIO(header + tail + b"\0" * (CHUNK_BYTES - partial))
            yield from _parse(salvage, batcher, stats)
    yield from batcher.flush()


class EvtxError(Exception):
    """The file cannot be read as EVTX at all (it is skipped with this reason)."""


def _read_at(source: Any, offset: int, size: int) -> bytes:
    if isinstance(source, str):
        with open(source, "rb") as handle:
            handle.seek(offset)
            return handle.read(size)
    source.seek(offset)
    data: bytes = source.read(size)
    source.seek(0)
    return data


def _parse(source: Any, batcher: RowBatcher, stats: ReadStats) -> Iterator[EventBatch]:
    try:
        parser = evtx.PyEvtxParser(source)
        records = parser.records_json()
    except (OSError, RuntimeError, ValueError) as error:
        raise EvtxError(_short(error)) from error
    while True:
        try:
            record = next(records)
        except StopIteration:
            return
        except (RuntimeError, OSError, ValueError):  # a broken chunk or record: the parser moves on
            count_malformed(stats, batcher.log_file)
            continue
        if not isinstance(record, dict):
            count_malformed(stats, batcher.log_file)
            continue
        batch = _add(record, batcher, stats)
        if batch is not None:
            yield batch


def _add(record: dict[str, Any], batcher: RowBatcher, stats: ReadStats) -> EventBatch | None:
    raw = record.get("data") or ""
    record_id = record.get("event_record_id")
    if not isinstance(record_id, int):
        record_id = None
    try:
        event = loads_record(raw)["Event"]
        fields = flatten_event(event)
    except LINE_ERRORS:
        count_malformed(stats, batcher.log_file, record=record_id)
        return None
    # Users and other tools name an event by its EventRecordID (an XML string in some exports);
    # the chunk header's record number is only the fallback.
    number = fields.get("EventRecordID")
    if isinstance(number, str) and number.strip().isdigit():
        number = int(number.strip())
    if not isinstance(number, int) or isinstance(number, bool):
        number = record_id or 0
    timestamp = parse_iso(fields["TimeCreated"]) if isinstance(fields.get("TimeCreated"), str) else None
    return batcher.add(number, timestamp, raw, fields)


def loads_record(text: str) -> Any:
    """One record's JSON from the evtx parser, read by orjson (several times json's speed): EVTX
    values are at most 64-bit integers, which orjson reads exactly; what it refuses (a lone
    surrogate from a broken UTF-16 string) goes to json.loads, so values and errors are json's."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _short(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 200 else text[:197] + "..."
