"""SM2 private keys as PEM that OpenSSL 3 and GmSSL read and write, so a key pair can move between
secops and the tools a district office already has.

- Written: PKCS#8 PrivateKeyInfo (RFC 5208) holding an ECPrivateKey (RFC 5915) with its public key,
  byte for byte the layout of ``openssl genpkey -algorithm SM2``; or, with a passphrase, PKCS#8
  EncryptedPrivateKeyInfo with PBES2 (RFC 8018): scrypt (RFC 7914, OpenSSL's own ``-scrypt``
  cost, which its decoder's 32 MiB memory cap accepts) and SM4-CBC. ``gmssl=True`` writes GmSSL 3's
  layout instead: the curve also inside the ECPrivateKey, and PBKDF2-HMAC-SM3 with SM4-CBC (the one
  encryption GmSSL 3 reads; OpenSSL 3.0 cannot, having no HMAC-SM3 for PBKDF2).
- Read: those two, SEC1 ``EC PRIVATE KEY`` / ``SM2 PRIVATE KEY`` (``openssl ec``, OpenSSL 1.1's
  ``ecparam -genkey``), and PBES2 with PBKDF2 (HMAC-SHA1/-SHA2/-SM3, which GmSSL 3 writes) or
  scrypt and SM4-CBC or AES-CBC. Anything else (another curve, RSA, a wrong passphrase, damaged
  DER) is one ``KeyFileError`` whose text says which.

The DER reader is strict (definite, minimal lengths; nothing trailing) and bounded: key files are
small, and a KDF cost from the file is capped before it is run.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from secops.data.seal.sm2 import SM2P256V1, PrivateKey
from secops.data.seal.spki import ALGORITHM, SM2_CURVE
from secops.i18n import _

MAX_FILE = 64 * 1024
SEQUENCE, INTEGER, BIT_STRING, OCTET_STRING, NULL, OID = 0x30, 0x02, 0x03, 0x04, 0x05, 0x06
# What we write: OpenSSL's default for `pkcs8 -topk8 -scrypt` (16 MiB); at N=2^15 OpenSSL's decoder
# refuses the file (its 32 MiB scrypt memory cap), so this is the strongest cost it reads.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
PBKDF2_ITERATIONS = 2**18  # for GmSSL: its own choice is 65536; it reads any count
_SCRYPT_MAXMEM = 256 * 1024**2  # what we accept from a file: no KDF is allowed more memory ...
_SCRYPT_MAX_WORK = 2**22  # ... nor more time (N*r*p: two passes of that memory, about a second) ...
_PBKDF2_MAX_ITERATIONS = 4_000_000  # ... than this (3x the largest count OWASP recommends, HMAC-SHA1)

# OIDs as dotted text (the reader decodes them so an error can name what it found)
_PBES2, _PBKDF2, _SCRYPT = "1.2.840.113549.1.5.13", "1.2.840.113549.1.5.12", "1.3.6.1.4.1.11591.4.11"
_SM4_CBC = "1.2.156.10197.1.104.2"
_HMAC_SM3 = "1.2.156.10197.1.401.2"  # GmSSL 3's hmac-sm3
_EC_PUBLIC_KEY, _SM2 = "1.2.840.10045.2.1", "1.2.156.10197.1.301"
_CIPHERS: dict[str, tuple[str, int]] = {  # OID -> (name, key bytes)
    _SM4_CBC: ("SM4-CBC", 16),
    "2.16.840.1.101.3.4.1.2": ("AES-128-CBC", 16),
    "2.16.840.1.101.3.4.1.22": ("AES-192-CBC", 24),
    "2.16.840.1.101.3.4.1.42": ("AES-256-CBC", 32),
}
_PRFS = {  # HMAC OID -> hashlib name; RFC 8018's default is HMAC-SHA1
    "1.2.840.113549.2.7": "sha1",
    "1.2.840.113549.2.8": "sha224",
    "1.2.840.113549.2.9": "sha256",
    "1.2.840.113549.2.10": "sha384",
    "1.2.840.113549.2.11": "sha512",
    _HMAC_SM3: "sm3",
    "1.2.156.10197.1.401.3.1": "sm3",  # the hmacWithSM3 of GM/T 0091
}
_KNOWN = {  # what a wrong key is, in words
    "1.2.840.113549.1.1.1": "RSA",
    "1.2.840.10040.4.1": "DSA",
    "1.3.101.110": "X25519",
    "1.3.101.112": "Ed25519",
    "1.3.101.113": "Ed448",
    "1.2.840.10045.3.1.7": "P-256 (prime256v1)",
    "1.3.132.0.34": "P-384 (secp384r1)",
    "1.3.132.0.35": "P-521 (secp521r1)",
    "1.3.132.0.10": "secp256k1",
}
_PEM = re.compile(rb"-----BEGIN ([A-Z0-9 ]{1,40})-----(.*?)-----END \1-----", re.DOTALL)


class KeyFileError(ValueError):
    """Not a usable SM2 private key file; the text (translated) says why."""


class PassphraseNeeded(KeyFileError):
    """The file is encrypted and no passphrase was given."""


class WrongPassphrase(KeyFileError):
    """The file is encrypted and the passphrase does not open it."""


# --- DER writing ---


def _der(tag: int, content: bytes) -> bytes:
    length = len(content)
    if length < 0x80:
        return bytes([tag, length]) + content
    raw = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(raw)]) + raw + content


def _int(value: int) -> bytes:
    return _der(INTEGER, value.to_bytes(value.bit_length() // 8 + 1, "big"))  # a leading 0 keeps it positive


def _oid(dotted: str) -> bytes:
    first, second, *rest = (int(arc) for arc in dotted.split("."))
    body = bytearray()
    for arc in (first * 40 + second, *rest):
        chunk = [arc & 0x7F]
        while arc > 0x7F:
            arc >>= 7
            chunk.append(0x80 | (arc & 0x7F))
        body += bytes(reversed(chunk))
    return _der(OID, bytes(body))


def _pem(label: str, der: bytes) -> str:
    body = base64.b64encode(der).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----\n"


def ec_private_key(private: PrivateKey, *, gmssl: bool = False) -> bytes:
    """RFC 5915 ECPrivateKey: version 1, the scalar in 32 bytes, [1] the public key. OpenSSL leaves
    out [0] (the PKCS#8 algorithm names the curve); GmSSL 3.1 requires it and OpenSSL accepts it."""
    curve = _der(0xA0, SM2_CURVE) if gmssl else b""
    public = _der(0xA1, _der(BIT_STRING, b"\x00" + private.public_key().to_bytes()))
    return _der(SEQUENCE, _int(1) + _der(OCTET_STRING, private.to_bytes()) + curve + public)


def private_key_info(private: PrivateKey, *, gmssl: bool = False) -> bytes:
    return _der(SEQUENCE, _int(0) + ALGORITHM + _der(OCTET_STRING, ec_private_key(private, gmssl=gmssl)))


def to_pem(private: PrivateKey, *, gmssl: bool = False) -> str:
    """``-----BEGIN PRIVATE KEY-----``: unencrypted PKCS#8, byte for byte OpenSSL's unless ``gmssl``."""
    return _pem("PRIVATE KEY", private_key_info(private, gmssl=gmssl))


def to_encrypted_pem(private: PrivateKey, passphrase: str, *, gmssl: bool = False) -> str:
    """``-----BEGIN ENCRYPTED PRIVATE KEY-----``: PBES2 with SM4-CBC. The key from scrypt, which
    OpenSSL 3 decrypts; or, for GmSSL 3 (which reads nothing else, and OpenSSL 3.0 does not know
    HMAC-SM3), from PBKDF2-HMAC-SM3 laid out as GmSSL writes it: keyLength present, the PRF without
    NULL parameters."""
    salt, iv = secrets.token_bytes(16), secrets.token_bytes(16)
    if gmssl:
        key = hashlib.pbkdf2_hmac("sm3", passphrase.encode(), salt, PBKDF2_ITERATIONS, dklen=16)
        parameters = _der(OCTET_STRING, salt) + _int(PBKDF2_ITERATIONS) + _int(16) + _der(SEQUENCE, _oid(_HMAC_SM3))
        kdf = _der(SEQUENCE, _oid(_PBKDF2) + _der(SEQUENCE, parameters))
    else:
        key = hashlib.scrypt(passphrase.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=16)
        parameters = _der(OCTET_STRING, salt) + _int(SCRYPT_N) + _int(SCRYPT_R) + _int(SCRYPT_P)
        kdf = _der(SEQUENCE, _oid(_SCRYPT) + _der(SEQUENCE, parameters))
    padder = padding.PKCS7(128).padder()
    plain = padder.update(private_key_info(private, gmssl=gmssl)) + padder.finalize()
    encryptor = Cipher(algorithms.SM4(key), modes.CBC(iv)).encryptor()
    sealed = encryptor.update(plain) + encryptor.finalize()
    scheme = _der(SEQUENCE, _oid(_SM4_CBC) + _der(OCTET_STRING, iv))
    algorithm = _der(SEQUENCE, _oid(_PBES2) + _der(SEQUENCE, kdf + scheme))
    return _pem("ENCRYPTED PRIVATE KEY", _der(SEQUENCE, algorithm + _der(OCTET_STRING, sealed)))


# --- DER reading ---


def _damaged() -> KeyFileError:
    return KeyFileError(_("the key's DER is damaged or truncated"))


def _items(data: bytes) -> list[tuple[int, bytes]]:
    """The (tag, content) elements that fill ``data`` exactly: definite, minimal lengths only."""
    found: list[tuple[int, bytes]] = []
    at = 0
    while at < len(data):
        if at + 2 > len(data):
            raise _damaged()
        tag, length, at = data[at], data[at + 1], at + 2
        if length & 0x80:
            count = length & 0x7F
            if count == 0 or count > 3 or at + count > len(data) or data[at] == 0:
                raise _damaged()  # indefinite, oversized or non-minimal length
            length, at = int.from_bytes(data[at : at + count], "big"), at + count
            if length < 0x80:
                raise _damaged()
        if at + length > len(data):
            raise _damaged()
        found.append((tag, data[at : at + length]))
        at += length
    return found


def _one(data: bytes, tag: int) -> bytes:
    items = _items(data)
    if len(items) != 1 or items[0][0] != tag:
        raise _damaged()
    return items[0][1]


def _fields(data: bytes, *tags: int, optional: int = 0) -> list[bytes]:
    """A SEQUENCE's fields with the tags expected, the last ``optional`` of them possibly absent."""
    items = _items(data)
    if not len(tags) - optional <= len(items) <= len(tags) or [t for t, _c in items] != list(tags[: len(items)]):
        raise _damaged()
    return [content for _tag, content in items]


def _uint(content: bytes) -> int:
    if not content or content[0] & 0x80 or (len(content) > 1 and content[0] == 0 and not content[1] & 0x80):
        raise _damaged()
    return int.from_bytes(content, "big")


def _dotted(content: bytes) -> str:
    if not content or content[-1] & 0x80 or len(content) > 64:
        raise _damaged()
    arcs: list[int] = []
    value = 0
    for byte in content:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(str(arc) for arc in (first, arcs[0] - 40 * first, *arcs[1:]))


def _algorithm(content: bytes) -> tuple[str, tuple[int, bytes] | None]:
    """An AlgorithmIdentifier: its OID and its parameters (tag, content), if any."""
    items = _items(content)
    if not 1 <= len(items) <= 2 or items[0][0] != OID:
        raise _damaged()
    return _dotted(items[0][1]), items[1] if len(items) == 2 else None


def _name(oid: str) -> str:
    return _KNOWN.get(oid, oid)


def _check_curve(parameters: tuple[int, bytes] | None) -> None:
    if parameters is None:
        raise KeyFileError(_("the key does not name its curve; it must be sm2p256v1"))
    tag, content = parameters
    if tag != OID:
        raise KeyFileError(_("the key gives explicit curve parameters; only the named curve sm2p256v1 is read"))
    if _der(OID, content) != SM2_CURVE:
        raise KeyFileError(
            _("the key is on the curve {curve}, not SM2 (sm2p256v1)").format(curve=_name(_dotted(content)))
        )


def _from_ec_private_key(der: bytes, *, curve_named: bool) -> PrivateKey:
    """RFC 5915 ECPrivateKey; ``curve_named`` when the PKCS#8 wrapper already checked the curve."""
    items = _items(_one(der, SEQUENCE))
    if len(items) < 2 or items[0] != (INTEGER, b"\x01") or items[1][0] != OCTET_STRING:
        raise _damaged()
    scalar = items[1][1]
    extra = dict(items[2:])
    if len(extra) != len(items) - 2 or not set(extra) <= {0xA0, 0xA1}:
        raise _damaged()
    if 0xA0 in extra:  # [0] ECParameters: one element
        curve = _items(extra[0xA0])
        if len(curve) != 1:
            raise _damaged()
        _check_curve(curve[0])
    elif not curve_named:
        raise KeyFileError(_("the key does not name its curve; it must be sm2p256v1"))
    size = SM2P256V1.size
    d = int.from_bytes(scalar, "big")
    if not scalar or len(scalar) > size or not 1 <= d <= SM2P256V1.n - 2:
        raise KeyFileError(_("the private scalar is out of range for SM2 (1 to n-2)"))
    private = PrivateKey.from_bytes(d.to_bytes(size, "big"))
    if 0xA1 in extra:
        point = _one(extra[0xA1], BIT_STRING)
        if point[:1] != b"\x00" or point[1:] not in _encodings(private):
            raise KeyFileError(_("the public key in the file is not the one of its private scalar"))
    return private


def _encodings(private: PrivateKey) -> tuple[bytes, bytes]:
    """The public point uncompressed and compressed (SEC1 allows either in the file)."""
    public = private.public_key()
    x, y = public.point
    return public.to_bytes(), bytes([2 + (y & 1)]) + x.to_bytes(SM2P256V1.size, "big")


def _from_private_key_info(der: bytes) -> PrivateKey:
    items = _items(_one(der, SEQUENCE))
    if len(items) < 3 or items[0][0] != INTEGER or items[0][1] not in (b"\x00", b"\x01"):
        raise _damaged()  # version 0 (RFC 5208) or 1 (RFC 5958 OneAsymmetricKey)
    if items[1][0] != SEQUENCE or items[2][0] != OCTET_STRING:
        raise _damaged()
    oid, parameters = _algorithm(items[1][1])
    if oid == _SM2 and parameters is None:
        parameters = (OID, SM2_CURVE[2:])  # the sm2 OID as the algorithm (some GM tools): the curve itself
    elif oid not in (_EC_PUBLIC_KEY, _SM2):
        raise KeyFileError(_("the key is {algorithm}, not SM2").format(algorithm=_name(oid)))
    _check_curve(parameters)
    private = _from_ec_private_key(items[2][1], curve_named=True)
    for tag, content in items[3:]:  # [0] attributes (ignored), [1] publicKey of RFC 5958
        if tag == 0x81 and content[1:] not in _encodings(private):
            raise KeyFileError(_("the public key in the file is not the one of its private scalar"))
        if tag not in (0xA0, 0x81):
            raise _damaged()
    return private


def _kdf(content: bytes, passphrase: bytes, length: int) -> bytes:
    oid, parameters = _algorithm(content)
    if parameters is None or parameters[0] != SEQUENCE:
        raise _damaged()
    if oid == _SCRYPT:
        fields = _fields(parameters[1], OCTET_STRING, INTEGER, INTEGER, INTEGER, INTEGER, optional=1)
        n, r, p = (_uint(field) for field in fields[1:4])
        if len(fields) == 5 and _uint(fields[4]) != length:
            raise _damaged()
        memory, work = 128 * r * (n + p + 2), n * r * p
        if (
            n < 2
            or n & (n - 1)
            or not 1 <= r <= 64
            or not 1 <= p <= 16
            or memory > _SCRYPT_MAXMEM
            or work > _SCRYPT_MAX_WORK
        ):
            raise KeyFileError(_("the file's scrypt cost is out of bounds (at most 256 MiB)"))
        return hashlib.scrypt(passphrase, salt=fields[0], n=n, r=r, p=p, maxmem=_SCRYPT_MAXMEM + 2**20, dklen=length)
    if oid == _PBKDF2:
        items = _items(parameters[1])
        if len(items) < 2 or items[0][0] != OCTET_STRING or items[1][0] != INTEGER:
            raise _damaged()
        iterations, prf = _uint(items[1][1]), "sha1"
        for tag, field in items[2:]:
            if tag == INTEGER and _uint(field) != length:
                raise _damaged()
            if tag == SEQUENCE:
                prf_oid, prf_parameters = _algorithm(field)
                if prf_oid not in _PRFS or prf_parameters not in (None, (NULL, b"")):
                    raise KeyFileError(_("the file's PBKDF2 hash {oid} is not supported").format(oid=prf_oid))
                prf = _PRFS[prf_oid]
        if not 1 <= iterations <= _PBKDF2_MAX_ITERATIONS:
            raise KeyFileError(_("the file's PBKDF2 iteration count is out of bounds"))
        return hashlib.pbkdf2_hmac(prf, passphrase, items[0][1], iterations, dklen=length)
    raise KeyFileError(_("the file's key derivation {oid} is not supported (scrypt or PBKDF2 are)").format(oid=oid))


def _decrypt(der: bytes, passphrase: str | None) -> bytes:
    """The PrivateKeyInfo inside a PKCS#8 EncryptedPrivateKeyInfo (PBES2 only)."""
    algorithm, sealed = _fields(_one(der, SEQUENCE), SEQUENCE, OCTET_STRING)
    oid, parameters = _algorithm(algorithm)
    if oid != _PBES2 or parameters is None or parameters[0] != SEQUENCE:
        raise KeyFileError(_("the file is encrypted with {oid}; only PBES2 (PKCS#5 v2) is read").format(oid=oid))
    kdf, scheme = _fields(parameters[1], SEQUENCE, SEQUENCE)
    cipher_oid, iv = _algorithm(scheme)
    if cipher_oid not in _CIPHERS:
        raise KeyFileError(
            _("the file's cipher {oid} is not supported (SM4-CBC or AES-CBC are)").format(oid=cipher_oid)
        )
    if iv is None or iv[0] != OCTET_STRING or len(iv[1]) != 16 or not sealed or len(sealed) % 16:
        raise _damaged()
    if passphrase is None:
        raise PassphraseNeeded(_("the file is encrypted with a passphrase"))
    name, size = _CIPHERS[cipher_oid]
    key = _kdf(kdf, passphrase.encode(), size)
    block = algorithms.SM4(key) if name == "SM4-CBC" else algorithms.AES(key)
    decryptor = Cipher(block, modes.CBC(iv[1])).decryptor()
    padded = decryptor.update(sealed) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        plain = unpadder.update(padded) + unpadder.finalize()
        _one(plain, SEQUENCE)
    except (ValueError, KeyFileError):
        raise WrongPassphrase(_("the passphrase does not open the file")) from None
    return plain


def from_pem(text: bytes, passphrase: str | None = None) -> PrivateKey:
    """The SM2 private key in a PEM file (the first private-key block; parameter blocks are skipped)."""
    if len(text) > MAX_FILE:
        raise KeyFileError(_("the file is larger than 64 KiB; a key file is about 300 bytes"))
    blocks = [(m.group(1).decode(), m.group(2)) for m in _PEM.finditer(text)]
    keys = [(label, body) for label, body in blocks if label.endswith("PRIVATE KEY")]
    if not keys:
        if any(label.endswith("PUBLIC KEY") or label == "CERTIFICATE" for label, _body in blocks):
            raise KeyFileError(_("the file holds a public key or certificate, not a private key"))
        raise KeyFileError(_("not a PEM private key (-----BEGIN PRIVATE KEY-----)"))
    label, body = keys[0]
    if b"Proc-Type:" in body or b"DEK-Info:" in body:
        raise KeyFileError(_("the key is in OpenSSL's legacy encrypted form; convert it: openssl pkcs8 -topk8"))
    try:
        der = base64.b64decode(b"".join(body.split()), validate=True)
    except (binascii.Error, ValueError):
        raise KeyFileError(_("the PEM body is not valid base64 (damaged or cut short)")) from None
    if label == "PRIVATE KEY":
        return _from_private_key_info(der)
    if label == "ENCRYPTED PRIVATE KEY":
        return _from_private_key_info(_decrypt(der, passphrase))
    if label in ("EC PRIVATE KEY", "SM2 PRIVATE KEY"):
        return _from_ec_private_key(der, curve_named=False)
    raise KeyFileError(_("the PEM block is {label}, not an SM2 private key").format(label=label))
