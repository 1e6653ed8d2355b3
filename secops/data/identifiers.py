"""Chinese identifiers with their checksums (facts: GB 11643-1999, GB 32100-2015, ISO/IEC 7812 Luhn).

Each ``*_valid`` function takes the text as found (spaces and dashes inside are allowed where
people write them) and says whether it is a well-formed, checksum-correct identifier. They are
strict on purpose: a recognizer's confidence starts from a checksum, not from a pattern.

Each ``*_valid_array`` twin does the same over a whole pyarrow string column (nulls are False):
patterns as Arrow regex kernels, checksums in numpy over the matrix of fixed-width values. The
twins must agree with the scalar functions value for value, so both sides use the same explicit
separator, whitespace and digit sets (ASCII digits only; Python's ``\\d`` and ``\\s`` would
accept more than Arrow's RE2 does).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# First two digits of mainland region codes (provinces), plus 9x for foreign permanent residence
# cards (2023) and 81/82/83 for Hong Kong, Macau and Taiwan residence permits.
_PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54}
    | {61, 62, 63, 64, 65, 71}
)
_PERMIT_PREFIXES = ("810000", "820000", "830000")
WHITESPACE = " \t\n\r\f\v\u00a0\u3000"  # what strip and clean remove: the same set in both twins
SEPARATORS = WHITESPACE + "-"
_DROP = str.maketrans("", "", SEPARATORS)
_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_SEPARATOR_CLASS = "[" + SEPARATORS + "]"  # '-' last: a literal in both Python re and RE2


def clean(text: str) -> str:
    """Without spaces and dashes, ASCII letters upper-cased (a trailing x of an ID)."""
    return str(text).translate(_DROP).translate(_UPPER)


def strip(text: str) -> str:
    return str(text).strip(WHITESPACE)


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_birth_date(text: str) -> date | None:
    """The birth date an 18-character ID number encodes, or None if it is not a real date."""
    value = clean(text)
    if not _digits(value[6:14]) or len(value[6:14]) != 8:
        return None
    try:
        return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def id_card_valid(text: str, *, today: date | None = None) -> bool:
    """居民身份证号 (incl. 9-prefix permanent residence and 81/82/83 permits): region, date, check char."""
    value = clean(text)
    if len(value) != 18 or not _digits(value[:17]) or value[17] not in "0123456789X":
        return False
    region = int(value[:2])
    if not (region in _PROVINCES or value.startswith(_PERMIT_PREFIXES) or value[0] == "9"):
        return False
    born = id_birth_date(value)
    if born is None or born.year < 1880 or born > (today or date.today()):
        return False
    return id_check_char(value[:17]) == value[17]


def id_sex(text: str) -> str:
    """男 or 女 from the sequence number's parity (odd = male)."""
    return "男" if int(clean(text)[16]) % 2 else "女"


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def xueji_valid(text: str, *, today: date | None = None) -> bool:
    """全国学籍号: G + an ID number; J + an ID-shaped number (real date); L + a temporary number."""
    value = clean(text)
    if value.startswith("G"):
        return id_card_valid(value[1:], today=today)
    if value.startswith("J"):
        body = value[1:]
        return len(body) == 18 and _digits(body[:17]) and body[17] in "0123456789X" and id_birth_date(body) is not None
    if value.startswith("L"):
        return _digits(value[1:]) and 14 <= len(value) - 1 <= 20
    return False


_MOBILE = r"^(?:\+?86|0086)?1[3-9][0-9]{9}$"


def mobile_valid(text: str) -> bool:
    return bool(re.fullmatch(_MOBILE, clean(text).replace("(", "").replace(")", "")))


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def bank_card_valid(text: str) -> bool:
    value = clean(text)
    return _digits(value) and 16 <= len(value) <= 19 and luhn_valid(value)


_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, Z, S, V
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_valid(text: str) -> bool:
    """统一社会信用代码 (GB 32100-2015): 18 characters over the 31-character alphabet, check char."""
    value = clean(text)
    if len(value) != 18 or any(c not in _USCC_ALPHABET for c in value):
        return False
    return uscc_check_char(value[:17]) == value[17]


_EMAIL = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$"
_PLATE = (
    "^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]"
    "[A-HJ-NP-Z][A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳]$"
)
_PASSPORT = r"^[EG][0-9]{8}$|^E[A-HJ-NP-Z][0-9]{7}$"
_HK_MACAU_PERMIT = r"^[CH][0-9]{8}$|^C[A-HJ-NP-Z][0-9]{7}$"


def email_valid(text: str) -> bool:
    return bool(re.fullmatch(_EMAIL, strip(text)))


def plate_valid(text: str) -> bool:
    return bool(re.fullmatch(_PLATE, clean(text)))


def passport_valid(text: str) -> bool:
    """Chinese ordinary passport numbers (E + 8 digits, or E + letter + 7 digits; older G series)."""
    return bool(re.fullmatch(_PASSPORT, clean(text)))


