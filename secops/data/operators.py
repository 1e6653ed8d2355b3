"""Masking operators over whole columns (pyarrow string arrays), one instance per column.

Partial masks, suppression and address generalisation run as pyarrow compute kernels: no Python
object per cell. Keyed pseudonyms, FF1 and date/age generalisation are Python per *distinct*
value, cached across chunks, because they are deterministic. Every operator keeps nulls null and
counts the values it could not treat its own way (``fallbacks``: e.g. an FF1 value too short for
the standard's domain, masked instead).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import date
from typing import ClassVar

import pyarrow as pa
import pyarrow.compute as pc

from secops.data import identifiers as ids
from secops.data.masking import (
    ADDRESS_LEVELS,
    clean_column,
    generalize_addresses,
    mask_bank_cards,
    mask_dates,
    mask_emails,
    mask_ips,
    mask_mobiles,
    mask_names,
    partial,
    stars,
)
from secops.errors import SecopsError

CACHE_LIMIT = 1_000_000  # distinct values remembered per column before the cache starts over
IDENTIFIER_KINDS = frozenset({"id_card", "xueji", "mobile", "bank_card", "passport", "travel_permit", "uscc", "plate"})
# kind -> (characters kept at the start, at the end) for the partial mask
PARTIAL: dict[str, tuple[int, int]] = {
    "id_card": (3, 4),
    "xueji": (3, 4),
    "passport": (2, 3),
    "travel_permit": (2, 3),
    "uscc": (4, 4),
    "plate": (2, 1),
}


def as_text(column: pa.Array) -> pa.Array:
    """Any column as strings: whole floats without '.0', dates ISO, nested values as JSON."""
    kind = column.type
    if pa.types.is_string(kind):
        return column
    if pa.types.is_large_string(kind) or pa.types.is_null(kind) or pa.types.is_integer(kind):
        return pc.cast(column, pa.string())
    if pa.types.is_floating(kind):
        whole = pc.and_(pc.equal(pc.floor(column), column), pc.less(pc.abs(column), 2.0**53))
        as_int = pc.cast(pc.if_else(whole, column, 0.0), pa.int64())
        return pc.if_else(whole, pc.cast(as_int, pa.string()), pc.cast(column, pa.string()))
    if pa.types.is_timestamp(kind):
        return pc.strftime(column, format="%Y-%m-%d %H:%M:%S")
    if pa.types.is_date(kind) or pa.types.is_boolean(kind) or pa.types.is_decimal(kind):
        return pc.cast(column, pa.string())
    from secops.data.tables import text_of

    return pa.array([None if v is None else text_of(v) for v in column.to_pylist()], pa.string())


class Operator(ABC):
    """One column's treatment. ``apply`` takes the column as text and returns text."""

    name: ClassVar[str]

    def __init__(self, kind: str | None) -> None:
        self.kind = kind
        self.fallbacks = 0

    @abstractmethod
    def apply(self, text: pa.Array) -> pa.Array: ...


class Distinct(Operator):
    """Deterministic per value: each distinct value of a chunk is treated once, and remembered."""

    def __init__(self, kind: str | None) -> None:
        super().__init__(kind)
        self.cache: dict[str, str | None] = {}
        self.failed: set[str] = set()  # values ``one`` could not treat its own way

    @abstractmethod
    def one(self, value: str) -> str | None: ...

    def fail(self, value: str, replacement: str) -> str:
        self.failed.add(value)
        return replacement

    def apply(self, text: pa.Array) -> pa.Array:
        encoded = pc.dictionary_encode(text)
        cache = self.cache
        if len(cache) > CACHE_LIMIT:
            cache.clear()
        out: list[str | None] = []
        for value in encoded.dictionary.to_pylist():
            if value not in cache:
                cache[value] = self.one(value)
            out.append(cache[value])
        if self.failed:  # count cells, not distinct values
            found = pc.is_in(text, value_set=pa.array(list(self.failed), pa.string()))
            self.fallbacks += pc.sum(found).as_py() or 0
        return pc.take(pa.array(out, pa.string()), encoded.indices)


class Keep(Operator):
    name = "keep"

    def apply(self, text: pa.Array) -> pa.Array:
        return text


