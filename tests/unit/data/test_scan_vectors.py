"""The column validators agree with the scalar ones value for value: valid numbers, one-character
mutations of them, separators, full-width and other Unicode digits, whitespace, case, nulls."""

from __future__ import annotations

import random
from datetime import date

import numpy as np
import pyarrow as pa
import pytest

from secops.data import identifiers as ids
from secops.data.recognize import RECOGNIZERS
from tests.unit.data.test_identifiers import make_card, make_id

TODAY = date(2026, 11, 23)
rng = random.Random(8)
VALID = [
    make_id("11010519491231002"),
    make_id("32068420140315123"),
    make_id("91000020100101001"),
    make_id("81000020000101001"),
    make_id("65010220160229001"),
    "G" + make_id("32068420120315123"),
    "J32068420121015123X",
    "L320684201203150001",
    make_card("622202"),
    make_card("62", 19),
    "91320100MA1MXXXX09",
    "12100000400000789Q",
    "13812345678",
    "+86 138-1234-5678",
    "0086(139)12345678",
    "zhang.san@school.edu.cn",
    "苏F12345",
    "京AD12345",
    "E12345678",
    "EA1234567",
    "C12345678",
    "10.20.1.5",
    "2012-03-15",
    "2013年11月2日",
    "20120315",
    "张三",
    "欧阳娜娜",
    "江苏省南通市崇川区工农路1号",
]
ODD = ["", " ", "\u3000", "１３８１２３４５６７８", "x" * 18, "张", "王五六七八", "1381234567８", "\t13812345678\n"]
CHARS = "0123456789X-x /年月日Gl\u3000\u00a0１٣张欧阳"


def _mutations(value: str) -> list[str]:
    out = [value, value.lower(), f" {value} ", value + "\n", value[:-1], value[1:]]
    for _ in range(12):
        i = rng.randrange(len(value))
        out.append(value[:i] + rng.choice(CHARS) + value[i + 1 :])
        out.append(value[:i] + rng.choice(CHARS) + value[i:])
    return out


CORPUS = [m for v in VALID for m in _mutations(v)] + ODD


@pytest.mark.parametrize("recognizer", RECOGNIZERS, ids=lambda r: r.kind)
def test_column_checks_agree_with_scalar_checks(recognizer: object) -> None:
    scalar = [recognizer.check(v) for v in CORPUS]  # type: ignore[attr-defined]
    column = recognizer.check_array(pa.array([*CORPUS, None], pa.string())).to_pylist()  # type: ignore[attr-defined]
    disagree = [v for v, a, b in zip(CORPUS, scalar, column, strict=False) if a != b]
    assert not disagree, f"{recognizer.kind}: {disagree!r}"  # type: ignore[attr-defined]
    assert column[-1] is False and any(scalar)


def test_id_numbers_give_validity_and_birth_dates_in_one_pass() -> None:
    values = [*CORPUS, None]
    for xueji in (False, True):
        valid, born = ids.id_numbers_array(pa.array(values, pa.string()), xueji=xueji, today=TODAY)
        check = ids.xueji_valid if xueji else ids.id_card_valid
        assert list(valid[:-1]) == [check(v, today=TODAY) for v in CORPUS]
        assert not valid[-1] and born[-1] == 0
    number = make_id("32068420140315123")
    valid, born = ids.id_numbers_array(pa.array([number, "G" + number]), xueji=True, today=TODAY)
    assert list(valid) == [False, True] and born[1] == 20140315
    births = ids.birth_dates_array(pa.array([number, "J" + number, "x", None])).to_pylist()
    assert births == [20140315, 20140315, None, None]
    minors = ids.under_age_array(pa.array([make_id("32068420121124123"), make_id("32068420121123123")]), TODAY)
    assert minors.to_pylist() == [True, False]  # 14 on the 14th birthday, not the day before


def test_every_value_is_checked_not_a_sample() -> None:
    numbers = [make_id(f"32068420{10 + i % 5:02d}0{1 + i % 9}1{i % 10}{i % 1000:03d}") for i in range(2000)]
    broken = [n[:-1] + ("0" if n[-1] != "0" else "1") for n in numbers[:500]]
    column = pa.array((numbers + broken) * 4, pa.string())
    hits = ids.id_card_valid_array(column, today=TODAY).to_numpy(zero_copy_only=False)
    assert int(np.sum(hits)) == 8000 and len(hits) == 10000
