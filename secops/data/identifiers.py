"""Chinese identifiers with their checksums (facts: GB 11643-1999, GB 32100-2015, ISO/IEC 7812 Luhn).

Each ``*_valid`` function takes the text as found (spaces and dashes inside are allowed where
people write them) and says whether it is a well-formed, checksum-correct identifier. They are
strict on purpose: a recognizer's confidence starts from a checksum, not from a pattern.
"""

from __future__ import annotations

import re
from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# First two digits of mainland region codes (provinces), plus 9x for foreign permanent residence
# cards (2023) and 81/82/83 for Hong Kong, Macau and Taiwan residence permits.
_PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54}
    | {61, 62, 63, 64, 65, 71}
)
_PERMIT_PREFIXES = ("810000", "820000", "830000")
_SEPARATORS = re.compile(r"[\s-]")


def clean(text: str) -> str:
    return _SEPARATORS.sub("", str(text)).upper()


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_birth_date(text: str) -> date | None:
    """The birth date an 18-character ID number encodes, or None if it is not a real date."""
    value = clean(text)
    try:
        return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def id_card_valid(text: str, *, today: date | None = None) -> bool:
    """居民身份证号 (incl. 9-prefix permanent residence and 81/82/83 permits): region, date, check char."""
    value = clean(text)
    if len(value) != 18 or not value[:17].isdigit() or value[17] not in "0123456789X":
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


def xueji_valid(text: str) -> bool:
    """全国学籍号: G + an ID number; J + an ID-shaped number (real date); L + a temporary number."""
    value = clean(text)
    if value.startswith("G"):
        return id_card_valid(value[1:])
    if value.startswith("J"):
        body = value[1:]
        return len(body) == 18 and body[:17].isdigit() and body[17] in "0123456789X" and id_birth_date(body) is not None
    if value.startswith("L"):
        return value[1:].isdigit() and 14 <= len(value) - 1 <= 20
    return False


_MOBILE = re.compile(r"^(?:\+?86|0086)?1[3-9]\d{9}$")


def mobile_valid(text: str) -> bool:
    return bool(_MOBILE.match(clean(text).replace("(", "").replace(")", "")))


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
    return value.isdigit() and 16 <= len(value) <= 19 and luhn_valid(value)


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


_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_PLATE = re.compile(
    r"^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳]$"
)
_PASSPORT = re.compile(r"^[EG]\d{8}$|^E[A-HJ-NP-Z]\d{7}$")
_HK_MACAU_PASS = re.compile(r"^[CH]\d{8}$|^C[A-HJ-NP-Z]\d{7}$")


def email_valid(text: str) -> bool:
    return bool(_EMAIL.match(str(text).strip()))


def plate_valid(text: str) -> bool:
    return bool(_PLATE.match(clean(text)))


def passport_valid(text: str) -> bool:
    """Chinese ordinary passport numbers (E + 8 digits, or E + letter + 7 digits; older G series)."""
    return bool(_PASSPORT.match(clean(text)))


def travel_permit_valid(text: str) -> bool:
    """往来港澳通行证 (C / H series)."""
    return bool(_HK_MACAU_PASS.match(clean(text)))
