"""SM4-GCM content encryption as an online AE stream (the STREAM construction of Hoang,
Reyhanitabar, Rogaway and Vizár, "Online Authenticated-Encryption and its Nonce-Reuse
Misuse-Resistance", as used by age and Tink).

The plaintext is cut into chunks of ``chunk`` bytes (64 KiB by default) and each is sealed on its
own with SM4-GCM, so memory stays at about two chunks whatever the file size. Chunk i's 12-byte IV
is ``nonce_prefix (7) || i (4, big-endian) || last (1: 0x01 for the final chunk, else 0x00)``:
the counter pins each chunk's position (reordering, duplication or dropping fails) and the flag
pins the end (cutting the file at a chunk boundary fails). Every chunk's additional data is the
SM3 digest of the caller's header, so a body moved under another file's header fails too.

Ciphertext: the chunks back to back, each ``ciphertext (as long as its plaintext) || tag (16)``.
Every chunk but the last is exactly ``chunk + 16`` bytes; the last holds the rest (16 to
``chunk + 16`` bytes) and is empty only when the whole plaintext is. The caller stores the nonce
prefix and the chunk size (in the header it passes here); the key must be fresh per file.
"""

from __future__ import annotations

import os
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

CHUNK = 64 * 1024
KEY_SIZE = 16
NONCE_PREFIX_SIZE = 7
TAG_SIZE = 16
MIN_CHUNK = 1024
MAX_CHUNK = 16 * 1024 * 1024
MAX_CHUNKS = 2**32  # the IV's 4-byte counter


class StreamError(Exception):
    """The sealed stream cannot be processed; nothing after the failing chunk was written."""


class TamperedError(StreamError):
    """A chunk failed to authenticate: modified, reordered or cut data, or a wrong key or header."""


class TruncatedError(StreamError):
    """The input ends before the final chunk."""


class TrailingDataError(TamperedError):
    """Bytes follow the final chunk."""


def new_nonce_prefix() -> bytes:
    """A random nonce prefix for one file (to be stored in its header)."""
    return os.urandom(NONCE_PREFIX_SIZE)


def encrypt_stream(
    key: bytes, nonce_prefix: bytes, header: bytes, source: BinaryIO, sink: BinaryIO, chunk: int = CHUNK
) -> int:
    """Seal everything ``source`` yields into ``sink``; return the number of plaintext bytes."""
    _check(key, nonce_prefix, chunk)
    aad = header_digest(header)
    total = 0
    index = 0
    current = _read_full(source, chunk)
    while True:
        # look ahead: only a full chunk can have a successor, and the final one must be flagged
        following = _read_full(source, chunk) if len(current) == chunk else b""
        last = not following
        if index >= MAX_CHUNKS:
            raise StreamError(f"input too large: more than {MAX_CHUNKS} chunks")
        sink.write(_seal(key, _iv(nonce_prefix, index, last), aad, current))
        total += len(current)
        if last:
            return total
        current = following
        index += 1


def decrypt_stream(
    key: bytes, nonce_prefix: bytes, header: bytes, source: BinaryIO, sink: BinaryIO, chunk: int = CHUNK
) -> int:
    """Open a stream sealed by :func:`encrypt_stream`; return the number of plaintext bytes.

    Each chunk's plaintext is written to ``sink`` only once that chunk has authenticated, but the
    chunks before a failing one have been written by then: the caller must write to a temporary
    file and discard it when a :class:`StreamError` is raised.
    """
    _check(key, nonce_prefix, chunk)
    aad = header_digest(header)
    size = chunk + TAG_SIZE
    total = 0
    index = 0
    current = _read_full(source, size)
    if not current:
        raise TruncatedError("empty input: no final chunk")
    while True:
        # a short read means end of input, so only a full chunk needs the look-ahead
        following = _read_full(source, size) if len(current) == size else b""
        last = not following
        if index >= MAX_CHUNKS:
            raise TamperedError(f"more than {MAX_CHUNKS} chunks")
        plaintext = _open_chunk(key, nonce_prefix, aad, current, index, last)
        if last and index > 0 and not plaintext:
            # encrypt_stream never writes this, so the stream was not made by it
            raise TamperedError(f"empty final chunk {index} after data")
        sink.write(plaintext)
        total += len(plaintext)
        if last:
            return total
        current = following
        index += 1


def header_digest(header: bytes) -> bytes:
    """The additional data of every chunk: SM3 of the header, binding the body to it."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(header)
    return digest.finalize()


def _check(key: bytes, nonce_prefix: bytes, chunk: int) -> None:
    if len(key) != KEY_SIZE:
        raise ValueError(f"an SM4 key is {KEY_SIZE} bytes, not {len(key)}")
    if len(nonce_prefix) != NONCE_PREFIX_SIZE:
        raise ValueError(f"the nonce prefix is {NONCE_PREFIX_SIZE} bytes, not {len(nonce_prefix)}")
    if not MIN_CHUNK <= chunk <= MAX_CHUNK:
        raise ValueError(f"chunk size must be {MIN_CHUNK} to {MAX_CHUNK} bytes, not {chunk}")


def _iv(nonce_prefix: bytes, index: int, last: bool) -> bytes:
    return nonce_prefix + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def _seal(key: bytes, iv: bytes, aad: bytes, plaintext: bytes) -> bytes:
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(iv)).encryptor()
    encryptor.authenticate_additional_data(aad)
    return encryptor.update(plaintext) + encryptor.finalize() + encryptor.tag


def _unseal(key: bytes, iv: bytes, aad: bytes, sealed: bytes) -> bytes | None:
    """The plaintext, or None when the tag does not match."""
    if len(sealed) < TAG_SIZE:
        return None
    body, tag = sealed[:-TAG_SIZE], sealed[-TAG_SIZE:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(iv, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    plaintext = decryptor.update(body)
    try:
        return plaintext + decryptor.finalize()
    except InvalidTag:
        return None


def _open_chunk(key: bytes, nonce_prefix: bytes, aad: bytes, sealed: bytes, index: int, last: bool) -> bytes:
    plaintext = _unseal(key, _iv(nonce_prefix, index, last), aad, sealed)
    if plaintext is not None:
        return plaintext
    raise _diagnose(key, nonce_prefix, aad, sealed, index, last)


def _diagnose(key: bytes, nonce_prefix: bytes, aad: bytes, sealed: bytes, index: int, last: bool) -> StreamError:
    """Name the failure: a chunk that opens with the other flag shows a cut or an appendix."""
    if len(sealed) < TAG_SIZE:
        return TruncatedError(f"input ends inside chunk {index}, before its tag")
    if _unseal(key, _iv(nonce_prefix, index, not last), aad, sealed) is not None:
        if last:
            return TruncatedError(f"input ends after chunk {index}: the final chunk is missing")
        return TrailingDataError(f"data follows the final chunk {index}")
    if index == 0:
        return TamperedError("chunk 0 failed to authenticate: wrong key, another file's header, or modified data")
    return TamperedError(f"chunk {index} failed to authenticate: modified, reordered or cut data")


def _read_full(source: BinaryIO, size: int) -> bytes:
    """Up to ``size`` bytes; fewer only at end of input (pipes and sockets return short reads)."""
    data = source.read(size)
    if not data or len(data) == size:
        return data
    parts = [data]
    missing = size - len(data)
    while missing:
        more = source.read(missing)
        if not more:
            break
        parts.append(more)
        missing -= len(more)
    return b"".join(parts)
