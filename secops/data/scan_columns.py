"""The scan's column work: a sample of each column to recognise it, then exact counts over every
row of every batch with column kernels (hits, non-empty values, minors from ID birth dates) and a
few masked examples. Nothing here keeps a cell value beyond the masked examples.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from secops.data import identifiers as ids
from secops.data.mask_operators import Mask
from secops.data.recognize import BY_KIND, ColumnFinding
from secops.data.table_base import as_text

SAMPLE = 2000  # non-empty values per column to recognise it
SAMPLE_ROWS = 262_144  # rows read ahead at most while sampling (sparse columns stop here)
EXAMPLES = 3
ID_KINDS = ("id_card", "xueji")


def present(text: pa.Array) -> np.ndarray:
    """Which values are neither null nor blank."""
    nonempty = pc.fill_null(pc.greater(pc.binary_length(text), 0), False)
    # blank values are rare: trim only when Arrow sees an all-whitespace value (its Unicode
    # whitespace includes every character ``strip`` removes)
    if pc.any(pc.utf8_is_space(text)).as_py():
        nonempty = pc.fill_null(pc.greater(pc.binary_length(ids.strip_array(text)), 0), False)
    return cast("np.ndarray[Any, Any]", nonempty.to_numpy(zero_copy_only=False))


def take_sample(batches: Iterator[pa.RecordBatch], width: int) -> tuple[list[pa.RecordBatch], list[pa.Array]]:
    """Read batches until every column has ``SAMPLE`` non-empty values or ``SAMPLE_ROWS`` rows were
    read; returns the batches read (to be counted too) and each column's sample as text."""
    head: list[pa.RecordBatch] = []
    pieces: list[list[pa.Array]] = [[] for _ in range(width)]
    have, rows = [0] * width, 0
    for batch in batches:
        head.append(batch)
        rows += batch.num_rows
        for index in range(width):
            if have[index] >= SAMPLE:
                continue
            text = as_text(batch.column(index).slice(0, SAMPLE * 4))
            values = pc.filter(text, present(text)).slice(0, SAMPLE - have[index])
            pieces[index].append(values)
            have[index] += len(values)
        if min(have, default=SAMPLE) >= SAMPLE or rows >= SAMPLE_ROWS:
            break
    samples = [pa.concat_arrays(p) if p else pa.array([], pa.string()) for p in pieces]
    return head, samples


class ColumnCount:
    """Exact counts for one column over all its batches."""

    def __init__(self, finding: ColumnFinding, *, today: date, minor_age: int, examples: bool) -> None:
        self.finding = finding
        self.kind = finding.kind
        self.today = today
        self.minor_age = minor_age
        self.want_examples = examples
        self.hits = 0
        self.present = 0
        self.examples: list[str] = []
        self.masker = Mask(finding.kind)

    def consume(self, column: pa.Array) -> tuple[np.ndarray, np.ndarray | None]:
        """Count one batch; returns (non-empty values, minors or None when not an ID column)."""
        text = as_text(column)
        filled = present(text)
        self.present += int(filled.sum())
        hit: np.ndarray | None = None
        minors = None
        if self.kind in ID_KINDS and filled.any():
            hit, born = ids.id_numbers_array(text, xueji=self.kind == "xueji", today=self.today)
            minors = hit & (born > ids.minor_threshold(self.today, self.minor_age))
        elif self.kind is not None and filled.any():
            hit = BY_KIND[self.kind].check_array(text).to_numpy(zero_copy_only=False)
        if hit is not None:
            self.hits += int(hit.sum())
            if self.want_examples and len(self.examples) < EXAMPLES:
                self._examples(text, hit)
        return filled, minors

    def _examples(self, text: pa.Array, chosen: np.ndarray) -> None:
        where = np.flatnonzero(chosen)[: EXAMPLES - len(self.examples)]
        if len(where):
            masked = self.masker.apply(pc.take(text, pa.array(where)))
            self.examples.extend(str(value) for value in masked.to_pylist())
