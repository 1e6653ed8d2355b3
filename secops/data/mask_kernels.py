"""Masking with Chinese conventions, per value and per column, and keyed pseudonyms (HMAC-SHA256
or HMAC-SM3).

Never a bare hash: IDs and phone numbers are few enough to be brute-forced from their hashes.
The same value with the same key gives the same token, so masked files still join.

The column kernels (``partial``, ``mask_names``, ``generalize_addresses``...) do the same over a
whole pyarrow string column with compute kernels, no Python object per cell: they are what
``secops data mask`` runs at hundreds of thousands of rows per second.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from secops.data.arrowbuf import string_buffers
from secops.data.identifiers import clean

TWO_CHAR_SURNAMES = frozenset(
    {
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "令狐",
        "钟离",
        "独孤",
        "南宫",
        "西门",
        "端木",
    }
)


def mask_id(value: str) -> str:
    """110***********1234: the region's first 3 and the last 4 characters stay."""
    text = clean(value)
    return text[:3] + "*" * (len(text) - 7) + text[-4:] if len(text) > 7 else "*" * len(text)


def mask_name(value: str) -> str:
    """张* / 欧阳**: the surname stays (two-character surnames known), the given name is starred."""
    text = str(value).strip()
    if len(text) <= 1:
        return text
    surname = text[:2] if text[:2] in TWO_CHAR_SURNAMES and len(text) > 2 else text[:1]
    return surname + "*" * (len(text) - len(surname))


def mask_phone(value: str) -> str:
    """138****5678."""
    digits = clean(value)[-11:]
    return digits[:3] + "****" + digits[-4:] if len(digits) == 11 else "*" * len(digits)


def mask_bank_card(value: str) -> str:
    """6222 **** **** 1234."""
    digits = clean(value)
    if len(digits) < 8:
        return "*" * len(digits)
    return f"{digits[:4]} {'**** ' * ((len(digits) - 8 + 3) // 4)}{digits[-4:]}".replace("  ", " ")


def mask_email(value: str) -> str:
    user, _, domain = str(value).partition("@")
    return (user[:1] + "***@" + domain) if domain else "***"


def pseudonym(value: str, key: bytes, *, algorithm: str = "sha256", length: int = 16) -> str:
    """A keyed token (HMAC-SHA256, or HMAC-SM3 for 国密), hex, ``length`` characters."""
    if algorithm not in ("sha256", "sm3"):
        raise ValueError("algorithm must be sha256 or sm3")
    if algorithm == "sm3" and "sm3" not in hashlib.algorithms_available:
        raise ValueError("SM3 is not available in this Python's OpenSSL")
    return hmac.new(key, str(value).encode("utf-8"), algorithm).hexdigest()[:length]


# --- column kernels (pyarrow string arrays in, string arrays out; nulls stay null) ---------------

ADDRESS_LEVELS = ("province", "city", "district")
_BELOW_DISTRICT = "[镇乡街路村号栋弄巷楼室]"
_SEPARATORS = r"[\s\-()（）]"


def stars(count: Any) -> pa.Array:
    return pc.binary_repeat("*", pc.max_element_wise(count, 0))


def _width(text: pa.Array) -> int | None:
    """Bytes per character when all values are ASCII (1) or all are 3-byte CJK (3), else None.

    Then character positions are byte positions times the width, and the binary kernels, several
    times faster than their UTF-8 twins, give the same result."""
    if pc.all(pc.string_is_ascii(text)).as_py() is not False:
        return 1
    same = pc.equal(pc.binary_length(text), pc.multiply(pc.utf8_length(text), 3))
    return 3 if pc.all(same).as_py() is not False else None


def _replace_slice(text: pa.Array, start: int, stop: int, stars: int, width: int | None) -> pa.Array:
    if width is None:
        return pc.utf8_replace_slice(text, start, stop, "*" * stars)
    raw = pc.binary_replace_slice(text.cast(pa.binary()), start * width, stop * width, b"*" * stars)
    return raw.view(pa.string())


def _by_length(text: pa.Array, masked: Callable[[int], Any]) -> pa.Array:
    """``masked(L)`` (an array or a scalar) for the values of each length L: identifier and
    name columns hold few lengths, and one slice kernel per length beats per-value stars."""
    length = pc.utf8_length(text)
    counts = pc.value_counts(length).to_pylist()
    out: Any = None
    for item in sorted(counts, key=lambda item: -int(item["counts"])):
        n = item["values"]
        if n is None:
            continue
        piece = masked(n)
        out = piece if out is None else pc.if_else(pc.equal(length, n), piece, out)
    if out is None:
        return text
    if isinstance(out, pa.Scalar):
        out = pc.if_else(pc.is_null(length), pa.scalar(None, pa.string()), out)
    return out


