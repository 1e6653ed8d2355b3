"""SM2 public-key encryption (GB/T 32918.4), on the recommended curve of GB/T 32918.5.

Used for one thing: wrapping a file's 16-byte SM4 content key for each recipient. No library that
is installable here offers SM2 *encryption* (``cryptography`` has SM3 and SM4 but no SM2; the
Tongsuo SDK signs and exchanges keys only), so it is written here from the standard and pinned by
its worked example (the Fp-256 curve of the standard's annex, with its private key and random k)
and by interoperation with OpenSSL 3's SM2 in both directions (tests/unit/data/seal/test_sm2.py).

- Points in Jacobian coordinates over any short-Weierstrass curve (the annex curve has a general
  ``a``); scalar multiplication is double-and-add on Python integers. It is not constant-time: it
  runs on the key holder's own machine against files, not as a network oracle.
- Ciphertext in the 2012+ order C1 || C3 || C2 (C1 an uncompressed point, C3 = SM3(x2 || M || y2),
  C2 = M xor KDF(x2 || y2)); ``to_der``/``from_der`` convert to and from the ASN.1 form OpenSSL
  and GM/T 0009 use (SEQUENCE of x, y, hash, ciphertext).
- Decryption checks that C1 is on the curve and compares C3 in constant time; every failure is one
  ``SM2Error`` that says nothing about which check failed.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes

Point = tuple[int, int]
_Jacobian = tuple[int, int, int]  # (X, Y, Z); Z == 0 is the point at infinity


class SM2Error(Exception):
    """Decryption failed: not this key's ciphertext, or a modified one."""


@dataclass(frozen=True)
class Curve:
    name: str
    p: int
    a: int
    b: int
    n: int
    gx: int
    gy: int

    @property
    def size(self) -> int:
        """Bytes of one coordinate."""
        return (self.p.bit_length() + 7) // 8

    def contains(self, point: Point) -> bool:
        x, y = point
        return 0 <= x < self.p and 0 <= y < self.p and (y * y - (x * x * x + self.a * x + self.b)) % self.p == 0


# GB/T 32918.5-2017: the recommended 256-bit curve (sm2p256v1, OID 1.2.156.10197.1.301)
SM2P256V1 = Curve(
    name="sm2p256v1",
    p=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF,
    a=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC,
    b=0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93,
    n=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123,
    gx=0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7,
    gy=0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0,
)


def _to_jacobian(point: Point) -> _Jacobian:
    return (point[0], point[1], 1)


def _double(curve: Curve, q: _Jacobian) -> _Jacobian:
    x, y, z = q
    p = curve.p
    if z == 0 or y == 0:
        return (1, 1, 0)
    yy = y * y % p
    s = 4 * x * yy % p
    zz = z * z % p
    m = (3 * x * x + curve.a * zz * zz) % p
    x3 = (m * m - 2 * s) % p
    y3 = (m * (s - x3) - 8 * yy * yy) % p
    z3 = 2 * y * z % p
    return (x3, y3, z3)


def _add(curve: Curve, q: _Jacobian, r: _Jacobian) -> _Jacobian:
    if q[2] == 0:
        return r
    if r[2] == 0:
        return q
    p = curve.p
    x1, y1, z1 = q
    x2, y2, z2 = r
    z1z1, z2z2 = z1 * z1 % p, z2 * z2 % p
    u1, u2 = x1 * z2z2 % p, x2 * z1z1 % p
    s1, s2 = y1 * z2 * z2z2 % p, y2 * z1 * z1z1 % p
    if u1 == u2:
        return _double(curve, q) if s1 == s2 else (1, 1, 0)
    h = (u2 - u1) % p
    hh = h * h % p
    hhh = h * hh % p
    r_ = (s2 - s1) % p
    v = u1 * hh % p
    x3 = (r_ * r_ - hhh - 2 * v) % p
    y3 = (r_ * (v - x3) - s1 * hhh) % p
    z3 = z1 * z2 * h % p
    return (x3, y3, z3)


def _affine(curve: Curve, q: _Jacobian) -> Point | None:
    x, y, z = q
    if z == 0:
        return None
    p = curve.p
    zinv = pow(z, -1, p)
    zinv2 = zinv * zinv % p
    return (x * zinv2 % p, y * zinv2 * zinv % p)


def multiply(curve: Curve, k: int, point: Point) -> Point | None:
    """[k]point, None for the point at infinity."""
    result: _Jacobian = (1, 1, 0)
    addend = _to_jacobian(point)
    while k:
        if k & 1:
            result = _add(curve, result, addend)
        addend = _double(curve, addend)
        k >>= 1
    return _affine(curve, result)


def _sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def kdf(z: bytes, length: int) -> bytes:
    """The key derivation function of GB/T 32918.4 (5.4.3): SM3(Z || counter), counter from 1."""
    out = bytearray()
    counter = 1
    while len(out) < length:
        out += _sm3(z + counter.to_bytes(4, "big"))
        counter += 1
    return bytes(out[:length])


@dataclass(frozen=True)
class PrivateKey:
    d: int
    curve: Curve = SM2P256V1

    def public_key(self) -> PublicKey:
        point = multiply(self.curve, self.d, (self.curve.gx, self.curve.gy))
        assert point is not None  # d in [1, n-2]
        return PublicKey(point, self.curve)

    def to_bytes(self) -> bytes:
        return self.d.to_bytes(self.curve.size, "big")

    @classmethod
    def from_bytes(cls, raw: bytes, curve: Curve = SM2P256V1) -> PrivateKey:
        d = int.from_bytes(raw, "big")
        if len(raw) != curve.size or not 1 <= d <= curve.n - 2:
            raise ValueError("not an SM2 private key")
        return cls(d, curve)


