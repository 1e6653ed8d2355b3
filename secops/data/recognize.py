"""Column recognizers: which identifier a column holds, and how sure we are.

Confidence the way mature classifiers grade it: checksum + context (a header keyword) = high;
checksum alone = medium; pattern or header alone = low. A column's kind is the recognizer that
matches most of its non-empty sample values (at least ``MIN_SHARE`` of them).

Every recognizer has a scalar ``check`` and a column ``check_array`` that agree value for value;
recognition itself runs the column checks over the sample, the scan over every row.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from secops.data import identifiers as ids

MIN_SHARE = 0.6

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾"
    "夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_SURNAME_SET = frozenset(SURNAMES)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛")
_NAME = "^[\u4e00-\u9fff]{2,4}$"
_BIRTH = r"^(19|20)[0-9]{2}[-/.年]?(0?[1-9]|1[0-2])[-/.月]?(0?[1-9]|[12][0-9]|3[01])日?$"
_ADDRESS = "(省|市|自治区).*(市|区|县|旗)|(区|县).*(路|街|镇|乡|村|号)"
_IPV4 = r"^(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}$"


def _name(value: str) -> bool:
    text = ids.strip(value)
    return bool(re.fullmatch(_NAME, text)) and (text[0] in _SURNAME_SET or text[:2] in COMPOUND_SURNAMES)


def _names_exact(text: pa.Array) -> pa.Array:
    value = ids.strip_array(text)
    first = pc.is_in(pc.utf8_slice_codeunits(value, 0, 1), value_set=pa.array(sorted(_SURNAME_SET)))
    two = pc.is_in(pc.utf8_slice_codeunits(value, 0, 2), value_set=pa.array(COMPOUND_SURNAMES))
    return pc.and_(ids.matches(value, _NAME), pc.or_(first, two))


_SURNAME_BYTES = pa.array(sorted(c.encode() for c in _SURNAME_SET))
_COMPOUND_BYTES = pa.array([c.encode() for c in COMPOUND_SURNAMES])


def _names_sure(text: pa.Array) -> np.ndarray:
    """Names with no whitespace around them: the pattern, and the surname's bytes."""
    raw = text.cast(pa.binary())
    first = pc.is_in(pc.binary_slice(raw, 0, 3), value_set=_SURNAME_BYTES)
    two = pc.is_in(pc.binary_slice(raw, 0, 6), value_set=_COMPOUND_BYTES)
    found = pc.and_(pc.match_substring_regex(text, _NAME), pc.or_(first, two))
    return cast("np.ndarray[Any, Any]", pc.fill_null(found, False).to_numpy(zero_copy_only=False))


def _names(text: pa.Array) -> pa.Array:
    return ids.sure_then_exact(text, _names_sure, _names_exact)


def _full(pattern: str, value: str) -> bool:
    return bool(re.fullmatch(pattern, ids.strip(value)))


def _full_array(pattern: str, text: pa.Array) -> pa.Array:
    """``_full`` over a column in one regex pass: whitespace around the value is allowed by the
    pattern instead of trimmed (none of the patterns starts or ends with whitespace)."""
    space = "[" + ids.WHITESPACE + "]*"
    return ids.matches(text, f"^{space}(?:{pattern.removeprefix('^').removesuffix('$')}){space}$")


def _address(value: str) -> bool:
    return bool(re.search(_ADDRESS, str(value)))


def _addresses(text: pa.Array) -> pa.Array:
    return pc.fill_null(pc.match_substring_regex(text, _ADDRESS), False)


@dataclass(frozen=True)
class Recognizer:
    kind: str  # id_card, xueji, mobile, ...
    label: str  # 中文名
    check: Callable[[str], bool]
    checksum: bool  # True when check() verifies a checksum (not only a pattern)
    headers: tuple[str, ...]  # header keywords, Chinese and English, lower-case
    check_array: Callable[[pa.Array], pa.Array]  # the same over a string column (nulls False)


RECOGNIZERS: tuple[Recognizer, ...] = (
    Recognizer(
        "id_card",
        "身份证号",
        ids.id_card_valid,
        True,
        ("身份证", "证件号", "公民身份", "idcard", "id_card", "id_no", "sfz"),
        ids.id_card_valid_array,
    ),
    Recognizer(
        "xueji",
        "学籍号",
        ids.xueji_valid,
        True,
        ("学籍号", "学籍", "xjh", "student_registry"),
        ids.xueji_valid_array,
    ),
    Recognizer(
        "bank_card",
        "银行卡号",
        ids.bank_card_valid,
        True,
        ("银行卡", "卡号", "账号", "bank", "card_no"),
        ids.bank_card_valid_array,
    ),
    Recognizer(
        "uscc", "统一社会信用代码", ids.uscc_valid, True, ("信用代码", "uscc", "credit_code"), ids.uscc_valid_array
    ),
    Recognizer(
        "mobile",
        "手机号",
        ids.mobile_valid,
        False,
        ("手机", "电话", "联系方式", "mobile", "phone", "tel"),
        ids.mobile_valid_array,
    ),
    Recognizer("email", "电子邮箱", ids.email_valid, False, ("邮箱", "email", "mail"), ids.email_valid_array),
    Recognizer("passport", "护照号", ids.passport_valid, False, ("护照", "passport"), ids.passport_valid_array),
    Recognizer(
        "travel_permit",
        "港澳通行证",
        ids.travel_permit_valid,
        False,
        ("通行证", "permit"),
        ids.travel_permit_valid_array,
    ),
    Recognizer("plate", "车牌号", ids.plate_valid, False, ("车牌", "plate"), ids.plate_valid_array),
    Recognizer("ip", "IP 地址", partial(_full, _IPV4), False, ("ip", "地址ip", "登录ip"), partial(_full_array, _IPV4)),
    Recognizer(
        "birth_date",
        "出生日期",
        partial(_full, _BIRTH),
        False,
        ("出生", "生日", "birth", "dob"),
        partial(_full_array, _BIRTH),
    ),
    Recognizer("address", "地址", _address, False, ("地址", "住址", "家庭住址", "address"), _addresses),
    Recognizer("name", "姓名", _name, False, ("姓名", "名字", "家长", "监护人", "name"), _names),
)
BY_KIND = {r.kind: r for r in RECOGNIZERS}


