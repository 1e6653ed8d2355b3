"""A workspace's own secret files, plain (hex or key text, 0600, as always) or sealed (secops.keyseal.box).

Every reader of data.key, audit.key, center.key and upstream.key goes through ``read_secret``, so a
sealed file works wherever a plain one did. Sealing and unsealing replace the file atomically and
only after the result was opened again in memory: an error leaves the file as it was.
"""

from __future__ import annotations

import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from secops.errors import SecopsError
from secops.fsutil import PRIVATE_FILE, write_bytes_atomic
from secops.i18n import N_, _
from secops.keyseal import box
from secops.keyseal.unlock import (
    KEY_BYTES,
    SERVICE,
    derive,
    forget_typed,
    keyring_delete,
    keyring_get,
    keyring_put,
    new_kdf,
    runtime_passphrase,
)

DATA, AUDIT, CENTER, UPSTREAM = "data.key", "audit.key", "center.key", "upstream.key"
PURPOSES = (DATA, AUDIT, CENTER, UPSTREAM)  # a purpose is the file's usual name
MISSING, PLAIN, SEALED = "missing", "plain", "sealed"

_NO_PASSPHRASE_HINT = N_(
    "set SECOPS_KEY_PASSPHRASE, or SECOPS_KEY_PASSPHRASE_FILE to a file whose first line is the passphrase; "
    "or make it plain again with secops keys unseal"
)
_RESTORE_HINT = N_("restore the file from the workspace backup")


@dataclass(frozen=True)
class SecretState:
    path: Path
    state: str  # MISSING, PLAIN or SEALED
    protector: str | None  # box.PASSPHRASE or box.KEYRING when sealed
    mode: int | None


def state(path: Path) -> SecretState:
    """Whether ``path`` is missing, plain or sealed (and how), without opening it."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        raw = path.read_bytes()
    except FileNotFoundError:
        return SecretState(path, MISSING, None, None)
    if not box.is_sealed(raw):
        return SecretState(path, PLAIN, None, mode)
    try:
        protector: str | None = box.parse(raw).protector
    except box.Damaged:
        protector = None
    return SecretState(path, SEALED, protector, mode)


def read_secret(path: Path, purpose: str, *, passphrase: str | None = None) -> bytes:
    """The plain bytes of the secret file ``path`` (OSError as from ``Path.read_bytes`` when it cannot
    be read); a sealed file is opened with the passphrase or keyring, or one clear SecopsError."""
    raw = Path(path).read_bytes()
    return _open(Path(path), purpose, raw, passphrase) if box.is_sealed(raw) else raw


def read_secret_text(path: Path, purpose: str) -> str:
    return read_secret(path, purpose).decode("utf-8")


def _damaged(path: Path) -> SecopsError:
    return SecopsError(
        _("{path} is damaged or was altered: it does not decrypt").format(path=path), hint=_(_RESTORE_HINT)
    )


def _open(path: Path, purpose: str, raw: bytes, passphrase: str | None) -> bytes:
    try:
        sealed = box.parse(raw)
    except box.Damaged:
        raise _damaged(path) from None
    if sealed.purpose != purpose:
        raise SecopsError(
            _("{path} holds a sealed {found}, not the {purpose}").format(
                path=path, found=sealed.purpose, purpose=purpose
            ),
            hint=_(_RESTORE_HINT),
        )
    key = _wrapping_key(path, sealed, passphrase)
    try:
        return box.open_sealed(sealed, key)
    except box.WrongKey:
        if sealed.protector == box.KEYRING:
            raise SecopsError(
                _("the OS keyring's key for {path} does not open it").format(path=path), hint=_(_RESTORE_HINT)
            ) from None
        forget_typed()
        raise SecopsError(
            _("wrong passphrase for {path}").format(path=path),
            hint=_("check SECOPS_KEY_PASSPHRASE or the passphrase file; nothing was decrypted"),
        ) from None
    except box.Damaged:
        raise _damaged(path) from None


def _wrapping_key(path: Path, sealed: box.Sealed, passphrase: str | None) -> bytes:
    if sealed.protector == box.PASSPHRASE:
        given = passphrase if passphrase is not None else runtime_passphrase(path)
        if given is None:
            raise SecopsError(
                _("{path} is sealed with a passphrase and none was given").format(path=path),
                hint=_(_NO_PASSPHRASE_HINT),
            )
        try:
            return derive(given, sealed.header.get("kdf") or {})
        except ValueError:
            raise _damaged(path) from None
    key = keyring_get(str(sealed.header.get("entry", "")))
    if key is None or len(key) != KEY_BYTES:
        raise SecopsError(
            _("the OS keyring holds no key for {path}").format(path=path),
            hint=_(
                "it was sealed by another user or on another machine; run secops as that user there, "
                "or restore the plain file from the workspace backup"
            ),
        )
    return key


def seal_file(path: Path, purpose: str, *, passphrase: str | None = None) -> bool:
    """Seal the plain file ``path`` with ``passphrase``, or with a new key kept in the OS keyring when
    None; False (nothing changed) when it is sealed already."""
    raw = path.read_bytes()
    if box.is_sealed(raw):
        return False
    header: dict[str, Any] = {"purpose": purpose}
    entry = None
    if passphrase is None:
        key = secrets.token_bytes(KEY_BYTES)
        # the file's own path names the entry; the suffix keeps a backup copy's entry apart from a re-seal's
        entry = f"{path.resolve()} {secrets.token_hex(4)}"
        keyring_put(entry, key)
        header.update(protector=box.KEYRING, service=SERVICE, entry=entry)
    else:
        kdf = new_kdf()
        key = derive(passphrase, kdf)
        header.update(protector=box.PASSPHRASE, kdf=kdf)
    try:
        sealed = box.seal(raw, key, header)
        if _open(path, purpose, sealed, passphrase) != raw:  # read back through the keyring too
            raise SecopsError(_("{path} did not open again after sealing; it was left plain").format(path=path))
        write_bytes_atomic(path, sealed, permissions=PRIVATE_FILE)
    except BaseException:
        if entry is not None:
            keyring_delete(entry)
        raise
    return True


def unseal_file(path: Path, purpose: str, *, passphrase: str | None = None) -> bool:
    """Write the sealed file ``path`` back as its plain bytes (0600); False when it is plain already."""
    raw = path.read_bytes()
    if not box.is_sealed(raw):
        return False
    secret = _open(path, purpose, raw, passphrase)
    write_bytes_atomic(path, secret, permissions=PRIVATE_FILE)
    sealed = box.parse(raw)
    if sealed.protector == box.KEYRING:
        keyring_delete(str(sealed.header.get("entry", "")))
    return True