def travel_permit_valid(text: str) -> bool:
    """往来港澳通行证 (C / H series)."""
    return bool(re.fullmatch(_HK_MACAU_PERMIT, clean(text)))


# ---- the same over whole columns ------------------------------------------------------------


def clean_array(text: pa.Array) -> pa.Array:
    """``clean`` over a string column; the regex kernel runs only when a value needs it."""
    if not pc.all(pc.ascii_is_alnum(text)).as_py():
        text = pc.replace_substring_regex(text, _SEPARATOR_CLASS, "")
    return pc.ascii_upper(text) if pc.any(pc.ascii_is_lower(text)).as_py() else text


def strip_array(text: pa.Array) -> pa.Array:
    return pc.utf8_trim(text, WHITESPACE)


def matches(text: pa.Array, pattern: str) -> pa.Array:
    """True where the whole value matches ``pattern`` (anchored ^...$), False for nulls."""
    return pc.fill_null(pc.match_substring_regex(text, pattern), False)


def _fixed(text: pa.Array, width: int) -> tuple[np.ndarray, np.ndarray]:
    """(which values are ``width`` bytes long, their bytes as an n x width uint8 matrix)."""
    chosen = pc.fill_null(pc.equal(pc.binary_length(text), width), False)
    picked = pc.filter(text, chosen).cast(pa.binary())
    n = len(picked)
    if n == 0:
        return chosen.to_numpy(zero_copy_only=False), np.zeros((0, width), np.uint8)
    _, offsets, data = picked.buffers()
    start = int(np.frombuffer(offsets, np.int32, count=1, offset=picked.offset * 4)[0])
    matrix = np.frombuffer(data, np.uint8, count=n * width, offset=start).reshape(n, width)
    return chosen.to_numpy(zero_copy_only=False), matrix


def fixed_bytes(text: pa.Array, width: int) -> tuple[np.ndarray, np.ndarray]:
    """(which values are ``width`` bytes long, their bytes as an n x width uint8 matrix)."""
    return _fixed(text, width)


def sure_then_exact(
    text: pa.Array, sure: Callable[[pa.Array], np.ndarray], exact: Callable[[pa.Array], pa.Array]
) -> pa.Array:
    """``exact`` over a column, fast: ``sure`` marks values that certainly pass (a numpy check of
    the common fixed-width form), and only the other non-null values go through ``exact``."""
    found = sure(text)
    rest = ~found & pc.is_valid(text).to_numpy(zero_copy_only=False)
    if rest.any():
        found = found.copy()
        found[rest] = pc.fill_null(exact(pc.filter(text, pa.array(rest))), False).to_numpy(zero_copy_only=False)
    return pa.array(found)


def _scatter(chosen: np.ndarray, ok: np.ndarray) -> np.ndarray:
    out = np.zeros(len(chosen), bool)
    out[chosen] = ok
    return out


_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], np.int32)
_ID_CHECK_BYTES = np.frombuffer(_ID_CHECK.encode(), np.uint8)
_PROVINCE_TABLE = np.zeros(100, bool)
_PROVINCE_TABLE[list(_PROVINCES)] = True


def _id_parts(matrix: np.ndarray, today: date | None) -> tuple[np.ndarray, np.ndarray]:
    """For an n x 18 byte matrix: (a valid ID number, yyyymmdd where the shape and date are real
    else 0). Works position by position on the transposed matrix: 18 short vectors, not n rows."""
    rows = np.ascontiguousarray(matrix.T)
    digits = rows[:17] - np.uint8(48)  # bytes below '0' wrap above 9
    last = rows[17]
    shaped = (digits <= 9).all(axis=0) & ((last - np.uint8(48) <= 9) | (last == 88))
    wide = digits.astype(np.int32)
    year = wide[6] * 1000 + wide[7] * 100 + wide[8] * 10 + wide[9]
    month, day = wide[10] * 10 + wide[11], wide[12] * 10 + wide[13]
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    in_month = _DAYS[np.clip(month, 0, 12)] + ((month == 2) & leap)
    real = shaped & (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= in_month)
    born = np.where(real, year * 10000 + month * 100 + day, 0)
    now = today or date.today()
    prefix = wide[0] * 10 + wide[1]
    permit = (prefix >= 81) & (prefix <= 83) & ((wide[2] | wide[3] | wide[4] | wide[5]) == 0)
    region = _PROVINCE_TABLE[np.where(shaped, prefix, 0)] | permit | (wide[0] == 9)
    dated = (born >= 18800101) & (born <= now.year * 10000 + now.month * 100 + now.day)
    total = np.asarray(np.dot(np.array(_ID_WEIGHTS, np.int32), wide))
    check = _ID_CHECK_BYTES[total % 11]
    return shaped & region & dated & (check == last), born