@dataclass(frozen=True)
class ColumnFinding:
    column: str
    kind: str | None
    label: str | None
    confidence: str  # high | medium | low | none
    hits: int
    sampled: int
    nearest: str | None = None  # no kind: the recognizer that matched most values, below MIN_SHARE
    nearest_hits: int = 0
    median: float | None = None  # the median of the leading numbers, when most values start with one

    @property
    def share(self) -> float:
        return self.hits / self.sampled if self.sampled else 0.0


def header_kind(header: str) -> Recognizer | None:
    text = header.strip().lower()
    for recognizer in RECOGNIZERS:
        if any(word in text for word in recognizer.headers):
            return recognizer
    return None


def confidence(header: str, kind: str | None, hits: int, present: int) -> str:
    """high / medium / low / none for ``hits`` of ``present`` non-empty values of kind ``kind``."""
    if kind is None:
        return "none"
    by_header = header_kind(header)
    recognizer = BY_KIND[kind]
    if not present or hits < MIN_SHARE * present:
        return "low"  # named by the header only, or most values do not match
    context = by_header is not None and by_header.kind == kind
    levels = ("high", "medium") if recognizer.checksum else ("medium", "low")
    return levels[0] if context else levels[1]


def present_values(column: pa.Array) -> pa.Array:
    """The non-null values that are not blank (whitespace only), as given."""
    valid = pc.fill_null(pc.not_equal(ids.strip_array(column), ""), False)
    return pc.filter(column, valid)


_LEADING_NUMBER = r"^[" + ids.WHITESPACE + r"]*(?P<n>[-+]?[0-9]+(?:\.[0-9]+)?)"


def numbers_median(values: pa.Array) -> float | None:
    """The median of the numbers the values start with (158.3, 45kg, 1.62 m), when at least
    ``MIN_SHARE`` of the values start with one; the value shape a category's ranges check."""
    if not len(values):
        return None
    found = pc.extract_regex(values, _LEADING_NUMBER)
    numbers = pc.cast(pc.struct_field(found, "n"), pa.float64())
    if numbers.null_count > (1 - MIN_SHARE) * len(values):
        return None
    median = pc.quantile(numbers, q=0.5, interpolation="midpoint")[0].as_py()
    return None if median is None else float(median)


# A date column whose header names another event holds dates, not birth dates (入学日期 2023-09-01).
_OTHER_DATES = (
    "入学", "毕业", "入职", "离职", "注册", "报名", "考试", "登记", "创建", "更新", "录入", "修改", "发放", "到期",
    "有效期", "enrol", "admission", "graduat", "created", "updated", "modified", "expir",
)  # fmt: skip


def _other_date(header: str) -> bool:
    text = header.strip().lower()
    return any(word in text for word in _OTHER_DATES) and not any(
        word in text for word in BY_KIND["birth_date"].headers
    )


def recognize_array(header: str, sample: pa.Array) -> ColumnFinding:
    """Recognise a column from a sample of its values (a string array)."""
    values = present_values(sample)
    by_header = header_kind(header)
    median = numbers_median(values)
    best: tuple[int, Recognizer] | None = None
    if len(values):
        for recognizer in RECOGNIZERS:
            if recognizer.kind == "birth_date" and _other_date(header):
                continue
            hits = int(pc.sum(recognizer.check_array(values)).as_py() or 0)
            if hits and (best is None or hits > best[0]):
                best = (hits, recognizer)
    if best is not None and best[0] >= MIN_SHARE * len(values):
        hits, recognizer = best
        found = confidence(header, recognizer.kind, hits, len(values))
        return ColumnFinding(header, recognizer.kind, recognizer.label, found, hits, len(values), median=median)
    nearest, nearest_hits = (best[1].kind, best[0]) if best is not None else (None, 0)
    if by_header is not None:
        return ColumnFinding(
            header, by_header.kind, by_header.label, "low", 0, len(values), nearest, nearest_hits, median
        )
    return ColumnFinding(header, None, None, "none", 0, len(values), nearest, nearest_hits, median)


def recognize_column(header: str, values: Iterable[object]) -> ColumnFinding:
    sample = [ids.strip(str(v)) for v in values if v is not None]
    return recognize_array(header, pa.array(sample, pa.string()))
