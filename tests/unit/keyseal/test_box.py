"""The sealed-secret format: a round trip, and every way a file can fail to open is told apart."""

from __future__ import annotations

import json
import secrets

import pytest

from secops.keyseal import box

KEY = secrets.token_bytes(16)
HEADER = {"purpose": "audit.key", "protector": box.PASSPHRASE, "kdf": {"name": "scrypt", "salt": "00" * 16}}


def test_a_round_trip_gives_the_exact_bytes() -> None:
    secret = secrets.token_hex(32).encode() + b"\n"
    sealed = box.seal(secret, KEY, HEADER)
    assert box.is_sealed(sealed) and secret not in sealed and secret.strip() not in sealed
    opened = box.parse(sealed)
    assert (opened.purpose, opened.protector) == ("audit.key", box.PASSPHRASE)
    assert box.open_sealed(opened, KEY) == secret


def test_a_plain_key_file_is_not_taken_for_a_sealed_one() -> None:
    assert not box.is_sealed(secrets.token_hex(32).encode())
    with pytest.raises(box.Damaged):
        box.parse(b"ed25519:abc\n")


def test_another_key_is_a_wrong_key_not_damage() -> None:
    with pytest.raises(box.WrongKey):
        box.open_sealed(box.parse(box.seal(b"x" * 32, KEY, HEADER)), secrets.token_bytes(16))


def test_any_changed_ciphertext_byte_is_damage() -> None:
    sealed = box.seal(b"y" * 65, KEY, HEADER)
    document = json.loads(sealed[len(box.MARKER) :])
    for i in (0, len(document["sealed"]) // 2, len(document["sealed"]) - 1):  # payload, middle, tag
        hexed = document["sealed"]
        document["sealed"] = hexed[:i] + ("0" if hexed[i] != "0" else "1") + hexed[i + 1 :]
        with pytest.raises(box.Damaged):
            box.open_sealed(box.parse(box.MARKER + json.dumps(document).encode()), KEY)
        document["sealed"] = hexed


def test_a_relabelled_purpose_does_not_open() -> None:
    document = json.loads(box.seal(b"z" * 65, KEY, HEADER)[len(box.MARKER) :])
    document["purpose"] = "center.key"
    with pytest.raises(box.Damaged):
        box.open_sealed(box.parse(box.MARKER + json.dumps(document).encode()), KEY)


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[]", b'{"purpose": "audit.key"}', b'{"cipher": "AES", "nonce": "00", "sealed": "00"}'],
)
def test_garbage_after_the_marker_is_damage(body: bytes) -> None:
    with pytest.raises(box.Damaged):
        box.parse(box.MARKER + body)
