"""SM2 encryption against the standard's worked example and against OpenSSL 3, both directions."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from secops.data.seal import sm2
from secops.data.seal.sm2 import SM2P256V1, Curve, PrivateKey, PublicKey, SM2Error

# GB/T 32918.4-2016 (GM/T 0003.4-2012) Annex A: the Fp-256 example curve, key and random k
ANNEX_CURVE = Curve(
    name="annex-fp256",
    p=0x8542D69E4C044F18E8B92435BF6FF7DE457283915C45517D722EDB8B08F1DFC3,
    a=0x787968B4FA32C3FD2417842E73BBFEFF2F3C848B6831D7E0EC65228B3937E498,
    b=0x63E4C6D3B23B0C849CF84241484BFE48F61D59A5B16BA06E6E12D1DA27C5249A,
    n=0x8542D69E4C044F18E8B92435BF6FF7DD297720630485628D5AE74EE7C32E79B7,
    gx=0x421DEBD61B62EAB6746434EBC3CC315E32220B3BADD50BDC4C4E6C147FEDD43D,
    gy=0x0680512BCBB42C07D47349D2153B70C4E5D7FDFCBFA36EA1A85841B9E46E09A2,
)
ANNEX_D = 0x1649AB77A00637BD5E2EFE283FBF353534AA7F7CB89463F208DDBC2920BB0DA0
ANNEX_K = 0x4C62EEFD6ECFC2B95B92FD6C3D9575148AFA17425546D49018E5388D49DD7B4F
ANNEX_C1 = (
    "04245C26FB68B1DDDDB12C4B6BF9F2B6D5FE60A383B0D18D1C4144ABF17F6252E7"
    "76CB9264C2A7E88E52B19903FDC47378F605E36811F5C07423A24B84400F01B8"
)
ANNEX_C3 = "9C3D7360C30156FAB7C80A0276712DA9D8094A634B766D3A285E07480653426D"
ANNEX_C2 = "650053A89B41C418B0C3AAD00D886C00286467"


def test_the_standards_worked_example() -> None:
    private = PrivateKey(ANNEX_D, ANNEX_CURVE)
    public = private.public_key()
    assert public.point == (
        0x435B39CCA8F3B508C1488AFC67BE491A0F7BA07E581A0E4849A5CF70628A7E0A,
        0x75DDBA78F15FEECB4C7895E2C1CDF5FE01DEBB2CDBADF45399CCF77BBA076A42,
    )
    ciphertext = sm2.encrypt(public, b"encryption standard", k=ANNEX_K)
    assert ciphertext.hex().upper() == ANNEX_C1 + ANNEX_C3 + ANNEX_C2
    assert sm2.decrypt(private, ciphertext) == b"encryption standard"


def test_the_recommended_curve_generator_has_the_stated_order() -> None:
    assert SM2P256V1.contains((SM2P256V1.gx, SM2P256V1.gy))
    assert sm2.multiply(SM2P256V1, SM2P256V1.n, (SM2P256V1.gx, SM2P256V1.gy)) is None


@pytest.mark.parametrize("size", [0, 1, 16, 32, 33, 100])
def test_round_trips_on_the_recommended_curve(size: int) -> None:
    private = sm2.generate_private_key()
    message = bytes(range(size % 256)) * (size // 256 + 1)
    message = message[:size]
    ciphertext = sm2.encrypt(private.public_key(), message)
    assert len(ciphertext) == 65 + 32 + size
    assert sm2.decrypt(private, ciphertext) == message
    assert sm2.decrypt(private, sm2.from_der(sm2.to_der(ciphertext))) == message


def test_a_wrong_key_or_any_modified_byte_is_refused_alike() -> None:
    private, other = sm2.generate_private_key(), sm2.generate_private_key()
    ciphertext = sm2.encrypt(private.public_key(), bytes(16))
    with pytest.raises(SM2Error, match="not an SM2 ciphertext of this key"):
        sm2.decrypt(other, ciphertext)
    for position in (0, 1, 40, 64, 65, 80, 96, 97, len(ciphertext) - 1):
        changed = bytearray(ciphertext)
        changed[position] ^= 0x01
        with pytest.raises(SM2Error):
            sm2.decrypt(private, bytes(changed))
    for cut in (0, 64, 96, len(ciphertext) - 1):
        with pytest.raises(SM2Error):
            sm2.decrypt(private, ciphertext[:cut])


def test_keys_round_trip_and_bad_ones_are_refused() -> None:
    private = sm2.generate_private_key()
    assert PrivateKey.from_bytes(private.to_bytes()) == private
    public = private.public_key()
    assert PublicKey.from_bytes(public.to_bytes()) == public
    off_curve = bytearray(public.to_bytes())
    off_curve[-1] ^= 1
    with pytest.raises(ValueError):
        PublicKey.from_bytes(bytes(off_curve))
    with pytest.raises(ValueError):
        PrivateKey.from_bytes(b"\x00" * 32)


def _openssl_or_skip() -> str:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is not installed (Debian's openssl package)")
    return openssl


def _openssl_key(openssl: str, folder: Path) -> tuple[Path, Path, PrivateKey]:
    pem, pub = folder / "sm2.pem", folder / "sm2.pub.pem"
    subprocess.run([openssl, "genpkey", "-algorithm", "SM2", "-out", str(pem)], check=True, capture_output=True)
    subprocess.run([openssl, "pkey", "-in", str(pem), "-pubout", "-out", str(pub)], check=True, capture_output=True)
    text = subprocess.run(
        [openssl, "pkey", "-in", str(pem), "-text", "-noout"], check=True, capture_output=True, text=True
    ).stdout
    found = re.search(r"priv:\s*((?:[0-9a-f]{2}:?\s*)+)pub:", text)
    assert found is not None, text
    raw = bytes.fromhex(re.sub(r"[^0-9a-f]", "", found.group(1)))
    return pem, pub, PrivateKey.from_bytes(raw.rjust(32, b"\x00")[-32:])


def test_openssl_decrypts_ours_and_we_decrypt_openssls(tmp_path: Path) -> None:
    openssl = _openssl_or_skip()
    pem, pub, private = _openssl_key(openssl, tmp_path)
    message = b"\xe5\xad\xa6\xe7\x94\x9f\xe5\x90\x8d\xe5\x8d\x95 content key 0123456789abcdef"
    ours = tmp_path / "ours.der"
    ours.write_bytes(sm2.to_der(sm2.encrypt(private.public_key(), message)))
    theirs = subprocess.run(
        [openssl, "pkeyutl", "-decrypt", "-inkey", str(pem), "-in", str(ours)], check=True, capture_output=True
    ).stdout
    assert theirs == message
    plain, sealed = tmp_path / "plain.bin", tmp_path / "sealed.der"
    plain.write_bytes(message)
    subprocess.run(
        [openssl, "pkeyutl", "-encrypt", "-pubin", "-inkey", str(pub), "-in", str(plain), "-out", str(sealed)],
        check=True,
        capture_output=True,
    )
    assert sm2.decrypt(private, sm2.from_der(sealed.read_bytes())) == message


def test_public_keys_travel_as_pem_that_openssl_reads_and_writes(tmp_path: Path) -> None:
    from secops.data.seal import spki

    openssl = _openssl_or_skip()
    _pem, pub, private = _openssl_key(openssl, tmp_path)
    assert spki.from_pem(pub.read_bytes()) == private.public_key()
    ours = tmp_path / "ours.pub.pem"
    ours.write_text(spki.to_pem(private.public_key()))
    shown = subprocess.run(
        [openssl, "pkey", "-pubin", "-in", str(ours), "-text", "-noout"], check=True, capture_output=True, text=True
    ).stdout
    assert "SM2" in shown
    assert spki.from_pem(private.public_key().to_bytes().hex().encode()) == private.public_key()
    for bad in (b"", b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", b"04" + b"00" * 64):
        with pytest.raises(ValueError):
            spki.from_pem(bad)