@dataclass(frozen=True)
class PublicKey:
    point: Point
    curve: Curve = SM2P256V1

    def to_bytes(self) -> bytes:
        """Uncompressed: 04 || x || y."""
        size = self.curve.size
        return b"\x04" + self.point[0].to_bytes(size, "big") + self.point[1].to_bytes(size, "big")

    @classmethod
    def from_bytes(cls, raw: bytes, curve: Curve = SM2P256V1) -> PublicKey:
        point = _point(raw, curve)
        if point is None:
            raise ValueError("not an SM2 public key (an uncompressed point on the curve)")
        return cls(point, curve)


def _point(raw: bytes, curve: Curve) -> Point | None:
    size = curve.size
    if len(raw) != 1 + 2 * size or raw[0] != 4:
        return None
    point = (int.from_bytes(raw[1 : 1 + size], "big"), int.from_bytes(raw[1 + size :], "big"))
    return point if curve.contains(point) else None


def generate_private_key(curve: Curve = SM2P256V1) -> PrivateKey:
    return PrivateKey(1 + secrets.randbelow(curve.n - 2), curve)  # d in [1, n-2] (GB/T 32918.1 6.1)


def encrypt(public: PublicKey, message: bytes, *, k: int | None = None) -> bytes:
    """C1 || C3 || C2. ``k`` is for the standard's worked example only; leave it to chance."""
    curve = public.curve
    size = curve.size
    while True:
        nonce = k if k is not None else 1 + secrets.randbelow(curve.n - 1)
        c1 = multiply(curve, nonce, (curve.gx, curve.gy))
        shared = multiply(curve, nonce, public.point)  # the cofactor is 1: [h]P_B is P_B, never infinity
        if c1 is None or shared is None:
            raise ValueError("not a usable SM2 public key")
        x2, y2 = shared[0].to_bytes(size, "big"), shared[1].to_bytes(size, "big")
        t = kdf(x2 + y2, len(message))
        if message and not any(t):
            if k is not None:
                raise ValueError("this k gives an all-zero key stream")
            continue  # GB/T 32918.4 6.1 A5: choose another k
        c2 = bytes(m ^ s for m, s in zip(message, t, strict=True))
        c3 = _sm3(x2 + message + y2)
        return PublicKey(c1, curve).to_bytes() + c3 + c2


def decrypt(private: PrivateKey, ciphertext: bytes) -> bytes:
    curve = private.curve
    size = curve.size
    head = 1 + 2 * size
    if len(ciphertext) < head + 32:
        raise SM2Error("not an SM2 ciphertext of this key")
    c1 = _point(ciphertext[:head], curve)
    if c1 is None:
        raise SM2Error("not an SM2 ciphertext of this key")
    c3, c2 = ciphertext[head : head + 32], ciphertext[head + 32 :]
    shared = multiply(curve, private.d, c1)
    if shared is None:
        raise SM2Error("not an SM2 ciphertext of this key")
    x2, y2 = shared[0].to_bytes(size, "big"), shared[1].to_bytes(size, "big")
    t = kdf(x2 + y2, len(c2))
    if c2 and not any(t):
        raise SM2Error("not an SM2 ciphertext of this key")
    message = bytes(c ^ s for c, s in zip(c2, t, strict=True))
    if not hmac.compare_digest(_sm3(x2 + message + y2), c3):
        raise SM2Error("not an SM2 ciphertext of this key")
    return message


# --- the ASN.1 form (GM/T 0009 SM2Cipher; what OpenSSL's pkeyutl reads and writes) ---


def _der_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    raw = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _der(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + _der_length(len(content)) + content


def _der_integer(value: int) -> bytes:
    raw = value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big")  # a leading 0 keeps it positive
    return _der(0x02, raw)


def to_der(ciphertext: bytes, curve: Curve = SM2P256V1) -> bytes:
    size = curve.size
    x = int.from_bytes(ciphertext[1 : 1 + size], "big")
    y = int.from_bytes(ciphertext[1 + size : 1 + 2 * size], "big")
    c3, c2 = ciphertext[1 + 2 * size : 1 + 2 * size + 32], ciphertext[1 + 2 * size + 32 :]
    return _der(0x30, _der_integer(x) + _der_integer(y) + _der(0x04, c3) + _der(0x04, c2))


def _read(data: bytes, at: int, tag: int) -> tuple[bytes, int]:
    if at + 2 > len(data) or data[at] != tag:
        raise SM2Error("not an SM2 ciphertext (ASN.1)")
    length, at = data[at + 1], at + 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or at + count > len(data):
            raise SM2Error("not an SM2 ciphertext (ASN.1)")
        length, at = int.from_bytes(data[at : at + count], "big"), at + count
    if at + length > len(data):
        raise SM2Error("not an SM2 ciphertext (ASN.1)")
    return data[at : at + length], at + length


def from_der(der: bytes, curve: Curve = SM2P256V1) -> bytes:
    body, end = _read(der, 0, 0x30)
    if end != len(der):
        raise SM2Error("not an SM2 ciphertext (ASN.1)")
    x, at = _read(body, 0, 0x02)
    y, at = _read(body, at, 0x02)
    c3, at = _read(body, at, 0x04)
    c2, at = _read(body, at, 0x04)
    if at != len(body) or len(c3) != 32:
        raise SM2Error("not an SM2 ciphertext (ASN.1)")
    size = curve.size
    xi, yi = int.from_bytes(x, "big"), int.from_bytes(y, "big")
    if xi >= curve.p or yi >= curve.p:
        raise SM2Error("not an SM2 ciphertext (ASN.1)")
    return b"\x04" + xi.to_bytes(size, "big") + yi.to_bytes(size, "big") + c3 + c2
