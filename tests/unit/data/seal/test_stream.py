"""The SM4-GCM online AE stream: round trips, and every kind of damage is refused."""

from __future__ import annotations

import io
import os

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given, settings
from hypothesis import strategies as st

from secops.data.seal import stream
from secops.data.seal.stream import (
    CHUNK,
    TAG_SIZE,
    StreamError,
    TamperedError,
    TrailingDataError,
    TruncatedError,
    decrypt_stream,
    encrypt_stream,
    new_nonce_prefix,
)

SMALL = 1024
FULL = SMALL + TAG_SIZE
KEY = bytes(range(16))
PREFIX = b"\x07" * 7
HEADER = b"secops-seal v1 header"


def seal(plaintext: bytes, chunk: int = SMALL, header: bytes = HEADER, key: bytes = KEY) -> bytes:
    sink = io.BytesIO()
    assert encrypt_stream(key, PREFIX, header, io.BytesIO(plaintext), sink, chunk) == len(plaintext)
    return sink.getvalue()


def unseal(sealed: bytes, chunk: int = SMALL, header: bytes = HEADER, key: bytes = KEY) -> bytes:
    sink = io.BytesIO()
    written = decrypt_stream(key, PREFIX, header, io.BytesIO(sealed), sink, chunk)
    assert written == len(sink.getvalue())
    return sink.getvalue()


def flip(data: bytes, position: int) -> bytes:
    return data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1 :]


class Trickle(io.RawIOBase):
    """A source that returns at most 100 bytes per read, like a pipe."""

    def __init__(self, data: bytes) -> None:
        self.data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self.data.read(min(size, 100) if size >= 0 else 100)


