"""FF1 over SM4. No reference vectors are published for this pairing, so the fast implementation
is checked against a literal transcription of SP 800-38G Algorithm 7 written here from the text
(itself checked on NIST's AES samples), then for the properties a cipher must have: a bijection
on the domain, keys and tweaks that matter, and outputs spread evenly over the digits."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from secops.data.ff1 import FF1
from tests.unit.data.test_ff1 import NIST

Block = Callable[[bytes], bytes]


def _ecb(algorithm: algorithms.AES | algorithms.SM4) -> Block:
    encryptor = Cipher(algorithm, modes.ECB()).encryptor()
    return encryptor.update


def _num(digits: list[int], radix: int) -> int:
    value = 0
    for digit in digits:
        value = value * radix + digit
    return value


def _str(value: int, radix: int, length: int) -> list[int]:
    out = [0] * length
    for i in range(length - 1, -1, -1):
        value, out[i] = divmod(value, radix)
    return out


def reference_ff1_encrypt(block: Block, radix: int, tweak: bytes, numerals: list[int]) -> list[int]:
    """SP 800-38G, Algorithm 7 (FF1.Encrypt), step by step with the standard's names."""
    n, t = len(numerals), len(tweak)
    u = n // 2
    v = n - u
    a, b = numerals[:u], numerals[u:]
    b_len = math.ceil(math.ceil(v * math.log2(radix)) / 8)
    d = 4 * math.ceil(b_len / 4) + 4
    p = bytes([1, 2, 1]) + radix.to_bytes(3, "big") + bytes([10, u % 256]) + n.to_bytes(4, "big") + t.to_bytes(4, "big")
    for i in range(10):
        q = tweak + bytes((-t - b_len - 1) % 16) + bytes([i]) + _num(b, radix).to_bytes(b_len, "big")
        # PRF: CBC-MAC with a zero IV over P || Q
        r = bytes(16)
        data = p + q
        for start in range(0, len(data), 16):
            r = block(bytes(x ^ y for x, y in zip(r, data[start : start + 16], strict=True)))
        s = r
        for j in range(1, math.ceil(d / 16)):
            s += block(bytes(x ^ y for x, y in zip(r, j.to_bytes(16, "big"), strict=True)))
        y = int.from_bytes(s[:d], "big")
        m = u if i % 2 == 0 else v
        c = (_num(a, radix) + y) % radix**m
        a, b = b, _str(c, radix, m)
    return a + b


def _digits(text: str) -> list[int]:
    return [int(c, 36) for c in text]


def _text(numerals: list[int]) -> str:
    return "".join("0123456789abcdefghijklmnopqrstuvwxyz"[d] for d in numerals)


@pytest.mark.parametrize(("key", "radix", "tweak", "plain", "cipher"), NIST)
def test_the_reference_transcription_meets_nist(key: str, radix: int, tweak: str, plain: str, cipher: str) -> None:
    block = _ecb(algorithms.AES(bytes.fromhex(key)))
    assert _text(reference_ff1_encrypt(block, radix, bytes.fromhex(tweak), _digits(plain))) == cipher


def test_sm4_ff1_equals_the_reference_on_random_inputs() -> None:
    rng = random.Random(20261207)
    for _ in range(300):
        key = rng.randbytes(16)
        radix = rng.choice([10, 10, 16, 36])
        length = rng.randint(6 if radix == 10 else 4, 40)
        while radix**length < 10**6:
            length += 1
        plain = [rng.randrange(radix) for _ in range(length)]
        tweak = rng.randbytes(rng.choice([0, 3, 8, 13, 20]))
        expected = _text(reference_ff1_encrypt(_ecb(algorithms.SM4(key)), radix, tweak, plain))
        ff1 = FF1(key, radix, cipher="sm4")
        assert ff1.encrypt(_text(plain), tweak) == expected
        assert ff1.decrypt(expected, tweak) == _text(plain)


def test_sm4_and_aes_give_different_ciphertexts() -> None:
    key = bytes(range(16))
    assert FF1(key, cipher="sm4").encrypt("0123456789") != FF1(key, cipher="aes").encrypt("0123456789")
    with pytest.raises(ValueError, match="SM4 key"):
        FF1(bytes(32), cipher="sm4")
    with pytest.raises(ValueError, match="cipher"):
        FF1(bytes(16), cipher="des")


def test_a_bijection_on_six_digits() -> None:
    """Every value of a 10**5-value slice of the smallest domain maps to a distinct value and back."""
    ff1 = FF1(bytes(range(16)), cipher="sm4")
    values = [f"{n:06d}" for n in range(0, 1_000_000, 10)]
    encrypted = [ff1.encrypt(v, b"t") for v in values]
    assert len(set(encrypted)) == len(values)
    assert all(len(e) == 6 and e.isdigit() for e in encrypted)
    assert [ff1.decrypt(e, b"t") for e in encrypted[:2000]] == values[:2000]


def test_outputs_spread_evenly_over_the_digits() -> None:
    """Sequential inputs give digits uniform per position (chi-square, 9 degrees of freedom, far
    below the 0.1% critical value 27.9) and no fixed points beyond chance."""
    ff1 = FF1(bytes(range(16)), cipher="sm4")
    outputs = [ff1.encrypt(f"{n:08d}") for n in range(20_000)]
    for position in range(8):
        counts = Counter(o[position] for o in outputs)
        expected = len(outputs) / 10
        chi2 = sum((counts[d] - expected) ** 2 / expected for d in "0123456789")
        assert chi2 < 27.9, (position, chi2)
    assert sum(o == f"{n:08d}" for n, o in enumerate(outputs)) <= 2


def test_key_and_tweak_change_every_output() -> None:
    plain = "2024000123"
    one = FF1(bytes(16), cipher="sm4")
    other = FF1(bytes(15) + b"\x01", cipher="sm4")
    assert one.encrypt(plain) != other.encrypt(plain)
    assert one.encrypt(plain, b"110101") != one.encrypt(plain, b"110102")
    assert one.decrypt(one.encrypt(plain, b"x"), b"y") != plain