def _fixed_width_stars(text: pa.Array, width: int, start: int, stop: int) -> pa.Array | None:
    """Bytes ``start:stop`` of every value starred in one numpy assignment, when every value is
    ASCII of the same ``width`` bytes (IDs, 学籍号, mobiles): the output has the input's offsets.
    None when the column is not laid out that way."""
    if text.null_count or not len(text) or not pa.types.is_string(text.type):
        return None
    offsets, data = string_buffers(text)
    first = int(offsets[0])
    if int(offsets[-1]) - first != width * len(text) or not pc.all(pc.string_is_ascii(text)).as_py():
        return None
    cells = data[first : first + width * len(text)].reshape(len(text), width)
    starred = cells.copy()
    starred[:, start:stop] = ord("*")
    packed = (offsets - first).astype(np.int32)
    return pa.StringArray.from_buffers(len(text), pa.py_buffer(packed), pa.py_buffer(starred))


def partial(text: pa.Array, start: int, end: int) -> pa.Array:
    """Keep ``start`` and ``end`` characters, star the middle; short values are starred whole."""
    length = pc.utf8_length(text)
    lengths = pc.unique(length)
    if len(lengths) == 1 and (lengths[0].as_py() or 0) > start + end:  # fixed width: one numpy slice
        n = int(lengths[0].as_py())
        fast = _fixed_width_stars(text, n, start, n - end)
        if fast is not None:
            return fast
    if len(lengths) > 8:  # free text: stars built per value
        head = pc.utf8_slice_codeunits(text, 0, start) if start else pa.scalar("")
        tail = pc.utf8_slice_codeunits(text, -end) if end else pa.scalar("")
        kept = pc.binary_join_element_wise(head, stars(pc.subtract(length, start + end)), tail, "")
        return pc.if_else(pc.greater(length, start + end), kept, stars(length))
    width = _width(text)

    def masked(n: int) -> Any:
        if n <= start + end:
            return pa.scalar("*" * n)
        return _replace_slice(text, start, n - end, n - start - end, width)

    return _by_length(text, masked)


def clean_column(text: pa.Array) -> pa.Array:
    """Identifiers without spaces, dashes or brackets, upper case (a trailing x of an ID)."""
    if not pc.all(pc.ascii_is_alnum(text)).as_py():
        text = pc.replace_substring_regex(text, _SEPARATORS, "")
    return pc.utf8_upper(text) if pc.any(pc.ascii_is_lower(text)).as_py() else text


def _trimmed(text: pa.Array) -> pa.Array:
    raw = text.cast(pa.binary())
    edges = pa.array([b" ", b"\t", b"\xe3"])  # space, tab, the first byte of U+3000
    if (
        pc.any(pc.is_in(pc.binary_slice(raw, 0, 1), value_set=edges)).as_py()
        or pc.any(pc.is_in(pc.binary_slice(raw, -1), value_set=edges[:2])).as_py()
        or pc.any(pc.ends_with(text, "\u3000")).as_py()
    ):
        return pc.utf8_trim(text, " \t\u3000")
    return text


def _cjk_names(text: pa.Array, two: pa.Array) -> pa.Array | None:
    """``mask_names`` for a column of CJK-only names (3 bytes a character), over the raw buffers:
    each value keeps its first character (two where ``two``), then one star per remaining
    character; one-character values (and two-character ones with a two-character surname) stay."""
    if not pa.types.is_string(text.type) or not len(text):
        return None
    offsets, data = string_buffers(text)
    starts, size = offsets[:-1], np.diff(offsets)
    chars = size // 3
    keep = np.where(two.fill_null(False).to_numpy(zero_copy_only=False) & (chars > 2), 2, 1)
    masked = chars > keep
    kept = np.where(masked, keep * 3, size)  # bytes copied as they are
    stars = np.where(masked, chars - keep, 0)
    new_offsets = np.zeros(len(text) + 1, dtype=np.int64)
    np.cumsum(kept + stars, out=new_offsets[1:])
    if new_offsets[-1] >= 2**31:
        return None
    out = np.full(int(new_offsets[-1]), ord("*"), dtype=np.uint8)
    for k in range(int(kept.max(initial=0))):
        rows = kept > k
        out[new_offsets[:-1][rows] + k] = data[starts[rows] + k]
    validity = text.buffers()[0] if text.null_count else None
    if validity is not None and text.offset:
        validity = pc.is_valid(text).buffers()[1]  # a sliced array's bitmap starts mid-byte
    return pa.StringArray.from_buffers(
        len(text), pa.py_buffer(new_offsets.astype(np.int32)), pa.py_buffer(out), validity, text.null_count
    )


