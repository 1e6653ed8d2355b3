"""Sealing a workspace's own keys (data.key, audit.key, center.key, upstream.key) at rest.

A key file is plain as always, or sealed: SM4-GCM under a wrapping key that comes from a passphrase
(scrypt) or sits in the OS keyring, so the key is never in clear on disk. Readers call
``read_secret`` and need not know which. ``secops keys seal|unseal|status`` drives it.
"""

from __future__ import annotations

from secops.keyseal.secretfile import (
    AUDIT,
    CENTER,
    DATA,
    MISSING,
    PLAIN,
    PURPOSES,
    SEALED,
    UPSTREAM,
    SecretState,
    read_secret,
    read_secret_text,
    seal_file,
    state,
    unseal_file,
)

__all__ = [
    "AUDIT",
    "CENTER",
    "DATA",
    "MISSING",
    "PLAIN",
    "PURPOSES",
    "SEALED",
    "UPSTREAM",
    "SecretState",
    "read_secret",
    "read_secret_text",
    "seal_file",
    "state",
    "unseal_file",
]
