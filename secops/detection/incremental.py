"""Reading only what is new in logs: bookmarks loaded from and saved to the workspace store.

``IncrementalRead`` plans each file from its bookmark (see :mod:`secops.detection.bookmarks`),
yields the events of the new stretches, and keeps the bookmarks that reading them earned.
They are saved with :meth:`IncrementalRead.save` only after the matches are stored, so a run that
dies half-way reads the same lines again next time (the alerts' identities keep them single).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path

import sqlalchemy as sa

from secops.detection.bookmarks import Bookmark, plan_files
from secops.detection.events import EventBatch, ReadStats
from secops.detection.readers import read_file
from secops.detection.readers._files import iter_files
from secops.store import Store
from secops.store.schema import detect_bookmarks


def load_bookmarks(store: Store) -> list[Bookmark]:
    names = list(Bookmark.__dataclass_fields__)
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(*(detect_bookmarks.c[n] for n in names))).all()
    return [Bookmark(*row) for row in rows]


def last_read_at(store: Store) -> datetime | None:
    """When detection last read a log incrementally (what the forwarder's check-in reports)."""
    with store.engine.connect() as conn:
        value = conn.execute(sa.select(sa.func.max(detect_bookmarks.c.read_at))).scalar()
    if isinstance(value, str):  # max() over a DateTime column comes back as text on SQLite
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def save_bookmarks(store: Store, marks: Iterable[Bookmark], now: datetime) -> None:
    """Insert or replace each bookmark (key: device, inode)."""
    from secops.store.bulk import insert_rows

    rows = [{**asdict(mark), "read_at": now} for mark in marks]
    if not rows:
        return
    update = [name for name in rows[0] if name not in ("device", "inode")]
    with store.engine.begin() as conn:
        insert_rows(conn, detect_bookmarks, rows, conflict=("device", "inode"), update=update)


@dataclass
class IncrementalRead:
    """The new events under ``paths``; ``tail``: a file without a bookmark starts at its end."""

    paths: list[Path]
    bookmarks: list[Bookmark]
    stats: ReadStats
    zone: tzinfo = UTC
    log_format: str | None = None
    batch_size: int = 5000
    tail: bool = False
    earned: list[Bookmark] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def batches(self) -> Iterator[EventBatch]:
        for path in self.paths:  # a log that was missing on an earlier pass (--follow) and is here now
            if path.exists():
                self.stats.skipped.pop(str(path), None)
        files = list(iter_files(self.paths, self.stats))
        for _path, plan in plan_files(files, self.bookmarks, tail=self.tail):
            self.notes += plan.notes
            for segment in plan.segments:
                if segment.end is None or segment.end > segment.start:
                    yield from read_file(
                        segment.path,
                        self.log_format,
                        self.batch_size,
                        self.stats,
                        self.zone,
                        start=segment.start,
                        end=segment.end,
                        first_record=segment.first_record,
                    )
                self.earned.append(segment.done)

    def advance(self) -> None:
        """Take what was read as the starting point of the next pass (``--follow``)."""
        by_key = {(b.device, b.inode): b for b in self.bookmarks}
        by_key.update({(b.device, b.inode): b for b in self.earned})
        self.bookmarks, self.earned, self.notes = list(by_key.values()), [], []

    def save(self, store: Store, now: datetime) -> None:
        save_bookmarks(store, self.earned, now)
