"""Columns as the watermark reads them: Python lists (pure tests) or Arrow arrays (files), where only
the chosen cells (about one in gamma) ever become Python objects."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

Column: TypeAlias = Sequence[Any] | pa.Array | pa.ChunkedArray


def as_list(column: Column) -> list[Any]:
    if isinstance(column, pa.Array | pa.ChunkedArray):
        return cast("list[Any]", column.to_pylist())
    return list(column)


def pick(column: Column, rows: np.ndarray) -> list[Any]:
    """The values at ``rows``."""
    if isinstance(column, pa.Array | pa.ChunkedArray):
        return cast("list[Any]", column.take(pa.array(rows, pa.int64())).to_pylist())
    return [column[i] for i in rows.tolist()]


def filled(column: Column) -> int:
    """Cells that are neither null nor empty text."""
    if isinstance(column, pa.Array | pa.ChunkedArray):
        count = len(column) - column.null_count
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            count -= int(pc.sum(pc.equal(column, "")).as_py() or 0)
        return cast("int", count)
    return sum(1 for v in column if v is not None and v != "")


def with_changes(column: pa.Array | pa.ChunkedArray, rows: list[int], values: list[Any]) -> pa.Array:
    """The column with ``values`` at ``rows``, in the column's own type where they fit."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    mask = np.zeros(len(column), dtype=bool)
    mask[rows] = True
    order = np.argsort(rows, kind="stable")  # replace_with_mask fills the masked slots in order
    try:
        replacement = pa.array([values[i] for i in order.tolist()], type=column.type)
        return pc.replace_with_mask(column, pa.array(mask), replacement)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError, OverflowError):
        from secops.data.table_base import to_array

        merged = column.to_pylist()
        for row, value in zip(rows, values, strict=True):
            merged[row] = value
        return to_array(merged)
