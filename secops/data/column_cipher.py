"""Reversible column encryption with the national algorithms: the ``encrypt`` mask operator and
``secops data unmask``.

Both forms are deterministic: one key and one value give one output, so encrypted IDs still join
across tables. What that reveals is which cells are equal, nothing of the values.

* ``token``: ``SM4:`` + base64url(IV || SM4-GCM(value) || tag) with IV = HMAC-SM3(k_iv, value)
  truncated to 96 bits: a synthetic IV (the idea of RFC 5297's SIV) makes the output deterministic
  while keeping GCM's authentication; decryption checks the tag and that the IV is the one the
  plaintext gives, so a modified or foreign token is an error, never a wrong value.
* ``preserve``: FF1 over SM4 (secops.data.ff1) keeping the value's shape. Each value falls in one
  class by its own text (``shape_of``), and encryption maps every class onto itself, walking the
  cycle where one class's permutation can leave it. Decryption therefore reads the class off the
  ciphertext and applies the matching inverse: an ID stays a checksum-valid ID of its region, a
  mobile keeps its 3-digit prefix, a bank card its 6-digit BIN and a valid Luhn digit, a value of
  6 or more digits and separators only (a date, a formatted number) has its digits encrypted in
  place, and everything else (text, which would stay readable beside encrypted digits, or fewer
  digits than FF1's domain allows) becomes a token. Format-preserving values carry no check of their own: a wrong key
  decrypts them to wrong values, which is why the key's fingerprint goes in the mask report.
"""

from __future__ import annotations

import base64
import binascii
import hmac as std_hmac
import re
from datetime import date, timedelta
from enum import Enum

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from secops.data import identifiers as ids
from secops.data.ff1 import FF1

TOKEN_PREFIX = "SM4:"  # noqa: S105 - the mark of a token, not a secret
IV_BYTES = 12
TAG_BYTES = 16
FIRST_BIRTH = date(1900, 1, 1)
LAST_BIRTH = date(2025, 12, 31)  # fixed: the domain of encrypted birth dates never changes
_BIRTH_DAYS = (LAST_BIRTH - FIRST_BIRTH).days + 1
MIN_DIGITS = 6  # FF1's minimum domain is 10**6
# what may sit between the digits of a value encrypted in place (dates, times, formatted numbers);
# anything else (a name in a note beside a phone number) would stay readable, so that value is a token
SEPARATORS = frozenset(" -+()./:_,#")

_ID = re.compile(r"[GJ]?\d{17}[\dX]")
_MOBILE = re.compile(r"1\d{10}")
_CARD = re.compile(r"\d{16,19}")


class Shape(Enum):
    """What a value is to the format-preserving form; the first that fits wins."""

    TOKEN = "token"  # noqa: S105 - already a token (or text that starts like one): always the token form
    ID = "id"  # an ID number (optionally 学籍 G/J + ID) with a valid check character
    MOBILE = "mobile"  # 1 and 10 digits
    CARD = "card"  # 16-19 digits with a valid Luhn digit
    DIGITS = "digits"  # 6 or more ASCII digits, with separators only between them
    SHORT = "short"  # everything else: too few digits for FF1, or text: a token


class UndecryptableValue(ValueError):
    """A cell that is not this key's ciphertext (modified, foreign key, or never encrypted)."""


def _birth_days(number: str) -> int | None:
    born = ids.id_birth_date(number)
    if born is None or not FIRST_BIRTH <= born <= LAST_BIRTH:
        return None
    return (born - FIRST_BIRTH).days


def shape_of(value: str) -> Shape:
    if value.startswith(TOKEN_PREFIX):
        return Shape.TOKEN
    if _ID.fullmatch(value):
        number = value[-18:]
        if _birth_days(number) is not None and ids.id_check_char(number[:17]) == number[17]:
            return Shape.ID
    if _MOBILE.fullmatch(value):
        return Shape.MOBILE
    if _CARD.fullmatch(value) and ids.luhn_valid(value):
        return Shape.CARD
    digits = sum(c.isdigit() and c.isascii() for c in value)
    if digits >= MIN_DIGITS and all((c.isdigit() and c.isascii()) or c in SEPARATORS for c in value):
        return Shape.DIGITS
    return Shape.SHORT


def derive_key(key: bytes, purpose: str) -> bytes:
    """A separate 32-byte key per use of the mask key, so no output reveals anything about another."""
    return std_hmac.digest(key, b"secops-data-mask/" + purpose.encode(), "sha256")


