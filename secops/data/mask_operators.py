"""Masking operators over whole columns (pyarrow string arrays), one instance per column, and their
registry: ``OPERATORS`` maps each name a policy may use to its class, which says which rule
parameters it takes (``parameter_names``), whether it needs a key, and builds itself from typed
``OperatorParameters``.

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
from dataclasses import dataclass
from datetime import date, timedelta
from typing import ClassVar

import pyarrow as pa
import pyarrow.compute as pc

from secops.data import identifiers as ids
from secops.data.column_cipher import (
    FIRST_BIRTH,
    LAST_BIRTH,
    TOKEN_PREFIX,
    ColumnCipher,
    UndecryptableValue,
    derive_key,
    with_luhn,
)
from secops.data.ff1 import FF1
from secops.data.mask_kernels import (
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
from secops.i18n import _

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


@dataclass(frozen=True)
class OperatorParameters:
    """A policy rule's operator parameters (None: the operator's default); ``algorithm`` is the
    rule's or else the policy's HMAC."""

    keep: tuple[int, int] | None = None  # mask: characters kept at the start and the end
    algorithm: str = "sha256"  # pseudonym: sha256 | sm3
    length: int | None = None  # pseudonym: hex characters
    to: str | None = None  # generalize: year | month | district | city | province | band
    band: int | None = None  # generalize to band: width in years
    token: str | None = None  # suppress: the replacement
    cipher: str = "aes"  # ff1: aes | sm4
    form: str = "token"  # encrypt: token | preserve


class Operator(ABC):
    """One column's treatment. ``apply`` takes the column as text and returns text."""

    name: ClassVar[str]
    parameter_names: ClassVar[frozenset[str]] = frozenset()  # the rule parameters it takes
    needs_key: ClassVar[bool] = False

    def __init__(self, kind: str | None) -> None:
        self.kind = kind
        self.fallbacks = 0

    @classmethod
    def create(cls, kind: str | None, parameters: OperatorParameters, key: bytes | None) -> Operator:
        """The operator for one column from a rule's parameters (``key`` given when ``needs_key``)."""
        return cls(kind)

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
    parameter_names = frozenset({"keep"})
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

    @classmethod
    def create(cls, kind: str | None, parameters: OperatorParameters, key: bytes | None) -> Operator:
        return cls(kind, parameters.keep)

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
    parameter_names = frozenset({"token"})

    def __init__(self, kind: str | None, token: str = "") -> None:
        super().__init__(kind)
        self.token = token

    @classmethod
    def create(cls, kind: str | None, parameters: OperatorParameters, key: bytes | None) -> Operator:
        return cls(kind, parameters.token or "")

    def apply(self, text: pa.Array) -> pa.Array:
        return pc.if_else(pc.is_null(text), pa.scalar(None, pa.string()), pa.scalar(self.token, pa.string()))


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
    parameter_names = frozenset({"algorithm", "length"})
    needs_key = True

    def __init__(self, kind: str | None, key: bytes, algorithm: str = "sha256", length: int = 16) -> None:
        super().__init__(kind)
        if algorithm == "sm3" and "sm3" not in hashlib.algorithms_available:
            raise SecopsError(
                _("the policy asks for SM3 pseudonyms, but this Python's OpenSSL has no SM3"),
                hint=_("use algorithm: sha256, or run secops with a Python whose OpenSSL provides SM3"),
            )
        self.key = derive_key(key, f"pseudonym/{algorithm}")
        self.algorithm = algorithm
        self.length = length

    @classmethod
    def create(cls, kind: str | None, parameters: OperatorParameters, key: bytes | None) -> Operator:
        assert key is not None
        return cls(kind, key, parameters.algorithm, parameters.length or 16)

    def one(self, value: str) -> str | None:
        if not value.strip():
            return value
        digest = hmac.digest(self.key, normalise(value, self.kind).encode("utf-8"), self.algorithm)
        return digest.hex()[: self.length]


class Generalize(Distinct):
    """Dates to a year or month, addresses to district/city/province, ages to bands (10-14)."""

    name = "generalize"
    parameter_names = frozenset({"to", "band"})

    def __init__(self, kind: str | None, to: str, band: int = 5) -> None:
        super().__init__(kind)
        self.to = to
        self.band = band

    @classmethod
    def create(cls, kind: str | None, parameters: OperatorParameters, key: bytes | None) -> Operator:
        assert parameters.to is not None  # the policy requires it
        return cls(kind, parameters.to, parameters.band or 5)

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


_BIRTH_DAYS = (LAST_BIRTH - FIRST_BIRTH).days + 1


