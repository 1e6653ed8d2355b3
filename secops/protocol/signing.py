"""How a school (or lower center) signs its requests and the center checks them: keys and signatures.

A school key is ``sk1.<key id>.<secret>``; it is shown once when the center issues it. Requests
are signed with a key *derived* from it (``signing_key``), which is all the center keeps (sealed,
see ``secops.center.schools``), so the key text itself is never stored. The signature is
HMAC-SHA256 over the method, path, timestamp, nonce and the SHA-256 of the body: changing any of
them, or replaying the request after the nonce was seen, fails verification.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from secops.i18n import _

SIGNATURE_VERSION = "v1"
MAX_SKEW_SECONDS = 300
ALERTS_PATH = "/api/v1/alerts"

HEADER_SCHOOL = "X-Secops-School"
HEADER_KEY_ID = "X-Secops-Key-Id"
HEADER_TIMESTAMP = "X-Secops-Timestamp"
HEADER_NONCE = "X-Secops-Nonce"
HEADER_SIGNATURE = "X-Secops-Signature"

_KEY = re.compile(r"^sk1\.([0-9a-f]{12})\.([A-Za-z0-9_-]{43})$")
_NONCE = re.compile(r"^[0-9A-Za-z_-]{16,64}$")
_DERIVE_LABEL = b"secops-center-signing-v1"


@dataclass(frozen=True)
class SchoolKey:
    key_id: str
    secret: str

    @property
    def text(self) -> str:
        return f"sk1.{self.key_id}.{self.secret}"


def new_key() -> SchoolKey:
    """A fresh school key: 12 hex of id (to find it) and 256 bits of secret."""
    secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    return SchoolKey(key_id=secrets.token_hex(6), secret=secret)


def parse_key(text: str) -> SchoolKey:
    match = _KEY.match(text.strip())
    if match is None:
        raise ValueError(
            _("a school key looks like sk1.<12 hex>.<43 characters>, as `secops center school add` printed it")
        )
    return SchoolKey(key_id=match.group(1), secret=match.group(2))


def signing_key(key: SchoolKey) -> bytes:
    """The HMAC key both sides sign with; the center stores only this (sealed), never the key."""
    return hmac.new(key.secret.encode(), _DERIVE_LABEL, hashlib.sha256).digest()


def new_nonce() -> str:
    return secrets.token_hex(16)


def valid_nonce(nonce: str) -> bool:
    return bool(_NONCE.match(nonce))


def string_to_sign(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join([SIGNATURE_VERSION, method.upper(), path, timestamp, nonce, digest]).encode()


def sign(key: bytes, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    return hmac.new(key, string_to_sign(method, path, timestamp, nonce, body), hashlib.sha256).hexdigest()


def signed_headers(
    key: SchoolKey, school: str, body: bytes, *, now: float, method: str = "POST", path: str = ALERTS_PATH
) -> dict[str, str]:
    """Headers for one request; a new nonce each time, so a retry is a new request to the center."""
    timestamp = str(int(now))
    nonce = new_nonce()
    return {
        HEADER_SCHOOL: school,
        HEADER_KEY_ID: key.key_id,
        HEADER_TIMESTAMP: timestamp,
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: sign(signing_key(key), method, path, timestamp, nonce, body),
        "Content-Type": "application/json",
    }


def verify(key: bytes, method: str, path: str, timestamp: str, nonce: str, body: bytes, signature: str) -> bool:
    expected = sign(key, method, path, timestamp, nonce, body)
    return hmac.compare_digest(expected, signature.strip().lower())


def timestamp_fresh(timestamp: str, now: float) -> bool:
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    return abs(now - sent) <= MAX_SKEW_SECONDS