@pytest.mark.parametrize("size", [0, 1, SMALL - 1, SMALL, SMALL + 1, 3 * SMALL + 5])
def test_round_trip(size: int) -> None:
    plaintext = os.urandom(size)
    sealed = seal(plaintext)
    chunks = max(1, -(-size // SMALL))
    assert len(sealed) == size + chunks * TAG_SIZE  # an empty final chunk only for an empty file
    assert unseal(sealed) == plaintext


def test_round_trip_default_chunk_5mb() -> None:
    plaintext = os.urandom(5 * 1024 * 1024 + 17)
    sealed = seal(plaintext, CHUNK)
    assert len(sealed) == len(plaintext) + (len(plaintext) // CHUNK + 1) * TAG_SIZE
    assert unseal(sealed, CHUNK) == plaintext


def test_short_reads() -> None:
    plaintext = os.urandom(3 * SMALL + 5)
    sink = io.BytesIO()
    encrypt_stream(KEY, PREFIX, HEADER, Trickle(plaintext), sink, SMALL)  # type: ignore[arg-type]
    out = io.BytesIO()
    decrypt_stream(KEY, PREFIX, HEADER, Trickle(sink.getvalue()), out, SMALL)  # type: ignore[arg-type]
    assert out.getvalue() == plaintext


def test_layout_is_independent_gcm_chunks() -> None:
    """Chunk 1 of 3 is plain SM4-GCM under prefix || 1 || 0x00 with SM3(header) as AAD."""
    plaintext = os.urandom(2 * SMALL + 3)
    sealed = seal(plaintext)
    tag = sealed[2 * FULL - TAG_SIZE : 2 * FULL]
    decryptor = Cipher(algorithms.SM4(KEY), modes.GCM(PREFIX + b"\0\0\0\1\0", tag)).decryptor()
    decryptor.authenticate_additional_data(stream.header_digest(HEADER))
    assert decryptor.update(sealed[FULL : 2 * FULL - 16]) + decryptor.finalize() == plaintext[SMALL : 2 * SMALL]


def test_sm4_is_the_standard_cipher() -> None:
    """GB/T 32907-2016 appendix A example 1, so the primitive under the stream is SM4."""
    value = bytes.fromhex("0123456789abcdeffedcba9876543210")
    encryptor = Cipher(algorithms.SM4(value), modes.ECB()).encryptor()
    assert (encryptor.update(value) + encryptor.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"


def test_nonce_prefix_is_random() -> None:
    assert len(new_nonce_prefix()) == 7
    assert new_nonce_prefix() != new_nonce_prefix()


SEALED = seal(os.urandom(3 * SMALL + 5))  # chunks at 0, FULL, 2*FULL, and 5+16 bytes at 3*FULL


@pytest.mark.parametrize(
    "position", [0, 1, SMALL, FULL - 1, FULL, FULL + 500, 2 * FULL + 7, 3 * FULL, len(SEALED) - 17, len(SEALED) - 1]
)
def test_any_flipped_bit_is_tampering(position: int) -> None:
    with pytest.raises(TamperedError):
        unseal(flip(SEALED, position))


@pytest.mark.parametrize("chunks", [1, 2, 3])
def test_cut_at_chunk_boundary_is_truncation(chunks: int) -> None:
    with pytest.raises(TruncatedError, match="final chunk is missing"):
        unseal(SEALED[: chunks * FULL])


@pytest.mark.parametrize("length", [1, 15, 16, 17, 500, FULL - 1, FULL + 1, FULL + 16, 2 * FULL + 600, len(SEALED) - 1])
def test_cut_inside_a_chunk_fails(length: int) -> None:
    with pytest.raises(StreamError):
        unseal(SEALED[:length])


def test_empty_input_is_truncation() -> None:
    with pytest.raises(TruncatedError, match="empty input"):
        unseal(b"")


@pytest.mark.parametrize("extra", [b"\0", b"x" * 16, os.urandom(FULL), os.urandom(FULL + 3)])
def test_appended_bytes_fail(extra: bytes) -> None:
    with pytest.raises(TamperedError):
        unseal(SEALED + extra)


def test_appended_after_full_final_chunk_is_named() -> None:
    sealed = seal(os.urandom(2 * SMALL))
    with pytest.raises(TrailingDataError):
        unseal(sealed + b"junk")


def test_appended_copy_of_final_chunk_fails() -> None:
    sealed = seal(os.urandom(2 * SMALL))
    with pytest.raises(TamperedError):
        unseal(sealed + sealed[-FULL:])


def test_swapped_chunks_fail() -> None:
    chunks = [SEALED[i : i + FULL] for i in range(0, len(SEALED), FULL)]
    chunks[0], chunks[1] = chunks[1], chunks[0]
    with pytest.raises(TamperedError):
        unseal(b"".join(chunks))


def test_duplicated_and_dropped_chunks_fail() -> None:
    with pytest.raises(TamperedError):
        unseal(SEALED[:FULL] + SEALED[:FULL] + SEALED[FULL:])
    with pytest.raises(TamperedError):
        unseal(SEALED[:FULL] + SEALED[2 * FULL :])


def test_chunks_of_another_file_fail() -> None:
    """Same key, another file's nonce prefix: its chunks do not fit in this one."""
    sink = io.BytesIO()
    encrypt_stream(KEY, b"\x08" * 7, HEADER, io.BytesIO(os.urandom(3 * SMALL + 5)), sink, SMALL)
    other = sink.getvalue()
    with pytest.raises(TamperedError):
        unseal(SEALED[:FULL] + other[FULL:])


def test_other_header_fails() -> None:
    with pytest.raises(TamperedError, match="header"):
        unseal(SEALED, header=HEADER + b"!")


def test_wrong_key_fails() -> None:
    with pytest.raises(TamperedError, match="wrong key"):
        unseal(SEALED, key=bytes(16))


def test_other_chunk_size_fails() -> None:
    with pytest.raises(StreamError):
        unseal(SEALED, chunk=2 * SMALL)


def test_empty_final_chunk_after_data_is_refused() -> None:
    """A full non-last chunk then an empty last one: valid GCM, but never written by the encoder."""
    plaintext = os.urandom(SMALL)
    sealed = seal(plaintext)
    aad = stream.header_digest(HEADER)
    odd = stream._seal(KEY, stream._iv(PREFIX, 0, False), aad, plaintext) + stream._seal(
        KEY, stream._iv(PREFIX, 1, True), aad, b""
    )
    assert unseal(sealed) == plaintext
    with pytest.raises(TamperedError, match="empty final chunk"):
        unseal(odd)


def test_too_many_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "MAX_CHUNKS", 2)
    assert unseal(seal(os.urandom(2 * SMALL))) is not None
    with pytest.raises(StreamError, match="too large"):
        seal(os.urandom(2 * SMALL + 1))


@pytest.mark.parametrize(
    ("key", "prefix", "chunk", "message"),
    [
        (bytes(15), PREFIX, SMALL, "key"),
        (bytes(32), PREFIX, SMALL, "key"),
        (KEY, bytes(8), SMALL, "nonce"),
        (KEY, bytes(6), SMALL, "nonce"),
        (KEY, PREFIX, 1023, "chunk"),
        (KEY, PREFIX, 16 * 1024 * 1024 + 1, "chunk"),
    ],
)
def test_arguments_are_checked(key: bytes, prefix: bytes, chunk: int, message: str) -> None:
    for call in (encrypt_stream, decrypt_stream):
        with pytest.raises(ValueError, match=message):
            call(key, prefix, HEADER, io.BytesIO(b""), io.BytesIO(), chunk)


@settings(max_examples=50, derandomize=True, deadline=None)
@given(
    size=st.integers(0, 3 * SMALL + 20),
    edits=st.lists(
        st.tuples(st.sampled_from(["flip", "cut", "insert", "delete"]), st.integers(0, 10**6), st.binary(max_size=20)),
        min_size=1,
        max_size=3,
    ),
)
def test_random_mutation_never_opens(size: int, edits: list[tuple[str, int, bytes]]) -> None:
    sealed = seal(bytes(range(256)) * (size // 256) + bytes(size % 256))
    mutated = sealed
    for kind, where, payload in edits:
        at = where % (len(mutated) + 1)
        if kind == "flip" and at < len(mutated):
            mask = payload[0] if payload and payload[0] else 1
            mutated = mutated[:at] + bytes([mutated[at] ^ mask]) + mutated[at + 1 :]
        elif kind == "cut":
            mutated = mutated[:at]
        elif kind == "insert":
            mutated = mutated[:at] + (payload or b"\0") + mutated[at:]
        elif at < len(mutated):
            mutated = mutated[:at] + mutated[at + 1 + len(payload) :]
    if mutated == sealed:
        return
    with pytest.raises(StreamError):
        unseal(mutated)
