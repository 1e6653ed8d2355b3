"""Reading and setting one mark bit in a cell, by value rather than by representation.

Numbers: the parity of the value scaled to the column's precision (165.3 at precision 1 -> 1653),
set by flipping the lowest bit of that digit (3 <-> 2, 9 <-> 8, 0 <-> 1): only the last digit
changes, never a carry. "165", 165, 165.0 and "165.0" read the same, so CSV, XLSX and JSON copies
agree. Dates: the day's parity, moved by one day inside the month; date-times with seconds: the
second's parity (58 <-> 59).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

_NUMBER = re.compile(r"^([+-]?)(\d+)(?:\.(\d+))?$")
_DATE = re.compile(r"^(\d{4})([-/.年])(\d{1,2})([-/.月])(\d{1,2})(日?)(?:([ T])(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
MAX_PRECISION = 6


@dataclass(frozen=True)
class Carrier:
    column: str
    kind: str  # number | date | datetime
    precision: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"column": self.column, "kind": self.kind, "precision": self.precision}


def decimals(value: Any) -> int | None:
    """How many decimals a number is written with, or None when it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return 0
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        text = repr(value)
        return 0 if value.is_integer() or "e" in text else len(text.partition(".")[2])
    match = _NUMBER.match(str(value).strip())
    return len(match.group(3) or "") if match else None


def scaled(value: Any, precision: int) -> int | None:
    """The value times 10^precision when that is a whole number (else the cell cannot carry)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return cast("int | None", value * 10**precision)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value) or abs(value) >= 1e15:
            return None
        exact = value * 10**precision
        whole = round(exact)
        return whole if abs(exact - whole) < 1e-6 else None
    text = str(value).strip()
    sign = text[:1]
    if sign in ("+", "-"):
        text = text[1:]
    whole, dot, fraction = text.partition(".")
    if not (whole.isascii() and whole.isdigit()) or (dot and not (fraction.isascii() and fraction.isdigit())):
        return None
    if fraction[precision:].strip("0"):
        return None
    number = int(whole + fraction[:precision].ljust(precision, "0"))
    return -number if sign == "-" else number


_FLIP = {str(d): str(d ^ 1) for d in range(10)}


def _plain(value: Any, precision: int) -> bool:
    """Text written with exactly the column's decimals: its last character is the digit that carries
    (the common case, handled without arithmetic)."""
    if type(value) is not str or not value or not value[-1].isdigit():
        return False
    dot = value.find(".")
    if (len(value) - dot - 1 if dot >= 0 else 0) != precision:
        return False
    body = value[1:] if value[0] in "+-" else value
    return body.isascii() and body.replace(".", "", 1).isdigit() and not body.startswith(".")


def number_bit(value: Any, precision: int) -> int | None:
    if _plain(value, precision):
        return int(value[-1]) & 1
    number = scaled(value, precision)
    return None if number is None else abs(number) & 1


def set_number_bit(value: Any, precision: int, bit: int) -> Any:
    """The value with its lowest digit's parity set to ``bit``, in the value's own type and style."""
    return _number_mark(value, precision, bit)[1]


def _number_mark(value: Any, precision: int, bit: int) -> tuple[bool, Any]:
    """(whether the cell can carry, the value carrying ``bit``), parsing the value once."""
    if _plain(value, precision):
        return True, value if int(value[-1]) & 1 == bit else value[:-1] + _FLIP[value[-1]]
    number = scaled(value, precision)
    if number is None:
        return False, value
    if abs(number) & 1 == bit:
        return True, value
    magnitude = abs(number) ^ 1
    if isinstance(value, int):  # precision 0: an integer stays an integer
        return True, -magnitude if number < 0 else magnitude
    if isinstance(value, float):
        return True, math.copysign(magnitude / 10**precision, number) if magnitude else 0.0
    text = str(value).strip()
    places = max(precision, len(text.partition(".")[2]))
    digits = str(magnitude * 10 ** (places - precision)).rjust(places + 1, "0")
    body = f"{digits[:-places]}.{digits[-places:]}" if places else digits
    return True, ("-" + body if text.startswith("-") else body)


_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _month_days(year: int, month: int) -> int:
    leap = month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return _DAYS[month - 1] + leap


def _parts(value: Any) -> tuple[int, int, int, int | None] | None:
    """(year, month, day, second or None) of a date or date-time cell."""
    if isinstance(value, datetime):
        return value.year, value.month, value.day, value.second
    if isinstance(value, date):
        return value.year, value.month, value.day, None
    if not isinstance(value, str):
        return None
    match = _DATE.match(value.strip())
    if not match:
        return None
    year, month, day = int(match.group(1)), int(match.group(3)), int(match.group(5))
    if not (1 <= month <= 12 and 1 <= day <= _month_days(year, month)):
        return None
    return year, month, day, int(match.group(10)) if match.group(10) else None


def date_kind(value: Any) -> str | None:
    """date, datetime (with seconds) or None."""
    parts = _parts(value)
    if parts is None:
        return None
    return "datetime" if parts[3] is not None else "date"


def date_bit(value: Any, kind: str) -> int | None:
    parts = _parts(value)
    if parts is None:
        return None
    if kind == "datetime":
        return None if parts[3] is None else parts[3] & 1
    return parts[2] & 1


def set_date_bit(value: Any, kind: str, bit: int, direction: int) -> Any:
    """The day moved by one inside its month (``direction`` picks earlier or later where both fit),
    or the second's lowest bit flipped."""
    return _date_mark(value, kind, bit, direction)[1]


def _date_mark(value: Any, kind: str, bit: int, direction: int) -> tuple[bool, Any]:
    parts = _parts(value)
    if parts is None:
        return False, value
    year, month, day, second = parts
    if kind == "datetime":
        if second is None:
            return False, value
        if second & 1 == bit:
            return True, value
        second ^= 1
        if isinstance(value, datetime):
            return True, value.replace(second=second)
        return True, value.strip()[:-2] + f"{second:02d}"
    if day & 1 == bit:
        return True, value
    later = day + 1 <= _month_days(year, month) and (direction or day == 1)
    day = day + 1 if later else day - 1
    if isinstance(value, datetime | date):
        return True, value.replace(day=day)
    text = value.strip()
    match = _DATE.match(text)
    assert match is not None
    return True, text[: match.start(5)] + str(day).rjust(len(match.group(5)), "0") + text[match.end(5) :]


def read_bit(value: Any, carrier: Carrier) -> int | None:
    if carrier.kind == "number":
        return number_bit(value, carrier.precision)
    return date_bit(value, carrier.kind)


def write_bit(value: Any, carrier: Carrier, bit: int, direction: int) -> Any:
    return mark_cell(value, carrier, bit, direction)[1]


def mark_cell(value: Any, carrier: Carrier, bit: int, direction: int) -> tuple[bool, Any]:
    """(whether the cell can carry a bit at all, the value carrying ``bit``)."""
    if carrier.kind == "number":
        return _number_mark(value, carrier.precision, bit)
    return _date_mark(value, carrier.kind, bit, direction)
