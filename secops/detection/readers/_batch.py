"""Helpers every reader shares: batching rows into columns, counting malformed input, timestamps."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo
from typing import Any

from secops.detection.events import EventBatch, ReadStats

MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}


class RowBatcher:
    """Collects events as dicts and turns them into a columnar batch every ``batch_size`` rows.

    Building the columns once per batch, from each row's own fields into columns allocated whole,
    is much cheaper than padding every column on every row, and keeps rows with different field
    sets cheap.
    ``constants`` are columns with the same value on every row (the reader's logsource).
    """

    def __init__(self, source: str, log_file: str, batch_size: int, constants: dict[str, Any] | None = None) -> None:
        self.source = source
        self.log_file = log_file
        self.batch_size = max(1, batch_size)
        self.constants = constants or {}
        self.records: list[int] = []
        self.timestamps: list[datetime | None] = []
        self.raws: list[str] = []
        self.rows: list[dict[str, Any]] = []

    def add(self, record: int, timestamp: datetime | None, raw: str, fields: dict[str, Any]) -> EventBatch | None:
        """Add one event; returns a full batch when ``batch_size`` is reached."""
        self.records.append(record)
        self.timestamps.append(timestamp)
        self.raws.append(raw)
        self.rows.append(fields)
        if len(self.rows) >= self.batch_size:
            return self.take()
        return None

    def take(self) -> EventBatch:
        rows = self.rows
        size = len(rows)
        columns: dict[str, list[Any]] = {}  # every field of the batch, in first-seen order
        get = columns.get
        for index, row in enumerate(rows):  # by each row's own fields: rows are sparse (20 of 60 names)
            for name, value in row.items():
                column = get(name)
                if column is None:
                    column = columns[name] = [None] * size
                column[index] = value
        for name, value in self.constants.items():
            columns[name] = [value] * len(rows)
        batch = EventBatch(self.source, self.log_file, self.records, self.timestamps, self.raws, columns)
        self.records, self.timestamps, self.raws, self.rows = [], [], [], []
        return batch

    def flush(self) -> Iterator[EventBatch]:
        if self.rows:
            yield self.take()


# What parsing one hostile line can raise (a non-ASCII digit given to int(), a year past 9999, a
# 5,000-digit number, JSON nested past the decoder's limit...): the line is counted, never fatal.
LINE_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError, RecursionError)
MAX_DIGITS = 20  # an ASCII number longer than a u64 is no count, id, port or status a log writes


def count_malformed(stats: ReadStats, log_file: str, count: int = 1, record: int | None = None) -> None:
    """Lines/records skipped as unreadable: counted, the first line numbers kept (never their text,
    which may be student data)."""
    stats.malformed[log_file] = stats.malformed.get(log_file, 0) + count
    if record is not None:
        lines = stats.malformed_lines.setdefault(log_file, [])
        if len(lines) < 5:
            lines.append(record)


def small_int(text: str) -> int | None:
    """``text`` as an int when it is 1..20 ASCII digits (``str.isdigit`` also takes ``²`` and other
    Unicode digits that ``int`` rejects or reads differently); None otherwise."""
    if text.isdigit() and text.isascii() and len(text) <= MAX_DIGITS:
        return int(text)
    return None


def parse_iso(text: str, zone: tzinfo = UTC) -> datetime | None:
    """An ISO 8601 timestamp; one without a zone is a wall time in ``zone`` (the workspace's)."""
    try:
        value = datetime.fromisoformat(text)
    except (ValueError, OverflowError):
        return None
    return value if value.tzinfo else value.replace(tzinfo=zone)


def note_bad_time(stats: ReadStats, log_file: str, record: int) -> None:
    """A line whose time cannot be read: counted, its first line numbers kept; the event stays."""
    stats.bad_times[log_file] = stats.bad_times.get(log_file, 0) + 1
    lines = stats.bad_time_lines.setdefault(log_file, [])
    if len(lines) < 5:
        lines.append(record)


def from_epoch(seconds: float) -> datetime | None:
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):  # NaN, infinity, a year past 9999
        return None