class Mask(Operator):
    """Partial mask with Chinese conventions per kind; ``keep`` = (start, end) overrides them."""

    name = "mask"
    BY_KIND: ClassVar[dict[str, Callable[[pa.Array], pa.Array]]] = {
        "name": mask_names,
        "mobile": mask_mobiles,
        "bank_card": mask_bank_cards,
        "email": mask_emails,
        "birth_date": mask_dates,
        "ip": mask_ips,
    }

    def __init__(self, kind: str | None, keep: tuple[int, int] | None = None) -> None:
        super().__init__(kind)
        self.keep = keep

    def apply(self, text: pa.Array) -> pa.Array:
        if self.keep is not None:
            return partial(text, *self.keep)
        if self.kind == "address":
            district = generalize_addresses(text)
            return pc.if_else(
                pc.equal(district, ""), stars(pc.utf8_length(text)), pc.binary_join_element_wise(district, "****", "")
            )
        if self.kind in self.BY_KIND:
            return self.BY_KIND[self.kind](text)
        if self.kind in PARTIAL:
            return partial(clean_column(text), *PARTIAL[self.kind])
        return stars(pc.utf8_length(text))


class Suppress(Operator):
    name = "suppress"

    def __init__(self, kind: str | None, token: str = "") -> None:
        super().__init__(kind)
        self.token = token

    def apply(self, text: pa.Array) -> pa.Array:
        return pc.if_else(pc.is_null(text), pa.scalar(None, pa.string()), pa.scalar(self.token, pa.string()))


def derive_key(key: bytes, purpose: str) -> bytes:
    """A separate 32-byte key per use, so a pseudonym never reveals anything about FF1 output."""
    return hmac.digest(key, b"secops-data-mask/" + purpose.encode(), "sha256")


def normalise(value: str, kind: str | None) -> str:
    """The form two spellings of one identifier share, so they get one token."""
    text = value.strip()
    if kind in IDENTIFIER_KINDS:
        text = ids.clean(text)
        if kind == "mobile":
            text = re.sub(r"^(\+?86|0086)(?=1\d{10}$)", "", text.replace("(", "").replace(")", ""))
    elif kind == "email":
        text = text.lower()
    return text


class Pseudonym(Distinct):
    """HMAC-SHA256 or HMAC-SM3 of the normalised value, hex: same key and value, same token."""

    name = "pseudonym"

    def __init__(self, kind: str | None, key: bytes, algorithm: str = "sha256", length: int = 16) -> None:
        super().__init__(kind)
        if algorithm == "sm3" and "sm3" not in hashlib.algorithms_available:
            raise SecopsError(
                "the policy asks for SM3 pseudonyms, but this Python's OpenSSL has no SM3",
                hint="use algorithm: sha256, or run secops with a Python whose OpenSSL provides SM3",
            )
        self.key = derive_key(key, f"pseudonym/{algorithm}")
        self.algorithm = algorithm
        self.length = length

    def one(self, value: str) -> str | None:
        if not value.strip():
            return value
        digest = hmac.digest(self.key, normalise(value, self.kind).encode("utf-8"), self.algorithm)
        return digest.hex()[: self.length]


class Generalize(Distinct):
    """Dates to a year or month, addresses to district/city/province, ages to bands (10-14)."""

    name = "generalize"

    def __init__(self, kind: str | None, to: str, band: int = 5) -> None:
        super().__init__(kind)
        self.to = to
        self.band = band

    def apply(self, text: pa.Array) -> pa.Array:
        if self.to in ADDRESS_LEVELS:
            out = generalize_addresses(text, self.to)
            self.fallbacks += pc.sum(pc.and_(pc.equal(out, ""), pc.not_equal(text, ""))).as_py() or 0
            return out
        return super().apply(text)

    def one(self, value: str) -> str | None:
        if not value.strip():
            return value
        if self.to == "band":
            try:
                age = int(float(value))
            except ValueError:
                return self.fail(value, "")
            low = age // self.band * self.band
            return f"{low}-{low + self.band - 1}"
        year, month = _year_month(value)
        if not year:
            return self.fail(value, "")
        return str(year) if self.to == "year" or not month else f"{year}-{month:02d}"


_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]?\s*(\d{1,2})?")


def _year_month(value: str) -> tuple[int, int]:
    """From a date (2014-03-05, 2014/3/5, 2014年3月, 20140305) or an ID number's birth date."""
    text = value.strip()
    if len(text) >= 15 and ids.id_card_valid(text, today=date.max):
        born = ids.id_birth_date(text)
        if born is not None:
            return born.year, born.month
    match = _DATE.match(text)
    if match is None:
        return 0, 0
    month = int(match.group(2) or 0)
    return int(match.group(1)), month if 1 <= month <= 12 else 0
