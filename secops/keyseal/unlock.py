"""Where a sealed secret's wrapping key comes from: a passphrase (scrypt) or the OS keyring.

At run time the passphrase is ``$SECOPS_KEY_PASSPHRASE``, else the first line of the file
``$SECOPS_KEY_PASSPHRASE_FILE`` (for services), else a hidden prompt when stdin is a terminal.
scrypt is slow on purpose, so each derived key is kept for the rest of the process, keyed by the
file's salt and the passphrase: a later read without a passphrase still finds nothing.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sys
from pathlib import Path
from typing import Any

from secops.errors import SecopsError
from secops.i18n import N_, _

PASSPHRASE_ENV = "SECOPS_KEY_PASSPHRASE"  # noqa: S105 - the name of a variable
PASSPHRASE_FILE_ENV = "SECOPS_KEY_PASSPHRASE_FILE"  # noqa: S105 - the name of a variable
SERVICE = "secops"
# The same cost as the SM2 private keys of secops.data.seal.keys: about 0.1 s and 32 MiB.
SCRYPT = {"n": 2**15, "r": 8, "p": 1}
KEY_BYTES = 16  # SM4
_MAX_MEMORY = 256 * 1024**2  # the most scrypt may use for a file's stated cost

_derived: dict[tuple[str, int, int, int, str], bytes] = {}  # this process's scrypt results
_typed: list[str] = []  # the passphrase typed at the prompt, asked once per process
_KEYRING_HINT = N_(
    "the keyring package uses Secret Service, KWallet, macOS Keychain or Windows Credential Locker; "
    "choose a backend with PYTHON_KEYRING_BACKEND, or seal with a passphrase instead"
)


def passphrase_from_env() -> str | None:
    """$SECOPS_KEY_PASSPHRASE, else the first line of $SECOPS_KEY_PASSPHRASE_FILE; None when neither is set."""
    if os.environ.get(PASSPHRASE_ENV):
        return os.environ[PASSPHRASE_ENV]
    name = os.environ.get(PASSPHRASE_FILE_ENV)
    if not name:
        return None
    try:
        if Path(name).stat().st_mode & 0o077:  # as for the keys themselves: a passphrase others can read is none
            raise SecopsError(
                _("{path} (${env}) is readable by others").format(path=name, env=PASSPHRASE_FILE_ENV),
                hint=f"chmod 600 {name}",
            )
        lines = Path(name).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SecopsError(
            _("cannot read {path} (${env}): {reason}").format(path=name, env=PASSPHRASE_FILE_ENV, reason=exc.strerror),
            hint=_("point ${env} at a readable file whose first line is the passphrase").format(
                env=PASSPHRASE_FILE_ENV
            ),
        ) from None
    return lines[0] if lines else ""


def runtime_passphrase(path: Path) -> str | None:
    """The passphrase for reading ``path``: the environment, else (on a terminal) typed once."""
    found = passphrase_from_env()
    if found is not None:
        return found
    if _typed:
        return _typed[0]
    if not sys.stdin.isatty():
        return None
    import click

    typed = str(click.prompt(_("passphrase for {path}").format(path=path), hide_input=True, err=True))
    _typed.append(typed)
    return typed


def forget_typed() -> None:
    """Drop a typed passphrase that turned out wrong, so the next read asks again."""
    _typed.clear()


def new_kdf() -> dict[str, Any]:
    return {"name": "scrypt", "salt": secrets.token_hex(16), **SCRYPT}


def derive(passphrase: str, kdf: dict[str, Any]) -> bytes:
    """The wrapping key scrypt makes of ``passphrase`` with the file's salt and cost."""
    try:
        salt, n, r, p = str(kdf["salt"]), int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
        if kdf.get("name") != "scrypt" or 128 * n * r > _MAX_MEMORY or not 1 <= p <= 16:  # no memory bomb
            raise ValueError
        memo = (salt, n, r, p, hashlib.sha256(passphrase.encode()).hexdigest())
        if memo not in _derived:
            _derived[memo] = hashlib.scrypt(
                passphrase.encode(), salt=bytes.fromhex(salt), n=n, r=r, p=p, maxmem=2 * _MAX_MEMORY, dklen=KEY_BYTES
            )
    except (KeyError, TypeError, ValueError):
        raise ValueError("bad kdf parameters") from None
    return _derived[memo]


def _backend() -> Any:
    """The keyring backend: the one chosen explicitly (PYTHON_KEYRING_BACKEND or keyringrc.cfg), else the
    detected one if it is a real OS keyring (never keyring's own plaintext or null fallbacks)."""
    try:
        import keyring
        import keyring.core
    except ImportError:
        raise SecopsError(
            _("the keyring package is not installed"), hint=_("reinstall secops (scripts/install.sh)")
        ) from None
    chosen = keyring.core.load_env() or keyring.core.load_config()
    if chosen is not None:
        return chosen
    detected = keyring.get_keyring()
    if not keyring.core.recommended(detected):
        raise SecopsError(_("no OS keyring is available"), hint=_(_KEYRING_HINT))
    return detected


def _keyring_failed(exc: Exception) -> SecopsError:
    return SecopsError(
        _("the OS keyring did not answer: {reason}").format(reason=str(exc).splitlines()[0] if str(exc) else "?"),
        hint=_(_KEYRING_HINT),
    )


def keyring_get(entry: str) -> bytes | None:
    """The wrapping key kept under ``entry``; None when the keyring has no such entry."""
    try:
        value = _backend().get_password(SERVICE, entry)
    except SecopsError:
        raise
    except Exception as exc:  # any backend's failure (no backend, locked, D-Bus gone) is one clear error
        raise _keyring_failed(exc) from None
    try:
        return bytes.fromhex(value) if value is not None else None
    except ValueError:
        return None


def keyring_put(entry: str, key: bytes) -> None:
    try:
        _backend().set_password(SERVICE, entry, key.hex())
    except SecopsError:
        raise
    except Exception as exc:
        raise _keyring_failed(exc) from None


def keyring_delete(entry: str) -> bool:
    """Remove the entry; False when the keyring would not (the entry is then only an unused leftover)."""
    try:
        _backend().delete_password(SERVICE, entry)
    except Exception:  # a leftover entry holds a key of a file that no longer needs it: harmless
        return False
    return True
