"""The data key: 32 random bytes in a 0600 file (hex text), by default ``data.key`` in the workspace.

The database only ever holds the key's fingerprint, so a copy of the ledger cannot forge or strip
marks; detection with another key is recognised by that fingerprint.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from secops.errors import SecopsError
from secops.i18n import _
from secops.keyseal import DATA, read_secret

KEY_FILE = "data.key"
KEY_BYTES = 32


def key_id(key: bytes) -> str:
    """A short public fingerprint of the key (a labelled hash: it reveals nothing about the key)."""
    return hashlib.sha256(b"secops data key id\0" + key).hexdigest()[:16]


def create_key(path: Path) -> bytes:
    """A new key file, 0600, never overwriting one that exists."""
    key = secrets.token_bytes(KEY_BYTES)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_key(path)
    except OSError as error:
        raise SecopsError(
            _("cannot create key file {path}: {reason}").format(path=path, reason=error.strerror),
            hint=_("choose another --key-file"),
        ) from None
    with os.fdopen(fd, "w") as handle:
        handle.write(key.hex() + "\n")
    return key


def read_key(path: Path) -> bytes:
    """Hex text (64+ hex digits) or raw bytes (at least 16), in a plain or sealed file."""
    try:
        raw = read_secret(Path(path), DATA)
    except FileNotFoundError:
        raise SecopsError(_("key file {path} does not exist").format(path=path), hint=_("check --key-file")) from None
    except OSError as error:
        raise SecopsError(_("cannot read key file {path}: {reason}").format(path=path, reason=error.strerror)) from None
    text = raw.strip()
    try:
        key = bytes.fromhex(text.decode("ascii")) if text else b""
    except (UnicodeDecodeError, ValueError):
        key = raw  # not hex: the file holds the raw bytes
    if len(key) < 16:
        raise SecopsError(
            _("key file {path} holds fewer than 16 key bytes").format(path=path),
            hint=_("use a key file of 32 random bytes"),
        )
    return key


def workspace_key(workspace_dir: Path, key_file: Path | None) -> tuple[bytes, Path]:
    """The given key file, or the workspace's data key (created on first use)."""
    if key_file is not None:
        return read_key(key_file), key_file
    path = Path(workspace_dir) / KEY_FILE
    return (read_key(path) if path.exists() else create_key(path)), path