def with_luhn(body: str) -> str:
    """``body`` and the one digit that makes it Luhn-valid."""
    for check in "0123456789":
        if ids.luhn_valid(body + check):
            return body + check
    raise AssertionError("a Luhn digit always exists")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ColumnCipher:
    """One key's two forms. ``key`` is the mask key (32 bytes); each use gets its own subkey."""

    def __init__(self, key: bytes) -> None:
        self._iv_key = derive_key(key, "encrypt/hmac-sm3-iv")
        self._enc_key = derive_key(key, "encrypt/sm4-gcm")[:16]
        self.ff1 = FF1(derive_key(key, "encrypt/ff1-sm4")[:16], cipher="sm4")

    # -- token --------------------------------------------------------------------------------
    def _iv(self, plain: bytes) -> bytes:
        mac = crypto_hmac.HMAC(self._iv_key, hashes.SM3())
        mac.update(plain)
        return mac.finalize()[:IV_BYTES]

    def token(self, value: str) -> str:
        plain = value.encode("utf-8")
        iv = self._iv(plain)
        encryptor = Cipher(algorithms.SM4(self._enc_key), modes.GCM(iv)).encryptor()
        sealed = encryptor.update(plain) + encryptor.finalize() + encryptor.tag
        return TOKEN_PREFIX + _b64(iv + sealed)

    def untoken(self, token: str) -> str:
        try:
            raw = _unb64(token[len(TOKEN_PREFIX) :])
        except (binascii.Error, ValueError):
            raise UndecryptableValue("not base64") from None
        if len(raw) < IV_BYTES + TAG_BYTES:
            raise UndecryptableValue("too short")
        iv, body, tag = raw[:IV_BYTES], raw[IV_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
        decryptor = Cipher(algorithms.SM4(self._enc_key), modes.GCM(iv, tag)).decryptor()
        try:
            plain = decryptor.update(body) + decryptor.finalize()
        except InvalidTag:
            raise UndecryptableValue("authentication failed") from None
        if not std_hmac.compare_digest(self._iv(plain), iv):
            raise UndecryptableValue("synthetic IV mismatch")
        try:
            return plain.decode("utf-8")
        except UnicodeDecodeError:
            raise UndecryptableValue("not UTF-8") from None

    # -- format-preserving --------------------------------------------------------------------
    def preserve(self, value: str) -> str:
        shape = shape_of(value)
        if shape in (Shape.TOKEN, Shape.SHORT):
            return self.token(value)
        if shape is Shape.ID:
            return self._id(value, decrypt=False)
        if shape is Shape.MOBILE:
            return value[:3] + self.ff1.encrypt(value[3:], value[:3].encode())
        return self._walk(value, shape, decrypt=False)

    def unpreserve(self, value: str) -> str:
        shape = shape_of(value)
        if shape is Shape.TOKEN:
            return self.untoken(value)
        if shape is Shape.SHORT:
            raise UndecryptableValue("not a format-preserving ciphertext")
        if shape is Shape.ID:
            return self._id(value, decrypt=True)
        if shape is Shape.MOBILE:
            return value[:3] + self.ff1.decrypt(value[3:], value[:3].encode())
        return self._walk(value, shape, decrypt=True)

    def _id(self, value: str, *, decrypt: bool) -> str:
        letter, number = value[:-18], value[-18:]
        days = _birth_days(number)
        assert days is not None  # the shape said so
        plain = days * 1000 + int(number[14:17])
        step = self.ff1.decrypt_int if decrypt else self.ff1.encrypt_int
        days, sequence = divmod(step(plain, _BIRTH_DAYS * 1000, 8, number[:6].encode()), 1000)
        first17 = number[:6] + (FIRST_BIRTH + timedelta(days=days)).strftime("%Y%m%d") + f"{sequence:03d}"
        return letter + first17 + ids.id_check_char(first17)

    def _walk(self, value: str, shape: Shape, *, decrypt: bool) -> str:
        """Cards and digit strings: one FF1 step, repeated while the result has another shape
        (an 18-digit card that became a valid ID, digits that became a mobile...). The steps
        permute a set the start value belongs to, so the walk returns to the shape, and walking
        the inverse steps undoes it exactly."""
        out = value
        while True:
            out = self._card_step(out, decrypt) if shape is Shape.CARD else self._digits_step(out, decrypt)
            if shape_of(out) is shape:
                return out

    def _card_step(self, card: str, decrypt: bool) -> str:
        bin_, middle = card[:6], card[6:-1]
        middle = self.ff1.decrypt(middle, bin_.encode()) if decrypt else self.ff1.encrypt(middle, bin_.encode())
        return with_luhn(bin_ + middle)

    def _digits_step(self, value: str, decrypt: bool) -> str:
        digits = "".join(c for c in value if c.isdigit() and c.isascii())
        turned = iter(self.ff1.decrypt(digits) if decrypt else self.ff1.encrypt(digits))
        return "".join(next(turned) if c.isdigit() and c.isascii() else c for c in value)
