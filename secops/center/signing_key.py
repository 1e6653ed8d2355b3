"""The center's own Ed25519 key (``center-signing.key`` in its home, owner-only): it signs what the
center sends down (secops.protocol.envelope). Made on first use; its public half is what schools
pin (``secops center key show``). Losing it means every school must pin a new key."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from secops.errors import SecopsError
from secops.fsutil import make_private, write_private_new
from secops.i18n import _
from secops.protocol import envelope

SIGNING_KEY_FILE = "center-signing.key"


def signing_key(home: Path) -> Ed25519PrivateKey:
    path = home / SIGNING_KEY_FILE
    write_private_new(path, envelope.private_bytes(envelope.new_private_key()))  # only if absent
    make_private(path)
    raw = path.read_bytes()
    try:
        return envelope.load_private(raw)
    except ValueError:
        raise SecopsError(
            _("{path} is damaged (expected 32 bytes of an Ed25519 key)").format(path=path),
            hint=_("restore it from backup; otherwise every school must pin the new key (secops center key show)"),
        ) from None
