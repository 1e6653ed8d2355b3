"""The sealed-secret file format: a marker line, then one JSON document.

```
SECOPS-SEALED-SECRET v1
{"purpose": "audit.key", "protector": "passphrase", "kdf": {...}, "cipher": "SM4-GCM",
 "check": "...", "nonce": "...", "sealed": "..."}
```

The payload is the plain file's exact bytes, SM4-GCM encrypted under a 16-byte wrapping key (from a
passphrase by scrypt, or kept in the OS keyring). Every field but the nonce and the ciphertext is
authenticated data, so a sealed audit.key relabelled as center.key does not open. ``check`` (an
HMAC of the wrapping key) tells a wrong passphrase apart from an altered file; it allows no more
guessing than the GCM tag already does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

MARKER = b"SECOPS-SEALED-SECRET v1\n"
CIPHER = "SM4-GCM"
PASSPHRASE, KEYRING = "passphrase", "keyring"
_TAG = 16
_MAX = 64 * 1024  # a key file is a few hundred bytes; anything larger is not ours


class WrongKey(Exception):
    """The wrapping key (the passphrase, or the keyring's entry) is not the one the file was sealed with."""


class Damaged(Exception):
    """The file is not a readable sealed secret, or was altered after sealing."""


@dataclass(frozen=True)
class Sealed:
    """A parsed sealed file: its authenticated header and the ciphertext."""

    header: dict[str, Any]
    nonce: bytes
    sealed: bytes

    @property
    def purpose(self) -> str:
        return str(self.header["purpose"])

    @property
    def protector(self) -> str:
        return str(self.header["protector"])


def is_sealed(raw: bytes) -> bool:
    return raw.startswith(MARKER)


def _aad(header: dict[str, Any]) -> bytes:
    return MARKER + json.dumps(header, sort_keys=True, separators=(",", ":")).encode()


def _check(key: bytes) -> str:
    return hmac.new(key, b"secops sealed secret check", hashlib.sha256).hexdigest()[:16]


def seal(secret: bytes, key: bytes, header: dict[str, Any]) -> bytes:
    """The file's bytes: ``secret`` encrypted under ``key``; ``header`` names purpose and protector."""
    header = {**header, "cipher": CIPHER, "check": _check(key)}
    nonce = secrets.token_bytes(12)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(_aad(header))
    sealed = encryptor.update(secret) + encryptor.finalize() + encryptor.tag
    document = {**header, "nonce": nonce.hex(), "sealed": sealed.hex()}
    return MARKER + (json.dumps(document, indent=1) + "\n").encode()


def parse(raw: bytes) -> Sealed:
    if not is_sealed(raw) or len(raw) > _MAX:
        raise Damaged
    try:
        document = json.loads(raw[len(MARKER) :])
        nonce, sealed = bytes.fromhex(document.pop("nonce")), bytes.fromhex(document.pop("sealed"))
        if document.get("cipher") != CIPHER or document.get("protector") not in (PASSPHRASE, KEYRING):
            raise ValueError
        str(document["purpose"]), str(document["check"])
    except (ValueError, KeyError, TypeError, AttributeError):
        raise Damaged from None
    if len(nonce) != 12 or len(sealed) < _TAG:
        raise Damaged
    return Sealed(header=document, nonce=nonce, sealed=sealed)


def open_sealed(box: Sealed, key: bytes) -> bytes:
    """The secret; WrongKey when ``key`` is not the sealing key, Damaged when the file was altered."""
    if not hmac.compare_digest(_check(key), str(box.header["check"])):
        raise WrongKey
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(box.nonce, box.sealed[-_TAG:])).decryptor()
    decryptor.authenticate_additional_data(_aad(box.header))
    try:
        return decryptor.update(box.sealed[:-_TAG]) + decryptor.finalize()
    except InvalidTag:
        raise Damaged from None
