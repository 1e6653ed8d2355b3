"""SM2 private keys as PEM: byte for byte what OpenSSL 3 writes, read back by OpenSSL, and every
layout OpenSSL and GmSSL write read here; anything else one KeyFileError that says what it is."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from secops.data.seal import pkcs8
from secops.data.seal.pkcs8 import KeyFileError, PassphraseNeeded, WrongPassphrase
from secops.data.seal.sm2 import SM2P256V1, PrivateKey, generate_private_key

PASSPHRASE = "correct horse 电池"


def openssl_sm2_or_skip() -> str:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is not installed (Debian's openssl package)")
    probe = subprocess.run([openssl, "genpkey", "-algorithm", "SM2"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("this openssl has no SM2 (OpenSSL 3 built without SM2)")
    return openssl


def run(*args: str, stdin: bytes | None = None) -> bytes:
    return subprocess.run(list(args), check=True, capture_output=True, input=stdin).stdout


def openssl_scalar(openssl: str, pem: Path, *extra: str) -> int:
    """The private scalar as `openssl pkey -text -noout` shows it."""
    text = run(openssl, "pkey", "-in", str(pem), "-text", "-noout", *extra).decode()
    found = re.search(r"priv:\s*\n((?:\s+[0-9a-f:]+\n)+)", text)
    assert found is not None, text
    return int(re.sub(r"[\s:]", "", found.group(1)), 16)


def pem(label: str, der: bytes) -> bytes:
    return pkcs8._pem(label, der).encode()


def der_of(text: bytes) -> bytes:
    return base64.b64decode(b"".join(text.split(b"-----")[2].split()))


# --- what we write, OpenSSL reads ---


def test_our_pkcs8_is_byte_for_byte_what_openssl_genpkey_writes(tmp_path: Path) -> None:
    openssl = openssl_sm2_or_skip()
    theirs = run(openssl, "genpkey", "-algorithm", "SM2")
    key = pkcs8.from_pem(theirs)
    assert pkcs8.to_pem(key).encode() == theirs


def test_openssl_reads_our_export_plain_and_encrypted(tmp_path: Path) -> None:
    openssl = openssl_sm2_or_skip()
    key = generate_private_key()
    plain, sealed, secret = tmp_path / "k.pem", tmp_path / "k.enc.pem", tmp_path / "pass.txt"
    plain.write_text(pkcs8.to_pem(key))
    sealed.write_text(pkcs8.to_encrypted_pem(key, PASSPHRASE))
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    assert sealed.read_text().startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----\n")
    assert openssl_scalar(openssl, plain) == key.d
    assert openssl_scalar(openssl, sealed, "-passin", f"file:{secret}") == key.d
    parsed = run(openssl, "asn1parse", "-in", str(sealed)).decode()
    assert ":PBES2" in parsed and ":scrypt" in parsed and ":sm4-cbc" in parsed
    # and OpenSSL's public half is ours
    ours_pub = run(openssl, "pkey", "-in", str(plain), "-pubout")
    from secops.data.seal import spki

    assert spki.from_pem(ours_pub) == key.public_key()
    secret.write_text("not the passphrase\n")
    wrong = subprocess.run(
        [openssl, "pkey", "-in", str(sealed), "-passin", f"file:{secret}", "-noout"], capture_output=True
    )
    assert wrong.returncode != 0


def test_round_trip_here() -> None:
    key = generate_private_key()
    assert pkcs8.from_pem(pkcs8.to_pem(key).encode()) == key
    sealed = pkcs8.to_encrypted_pem(key, PASSPHRASE).encode()
    assert pkcs8.from_pem(sealed, PASSPHRASE) == key
    with pytest.raises(PassphraseNeeded):
        pkcs8.from_pem(sealed)
    with pytest.raises(WrongPassphrase):
        pkcs8.from_pem(sealed, PASSPHRASE + "x")


def test_the_gmssl_layout_is_what_gmssl_3_writes_and_openssl_reads_its_plain_form(tmp_path: Path) -> None:
    key = generate_private_key()
    # the ECPrivateKey names its curve in [0] (GmSSL 3.1 requires it)
    inner = pkcs8._items(pkcs8._items(pkcs8._one(pkcs8.private_key_info(key, gmssl=True), 0x30))[2][1])
    assert [tag for tag, _content in pkcs8._items(inner[0][1])] == [0x02, 0x04, 0xA0, 0xA1]
    plain = pkcs8.to_pem(key, gmssl=True)
    assert pkcs8.from_pem(plain.encode()) == key
    sealed = pkcs8.to_encrypted_pem(key, PASSPHRASE, gmssl=True)
    assert pkcs8.from_pem(sealed.encode(), PASSPHRASE) == key
    # PBES2 { PBKDF2 { salt, iterations, keyLength 16, SEQUENCE { hmac-sm3 } (no NULL) }, SM4-CBC }
    algorithm = pkcs8._items(pkcs8._one(der_of(sealed.encode()), 0x30))[0][1]
    kdf, scheme = (content for _tag, content in pkcs8._items(pkcs8._algorithm(algorithm)[1][1]))  # type: ignore[index]
    oid, parameters = pkcs8._algorithm(kdf)
    assert oid == "1.2.840.113549.1.5.12" and parameters is not None
    salt, iterations, length, prf = pkcs8._items(parameters[1])
    assert len(salt[1]) == 16 and pkcs8._uint(iterations[1]) == pkcs8.PBKDF2_ITERATIONS and length == (0x02, b"\x10")
    assert prf == (0x30, pkcs8._oid("1.2.156.10197.1.401.2"))
    assert pkcs8._algorithm(scheme)[0] == "1.2.156.10197.1.104.2"
    openssl = openssl_sm2_or_skip()
    path = tmp_path / "g.pem"
    path.write_text(plain)
    assert openssl_scalar(openssl, path) == key.d


# --- what OpenSSL and GmSSL write, we read ---


def test_we_read_every_layout_openssl_writes(tmp_path: Path) -> None:
    openssl = openssl_sm2_or_skip()
    source = tmp_path / "k.pem"
    source.write_bytes(run(openssl, "genpkey", "-algorithm", "SM2"))
    d = openssl_scalar(openssl, source)
    assert pkcs8.from_pem(source.read_bytes()).d == d
    # SEC1 (`openssl ec` writes it as SM2 PRIVATE KEY; OpenSSL 1.1 and GmSSL 2 as EC PRIVATE KEY after
    # an EC PARAMETERS block, which is what `ecparam -name SM2 -genkey` wrote there)
    sec1 = run(openssl, "ec", "-in", str(source))
    assert b"-----BEGIN SM2 PRIVATE KEY-----" in sec1
    assert pkcs8.from_pem(sec1).d == d
    params = run(openssl, "ecparam", "-name", "SM2").replace(b"SM2 PARAMETERS", b"EC PARAMETERS")
    assert pkcs8.from_pem(params + sec1.replace(b"SM2 PRIVATE KEY", b"EC PRIVATE KEY")).d == d
    # OpenSSL 3's ecparam -genkey: SM2 PARAMETERS, then PKCS#8
    both = run(openssl, "ecparam", "-name", "SM2", "-genkey")
    assert both.startswith(b"-----BEGIN SM2 PARAMETERS-----")
    pkcs8.from_pem(both)
    secret = tmp_path / "pass.txt"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    for options in (
        ["-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA256"],
        ["-v2", "sm4-cbc"],
        ["-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA1"],
        ["-scrypt", "-v2", "sm4-cbc"],
        ["-scrypt", "-v2", "aes-256-cbc"],
    ):
        sealed = run(openssl, "pkcs8", "-topk8", "-in", str(source), "-passout", f"file:{secret}", *options)
        assert sealed.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----"), options
        assert pkcs8.from_pem(sealed, PASSPHRASE).d == d, options
        with pytest.raises(WrongPassphrase):
            pkcs8.from_pem(sealed, "another passphrase")


def _pbes2(info: bytes, passphrase: str, prf_oid: str, iterations: int = 10_000) -> bytes:
    """EncryptedPrivateKeyInfo with PBKDF2 and SM4-CBC, as GmSSL 3 writes it (HMAC-SM3)."""
    der, oid = pkcs8._der, pkcs8._oid
    salt, iv = secrets.token_bytes(8), secrets.token_bytes(16)
    key = hashlib.pbkdf2_hmac("sm3", passphrase.encode(), salt, iterations, dklen=16)
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.SM4(key), modes.CBC(iv)).encryptor()
    sealed = encryptor.update(padder.update(info) + padder.finalize()) + encryptor.finalize()
    prf = der(0x30, oid(prf_oid) + der(0x05, b""))
    kdf = der(0x30, oid("1.2.840.113549.1.5.12") + der(0x30, der(0x04, salt) + pkcs8._int(iterations) + prf))
    scheme = der(0x30, oid("1.2.156.10197.1.104.2") + der(0x04, iv))
    algorithm = der(0x30, oid("1.2.840.113549.1.5.13") + der(0x30, kdf + scheme))
    return pem("ENCRYPTED PRIVATE KEY", der(0x30, algorithm + der(0x04, sealed)))


@pytest.mark.parametrize("prf", ["1.2.156.10197.1.401.2", "1.2.156.10197.1.401.3.1"])
def test_we_read_gmssl_pbkdf2_hmac_sm3_with_sm4_cbc(prf: str) -> None:
    key = generate_private_key()
    sealed = _pbes2(pkcs8.private_key_info(key), PASSPHRASE, prf)
    assert pkcs8.from_pem(sealed, PASSPHRASE) == key
    with pytest.raises(WrongPassphrase):
        pkcs8.from_pem(sealed, "wrong passphrase")


def test_a_sec1_key_with_a_compressed_public_key_and_a_short_scalar() -> None:
    d = 0x1234  # encoders that strip leading zeros write a short OCTET STRING
    key = PrivateKey(d)
    x, y = key.public_key().point
    compressed = bytes([2 + (y & 1)]) + x.to_bytes(32, "big")
    der, oid = pkcs8._der, pkcs8._oid
    body = pkcs8._int(1) + der(0x04, d.to_bytes(2, "big")) + der(0xA0, oid("1.2.156.10197.1.301"))
    body += der(0xA1, der(0x03, b"\x00" + compressed))
    assert pkcs8.from_pem(pem("EC PRIVATE KEY", der(0x30, body))) == key


# --- anything else: one KeyFileError that says what ---


def _ec_key(d: int, *, public: bytes | None = None, curve: str = "1.2.156.10197.1.301") -> bytes:
    der, oid = pkcs8._der, pkcs8._oid
    inner = pkcs8._int(1) + der(0x04, d.to_bytes(32, "big"))
    if public is not None:
        inner += der(0xA1, der(0x03, b"\x00" + public))
    algorithm = der(0x30, oid("1.2.840.10045.2.1") + oid(curve))
    return pem("PRIVATE KEY", der(0x30, pkcs8._int(0) + algorithm + der(0x04, der(0x30, inner))))


def test_scalars_out_of_range_and_a_public_key_of_another_scalar_are_refused() -> None:
    for d in (0, SM2P256V1.n - 1, SM2P256V1.n, 2**256 - 1):
        with pytest.raises(KeyFileError, match="out of range"):
            pkcs8.from_pem(_ec_key(d))
    assert pkcs8.from_pem(_ec_key(SM2P256V1.n - 2)).d == SM2P256V1.n - 2
    other = generate_private_key().public_key().to_bytes()
    with pytest.raises(KeyFileError, match="not the one of its private scalar"):
        pkcs8.from_pem(_ec_key(12345, public=other))
    assert pkcs8.from_pem(_ec_key(12345, public=PrivateKey(12345).public_key().to_bytes())).d == 12345
    # RFC 5958 OneAsymmetricKey (version 1) may carry the public key once more, in [1] of the wrapper
    der = der_of(_ec_key(12345))
    body = pkcs8._one(der, 0x30)
    for point, ok in ((PrivateKey(12345).public_key().to_bytes(), True), (other, False)):
        v2 = pem("PRIVATE KEY", pkcs8._der(0x30, pkcs8._int(1) + body[3:] + pkcs8._der(0x81, b"\x00" + point)))
        if ok:
            assert pkcs8.from_pem(v2).d == 12345
        else:
            with pytest.raises(KeyFileError, match="not the one of its private scalar"):
                pkcs8.from_pem(v2)


def test_other_curves_and_algorithms_are_named(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match=r"P-256 \(prime256v1\), not SM2"):
        pkcs8.from_pem(_ec_key(5, curve="1.2.840.10045.3.1.7"))
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is not installed (Debian's openssl package)")
    p256 = run(openssl, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256")
    with pytest.raises(KeyFileError, match="P-256"):
        pkcs8.from_pem(p256)
    with pytest.raises(KeyFileError, match="P-256"):  # SEC1, the curve in [0]
        pkcs8.from_pem(run(openssl, "ec", stdin=p256))
    rsa = run(openssl, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024")
    with pytest.raises(KeyFileError, match="RSA, not SM2"):
        pkcs8.from_pem(rsa)
    with pytest.raises(KeyFileError, match="Ed25519, not SM2"):
        pkcs8.from_pem(run(openssl, "genpkey", "-algorithm", "ED25519"))
    with pytest.raises(KeyFileError, match="RSA PRIVATE KEY, not an SM2"):
        pkcs8.from_pem(rsa.replace(b"PRIVATE KEY", b"RSA PRIVATE KEY"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"", "not a PEM private key"),
        (b"d" * 64, "not a PEM private key"),
        (b"\x30\x81\x87\x02\x01\x00", "not a PEM private key"),  # DER, not PEM
        (b"-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n", "not a PEM private key"),  # no END line
        (b"-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n", "not valid base64"),
        (b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "public key or certificate"),
        (
            b"-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n"
            b"-----END EC PRIVATE KEY-----\n",
            "legacy encrypted",
        ),
        (b"x" * (64 * 1024 + 1), "larger than 64 KiB"),
    ],
)
def test_not_a_key_file(text: bytes, message: str) -> None:
    with pytest.raises(KeyFileError, match=message):
        pkcs8.from_pem(text)


def test_every_truncation_and_damage_of_the_der_is_one_clear_error() -> None:
    key = generate_private_key()
    for made in (pkcs8.to_pem(key).encode(), pkcs8.to_encrypted_pem(key, PASSPHRASE).encode()):
        label = made.split(b"-----")[1].decode().removeprefix("BEGIN ")
        der = der_of(made)
        for cut in range(len(der)):
            with pytest.raises(KeyFileError):
                pkcs8.from_pem(pem(label, der[:cut]), PASSPHRASE)
        with pytest.raises(KeyFileError, match="damaged"):
            pkcs8.from_pem(pem(label, der + b"\x00"), PASSPHRASE)  # trailing bytes
        with pytest.raises(KeyFileError):  # a length in a non-minimal form
            pkcs8.from_pem(pem(label, b"\x30\x82\x00" + der[2:]), PASSPHRASE)


def test_a_hostile_kdf_cost_is_refused_before_it_is_run() -> None:
    der, oid, integer = pkcs8._der, pkcs8._oid, pkcs8._int
    scheme = der(0x30, oid("1.2.156.10197.1.104.2") + der(0x04, bytes(16)))
    scrypt, pbkdf2 = oid("1.3.6.1.4.1.11591.4.11"), oid("1.2.840.113549.1.5.12")
    costly = [
        ("scrypt cost", scrypt + der(0x30, der(0x04, b"salt") + integer(2**24) + integer(8) + integer(1))),  # 2 GiB
        ("scrypt cost", scrypt + der(0x30, der(0x04, b"salt") + integer(2**16) + integer(8) + integer(16))),  # 16 x
        ("iteration count", pbkdf2 + der(0x30, der(0x04, b"salt") + integer(2**31))),
    ]
    for message, kdf in costly:
        algorithm = der(0x30, oid("1.2.840.113549.1.5.13") + der(0x30, der(0x30, kdf) + scheme))
        sealed = pem("ENCRYPTED PRIVATE KEY", der(0x30, algorithm + der(0x04, bytes(160))))
        with pytest.raises(KeyFileError, match=message):
            pkcs8.from_pem(sealed, PASSPHRASE)