class FormatPreserving(Distinct):
    """FF1 that keeps a value's shape: an ID number stays a checksum-valid ID of the same region
    (birth date and sequence encrypted together, the region as tweak), a mobile keeps its 3-digit
    prefix, a bank card its 6-digit BIN and a valid Luhn digit; other values have their digits
    encrypted in place. Values with fewer than 6 digits cannot be encrypted (FF1's minimum
    domain) and are starred whole instead, counted as fallbacks."""

    name = "ff1"
    parameter_names = frozenset({"cipher"})
    needs_key = True

    def __init__(self, kind: str | None, key: bytes, cipher: str = "aes") -> None:
        super().__init__(kind)
        if cipher == "sm4":  # SM4 takes a 128-bit key; its subkey is derived apart from AES's
            self.cipher = FF1(derive_key(key, "ff1/sm4")[:16], cipher="sm4")
        else:
            self.cipher = FF1(derive_key(key, "ff1"))

    @classmethod
    def create(cls, kind: str | None, parameters: OperatorParameters, key: bytes | None) -> Operator:
        assert key is not None
        return cls(kind, key, parameters.cipher)

    def one(self, value: str) -> str | None:
        if not value.strip():
            return value
        text = ids.clean(value)
        if self.kind in ("id_card", "xueji") and len(text) in (18, 19):
            letter = text[:1] if len(text) == 19 else ""
            if (not letter or letter in "GJ") and ids.id_birth_date(text[len(letter) :]) is not None:
                encrypted = self._id(text[len(letter) :])
                if encrypted:
                    return letter + encrypted
        if self.kind == "mobile":
            digits = re.sub(r"^(\+?86|0086)(?=1\d{10}$)", "", text.replace("(", "").replace(")", ""))
            if re.fullmatch(r"1\d{10}", digits):
                return digits[:3] + self.cipher.encrypt(digits[3:], digits[:3].encode())
        if self.kind == "bank_card" and text.isdigit() and 16 <= len(text) <= 19:
            middle = self.cipher.encrypt(text[6:-1], text[:6].encode())
            return with_luhn(text[:6] + middle)
        return self._digits(value)

    def _id(self, number: str) -> str | None:
        born = ids.id_birth_date(number)
        if born is None or not FIRST_BIRTH <= born <= LAST_BIRTH or not number[14:17].isdigit():
            return None
        plain = (born - FIRST_BIRTH).days * 1000 + int(number[14:17])
        secret = self.cipher.encrypt_int(plain, _BIRTH_DAYS * 1000, 8, number[:6].encode())
        days, sequence = divmod(secret, 1000)
        first17 = number[:6] + (FIRST_BIRTH + timedelta(days=days)).strftime("%Y%m%d") + f"{sequence:03d}"
        return first17 + ids.id_check_char(first17)

    def _digits(self, value: str) -> str:
        digits = "".join(c for c in value if c.isdigit() and c.isascii())
        if len(digits) < 6:
            return self.fail(value, "*" * len(value))  # outside FF1's domain: nothing of it kept
        encrypted = iter(self.cipher.encrypt(digits))
        return "".join(next(encrypted) if c.isdigit() and c.isascii() else c for c in value)


class Encrypt(Distinct):
    """Reversible SM4 encryption (secops.data.column_cipher): ``token`` (authenticated SM4-GCM,
    any value) or ``preserve`` (FF1 over SM4 keeping IDs, mobiles, bank cards and digit strings in
    shape, tokens for the rest). Deterministic, so encrypted columns still join; ``secops data
    unmask`` with the same key gives the values back exactly."""

    name = "encrypt"
    parameter_names = frozenset({"form"})
    needs_key = True

    def __init__(self, kind: str | None, key: bytes, form: str = "token") -> None:
        super().__init__(kind)
        self.column_cipher = ColumnCipher(key)
        self.form = form

    @classmethod
    def create(cls, kind: str | None, parameters: OperatorParameters, key: bytes | None) -> Operator:
        assert key is not None
        return cls(kind, key, parameters.form)

    def one(self, value: str) -> str | None:
        if not value.strip():
            return value
        if self.form == "preserve":
            return self.column_cipher.preserve(value)
        return self.column_cipher.token(value)


class Decrypt(Distinct):
    """The inverse of ``encrypt`` for ``secops data unmask`` (not a policy operator). A cell that
    is not this key's ciphertext is kept as it is and counted in ``fallbacks``; cells whose token
    fails its check (modified, or another key's) are counted in ``failed_checks``."""

    name = "decrypt"
    needs_key = True

    def __init__(self, kind: str | None, key: bytes) -> None:
        super().__init__(kind)
        self.column_cipher = ColumnCipher(key)
        self.forged: set[str] = set()  # tokens that failed their check
        self.failed_checks = 0

    def apply(self, text: pa.Array) -> pa.Array:
        out = super().apply(text)
        if self.forged:  # only when something failed: count cells, not distinct values
            found = pc.is_in(text, value_set=pa.array(list(self.forged), pa.string()))
            self.failed_checks += pc.sum(found).as_py() or 0
        return out

    def one(self, value: str) -> str | None:
        if not value.strip():
            return value
        try:
            return self.column_cipher.unpreserve(value)
        except UndecryptableValue:
            if value.startswith(TOKEN_PREFIX):
                self.forged.add(value)
            return self.fail(value, value)


# -- the registry -----------------------------------------------------------------------------------
OPERATORS: dict[str, type[Operator]] = {
    operator.name: operator for operator in (Mask, Pseudonym, FormatPreserving, Encrypt, Generalize, Suppress, Keep)
}


def unknown_operator(name: str) -> str:
    """The one message for an operator name the registry does not know."""
    return _("unknown operator {name} (known: {names})").format(name=name, names=", ".join(sorted(OPERATORS)))


def operator_class(name: str) -> type[Operator]:
    try:
        return OPERATORS[name]
    except KeyError:
        raise SecopsError(unknown_operator(name), hint=_("see rules/data/policies/default.yml")) from None


def build_operator(name: str, kind: str | None, parameters: OperatorParameters, key: bytes | None) -> Operator:
    """The operator ``name`` for one column of identifier ``kind``."""
    operator = operator_class(name)
    if operator.needs_key and key is None:
        raise SecopsError(
            _("the policy uses {operator}, which needs a key").format(operator=name),
            hint=_("give --key-file FILE (create one with --new-key-file FILE)"),
        )
    return operator.create(kind, parameters, key)
