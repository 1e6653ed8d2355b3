"""Identifier checksums and masking conventions, with numbers built by the standards' rules."""

from __future__ import annotations

from datetime import date

import pytest

from secops.data.identifiers import (
    age_on,
    bank_card_valid,
    email_valid,
    id_birth_date,
    id_card_valid,
    id_check_char,
    id_sex,
    luhn_valid,
    mobile_valid,
    passport_valid,
    plate_valid,
    travel_permit_valid,
    uscc_check_char,
    uscc_valid,
    xueji_valid,
)
from secops.data.mask_kernels import mask_bank_card, mask_email, mask_id, mask_name, mask_phone, pseudonym

TODAY = date(2026, 11, 23)


def make_id(first17: str) -> str:
    return first17 + id_check_char(first17)


def make_card(prefix: str, length: int = 16) -> str:
    body = prefix + "0" * (length - len(prefix) - 1)
    return next(body + str(d) for d in range(10) if luhn_valid(body + str(d)))


def test_the_standards_own_example_id() -> None:
    assert id_card_valid("11010519491231002X", today=TODAY)  # GB 11643-1999's example
    assert id_birth_date("11010519491231002X") == date(1949, 12, 31)
    assert id_sex("11010519491231002X") == "女"


@pytest.mark.parametrize(
    "first17",
    [
        "32068420120315123",
        "91000020100101001",
        "81000020000101001",
        "83000019991231002",
        "65010220160229001",
    ],
)
def test_valid_ids_including_permits_and_permanent_residence(first17: str) -> None:
    assert id_card_valid(make_id(first17), today=TODAY)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("11010519491231002Y", "bad check character"),
        ("110105194912310021", "wrong check digit"),
        (make_id("32068420130229123"), "29 February of a common year"),
        (make_id("32068420301201123"), "born in the future"),
        (make_id("00068420120315123"), "region 00"),
        ("3206842012031512", "too short"),
    ],
)
def test_invalid_ids(text: str, why: str) -> None:
    assert not id_card_valid(text, today=TODAY), why


def test_minor_age_from_the_id() -> None:
    born = id_birth_date(make_id("32068420130315123"))
    assert born is not None and age_on(born, TODAY) == 13
    assert age_on(date(2012, 11, 24), TODAY) == 13 and age_on(date(2012, 11, 23), TODAY) == 14


def test_xueji_numbers() -> None:
    valid_id = make_id("32068420120315123")
    assert xueji_valid("G" + valid_id)
    assert not xueji_valid("G" + valid_id[:-1] + ("0" if valid_id[-1] != "0" else "1"))
    assert xueji_valid("J32068420120315123X")
    assert not xueji_valid("J32068420121315123X")  # month 13
    assert xueji_valid("L320684201203150001")
    assert not xueji_valid("X" + valid_id)


@pytest.mark.parametrize("text", ["13812345678", "+86 138-1234-5678", "008619912345678"])
def test_mobiles(text: str) -> None:
    assert mobile_valid(text)


@pytest.mark.parametrize("text", ["12812345678", "1381234567", "23812345678"])
def test_not_mobiles(text: str) -> None:
    assert not mobile_valid(text)


def test_bank_cards_by_luhn() -> None:
    card = make_card("622202")
    assert bank_card_valid(card) and bank_card_valid(" ".join(card[i : i + 4] for i in range(0, 16, 4)))
    broken = card[:-1] + str((int(card[-1]) + 1) % 10)
    assert not bank_card_valid(broken)
    assert bank_card_valid(make_card("62", 19)) and not bank_card_valid("4111")


def test_unified_social_credit_codes() -> None:
    first17 = "91320100MA1MXXXX0"
    code = first17 + uscc_check_char(first17)
    assert uscc_valid(code)
    wrong = next(c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != code[-1])
    assert not uscc_valid(code[:-1] + wrong)
    assert not uscc_valid("91320100MA1MXXXXOI")  # I and O are not in the alphabet


def test_other_identifiers() -> None:
    assert email_valid("zhang.san@school.edu.cn") and not email_valid("zhang@")
    assert plate_valid("苏F12345") and plate_valid("京AD12345") and not plate_valid("XX12345")
    assert passport_valid("E12345678") and passport_valid("EA1234567") and not passport_valid("E1234")
    assert travel_permit_valid("C12345678") and not travel_permit_valid("Q12345678")


def test_masking_conventions() -> None:
    assert mask_id("11010519491231002X") == "110***********002X"
    assert mask_name("张三") == "张*" and mask_name("欧阳娜娜") == "欧阳**" and mask_name("王") == "王"
    assert mask_phone("+86 138-1234-5678") == "138****5678"
    assert mask_bank_card("6222021234567890") == "6222 **** **** 7890"
    assert mask_email("zhangsan@school.edu.cn") == "z***@school.edu.cn"


@pytest.mark.parametrize("algorithm", ["sha256", "sm3"])
def test_pseudonyms_are_keyed_and_stable(algorithm: str) -> None:
    key = b"release-2026-11"
    first = pseudonym("11010519491231002X", key, algorithm=algorithm)
    assert first == pseudonym("11010519491231002X", key, algorithm=algorithm)
    assert first != pseudonym("11010519491231002X", b"another", algorithm=algorithm)
    assert len(first) == 16 and "1101" not in first
    with pytest.raises(ValueError):
        pseudonym("x", key, algorithm="md5")
