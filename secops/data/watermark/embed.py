"""Embedding a release's fingerprint into columns (pure: values in, changed cells out)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from secops.data.watermark.cells import mark_cell
from secops.data.watermark.colview import Column, filled, pick
from secops.data.watermark.prf import Selector
from secops.data.watermark.scheme import Scheme


@dataclass
class EmbedStats:
    rows: int = 0
    unaddressable: int = 0  # rows without an identity: left alone
    carrier_cells: dict[str, int] = field(default_factory=dict)  # non-empty cells per carrier
    marked: dict[str, int] = field(default_factory=dict)  # cells that carry a bit
    changed: dict[str, int] = field(default_factory=dict)  # cells whose value had to change

    def add(self, other: EmbedStats) -> None:
        self.rows += other.rows
        self.unaddressable += other.unaddressable
        for mine, theirs in ((self.carrier_cells, other.carrier_cells), (self.marked, other.marked)):
            for name, count in theirs.items():
                mine[name] = mine.get(name, 0) + count
        for name, count in other.changed.items():
            self.changed[name] = self.changed.get(name, 0) + count

    @property
    def changed_share(self) -> float:
        """Changed cells over the carrier columns' non-empty cells."""
        cells = sum(self.carrier_cells.values())
        return sum(self.changed.values()) / cells if cells else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "unaddressable_rows": self.unaddressable,
            "carrier_cells": self.carrier_cells,
            "marked_cells": self.marked,
            "changed_cells": self.changed,
            "changed_share": round(self.changed_share, 5),
        }


Change = tuple[str, int, Any]  # (column, row index in the chunk, new value)


def embed_columns(
    selector: Selector, scheme: Scheme, fingerprint: int, columns: Mapping[str, Column]
) -> tuple[list[Change], EmbedStats]:
    """The cell changes that write ``fingerprint`` into one chunk's columns, and what they cost.

    ``columns`` maps at least the identity and carrier columns to their values in this chunk.
    """
    words = selector.rows([columns[name] for name in scheme.identity])
    stats = EmbedStats(rows=len(words), unaddressable=int(len(words) - words.valid.sum()))
    changes: list[Change] = []
    for carrier in scheme.carriers:
        values = columns[carrier.column]
        stats.carrier_cells[carrier.column] = filled(values)
        cells = selector.chosen(words, carrier.column)
        olds = pick(values, cells.rows)
        marked = changed = 0
        column = carrier.column
        for old, row, position, mask, direction in zip(
            olds, cells.rows.tolist(), cells.positions.tolist(), cells.masks.tolist(), cells.directions.tolist(),
            strict=True,
        ):  # fmt: skip
            carries, new = mark_cell(old, carrier, ((fingerprint >> position) & 1) ^ mask, direction)
            if not carries:
                continue  # empty, or finer than the column's precision
            marked += 1
            if new is not old:
                changed += 1
                changes.append((column, row, new))
        stats.marked[column] = marked
        stats.changed[column] = changed
    return changes, stats
