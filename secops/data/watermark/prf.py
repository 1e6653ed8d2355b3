"""The keyed selection: which cells carry a mark, at which fingerprint position, with which mask.

One HMAC-SHA256 per row over its identity gives a secret 64-bit row word; each carrier column has
a keyed 64-bit salt, and a SplitMix64 finaliser of ``row ^ salt`` (vectorised) gives every
(row, column) cell its own pseudo-random word. Selection therefore never depends on row order or on which other
columns survive, and costs one HMAC per row rather than one per cell.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from secops.data.identifiers import clean
from secops.data.watermark.colview import Column, as_list

LENGTH = 128  # fingerprint bits per release: each decoded position is one independent piece of evidence


def subkey(key: bytes, label: str) -> bytes:
    """Independent keys for selection, fingerprints and pseudonyms from the one data key."""
    return hmac.digest(key, b"secops-watermark/v1/" + label.encode("utf-8"), "sha256")


def fingerprint(key: bytes, mark_id: str, length: int = LENGTH) -> int:
    """A release's fingerprint bits (an integer, bit i = position i)."""
    digest = hmac.digest(subkey(key, "fingerprint"), mark_id.encode("utf-8"), "sha256")
    return int.from_bytes(digest, "little") & ((1 << length) - 1)


def identity_text(value: Any) -> str | None:
    """A value's identity text, the same whether it came from CSV text, an XLSX number or JSON."""
    if type(value) is str:
        text = value.strip()
        if text.isalnum():  # the common case, without the regular expression
            return text.upper()
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        value = int(value) if value.is_integer() else value
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = clean(str(value)).lstrip("'")
    if text.endswith(".0") and text[:-2].isdigit():  # an integral identifier once stored as a float
        text = text[:-2]
    return text or None


@dataclass(frozen=True)
class Words:
    """Per-row secret 64-bit words; ``valid`` is False for rows without an identity (never marked)."""

    values: np.ndarray
    valid: np.ndarray

    def __len__(self) -> int:
        return len(self.values)


@dataclass(frozen=True)
class Cells:
    rows: np.ndarray
    positions: np.ndarray
    masks: np.ndarray
    directions: np.ndarray


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser over a uint64 array (wrapping arithmetic)."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return cast("np.ndarray[Any, Any]", x ^ (x >> np.uint64(31)))


class Selector:
    """The PRF with one release scheme's key; ``rows`` then ``cells`` per column."""

    def __init__(self, key: bytes, gamma: int, length: int = LENGTH) -> None:
        if gamma < 1:
            raise ValueError("gamma must be at least 1")
        self.gamma = gamma
        self.length = length
        self._key = subkey(key, "select")
        # HMAC-SHA256 with its padded key states computed once (hmac.digest rebuilds them per call)
        block = self._key.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def prf(self, message: bytes) -> bytes:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()

    def rows(self, identities: Sequence[Column]) -> Words:
        """Row words from the identity columns' values (one column per identity column)."""
        texts = identity_texts(identities)
        inner, outer = self._inner.copy, self._outer.copy
        blank = bytes(8)
        digests: list[bytes] = []
        append = digests.append
        for text in texts:
            if text is None:
                append(blank)
                continue
            first = inner()
            first.update(text.encode("utf-8"))
            second = outer()
            second.update(first.digest())
            append(second.digest()[:8])
        values = np.frombuffer(b"".join(digests), dtype="<u8").astype(np.uint64)
        return Words(values, np.fromiter((t is not None for t in texts), dtype=bool, count=len(texts)))

    def salt(self, column: str) -> int:
        return int.from_bytes(self.prf(b"column\0" + column.encode("utf-8"))[:8], "little")

    def chosen(self, words: Words, column: str) -> Cells:
        """The column's chosen cells: row indexes, fingerprint positions, mask and direction bits."""
        x = _mix(words.values ^ np.uint64(self.salt(column)))
        rows = np.nonzero(words.valid & ((x & np.uint64(0xFFFFFFFF)) % np.uint64(self.gamma) == 0))[0]
        picked = x[rows]
        positions = ((picked >> np.uint64(32)) % np.uint64(self.length)).astype(np.int64)
        masks = ((picked >> np.uint64(48)) & np.uint64(1)).astype(np.int64)
        directions = ((picked >> np.uint64(49)) & np.uint64(1)).astype(np.int64)
        return Cells(rows, positions, masks, directions)

    def cells(self, words: Words, column: str) -> list[tuple[int, int, int, int]]:
        """(row index, fingerprint position, mask bit, direction bit) per chosen cell."""
        cells = self.chosen(words, column)
        arrays = (cells.rows, cells.positions, cells.masks, cells.directions)
        return list(zip(*(a.tolist() for a in arrays), strict=True))


def _texts(column: Column) -> list[str | None]:
    """identity_text over a column; Arrow text columns trimmed and upper-cased in one vectorised
    step, with only the cells that are not plain letters and digits going through Python."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if not (isinstance(column, pa.Array) and pa.types.is_string(column.type)):
        return [identity_text(value) for value in as_list(column)]
    normal = pc.utf8_upper(pc.utf8_trim_whitespace(column))
    texts: list[str | None] = normal.to_pylist()
    plain = pc.fill_null(pc.utf8_is_alnum(normal), False).to_numpy(zero_copy_only=False)
    for index in np.nonzero(~plain)[0].tolist():
        texts[index] = identity_text(column[index].as_py())
    return texts


def identity_texts(identities: Sequence[Column]) -> list[str | None]:
    """Each row's identity text (identity columns joined), None where any part is missing."""
    if len(identities) == 1:
        return _texts(identities[0])
    parts = [_texts(column) for column in identities]
    return [None if None in row else "\x1f".join(row) for row in zip(*parts, strict=True)]
