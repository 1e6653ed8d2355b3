"""A workspace's encryption keys: its own SM2 key pairs and its recipients' public keys.

Public keys (own and recipients') are rows of ``seal_keys`` under a name the school chooses (区教育局,
考试院); a key is known by its id, the first 16 hex digits of SM3 over its uncompressed point. An own
key's private half is a file ``keys/<key id>.sm2`` in the workspace, owner-only (0600), optionally
sealed with a passphrase (scrypt, then SM4-GCM), never in the database. A revoked key stays listed
(old files name it) but nothing new is encrypted to it.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from sqlalchemy.exc import IntegrityError

from secops.data.seal.sm2 import PrivateKey, PublicKey, generate_private_key
from secops.errors import SecopsError
from secops.fsutil import write_private_new
from secops.i18n import _
from secops.store import Store
from secops.store.schema import seal_keys

KEYS_DIR = "keys"
OWN, RECIPIENT = "own", "recipient"
FORMAT = "secops-sm2-private-key"
SCRYPT = {"n": 2**15, "r": 8, "p": 1}  # about 0.1 s and 32 MiB: a file key, not a login
_c = seal_keys.c


@dataclass(frozen=True)
class Key:
    name: str
    key_id: str
    kind: str
    public: PublicKey
    created_at: datetime
    revoked_at: datetime | None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


def key_id_of(public: PublicKey) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(public.to_bytes())
    return digest.finalize().hex()[:16]


def _key(row: sa.Row[tuple[object, ...]]) -> Key:
    m = row._mapping
    return Key(
        name=str(m["name"]),
        key_id=str(m["key_id"]),
        kind=str(m["kind"]),
        public=PublicKey.from_bytes(bytes.fromhex(str(m["public_key"]))),
        created_at=m["created_at"],
        revoked_at=m["revoked_at"],
    )


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 100 or any(ch in name for ch in "\n\r\t"):
        raise SecopsError(
            _("key name {name!r} is not usable").format(name=name[:40]),
            hint=_("give 1-100 characters on one line, e.g. 区教育局"),
        )
    return name


def _insert(store: Store, name: str, public: PublicKey, kind: str, now: datetime) -> Key:
    key_id = key_id_of(public)
    try:
        with store.engine.begin() as conn:
            conn.execute(
                seal_keys.insert().values(
                    name=name, key_id=key_id, kind=kind, public_key=public.to_bytes().hex(), created_at=now
                )
            )
    except IntegrityError:
        known = find(store, name) or find_by_id(store, key_id)
        shown = known.name if known else name
        raise SecopsError(
            _("a key named {name} (or this very key) is already known").format(name=shown),
            hint=_("choose another name, or see `secops keys list`"),
        ) from None
    found = find(store, name)
    assert found is not None
    return found


def private_path(workspace: Path, key_id: str) -> Path:
    return workspace / KEYS_DIR / f"{key_id}.sm2"


def new_key(store: Store, workspace: Path, name: str, now: datetime, *, passphrase: str | None = None) -> Key:
    """A new own key pair: the private half written owner-only first, then the public half recorded."""
    name = _check_name(name)
    if find(store, name) is not None:
        raise SecopsError(
            _("a key named {name} (or this very key) is already known").format(name=name),
            hint=_("choose another name, or see `secops keys list`"),
        )
    private = generate_private_key()
    public = private.public_key()
    path = private_path(workspace, key_id_of(public))
    path.parent.mkdir(mode=0o700, exist_ok=True)
    write_private_new(path, _seal_private(private, key_id_of(public), passphrase))
    try:
        return _insert(store, name, public, OWN, now)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def import_private(
    store: Store, workspace: Path, name: str, private: PrivateKey, now: datetime, *, passphrase: str | None = None
) -> Key:
    """An own key pair from elsewhere (a PEM of OpenSSL, GmSSL or another workspace), stored as
    `new_key` stores one. Unlike a fresh key it may be known already: that is refused before any
    file is touched, so an existing private half is never replaced or removed."""
    name = _check_name(name)
    public = private.public_key()
    key_id = key_id_of(public)
    known = find(store, name) or find_by_id(store, key_id)
    if known is not None:
        raise SecopsError(
            _("a key named {name} (or this very key) is already known").format(name=known.name),
            hint=_("choose another name, or see `secops keys list`"),
        )
    path = private_path(workspace, key_id)
    path.parent.mkdir(mode=0o700, exist_ok=True)
    if not write_private_new(path, _seal_private(private, key_id, passphrase)):
        raise SecopsError(
            _("{path} already exists but no key names it").format(path=path),
            hint=_("move the stale file away (it may be a backup), then import again"),
        )
    try:
        return _insert(store, name, public, OWN, now)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def import_public(store: Store, name: str, public: PublicKey, now: datetime) -> Key:
    return _insert(store, _check_name(name), public, RECIPIENT, now)


def find(store: Store, name: str) -> Key | None:
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(seal_keys).where(_c.name == name.strip())).first()
    return _key(row) if row is not None else None


def find_by_id(store: Store, key_id: str) -> Key | None:
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(seal_keys).where(_c.key_id == key_id)).first()
    return _key(row) if row is not None else None


def list_keys(store: Store) -> list[Key]:
    with store.engine.connect() as conn:
        return [_key(row) for row in conn.execute(sa.select(seal_keys).order_by(_c.kind, _c.name))]


def revoke(store: Store, name: str, now: datetime) -> Key:
    key = named(store, name)
    if not key.revoked:
        with store.engine.begin() as conn:
            conn.execute(seal_keys.update().where(_c.name == key.name).values(revoked_at=now))
    found = find(store, key.name)
    assert found is not None
    return found


def named(store: Store, name: str) -> Key:
    key = find(store, name)
    if key is None:
        raise SecopsError(
            _("no key named {name}").format(name=name),
            hint=_("see `secops keys list`; a recipient's key comes in with `secops keys import-public`"),
        )
    return key


def recipient(store: Store, name: str) -> Key:
    """A key files may be encrypted to: known and not revoked."""
    key = named(store, name)
    if key.revoked:
        raise SecopsError(
            _("the key {name} was revoked; nothing new is encrypted to it").format(name=key.name),
            hint=_("import the recipient's new public key under a new name"),
        )
    return key


def _kek(passphrase: str, salt: bytes, params: dict[str, int]) -> bytes:
    return hashlib.scrypt(
        passphrase.encode(), salt=salt, n=params["n"], r=params["r"], p=params["p"], maxmem=64 * 1024**2, dklen=16
    )


def _seal_private(private: PrivateKey, key_id: str, passphrase: str | None) -> bytes:
    document: dict[str, object] = {"format": FORMAT, "version": 1, "key_id": key_id}
    if passphrase is None:
        document["d"] = private.to_bytes().hex()
    else:
        salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
        encryptor = Cipher(algorithms.SM4(_kek(passphrase, salt, SCRYPT)), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(key_id.encode())
        sealed = encryptor.update(private.to_bytes()) + encryptor.finalize() + encryptor.tag
        document["kdf"] = {"name": "scrypt", "salt": salt.hex(), **SCRYPT}
        document["cipher"] = "SM4-GCM"
        document["nonce"] = nonce.hex()
        document["sealed"] = sealed.hex()
    return (json.dumps(document, indent=1) + "\n").encode()


def needs_passphrase(workspace: Path, key_id: str) -> bool:
    try:
        return "sealed" in json.loads(private_path(workspace, key_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False


def private_key(workspace: Path, key: Key, passphrase: str | None = None) -> PrivateKey:
    """The private half of an own key; one clear error when it is missing, damaged or locked."""
    path = private_path(workspace, key.key_id)
    try:
        if os.stat(path).st_mode & 0o077:
            raise SecopsError(_("{path} is readable by others").format(path=path), hint=f"chmod 600 {path}")
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("format") != FORMAT or document.get("key_id") != key.key_id:
            raise ValueError
        if "sealed" in document:
            if passphrase is None:
                raise SecopsError(
                    _("the private key {name} is protected by a passphrase").format(name=key.name),
                    hint=_("give it with --passphrase-file FILE, or SECOPS_KEY_PASSPHRASE"),
                )
            kdf = document["kdf"]
            params = {"n": int(kdf["n"]), "r": int(kdf["r"]), "p": int(kdf["p"])}
            sealed = bytes.fromhex(document["sealed"])
            decryptor = Cipher(
                algorithms.SM4(_kek(passphrase, bytes.fromhex(kdf["salt"]), params)),
                modes.GCM(bytes.fromhex(document["nonce"]), sealed[-16:]),
            ).decryptor()
            decryptor.authenticate_additional_data(key.key_id.encode())
            try:
                raw = decryptor.update(sealed[:-16]) + decryptor.finalize()
            except InvalidTag:
                raise SecopsError(
                    _("wrong passphrase for the private key {name}").format(name=key.name),
                    hint=_("check the passphrase file; nothing was decrypted"),
                ) from None
        else:
            raw = bytes.fromhex(document["d"])
        private = PrivateKey.from_bytes(raw)
    except FileNotFoundError:
        raise SecopsError(
            _("the private key of {name} is not in this workspace ({path})").format(name=key.name, path=path),
            hint=_("restore keys/ from the workspace backup; only the key holder can decrypt"),
        ) from None
    except (OSError, ValueError, KeyError, TypeError):
        raise SecopsError(
            _("{path} is not a usable private key").format(path=path),
            hint=_("restore it from the workspace backup"),
        ) from None
    if private.public_key() != key.public:
        raise SecopsError(
            _("{path} does not hold the private half of {name}").format(path=path, name=key.name),
            hint=_("restore it from the workspace backup"),
        )
    return private