def mask_names(text: pa.Array) -> pa.Array:
    """张* / 欧阳**: the surname stays, one star per character of the given name."""
    text = _trimmed(text)
    width = _width(text)
    if width == 3:  # every name in CJK characters: the buffers are rewritten in numpy
        surnames = pa.array([s.encode() for s in sorted(TWO_CHAR_SURNAMES)])
        two = pc.is_in(pc.binary_slice(text.cast(pa.binary()), 0, 6), value_set=surnames)
        fast = _cjk_names(text, two)
        if fast is not None:
            return fast
    one = _by_length(text, lambda n: _replace_slice(text, 1, n, n - 1, width) if n > 1 else text)
    if width == 3:  # two CJK characters are six bytes
        surnames = pa.array([s.encode() for s in sorted(TWO_CHAR_SURNAMES)])
        two = pc.is_in(pc.binary_slice(text.cast(pa.binary()), 0, 6), value_set=surnames)
    else:
        two = pc.is_in(pc.utf8_slice_codeunits(text, 0, 2), value_set=pa.array(sorted(TWO_CHAR_SURNAMES)))
    if not pc.any(two).as_py():
        return one
    both = _by_length(text, lambda n: _replace_slice(text, 2, n, n - 2, width) if n > 2 else text)
    return pc.if_else(pc.and_(two, pc.greater(pc.utf8_length(text), 2)), both, one)


def mask_mobiles(text: pa.Array) -> pa.Array:
    """138****5678 (a +86 / 0086 prefix dropped); other lengths are starred whole."""
    digits = clean_column(text)
    if (pc.max(pc.utf8_length(digits)).as_py() or 0) > 11:
        digits = pc.utf8_slice_codeunits(digits, -11)
    return partial(digits, 3, 4)


def mask_bank_cards(text: pa.Array) -> pa.Array:
    """6222 **** **** 1234."""
    digits = clean_column(text)
    length = pc.utf8_length(digits)
    groups = pc.divide(pc.add(pc.subtract(length, 8), 3), 4)
    body = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(digits, 0, 4), " ", pc.binary_repeat("**** ", pc.max_element_wise(groups, 0)), ""
    )
    kept = pc.binary_join_element_wise(body, pc.utf8_slice_codeunits(digits, -4), "")
    return pc.if_else(pc.less(length, 8), stars(length), pc.replace_substring(kept, "  ", " "))


def mask_emails(text: pa.Array) -> pa.Array:
    return pc.if_else(
        pc.match_substring(text, "@"),
        pc.replace_substring_regex(text, r"^([^@]?)[^@]*@", r"\1***@", max_replacements=1),
        "***",
    )


def mask_dates(text: pa.Array) -> pa.Array:
    """2014-**-**: the year stays, every later digit is starred."""
    head = pc.utf8_slice_codeunits(text, 0, 4)
    return pc.binary_join_element_wise(
        head, pc.replace_substring_regex(pc.utf8_slice_codeunits(text, 4), r"\d", "*"), ""
    )


def mask_ips(text: pa.Array) -> pa.Array:
    return pc.replace_substring_regex(text, r"^(\d+\.\d+)\.\d+\.\d+$", r"\1.*.*")


def _before_first(text: pa.Array, markers: tuple[str, ...]) -> pa.Array:
    """The text up to and including the earliest of ``markers`` (null when none occurs).

    Literal splits, each on what precedes the last one's marker: a later find is an earlier
    position. Several times faster than a regex with groups over every cell."""
    prefix, marker = text, pa.nulls(len(text), pa.string())
    for word in markers:
        parts = pc.split_pattern(prefix, word, max_splits=1)
        marker = pc.if_else(pc.equal(pc.list_value_length(parts), 2), word, marker)
        prefix = pc.list_element(parts, 0)
    return pc.binary_join_element_wise(prefix, marker, "")


_ADDRESS = re.compile(
    r"^([^市区县省]*省|[^市区县]*?自治区)?([^区县市]*?(?:自治州|地区|盟|市))?([^区县旗市]*?(?:区|县|旗|市))?"
)
_MARKERS = {"province": ("市", "自治区", "省"), "city": ("市", "自治州", "地区", "盟"), "district": ("区", "县", "旗")}


def _address_level(value: str, level: str) -> str:
    """One address cut to a level with a regex (Python, for the few the fast path doubts)."""
    match = _ADDRESS.match(value)
    if match is None:
        return ""
    province, city, district = (g or "" for g in match.groups())
    if re.search(_BELOW_DISTRICT, district):  # 虎门镇XX小区 is not a district
        district = ""
    return {"province": province or city, "city": province + city, "district": province + city + district}[level]


def generalize_addresses(text: pa.Array, level: str = "district") -> pa.Array:
    """江苏省南通市海门区人民路1号 -> 江苏省南通市海门区 (or 江苏省南通市, or 江苏省); '' when the
    address names no such level. Literal splits for most addresses, a regex for the doubtful."""
    out = _before_first(text, _MARKERS[level])
    doubtful = pc.and_(pc.is_null(out), pc.is_valid(text))
    if level == "district":
        lookalike = pc.or_(pc.ends_with(out, "自治区"), pc.ends_with(out, "地区"))
        below = pc.match_substring_regex(out, _BELOW_DISTRICT)
        doubtful = pc.or_(doubtful, pc.fill_null(pc.or_(lookalike, below), False))
    if pc.any(doubtful).as_py():
        fixed = [_address_level(value, level) for value in pc.filter(text, doubtful).to_pylist()]
        out = pc.replace_with_mask(out, doubtful, pa.array(fixed, pa.string()))
    return out
