"""FF1 format-preserving encryption (NIST SP 800-38G, the one FPE mode its 2025 revision keeps),
over AES as the standard defines it or over SM4 (GB/T 32907), which has the same 128-bit block,
for systems the commercial-cryptography assessment (密评) expects on the national algorithms.

Both ciphers come from the ``cryptography`` package. One ECB encryptor is reused for every block: the
PRF is a CBC-MAC over P || Q, and P's block is the same for every round of every value of one
length, so its encryption is computed once per length and each round costs one AES call when
the tweak is short. The domain radix**n must be at least 10**6 (the standard's minimum); callers
with shorter values mask them instead.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
MIN_DOMAIN = 1_000_000
ROUNDS = 10


CIPHERS = ("aes", "sm4")


class FF1:
    """FF1 over numeral strings of ``radix`` (2..36), encoded as the characters of ``DIGITS``;
    ``cipher`` is ``aes`` (16, 24 or 32-byte key) or ``sm4`` (16-byte key)."""

    def __init__(self, key: bytes, radix: int = 10, cipher: str = "aes") -> None:
        if cipher == "aes":
            if len(key) not in (16, 24, 32):
                raise ValueError("an AES key is 16, 24 or 32 bytes")
            algorithm: algorithms.AES | algorithms.SM4 = algorithms.AES(key)
        elif cipher == "sm4":
            if len(key) != 16:
                raise ValueError("an SM4 key is 16 bytes")
            algorithm = algorithms.SM4(key)
        else:
            raise ValueError(f"cipher must be one of {', '.join(CIPHERS)}")
        if not 2 <= radix <= len(DIGITS):
            raise ValueError(f"radix must be 2..{len(DIGITS)}")
        self.radix = radix
        self.cipher = cipher
        # ECB on single blocks is how SP 800-38G's PRF (a CBC-MAC) and CIPH are defined
        self._ecb = Cipher(algorithm, modes.ECB()).encryptor()  # noqa: S305
        self._alphabet = DIGITS[:radix]
        self._index = {c: i for i, c in enumerate(self._alphabet)}
        self._prefix = lru_cache(maxsize=256)(self._p_block)

    def _block(self, data: bytes) -> bytes:
        return self._ecb.update(data)

    def _p_block(self, n: int, u: int, t: int) -> bytes:
        """CIPH(P): the first block of every round's CBC-MAC for this length and tweak length."""
        p = bytes([1, 2, 1]) + self.radix.to_bytes(3, "big") + bytes([10, u % 256]) + n.to_bytes(4, "big")
        return self._block(p + t.to_bytes(4, "big"))

    def _num(self, text: str) -> int:
        value = 0
        for char in text:
            value = value * self.radix + self._index[char]
        return value

    def _str(self, value: int, length: int) -> str:
        chars = []
        for _ in range(length):
            value, digit = divmod(value, self.radix)
            chars.append(self._alphabet[digit])
        return "".join(reversed(chars))

    def _round_value(self, mac0: bytes, tweak: bytes, pad: int, round_no: int, half: int, b: int, d: int) -> int:
        """y = NUM(S) for one round: CBC-MAC of Q chained from CIPH(P), extended to d bytes."""
        q = tweak + bytes(pad) + bytes([round_no]) + half.to_bytes(b, "big")
        r = mac0
        for start in range(0, len(q), 16):
            block = int.from_bytes(r, "big") ^ int.from_bytes(q[start : start + 16], "big")
            r = self._block(block.to_bytes(16, "big"))
        s = r
        j = 1
        while len(s) < d:  # only for very long values (d > 16)
            s += self._block((int.from_bytes(r, "big") ^ j).to_bytes(16, "big"))
            j += 1
        return int.from_bytes(s[:d], "big")

    def _setup(self, text: str, tweak: bytes) -> tuple[int, int, int, int, int, bytes]:
        """(u, v, b, d, pad, CIPH(P)) for a value of this length and this tweak."""
        n = len(text)
        if self.radix**n < MIN_DOMAIN or n < 2:
            raise ValueError("the domain is too small for FF1 (radix**length < 10**6)")
        if any(c not in self._index for c in text):
            raise ValueError("a character outside the radix alphabet")
        u = n // 2
        v = n - u
        b = ((self.radix**v - 1).bit_length() + 7) // 8
        d = 4 * ((b + 3) // 4) + 4
        pad = (-len(tweak) - b - 1) % 16
        return u, v, b, d, pad, self._prefix(n, u, len(tweak))

    def encrypt(self, text: str, tweak: bytes = b"") -> str:
        u, v, b, d, pad, mac0 = self._setup(text, tweak)
        a, bb = self._num(text[:u]), self._num(text[u:])
        mod_u, mod_v = self.radix**u, self.radix**v
        for i in range(ROUNDS):
            y = self._round_value(mac0, tweak, pad, i, bb, b, d)
            a, bb = bb, (a + y) % (mod_u if i % 2 == 0 else mod_v)
        return self._str(a, u) + self._str(bb, v)

    def decrypt(self, text: str, tweak: bytes = b"") -> str:
        u, v, b, d, pad, mac0 = self._setup(text, tweak)
        a, bb = self._num(text[:u]), self._num(text[u:])
        mod_u, mod_v = self.radix**u, self.radix**v
        for i in reversed(range(ROUNDS)):
            y = self._round_value(mac0, tweak, pad, i, a, b, d)
            a, bb = (bb - y) % (mod_u if i % 2 == 0 else mod_v), a
        return self._str(a, u) + self._str(bb, v)

    def encrypt_int(self, value: int, bound: int, digits: int, tweak: bytes = b"") -> int:
        """Encrypt ``value`` in [0, bound) to [0, bound) by cycle-walking over ``digits`` decimal
        digits (bound <= 10**digits); used for mixed domains such as a date plus a sequence."""
        if not 0 <= value < bound <= self.radix**digits:
            raise ValueError("value out of the domain")
        while True:
            value = self._num(self.encrypt(self._str(value, digits), tweak))
            if value < bound:
                return value

    def decrypt_int(self, value: int, bound: int, digits: int, tweak: bytes = b"") -> int:
        """The inverse of ``encrypt_int``: walk the cycle backwards until the value is in the domain."""
        if not 0 <= value < bound <= self.radix**digits:
            raise ValueError("value out of the domain")
        while True:
            value = self._num(self.decrypt(self._str(value, digits), tweak))
            if value < bound:
                return value
