"""The encrypted-file format (``secops data encrypt``): one SM4 content key per file, wrapped for
each recipient with SM2 and, if asked, with a passphrase; the content streamed in SM4-GCM chunks.

Layout (all integers big-endian)::

    magic   "SECOPS-SEAL\\n"                      12 bytes
    length  header length                        4 bytes (at most 1 MiB)
    header  UTF-8 JSON, keys sorted:
              {"format": "secops-seal", "version": 1,
               "content": {"cipher": "SM4-GCM-STREAM", "chunk": 65536, "nonce_prefix": hex},
               "recipients": [{"type": "sm2", "name": "区教育局", "key_id": hex16, "wrapped": hex},
                              {"type": "passphrase", "kdf": {"name": "scrypt", "salt": hex, "n", "r", "p"},
                               "nonce": hex, "wrapped": hex}]}
    chunks  secops.data.seal.stream: SM4-GCM, each chunk's additional data the SM3 of the header
            bytes, so a changed header (a recipient added or removed) fails like a changed chunk

``wrapped`` for SM2 is the GB/T 32918.4 ciphertext C1 || C3 || C2 of the 16-byte content key; for
a passphrase, SM4-GCM of the content key under scrypt(passphrase) with the recipient's index as
additional data. Decryption writes to a temporary file beside the output and renames it only when
every chunk authenticated: a wrong key, a modified byte or a truncated file leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from secops.data.seal import sm2, stream
from secops.data.seal.keys import SCRYPT, Key
from secops.errors import SecopsError
from secops.i18n import _

MAGIC = b"SECOPS-SEAL\n"
FORMAT, VERSION = "secops-seal", 1
MAX_HEADER = 1024 * 1024
KEY_BYTES = 16


@dataclass(frozen=True)
class Header:
    raw: bytes
    chunk: int
    nonce_prefix: bytes
    recipients: list[dict[str, Any]]

    def names(self) -> list[str]:
        return [str(r.get("name") or r.get("key_id") or _("passphrase")) for r in self.recipients]


class NotAnEnvelope(SecopsError):
    pass


def _passphrase_kek(passphrase: str, salt: bytes, params: dict[str, int]) -> bytes:
    return hashlib.scrypt(
        passphrase.encode(),
        salt=salt,
        n=params["n"],
        r=params["r"],
        p=params["p"],
        maxmem=64 * 1024**2,
        dklen=KEY_BYTES,
    )


def _gcm_wrap(kek: bytes, nonce: bytes, aad: bytes, data: bytes) -> bytes:
    encryptor = Cipher(algorithms.SM4(kek), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    return encryptor.update(data) + encryptor.finalize() + encryptor.tag


def _gcm_unwrap(kek: bytes, nonce: bytes, aad: bytes, sealed: bytes) -> bytes:
    decryptor = Cipher(algorithms.SM4(kek), modes.GCM(nonce, sealed[-16:])).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(sealed[:-16]) + decryptor.finalize()


def build_header(content_key: bytes, recipients: Sequence[Key], passphrase: str | None) -> bytes:
    entries: list[dict[str, Any]] = [
        {"type": "sm2", "name": key.name, "key_id": key.key_id, "wrapped": sm2.encrypt(key.public, content_key).hex()}
        for key in recipients
    ]
    if passphrase is not None:
        salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
        aad = str(len(entries)).encode()
        entries.append(
            {
                "type": "passphrase",
                "kdf": {"name": "scrypt", "salt": salt.hex(), **SCRYPT},
                "nonce": nonce.hex(),
                "wrapped": _gcm_wrap(_passphrase_kek(passphrase, salt, SCRYPT), nonce, aad, content_key).hex(),
            }
        )
    document = {
        "format": FORMAT,
        "version": VERSION,
        "content": {"cipher": "SM4-GCM-STREAM", "chunk": stream.CHUNK, "nonce_prefix": secrets.token_hex(7)},
        "recipients": entries,
    }
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def seal(source: BinaryIO, sink: BinaryIO, recipients: Sequence[Key], passphrase: str | None = None) -> int:
    """Encrypt ``source`` into ``sink`` for ``recipients`` (and a passphrase); plaintext bytes read."""
    if not recipients and passphrase is None:
        raise SecopsError(_("no recipient"), hint=_("give --recipient NAME (repeatable) or --passphrase-file FILE"))
    content_key = secrets.token_bytes(KEY_BYTES)
    raw = build_header(content_key, recipients, passphrase)
    header = parse_header(raw)
    sink.write(MAGIC + len(raw).to_bytes(4, "big") + raw)
    return stream.encrypt_stream(content_key, header.nonce_prefix, raw, source, sink, chunk=header.chunk)


def _not_envelope(where: str, what: str) -> NotAnEnvelope:
    return NotAnEnvelope(
        _("{where} is not a file secops encrypted ({what})").format(where=where, what=what),
        hint=_("decrypt the file `secops data encrypt` wrote (it starts with SECOPS-SEAL)"),
    )


def read_header(source: BinaryIO, where: str) -> Header:
    start = source.read(len(MAGIC) + 4)
    if len(start) < len(MAGIC) + 4 or not start.startswith(MAGIC):
        raise _not_envelope(where, _("no SECOPS-SEAL header"))
    length = int.from_bytes(start[len(MAGIC) :], "big")
    if not 2 <= length <= MAX_HEADER:
        raise _not_envelope(where, _("header length {length}").format(length=length))
    raw = source.read(length)
    if len(raw) != length:
        raise _not_envelope(where, _("the header is cut short"))
    try:
        return parse_header(raw)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):  # hostile JSON included
        raise _not_envelope(where, _("the header is damaged")) from None


def parse_header(raw: bytes) -> Header:
    document = json.loads(raw.decode("utf-8"))
    if document.get("format") != FORMAT:
        raise ValueError("format")
    if document.get("version") != VERSION:
        raise SecopsError(
            _("this file was encrypted in format version {version}; this secops reads version {ours}").format(
                version=document.get("version"), ours=VERSION
            ),
            hint=_("decrypt it with the secops that wrote it, or a newer one"),
        )
    content = document["content"]
    if content.get("cipher") != "SM4-GCM-STREAM":
        raise ValueError("cipher")
    recipients = document["recipients"]
    if not isinstance(recipients, list) or not all(isinstance(r, dict) for r in recipients):
        raise ValueError("recipients")
    nonce_prefix = bytes.fromhex(content["nonce_prefix"])
    chunk = content["chunk"]
    if len(nonce_prefix) != 7 or not isinstance(chunk, int) or not 1024 <= chunk <= 16 * 1024 * 1024:
        raise ValueError("content parameters")
    return Header(raw=raw, chunk=chunk, nonce_prefix=nonce_prefix, recipients=recipients)


def content_key_for(header: Header, holders: Sequence[tuple[Key, sm2.PrivateKey]], passphrase: str | None) -> bytes:
    """The content key, unwrapped with one of the holder's keys or the passphrase."""
    for key, private in holders:
        for entry in header.recipients:
            if entry.get("type") == "sm2" and entry.get("key_id") == key.key_id:
                try:
                    content_key = sm2.decrypt(private, bytes.fromhex(str(entry["wrapped"])))
                except (sm2.SM2Error, ValueError):
                    raise SecopsError(
                        _("the file's key for {name} does not open with this workspace's key").format(name=key.name),
                        hint=_("the file was modified, or encrypted to another key under the same id"),
                    ) from None
                if len(content_key) == KEY_BYTES:
                    return content_key
    if passphrase is not None:
        for index, entry in enumerate(header.recipients):
            if entry.get("type") != "passphrase":
                continue
            try:
                kdf = entry["kdf"]
                params = {"n": int(kdf["n"]), "r": int(kdf["r"]), "p": int(kdf["p"])}
                if params["n"] > 2**20 or params["r"] > 16 or params["p"] > 4:  # a hostile header's cost
                    continue
                kek = _passphrase_kek(passphrase, bytes.fromhex(kdf["salt"]), params)
                return _gcm_unwrap(
                    kek, bytes.fromhex(entry["nonce"]), str(index).encode(), bytes.fromhex(entry["wrapped"])
                )
            except (InvalidTag, ValueError, KeyError, TypeError):
                continue
        raise SecopsError(
            _("the passphrase does not open this file"), hint=_("check the passphrase; nothing was decrypted")
        )
    raise SecopsError(
        _("this file is encrypted for {names}; this workspace holds none of their private keys").format(
            names=", ".join(header.names()) or "-"
        ),
        hint=_("decrypt it where the recipient's key is (`secops keys list` shows this workspace's keys)"),
    )


def unseal(source: BinaryIO, sink: BinaryIO, header: Header, content_key: bytes) -> int:
    try:
        return stream.decrypt_stream(content_key, header.nonce_prefix, header.raw, source, sink, chunk=header.chunk)
    except stream.TruncatedError:
        raise SecopsError(
            _("the encrypted file is cut short (truncated)"),
            hint=_("copy the whole file again; nothing was decrypted"),
        ) from None
    except stream.StreamError:
        raise SecopsError(
            _("the encrypted file was modified: it does not authenticate"),
            hint=_("ask the sender for the file again; nothing was decrypted"),
        ) from None


def sm3_file(path: Path) -> str:
    digest = hashes.Hash(hashes.SM3())
    with path.open("rb") as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
    return digest.finalize().hex()
