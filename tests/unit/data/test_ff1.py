"""FF1 against the NIST SP 800-38G sample vectors, and the shape-keeping column operator."""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pytest

from secops.data.ff1 import FF1
from secops.data.identifiers import bank_card_valid, id_birth_date, id_card_valid, mobile_valid, xueji_valid
from secops.data.mask_operators import FormatPreserving
from tests.unit.data.test_tables import bank_card, id_number

KEY_128 = "2B7E151628AED2A6ABF7158809CF4F3C"
KEY_192 = KEY_128 + "EF4359D8D580AA4F"
KEY_256 = KEY_192 + "7F036D6F04FC6A94"
TWEAK_10 = "39383736353433323130"
TWEAK_36 = "3737373770717273373737"
NIST = [  # (key, radix, tweak, plaintext, ciphertext): FF1 samples 1-9
    (KEY_128, 10, "", "0123456789", "2433477484"),
    (KEY_128, 10, TWEAK_10, "0123456789", "6124200773"),
    (KEY_128, 36, TWEAK_36, "0123456789abcdefghi", "a9tv40mll9kdu509eum"),
    (KEY_192, 10, "", "0123456789", "2830668132"),
    (KEY_192, 10, TWEAK_10, "0123456789", "2496655549"),
    (KEY_192, 36, TWEAK_36, "0123456789abcdefghi", "xbj3kv35jrawxv32ysr"),
    (KEY_256, 10, "", "0123456789", "6657667009"),
    (KEY_256, 10, TWEAK_10, "0123456789", "1001623463"),
    (KEY_256, 36, TWEAK_36, "0123456789abcdefghi", "xs8a0azh2avyalyzuwd"),
]
KEY = bytes(range(32))


@pytest.mark.parametrize(("key", "radix", "tweak", "plain", "cipher"), NIST)
def test_nist_vectors(key: str, radix: int, tweak: str, plain: str, cipher: str) -> None:
    ff1 = FF1(bytes.fromhex(key), radix)
    assert ff1.encrypt(plain, bytes.fromhex(tweak)) == cipher
    assert ff1.decrypt(cipher, bytes.fromhex(tweak)) == plain


def test_domain_and_inputs() -> None:
    ff1 = FF1(bytes(16))
    with pytest.raises(ValueError, match="domain"):
        ff1.encrypt("12345")  # 10**5 < 10**6
    with pytest.raises(ValueError, match="alphabet"):
        ff1.encrypt("12345a")
    with pytest.raises(ValueError, match="AES key"):
        FF1(b"short")
    long_value = "9" * 60  # a value long enough to need more than one PRF block (d > 16)
    assert ff1.decrypt(ff1.encrypt(long_value, b"t" * 20), b"t" * 20) == long_value
    values = {ff1.encrypt_int(v, 2_000_000, 7) for v in range(300)}
    assert len(values) == 300 and all(v < 2_000_000 for v in values)


def _apply(kind: str, values: Sequence[str | None], key: bytes = KEY) -> tuple[list[str | None], FormatPreserving]:
    operator = FormatPreserving(kind, key)
    return operator.apply(pa.array(values, pa.string())).to_pylist(), operator


def test_id_numbers_stay_valid_ids_of_their_region() -> None:
    ids = [id_number(2012, n) for n in range(200)]
    out, operator = _apply("id_card", [*ids, None, ""])
    assert out[-2:] == [None, ""] and operator.fallbacks == 0
    assert len(set(out[:-2])) == 200 and not set(out) & set(ids)
    for before, after in zip(ids, out, strict=False):
        assert after is not None and id_card_valid(after) and after[:6] == before[:6]
        assert id_birth_date(after) is not None
    assert _apply("id_card", ids[:5])[0] == out[:5]  # deterministic: same key, same output
    assert _apply("id_card", ids[:5], bytes(32))[0] != out[:5]
    xueji, _ = _apply("xueji", ["G" + ids[0]])
    assert xueji[0] == "G" + str(out[0]) and xueji_valid(str(xueji[0]))


def test_mobiles_and_bank_cards_keep_their_shape() -> None:
    mobiles = [f"13{n % 10}{n:08d}" for n in range(100)] + ["+86 138 1234 5678"]
    out, _ = _apply("mobile", mobiles)
    assert all(v is not None and mobile_valid(v) and len(v) == 11 for v in out)
    assert [v[:3] for v in out[:100] if v] == [m[:3] for m in mobiles[:100]]
    assert out[100] == _apply("mobile", ["13812345678"])[0][0]  # one number, one token
    cards = [bank_card(n) for n in range(50)]
    out, _ = _apply("bank_card", cards)
    assert all(v is not None and bank_card_valid(v) and v[:6] == "622202" for v in out)
    assert set(out).isdisjoint(cards)


def test_short_or_digitless_values_are_masked_and_counted() -> None:
    out, operator = _apply("id_card", ["12345", "no digits", "AB-1234-5678-90"])
    assert out[0] == "*****" and out[1] == "*********" and operator.fallbacks == 2
    assert out[2] is not None and out[2][:3] == "AB-" and out[2] != "AB-1234-5678-90"


def test_the_ff1_operator_over_sm4() -> None:
    ids = [id_number(2012, n) for n in range(50)]
    sm4 = FormatPreserving("id_card", KEY, "sm4").apply(pa.array(ids, pa.string())).to_pylist()
    aes = FormatPreserving("id_card", KEY).apply(pa.array(ids, pa.string())).to_pylist()
    assert len(set(sm4)) == 50 and not set(sm4) & set(aes) and not set(sm4) & set(ids)
    assert all(v is not None and id_card_valid(v) and v[:6] == i[:6] for v, i in zip(sm4, ids, strict=True))
