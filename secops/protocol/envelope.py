"""What a center sends down (通报, important periods, content packs): a payload signed with the
center's own Ed25519 key, which a school pinned when it set up forwarding.

The school's HMAC key proves a school to its center; it cannot prove the center to the school (the
center knows that key too, and so would anyone who stole it from the center's database). The
center's Ed25519 key can: only the center holds its private half, and a school checks every
envelope against the public key it pinned at ``secops forward setup --center-key``. A forged,
altered, expired or misaddressed envelope is refused, and the refusal reported back.

An envelope is ``{"key_id", "payload", "signature"}``: ``payload`` is the base64 of the exact
JSON bytes signed, so nothing is lost or reordered between signing and checking.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, Field, field_validator

from secops.i18n import _

PUBLIC_PREFIX = "ed25519:"
MAX_PAYLOAD = 4 * 1024 * 1024  # a content pack's rules fit; larger is refused before decoding


class EnvelopeError(ValueError):
    """The envelope cannot be trusted: why, in a few words."""


def new_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_bytes(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())


def load_private(raw: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(raw)


def public_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """``ed25519:<base64 of the 32 raw bytes>``: what a school pins."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return PUBLIC_PREFIX + base64.b64encode(raw).decode()


def parse_public(text: str) -> Ed25519PublicKey:
    text = text.strip()
    if not text.startswith(PUBLIC_PREFIX):
        raise ValueError(
            _("a center key starts with {prefix} (secops center key show prints it)").format(prefix=PUBLIC_PREFIX)
        )
    try:
        raw = base64.b64decode(text[len(PUBLIC_PREFIX) :], validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise ValueError(_("not an Ed25519 public key: {reason}").format(reason=exc)) from None


def key_id(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """A short fingerprint (first 16 hex of SHA-256 over the raw public key) people can compare."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


class Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key_id: str = Field(pattern=r"^[0-9a-f]{16}$")
    payload: str = Field(max_length=MAX_PAYLOAD * 4 // 3 + 8)
    signature: str = Field(max_length=100)


class Payload(BaseModel):
    """What every signed message carries besides its body."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str = Field(pattern=r"^[a-z][a-z-]{1,30}$")  # notice | period | pack
    id: str = Field(pattern=r"^[0-9A-Za-z_-]{8,64}$")
    issuer: str = Field(max_length=200)  # the issuing center's name
    issued_at: datetime
    expires_at: datetime
    schools: list[str] = Field(default_factory=list, max_length=100_000)  # empty: every school
    body: dict[str, Any]

    @field_validator("issued_at", "expires_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("a time needs a time zone")
        return value


def seal(key: Ed25519PrivateKey, payload: Payload) -> Envelope:
    raw = json.dumps(payload.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":")).encode()
    return Envelope(
        key_id=key_id(key),
        payload=base64.b64encode(raw).decode(),
        signature=base64.b64encode(key.sign(raw)).decode(),
    )


def open_envelope(
    envelope: Envelope, pinned: Ed25519PublicKey, school: str, now: datetime, covers: frozenset[str] = frozenset()
) -> Payload:
    """The payload, if the pinned key signed it, it is addressed to ``school`` (or, for a lower
    center, to a school it ``covers``) and not expired; EnvelopeError (why) otherwise."""
    if envelope.key_id != key_id(pinned):
        raise EnvelopeError(f"signed with key {envelope.key_id}, not the pinned center key {key_id(pinned)}")
    try:
        raw = base64.b64decode(envelope.payload, validate=True)
        signature = base64.b64decode(envelope.signature, validate=True)
    except ValueError:
        raise EnvelopeError("not base64") from None
    if len(raw) > MAX_PAYLOAD:
        raise EnvelopeError(f"larger than {MAX_PAYLOAD} bytes")
    try:
        pinned.verify(signature, raw)
    except InvalidSignature:
        raise EnvelopeError("the signature does not match (forged or altered)") from None
    try:
        payload = Payload.model_validate_json(raw)
    except ValueError as exc:
        raise EnvelopeError(f"the signed payload is not valid: {str(exc).splitlines()[0]}") from None
    if payload.schools and school not in payload.schools and not covers.intersection(payload.schools):
        raise EnvelopeError(f"addressed to other schools, not {school}")
    if payload.expires_at <= now:
        raise EnvelopeError(f"expired at {payload.expires_at.isoformat()}")
    return payload
