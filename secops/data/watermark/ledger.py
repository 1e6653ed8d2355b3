"""The release ledger in the workspace database: recipient, time, file names, row count, carrier
columns, mark id and key fingerprint. Never the data, never the key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from secops.data.watermark.scheme import Scheme
from secops.store import Store
from secops.store.schema import data_releases


@dataclass(frozen=True)
class Release:
    id: int
    mark_id: str
    recipient: str
    created_at: datetime
    source_name: str
    output_name: str
    rows: int
    key_id: str
    scheme: Scheme
    marked_cells: int
    changed_cells: int
    pseudonymized: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "recipient": self.recipient,
            "created_at": self.created_at,
            "source": self.source_name,
            "output": self.output_name,
            "rows": self.rows,
            "carriers": [c.column for c in self.scheme.carriers],
            "identity": list(self.scheme.identity),
            "mark_id": self.mark_id,
            "key_id": self.key_id,
            "marked_cells": self.marked_cells,
            "changed_cells": self.changed_cells,
            "pseudonymized": list(self.pseudonymized),
        }


def record_release(
    store: Store,
    *,
    mark_id: str,
    recipient: str,
    now: datetime,
    source_name: str,
    output_name: str,
    rows: int,
    key_id: str,
    scheme: Scheme,
    marked_cells: int,
    changed_cells: int,
    pseudonymized: list[str],
) -> int:
    with store.engine.begin() as conn:
        result = conn.execute(
            data_releases.insert().values(
                mark_id=mark_id,
                recipient=recipient,
                created_at=now,
                source_name=source_name,
                output_name=output_name,
                rows=rows,
                key_id=key_id,
                scheme=scheme.as_dict(),
                marked_cells=marked_cells,
                changed_cells=changed_cells,
                pseudonymized=pseudonymized,
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])


def list_releases(store: Store, *, recipient: str | None = None) -> list[Release]:
    query = sa.select(data_releases).order_by(data_releases.c.id)
    if recipient is not None:
        query = query.where(data_releases.c.recipient == recipient)
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        Release(
            id=row.id,
            mark_id=row.mark_id,
            recipient=row.recipient,
            created_at=row.created_at,
            source_name=row.source_name,
            output_name=row.output_name,
            rows=row.rows,
            key_id=row.key_id,
            scheme=Scheme.from_dict(dict(row.scheme)),
            marked_cells=row.marked_cells,
            changed_cells=row.changed_cells,
            pseudonymized=tuple(row.pseudonymized or ()),
        )
        for row in rows
    ]
