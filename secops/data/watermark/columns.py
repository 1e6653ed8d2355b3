"""Which columns identify a row and which may carry marks.

Identity: a stable identifier that survives reordering, deletion and format conversion: 身份证号,
then 学籍号, then a unique column headed like 学号 / 考号 / student id; failing those, 姓名 plus
出生日期 together. Carriers: numeric or date columns that are not identifiers, codes, names, birth
dates or scores (scores only when the caller names them), with enough distinct values that a
last-digit change is noise rather than a different category.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from secops.data.recognize import recognize_column
from secops.data.watermark.cells import MAX_PRECISION, Carrier, date_kind, decimals
from secops.errors import SecopsError
from secops.i18n import _

SHARE = 0.9  # of non-empty sample values that must parse for a carrier
MIN_DISTINCT = 10
_PROTECTED_WORDS = (
    # scores and ranks (publishing or altering them is not ours to do)
    "成绩", "分数", "得分", "总分", "均分", "排名", "名次", "绩点", "等级", "评分", "考试",
    "语文", "数学", "英语", "外语", "物理", "化学", "生物", "历史", "地理", "政治", "道德", "体育",
    # identifiers, codes and categories
    "号", "编码", "代码", "序", "身份", "学籍", "电话", "手机", "邮编", "年级", "班", "届", "年份",
    "性别", "民族", "出生", "生日", "姓名", "名字", "年龄",
)  # fmt: skip
_PROTECTED_TOKENS = frozenset(
    {"score", "scores", "grade", "gpa", "rank", "ranking", "exam", "mark", "marks", "id", "no", "num",
     "number", "code", "phone", "mobile", "tel", "zip", "postcode", "year", "class", "sex", "gender",
     "birth", "birthday", "dob", "age", "name", "seq", "index"}
)  # fmt: skip
_ID_HEADERS = ("学号", "考号", "学生编号", "学籍", "身份证", "student_id", "studentid", "student_no", "sid", "id")
IDENTITY_KINDS = ("id_card", "xueji")


@dataclass(frozen=True)
class Layout:
    identity: tuple[str, ...]
    identity_kinds: tuple[str | None, ...]
    carriers: tuple[Carrier, ...]


def _tokens(header: str) -> set[str]:
    return {t for t in re.split(r"[^a-z0-9]+", header.lower()) if t}


def protected_header(header: str) -> bool:
    return any(word in header for word in _PROTECTED_WORDS) or bool(_tokens(header) & _PROTECTED_TOKENS)


def _filled(values: Sequence[Any]) -> list[Any]:
    return [v for v in values if v is not None and str(v).strip() != ""]


def carrier_of(header: str, values: Sequence[Any], *, named: bool = False) -> Carrier | None:
    """The column as a carrier, or None. ``named`` columns skip the header and category checks."""
    filled = _filled(values)
    if not filled or (not named and protected_header(header)):
        return None
    if not named and len(set(map(str, filled))) < min(MIN_DISTINCT, len(filled)):
        return None
    places = [decimals(v) for v in filled]
    numbers = [p for p in places if p is not None]
    if len(numbers) >= SHARE * len(filled):
        if not named and any(_code_like(v) for v in filled[:500]):
            return None
        precision = min(Counter(numbers).most_common(1)[0][0], MAX_PRECISION)
        return Carrier(header, "number", precision)
    kinds = Counter(k for k in (date_kind(v) for v in filled) if k)
    if sum(kinds.values()) >= SHARE * len(filled):
        # date-times carry in their seconds only when (nearly) all of them have seconds
        kind = "datetime" if kinds["datetime"] >= SHARE * len(filled) else "date"
        return Carrier(header, kind, 0)
    return None


def _code_like(value: Any) -> bool:
    """Leading zeros or 8+ digits: an identifier or code written as digits, not a measurement."""
    if not isinstance(value, str):
        return isinstance(value, int) and abs(value) >= 10_000_000
    text = value.strip().lstrip("+-")
    whole = text.partition(".")[0]
    return (len(whole) > 1 and whole.startswith("0")) or len(whole) >= 8


def choose_identity(header: Sequence[str], samples: Sequence[Sequence[Any]]) -> tuple[list[int], list[str | None]]:
    """Column indexes of the row identity and their recognised kinds."""
    findings = [
        recognize_column(name, [str(v) for v in _filled(col)]) for name, col in zip(header, samples, strict=True)
    ]

    def unique(index: int) -> bool:
        filled = _filled(samples[index])
        return bool(filled) and len(set(map(str, filled))) == len(filled) and len(filled) >= 0.9 * len(samples[index])

    for kind in IDENTITY_KINDS:
        for index, finding in enumerate(findings):
            if finding.kind == kind and finding.confidence in ("high", "medium") and unique(index):
                return [index], [kind]
    for word in _ID_HEADERS:
        for index, name in enumerate(header):
            short = word.isascii() and len(word) <= 3  # sid, id: whole words only
            if (word in _tokens(name) if short else word in name.lower()) and unique(index):
                return [index], [findings[index].kind]
    names = [i for i, f in enumerate(findings) if f.kind == "name"]
    births = [i for i, f in enumerate(findings) if f.kind == "birth_date"]
    if names and births:
        return [names[0], births[0]], ["name", "birth_date"]
    raise SecopsError(
        _("no stable identifier column (身份证号, 学籍号, 学号, or 姓名 with 出生日期) to address rows by"),
        hint=_("name one with --identity COLUMN"),
    )


def plan_layout(
    header: Sequence[str],
    samples: Sequence[Sequence[Any]],
    *,
    identity: Sequence[str] = (),
    carriers: Sequence[str] = (),
) -> Layout:
    """The identity and carriers for a table, from its header and a sample of its columns."""
    position = {name: i for i, name in enumerate(header)}
    for name in (*identity, *carriers):
        if name not in position:
            raise SecopsError(
                _("column {name!r} is not in the table").format(name=name),
                hint=_("columns: {columns}").format(columns=", ".join(header)),
            )
    if identity:
        chosen = [position[name] for name in identity]
        kinds: list[str | None] = [recognize_column(header[i], map(str, _filled(samples[i]))).kind for i in chosen]
    else:
        chosen, kinds = choose_identity(header, samples)
    found: list[Carrier] = []
    for index, name in enumerate(header):
        if index in chosen or (carriers and name not in carriers):
            continue
        carrier = carrier_of(name, samples[index], named=bool(carriers))
        if carrier is None and carriers:
            raise SecopsError(
                _("column {name!r} holds neither numbers nor dates").format(name=name),
                hint=_("choose other --carrier columns"),
            )
        if carrier is not None and not carriers:
            finding = recognize_column(name, [str(v) for v in _filled(samples[index])])
            # a phone number or ID written as digits; dates look like birth dates to the recognizer,
            # but birth-date columns were already refused by their header
            if finding.kind is not None and finding.kind != "birth_date":
                continue
        if carrier is not None:
            found.append(carrier)
    if not found:
        raise SecopsError(
            _("no column can carry a mark (numbers or dates that are not identifiers, codes or scores)"),
            hint=_("name carrier columns with --carrier COLUMN (scores only if your policy allows)"),
        )
    return Layout(tuple(header[i] for i in chosen), tuple(kinds), tuple(found))
