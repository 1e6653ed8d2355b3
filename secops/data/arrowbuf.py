"""The raw buffers of an Arrow string column as numpy arrays, for the few column kernels that are
cheaper written over bytes than as Arrow compute calls (first-byte tests, fixed-width stars)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa


def string_buffers(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, data) of a string or large-string column: ``offsets`` (int64, one more than the
    column's length) index into ``data`` (the bytes, uint8); a sliced column's own part only."""
    buffers = column.buffers()
    width = np.int64 if pa.types.is_large_string(column.type) else np.int32
    offsets = np.frombuffer(buffers[1], dtype=width)[column.offset : column.offset + len(column) + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, np.uint8)
    return offsets.astype(np.int64), data
