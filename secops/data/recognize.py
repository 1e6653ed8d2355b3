"""Column recognizers: which identifier a column holds, and how sure we are.

Confidence the way mature classifiers grade it: checksum + context (a header keyword) = high;
checksum alone = medium; pattern or header alone = low. A column's kind is the recognizer that
matches most of its non-empty sample values (at least ``MIN_SHARE`` of them).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from secops.data import identifiers as ids

MIN_SHARE = 0.6

_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
_BIRTH = re.compile(r"^(19|20)\d{2}[-/.年]?(0?[1-9]|1[0-2])[-/.月]?(0?[1-9]|[12]\d|3[01])日?$")
_ADDRESS = re.compile(r"(省|市|自治区).*(市|区|县|旗)|(区|县).*(路|街|镇|乡|村|号)")
_IPV4 = re.compile(r"^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$")


def _name(value: str) -> bool:
    text = value.strip()
    return bool(_NAME.match(text)) and (text[0] in _SURNAMES or text[:2] in ("欧阳", "司马", "上官", "诸葛"))


@dataclass(frozen=True)
class Recognizer:
    kind: str  # id_card, xueji, mobile, ...
    label: str  # 中文名
    check: Callable[[str], bool]
    checksum: bool  # True when check() verifies a checksum (not only a pattern)
    headers: tuple[str, ...]  # header keywords, Chinese and English, lower-case


RECOGNIZERS: tuple[Recognizer, ...] = (
    Recognizer(
        "id_card",
        "身份证号",
        ids.id_card_valid,
        True,
        ("身份证", "证件号", "公民身份", "idcard", "id_card", "id_no", "sfz"),
    ),
    Recognizer("xueji", "学籍号", ids.xueji_valid, True, ("学籍号", "学籍", "xjh", "student_registry")),
    Recognizer("bank_card", "银行卡号", ids.bank_card_valid, True, ("银行卡", "卡号", "账号", "bank", "card_no")),
    Recognizer("uscc", "统一社会信用代码", ids.uscc_valid, True, ("信用代码", "uscc", "credit_code")),
    Recognizer("mobile", "手机号", ids.mobile_valid, False, ("手机", "电话", "联系方式", "mobile", "phone", "tel")),
    Recognizer("email", "电子邮箱", ids.email_valid, False, ("邮箱", "email", "mail")),
    Recognizer("passport", "护照号", ids.passport_valid, False, ("护照", "passport")),
    Recognizer("travel_permit", "港澳通行证", ids.travel_permit_valid, False, ("通行证", "permit")),
    Recognizer("plate", "车牌号", ids.plate_valid, False, ("车牌", "plate")),
    Recognizer("ip", "IP 地址", lambda v: bool(_IPV4.match(v.strip())), False, ("ip", "地址ip", "登录ip")),
    Recognizer(
        "birth_date", "出生日期", lambda v: bool(_BIRTH.match(v.strip())), False, ("出生", "生日", "birth", "dob")
    ),
    Recognizer("address", "地址", lambda v: bool(_ADDRESS.search(v)), False, ("地址", "住址", "家庭住址", "address")),
    Recognizer("name", "姓名", _name, False, ("姓名", "名字", "家长", "监护人", "name")),
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

    @property
    def share(self) -> float:
        return self.hits / self.sampled if self.sampled else 0.0


def header_kind(header: str) -> Recognizer | None:
    text = header.strip().lower()
    for recognizer in RECOGNIZERS:
        if any(word in text for word in recognizer.headers):
            return recognizer
    return None


def recognize_column(header: str, values: Iterable[object]) -> ColumnFinding:
    sample = [str(v).strip() for v in values if v is not None and str(v).strip()]
    by_header = header_kind(header)
    best: tuple[int, Recognizer] | None = None
    for recognizer in RECOGNIZERS:
        hits = sum(1 for value in sample if recognizer.check(value))
        if hits and (best is None or hits > best[0]):
            best = (hits, recognizer)
    if best is not None and best[0] >= MIN_SHARE * len(sample):
        hits, recognizer = best
        context = by_header is not None and by_header.kind == recognizer.kind
        levels = ("high", "medium") if recognizer.checksum else ("medium", "low")
        confidence = levels[0] if context else levels[1]
        return ColumnFinding(header, recognizer.kind, recognizer.label, confidence, hits, len(sample))
    if by_header is not None:
        return ColumnFinding(header, by_header.kind, by_header.label, "low", 0, len(sample))
    return ColumnFinding(header, None, None, "none", 0, len(sample))
