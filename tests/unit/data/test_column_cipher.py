"""Reversible column encryption (the ``encrypt`` operator): every shape keeps its shape and comes
back exactly, tokens are authenticated, the output is deterministic per key and nothing else."""

from __future__ import annotations

import random
from datetime import date

import pyarrow as pa
import pytest

from secops.data import identifiers as ids
from secops.data.column_cipher import TOKEN_PREFIX, ColumnCipher, Shape, UndecryptableValue, shape_of, with_luhn
from secops.data.mask_operators import Decrypt, Encrypt
from tests.unit.data.test_tables import bank_card, id_number

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


def _values(rng: random.Random) -> list[str]:
    digits = "0123456789"
    return [
        id_number(rng.randint(1950, 2020), rng.randrange(10_000)),
        "G" + id_number(rng.randint(2008, 2020), rng.randrange(10_000), "110101"),
        "1" + rng.choice("3456789") + "".join(rng.choice(digits) for _ in range(9)),
        with_luhn("622202" + "".join(rng.choice(digits) for _ in range(rng.choice([9, 11, 12])))),
        "".join(rng.choice(digits) for _ in range(rng.randint(6, 25))),
        f"{rng.randint(1990, 2030)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 08:0{rng.randint(0, 9)}",
        "学号" + "".join(rng.choice(digits) for _ in range(8)),
        rng.choice(["张伟", "欧阳子涵", "李", "Émile", "a b", "12", "3", "SM4:", "SM4:not-a-token", "SM7:123456"]),
    ]


def test_every_shape_round_trips_and_keeps_its_shape() -> None:
    cipher = ColumnCipher(KEY)
    rng = random.Random(7)
    for _ in range(400):
        for value in _values(rng):
            encrypted = cipher.preserve(value)
            assert cipher.unpreserve(encrypted) == value
            shape = shape_of(value)
            if shape in (Shape.SHORT, Shape.TOKEN):
                assert encrypted.startswith(TOKEN_PREFIX)
            else:
                assert shape_of(encrypted) is shape and len(encrypted) == len(value)
            assert cipher.untoken(cipher.token(value)) == value


def test_identifiers_stay_valid_and_keep_what_systems_check() -> None:
    cipher = ColumnCipher(KEY)
    for n in range(300):
        number = id_number(2010 + n % 8, n, "330106")
        out = cipher.preserve(number)
        assert out != number and ids.id_card_valid(out, today=date.max) and out[:6] == "330106"
        student = cipher.preserve("G" + number)
        assert student == "G" + out  # one ID, one ciphertext: 学籍号 and 身份证号 still join
        card = bank_card(n)
        assert cipher.preserve(card)[:6] == "622202" and ids.luhn_valid(cipher.preserve(card))
        mobile = f"139{n:08d}"
        assert cipher.preserve(mobile)[:3] == "139" and ids.mobile_valid(cipher.preserve(mobile))
    # formatting is kept, only ASCII digits change
    assert [c for c in cipher.preserve("+86 138-1234-5678") if not c.isdigit()] == list("+ --")


def test_deterministic_per_key() -> None:
    one, again, other = ColumnCipher(KEY), ColumnCipher(KEY), ColumnCipher(OTHER_KEY)
    for value in ("张伟", id_number(2012, 5), "13812345678"):
        assert one.preserve(value) == again.preserve(value) != other.preserve(value)
        assert one.token(value) == again.token(value) != other.token(value)
    assert one.token("张伟") != one.token("张伟 ")


def test_tokens_are_authenticated() -> None:
    cipher = ColumnCipher(KEY)
    token = cipher.token("欧阳子涵")
    body = token[len(TOKEN_PREFIX) :]
    for i in range(len(body)):
        flipped = body[:i] + ("A" if body[i] != "A" else "B") + body[i + 1 :]
        with pytest.raises(UndecryptableValue):
            cipher.untoken(TOKEN_PREFIX + flipped)
    for bad in (token[:-4], TOKEN_PREFIX, TOKEN_PREFIX + "!!!", TOKEN_PREFIX + "AAAA"):
        with pytest.raises(UndecryptableValue):
            cipher.untoken(bad)
    with pytest.raises(UndecryptableValue):
        ColumnCipher(OTHER_KEY).untoken(token)
    with pytest.raises(UndecryptableValue, match="format-preserving"):
        cipher.unpreserve("张伟")  # never an output of preserve


def test_operators_keep_nulls_and_blanks_and_count_failures() -> None:
    values = ["张伟", None, "", "  ", id_number(2012, 9), "13812345678", "张伟"]
    for form in ("token", "preserve"):
        encrypted = Encrypt("name", KEY, form).apply(pa.array(values, pa.string()))
        assert encrypted.to_pylist()[1:4] == [None, "", "  "]
        decrypt = Decrypt("name", KEY)
        assert decrypt.apply(encrypted).to_pylist() == values
        assert decrypt.fallbacks == decrypt.failed_checks == 0
    foreign = Encrypt("name", OTHER_KEY).apply(pa.array(["张伟", "张伟", "李"], pa.string()))
    decrypt = Decrypt("name", KEY)
    assert decrypt.apply(foreign).to_pylist() == foreign.to_pylist()  # left as they are
    assert decrypt.failed_checks == 3 and decrypt.fallbacks == 3
    plain = Decrypt("name", KEY)
    assert plain.apply(pa.array(["王五", "1"], pa.string())).to_pylist() == ["王五", "1"]
    assert plain.fallbacks == 2 and plain.failed_checks == 0  # not ciphertext, not forged either
