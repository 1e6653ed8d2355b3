"""Columnar event batches (what every log reader produces) and matches (what the engine emits).

A batch holds ``n`` events of one file: one list per field (``None`` where an event lacks the
field), the raw text of each event (for keyword rules), its record number (line number, or the
EVTX EventRecordID) and timestamp. Columns are named with Sigma's field names. A column named
``F@decoded`` holds the URL-decoded variant of ``F`` (web logs): matching ``F`` also tries it.

Logsource columns, set by readers so rules only see events of their logsource:
``_product`` (windows, linux, ...), ``_service`` (a tuple of service names, e.g. ("auth", "sshd")),
``_category`` (e.g. webserver). Windows events carry ``Channel``, ``EventID`` and ``Provider_Name``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

DECODED_SUFFIX = "@decoded"
LOGSOURCE_COLUMNS = ("_product", "_service", "_category")


@dataclass
class EventBatch:
    source: str  # reader name: evtx, jsonl, syslog, web, auditd
    log_file: str  # the file of every row, unless ``files`` names one per row
    records: list[int] = field(default_factory=list)
    timestamps: list[datetime | None] = field(default_factory=list)
    raws: list[str] = field(default_factory=list)
    columns: dict[str, list[Any]] = field(default_factory=dict)
    files: list[str] | None = None  # per row, when the batch spans files (see ``coalesce``)

    @property
    def size(self) -> int:
        return len(self.records)

    def file_of(self, row: int) -> str:
        return self.files[row] if self.files is not None else self.log_file

    def event(self, row: int, *, internal: bool = False) -> dict[str, Any]:
        """One event as a dict of its present fields (without ``_`` and ``@decoded`` columns)."""
        found = {}
        for name, values in self.columns.items():
            value = values[row]
            if value is None:
                continue
            if not internal and (name.startswith("_") or name.endswith(DECODED_SUFFIX)):
                continue
            found[name] = value
        return found

    def rows(self) -> Iterator[int]:
        return iter(range(self.size))


COALESCE_ROWS = 5000


def coalesce(batches: Iterable[EventBatch], rows: int = COALESCE_ROWS) -> Iterator[EventBatch]:
    """Batches of one reader joined into batches of about ``rows`` events.

    Real collections are hundreds of small files (an EVTX export of 30 events); matching costs a
    fixed amount per batch and per rule, so per-file batches made small files slow. Each row keeps
    its own file (``EventBatch.files``), record number and time. Readers are joined apart (a keyword
    means the raw line in syslog, the field values in EVTX), each in its own pending group, so a
    folder where EVTX files and JSON lines alternate still gives full batches; a group goes out when
    the next batch would overflow it, the rest at the end. Not for following a live log: a joined
    batch waits for the next one."""
    pending: dict[str, list[EventBatch]] = {}
    sizes: dict[str, int] = {}
    for batch in batches:
        source = batch.source
        if batch.size >= rows:  # full already: after its reader's pending rows, so files stay in order
            if source in pending:
                yield _join(pending.pop(source))
            yield batch
            continue
        group = pending.get(source)
        if group is not None and sizes[source] + batch.size > rows:
            yield _join(pending.pop(source))
            group = None
        if group is None:
            group = pending[source] = []
            sizes[source] = 0
        group.append(batch)
        sizes[source] += batch.size
    for group in pending.values():
        yield _join(group)


def _join(batches: list[EventBatch]) -> EventBatch:
    if len(batches) == 1:
        return batches[0]
    first = batches[0]
    joined = EventBatch(first.source, first.log_file, files=[])
    names: dict[str, None] = {}
    for batch in batches:
        names.update(dict.fromkeys(batch.columns))
    assert joined.files is not None
    for batch in batches:
        joined.records += batch.records
        joined.timestamps += batch.timestamps
        joined.raws += batch.raws
        joined.files += batch.files if batch.files is not None else [batch.log_file] * batch.size
    for name in names:
        column: list[Any] = []
        for batch in batches:
            values = batch.columns.get(name)
            column += values if values is not None else [None] * batch.size
        joined.columns[name] = column
    return joined


def share_values(batch: EventBatch) -> EventBatch:
    """The batch with the equal strings of each column as one object (in place). Logs repeat their
    values (the same Image on thousands of rows): a batch sent to another process then pickles to
    a fraction of the bytes and loads in half the time, and grouping by value compares identities."""
    for name, values in batch.columns.items():
        seen: dict[str, str] = {}
        share = seen.setdefault
        batch.columns[name] = [share(v, v) if type(v) is str else v for v in values]
    return batch


class BatchBuilder:
    """Accumulates events row by row into a columnar batch (readers use it)."""

    def __init__(self, source: str, log_file: str) -> None:
        self.batch = EventBatch(source, log_file)

    def add(self, record: int, timestamp: datetime | None, raw: str, fields: dict[str, Any]) -> None:
        batch = self.batch
        row = batch.size
        batch.records.append(record)
        batch.timestamps.append(timestamp)
        batch.raws.append(raw)
        for name, value in fields.items():
            column = batch.columns.get(name)
            if column is None:
                column = batch.columns[name] = [None] * row
            column.append(value)
        for column in batch.columns.values():  # fields this event lacks
            if len(column) == row:
                column.append(None)

    def take(self, source: str | None = None) -> EventBatch:
        """The batch so far, and start a new one for the same file."""
        done = self.batch
        self.batch = EventBatch(source or done.source, done.log_file)
        return done


@dataclass
class ReadStats:
    """What reading produced, per file: counted and reported, never fatal."""

    files: int = 0
    events: int = 0
    malformed: dict[str, int] = field(default_factory=dict)  # file -> malformed lines/records
    malformed_lines: dict[str, list[int]] = field(default_factory=dict)  # file -> the first such line numbers
    skipped: dict[str, str] = field(default_factory=dict)  # file -> why it was not read
    formats: dict[str, str] = field(default_factory=dict)  # file -> detected format
    bad_times: dict[str, int] = field(default_factory=dict)  # file -> events whose time could not be read
    bad_time_lines: dict[str, list[int]] = field(default_factory=dict)  # file -> the first such line numbers


@dataclass
class Match:
    rule_id: str
    rule_title: str
    level: str
    tags: list[str]
    log_file: str
    record: int
    timestamp: datetime | None
    event: dict[str, Any]
    members: list[Match] = field(default_factory=list)  # a correlation's member events
    rule_type: str = "detection"  # detection | correlation
    rule_title_zh: str = ""  # the rule's Chinese title, when it has one (our packs)

    def as_dict(self) -> dict[str, Any]:
        value: dict[str, Any] = {
            "rule_id": self.rule_id,
            "rule_title": self.rule_title,
            "level": self.level,
            "tags": self.tags,
            "log_file": self.log_file,
            "record": self.record,
            "timestamp": self.timestamp.isoformat() if self.timestamp else None,
            "event": self.event,
        }
        if self.rule_title_zh:
            value["rule_title_zh"] = self.rule_title_zh
        if self.rule_type == "correlation":
            value["type"] = "correlation"
            value["members"] = [m.as_dict() for m in self.members]
        return value
