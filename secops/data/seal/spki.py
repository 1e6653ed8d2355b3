"""SM2 public keys as PEM SubjectPublicKeyInfo (id-ecPublicKey on sm2p256v1): what OpenSSL, GmSSL
and a district office's tools read and write, so a recipient's key can come from any of them."""

from __future__ import annotations

import base64
import re

from secops.data.seal.sm2 import PublicKey
from secops.i18n import _

# DER of OID 1.2.840.10045.2.1 (id-ecPublicKey) and OID 1.2.156.10197.1.301 (the sm2p256v1 curve)
ID_EC_PUBLIC_KEY = bytes.fromhex("06072a8648ce3d0201")
SM2_CURVE = bytes.fromhex("06082a811ccf5501822d")
ALGORITHM = b"\x30\x13" + ID_EC_PUBLIC_KEY + SM2_CURVE  # AlgorithmIdentifier, as OpenSSL writes it
# SEQUENCE { ALGORITHM, BIT STRING (0 unused bits) }
_PREFIX = b"\x30\x59" + ALGORITHM + b"\x03\x42\x00"
_PEM = re.compile(rb"-----BEGIN PUBLIC KEY-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END PUBLIC KEY-----")


def to_pem(key: PublicKey) -> str:
    body = base64.encodebytes(_PREFIX + key.to_bytes()).decode().replace("\n", "")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN PUBLIC KEY-----\n" + "\n".join(lines) + "\n-----END PUBLIC KEY-----\n"


def from_pem(text: bytes) -> PublicKey:
    """An SM2 public key from PEM (or the bare hex of its uncompressed point); ValueError otherwise."""
    stripped = text.strip()
    if re.fullmatch(rb"(04)?[0-9a-fA-F]{128}", stripped):
        raw = bytes.fromhex(stripped.decode())
        return PublicKey.from_bytes(raw if len(raw) == 65 else b"\x04" + raw)
    found = _PEM.search(text)
    if found is None:
        if b"PRIVATE KEY-----" in text:
            raise ValueError(_("this is a private key; give the public half (secops keys export-public)"))
        raise ValueError(_("not a PEM public key (-----BEGIN PUBLIC KEY-----)"))
    der = base64.b64decode(b"".join(found.group(1).split()), validate=True)
    if not der.startswith(_PREFIX) or len(der) != len(_PREFIX) + 65:
        raise ValueError(_("not an SM2 public key (the curve must be sm2p256v1)"))
    return PublicKey.from_bytes(der[len(_PREFIX) :])