def id_numbers_array(
    text: pa.Array, *, xueji: bool = False, today: date | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """One pass over an ID (or 学籍号) column: (valid as ``id_card_valid`` / ``xueji_valid`` says,
    the birth date as yyyymmdd where the number's shape and date are real, else 0)."""
    value = clean_array(text)
    if not xueji:
        chosen, matrix = _fixed(value, 18)
        ok, born = _id_parts(matrix, today)
        return _scatter(chosen, ok), _scatter_int(chosen, born)
    chosen, matrix = _fixed(value, 19)  # G/J + 18 bytes
    ok, born = _id_parts(matrix[:, 1:], today)
    head = matrix[:, 0]
    lettered = (head == ord("G")) | (head == ord("J"))
    valid = _scatter(chosen, ((head == ord("G")) & ok) | ((head == ord("J")) & (born > 0)))
    if pc.any(pc.starts_with(value, "L")).as_py():
        valid |= matches(value, "^L[0-9]{14,20}$").to_numpy(zero_copy_only=False)
    return valid, _scatter_int(chosen, np.where(lettered, born, 0))


def _scatter_int(chosen: np.ndarray, values: np.ndarray) -> np.ndarray:
    out = np.zeros(len(chosen), np.int32)
    out[chosen] = values
    return out


def id_card_valid_array(text: pa.Array, *, today: date | None = None) -> pa.Array:
    return pa.array(id_numbers_array(text, today=today)[0])


def xueji_valid_array(text: pa.Array, *, today: date | None = None) -> pa.Array:
    return pa.array(id_numbers_array(text, xueji=True, today=today)[0])


def birth_dates_array(text: pa.Array) -> pa.Array:
    """yyyymmdd (int32) of an ID number, or of a G/J 学籍号's ID part; null where there is no real date."""
    born = np.maximum(id_numbers_array(text)[1], id_numbers_array(text, xueji=True)[1])
    return pa.array(born, mask=born == 0)


def minor_threshold(today: date, age: int = 14) -> int:
    """Birth dates (yyyymmdd) above this one are of people younger than ``age`` on ``today``."""
    return (today.year - age) * 10000 + today.month * 100 + today.day


def under_age_array(text: pa.Array, today: date, age: int = 14) -> pa.Array:
    """True where the ID (or 学籍号) birth date makes the person younger than ``age`` on ``today``."""
    return pc.fill_null(pc.greater(birth_dates_array(text), minor_threshold(today, age)), False)


def mobile_valid_array(text: pa.Array) -> pa.Array:
    """11-digit values checked in numpy; the few others (+86, brackets) by the regex."""
    value = clean_array(text)
    chosen, matrix = _fixed(value, 11)
    rows = np.ascontiguousarray(matrix.T)
    ok = ((rows - np.uint8(48)) <= 9).all(axis=0) & (rows[0] == ord("1")) & (rows[1] >= ord("3"))
    valid = _scatter(chosen, ok)
    rest = ~chosen & pc.is_valid(value).to_numpy(zero_copy_only=False)
    if rest.any():
        others = pc.filter(value, pa.array(rest))
        if pc.any(pc.match_substring_regex(others, r"[()]")).as_py():
            others = pc.replace_substring_regex(others, r"[()]", "")
        valid[rest] = matches(others, _MOBILE).to_numpy(zero_copy_only=False)
    return pa.array(valid)


def _luhn_ok(matrix: np.ndarray) -> np.ndarray:
    digits = matrix.astype(np.int64)[:, ::-1] - 48
    shaped = ((digits >= 0) & (digits <= 9)).all(axis=1)
    doubled = digits[:, 1::2] * 2
    total = digits[:, ::2].sum(axis=1) + (doubled - 9 * (doubled > 9)).sum(axis=1)
    return cast("np.ndarray[Any, Any]", shaped & (total % 10 == 0))


def bank_card_valid_array(text: pa.Array) -> pa.Array:
    value = clean_array(text)
    out = np.zeros(len(value), bool)
    for width in range(16, 20):
        chosen, matrix = _fixed(value, width)
        if matrix.shape[0]:
            out |= _scatter(chosen, _luhn_ok(matrix))
    return pa.array(out)


_USCC_VALUES = np.full(256, -1, np.int64)
_USCC_VALUES[np.frombuffer(_USCC_ALPHABET.encode(), np.uint8)] = np.arange(31)


def uscc_valid_array(text: pa.Array) -> pa.Array:
    chosen, matrix = _fixed(clean_array(text), 18)
    values = _USCC_VALUES[matrix]
    total = (values[:, :17] * np.array(_USCC_WEIGHTS)).sum(axis=1)
    ok = (values >= 0).all(axis=1) & (values[:, 17] == (31 - total % 31) % 31)
    return pa.array(_scatter(chosen, ok))


def email_valid_array(text: pa.Array) -> pa.Array:
    return matches(strip_array(text), _EMAIL)


def plate_valid_array(text: pa.Array) -> pa.Array:
    return matches(clean_array(text), _PLATE)


def passport_valid_array(text: pa.Array) -> pa.Array:
    return matches(clean_array(text), _PASSPORT)


def travel_permit_valid_array(text: pa.Array) -> pa.Array:
    return matches(clean_array(text), _HK_MACAU_PERMIT)
