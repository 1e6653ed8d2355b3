"""`secops keys export-private|import-private`: a key pair moves between workspaces, OpenSSL and back
with the same key id, and files encrypted to it open; any bad input is one clear error (exit 2), no
traceback and nothing written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import Result

from tests.cli.test_cli_data_encrypt import make_workspace, secops
from tests.unit.data.seal.test_pkcs8 import openssl_scalar, openssl_sm2_or_skip, run

PASSPHRASE = "the office passphrase"


def own_keys(workspace: Path) -> dict[str, str]:
    listed = json.loads(secops(workspace, "keys", "list", "--format", "json").stdout)
    return {row["name"]: row["key_id"] for row in listed}


def nothing_stored(workspace: Path) -> bool:
    folder = workspace / "keys"
    return own_keys(workspace) == {} and (not folder.exists() or not list(folder.iterdir()))


def refused(result: Result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output, result.output


@pytest.fixture
def school(tmp_path: Path) -> Path:
    made = make_workspace(tmp_path / "school", "4111010001", "一中")
    assert secops(made, "keys", "new", "本校").exit_code == 0
    return made


@pytest.fixture
def other(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "other", "4111010002", "二中")


def secret(tmp_path: Path, text: str, name: str = "pass.txt") -> Path:
    path = tmp_path / name
    path.write_text(text + "\n", encoding="utf-8")
    return path


def test_export_then_import_gives_the_same_key_and_it_decrypts(school: Path, other: Path, tmp_path: Path) -> None:
    pem = tmp_path / "school.key.pem"
    done = secops(school, "keys", "export-private", "本校", "-o", str(pem))
    assert done.exit_code == 0, done.output
    assert "NOT encrypted" in done.output and "BEGIN" not in done.output  # the key is in the file only
    assert pem.read_text().startswith("-----BEGIN PRIVATE KEY-----\n")
    assert pem.stat().st_mode & 0o777 == 0o600
    imported = secops(other, "keys", "import-private", "一中", str(pem))
    assert imported.exit_code == 0, imported.output
    assert own_keys(other)["一中"] == own_keys(school)["本校"]
    assert json.loads(secops(other, "keys", "list", "--format", "json").stdout)[0]["kind"] == "own"
    assert (other / "keys" / f"{own_keys(other)['一中']}.sm2").stat().st_mode & 0o777 == 0o600
    # a file encrypted (in a third place) to the school's public key opens in the other workspace
    plain = tmp_path / "roster.csv"
    plain.write_text("姓名,身份证号\n张三,110101200001011234\n", encoding="utf-8")
    sealed = tmp_path / "roster.csv.seal"
    assert secops(school, "data", "encrypt", str(plain), "-o", str(sealed), "--recipient", "本校").exit_code == 0
    out = tmp_path / "opened.csv"
    opened = secops(other, "data", "decrypt", str(sealed), "-o", str(out))
    assert opened.exit_code == 0, opened.output
    assert out.read_bytes() == plain.read_bytes()


def test_encrypted_export_sealed_store_and_sealed_import(school: Path, other: Path, tmp_path: Path) -> None:
    out_pass = secret(tmp_path, PASSPHRASE, "out.txt")
    store_pass = secret(tmp_path, "store passphrase 2", "store.txt")
    pem = tmp_path / "k.pem"
    done = secops(school, "keys", "export-private", "本校", "-o", str(pem), "--out-passphrase-file", str(out_pass))
    assert done.exit_code == 0, done.output
    assert pem.read_text().startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----\n")
    refused(
        secops(other, "keys", "import-private", "一中", str(pem)), "encrypted with a passphrase", "--in-passphrase-file"
    )
    wrong = secret(tmp_path, "not the passphrase", "wrong.txt")
    refused(
        secops(other, "keys", "import-private", "一中", str(pem), "--in-passphrase-file", str(wrong)),
        "passphrase does not open",
    )
    assert nothing_stored(other)
    # imported sealed with another passphrase: the store now wants that one
    imported = secops(
        other, "keys", "import-private", "一中", str(pem),
        "--in-passphrase-file", str(out_pass), "--passphrase-file", str(store_pass),
    )  # fmt: skip
    assert imported.exit_code == 0, imported.output
    again = tmp_path / "again.pem"
    refused(secops(other, "keys", "export-private", "一中", "-o", str(again)), "protected by a passphrase")
    wrong_store = ["--passphrase-file", str(wrong)]
    refused(secops(other, "keys", "export-private", "一中", "-o", str(again), *wrong_store), "wrong passphrase")
    assert not again.exists()
    done = secops(other, "keys", "export-private", "一中", "-o", str(again), "--passphrase-file", str(store_pass))
    assert done.exit_code == 0, done.output
    first = secops(school, "keys", "export-private", "本校", "-o", "-").stdout
    assert again.read_text() == first  # the same key, the same bytes (PKCS#8 is deterministic)


def test_stdout_only_when_asked_and_no_silent_overwrite(school: Path, tmp_path: Path) -> None:
    missing = secops(school, "keys", "export-private", "本校")
    refused(missing, "-o")
    assert "PRIVATE KEY" not in missing.output
    printed = secops(school, "keys", "export-private", "本校", "-o", "-")
    assert printed.exit_code == 0 and printed.stdout.startswith("-----BEGIN PRIVATE KEY-----\n")
    pem = tmp_path / "k.pem"
    pem.write_text("keep me")
    refused(secops(school, "keys", "export-private", "本校", "-o", str(pem)), "already exists", "--force")
    assert pem.read_text() == "keep me"
    pem.chmod(0o644)
    assert secops(school, "keys", "export-private", "本校", "-o", str(pem), "--force").exit_code == 0
    assert pem.read_text().startswith("-----BEGIN PRIVATE KEY-----") and pem.stat().st_mode & 0o777 == 0o600
    short = secret(tmp_path, "short")
    refused(
        secops(
            school, "keys", "export-private", "本校", "-o", str(tmp_path / "x.pem"), "--out-passphrase-file", str(short)
        ),
        "at least 8",
    )
    refused(secops(school, "keys", "export-private", "某局", "-o", str(tmp_path / "y.pem")), "no key named 某局")
    assert not (tmp_path / "x.pem").exists() and not (tmp_path / "y.pem").exists()


def test_a_recipients_key_has_no_private_half_to_export(school: Path, other: Path, tmp_path: Path) -> None:
    pub = tmp_path / "school.pub.pem"
    assert secops(school, "keys", "export-public", "本校", "-o", str(pub)).exit_code == 0
    assert secops(other, "keys", "import-public", "一中", str(pub)).exit_code == 0
    out = tmp_path / "k.pem"
    refused(secops(other, "keys", "export-private", "一中", "-o", str(out)), "recipient's public key")
    assert not out.exists()


def test_the_same_key_twice_is_refused_and_the_private_half_kept(school: Path, tmp_path: Path) -> None:
    pem = tmp_path / "k.pem"
    assert secops(school, "keys", "export-private", "本校", "-o", str(pem)).exit_code == 0
    stored = school / "keys" / f"{own_keys(school)['本校']}.sm2"
    before = stored.read_bytes()
    refused(secops(school, "keys", "import-private", "又一个", str(pem)), "already known")
    assert stored.read_bytes() == before and own_keys(school) == {"本校": own_keys(school)["本校"]}


def test_openssl_keys_come_in_and_files_encrypted_to_them_open(other: Path, tmp_path: Path) -> None:
    openssl = openssl_sm2_or_skip()
    sender = make_workspace(tmp_path / "sender", "4111010009", "三中")
    plain = tmp_path / "scores.csv"
    plain.write_text("学号,成绩\n1,98\n", encoding="utf-8")
    out_pass = secret(tmp_path, PASSPHRASE, "p.txt")
    genpkey = tmp_path / "genpkey.pem"
    genpkey.write_bytes(run(openssl, "genpkey", "-algorithm", "SM2"))
    sec1 = tmp_path / "sec1.pem"  # SEC1 as `ecparam -name SM2 -genkey` writes it (OpenSSL 1.1, GmSSL 2)
    params = run(openssl, "ecparam", "-name", "SM2").replace(b"SM2 PARAMETERS", b"EC PARAMETERS")
    sec1.write_bytes(params + run(openssl, "ec", "-in", str(genpkey)).replace(b"SM2 PRIVATE KEY", b"EC PRIVATE KEY"))
    sec1_other = tmp_path / "sec1b.pem"
    sec1_other.write_bytes(
        run(openssl, "ec", stdin=run(openssl, "ecparam", "-name", "SM2", "-genkey")).replace(b"SM2 PRIV", b"EC PRIV")
    )
    encrypted = tmp_path / "enc.pem"  # PBES2, PBKDF2-HMAC-SHA256 and AES-256-CBC
    encrypted.write_bytes(
        run(openssl, "pkcs8", "-topk8", "-passout", f"file:{out_pass}", "-v2", "aes-256-cbc",
            stdin=run(openssl, "genpkey", "-algorithm", "SM2"))
    )  # fmt: skip
    unlock = ["-passin", f"file:{out_pass}"]
    cases = [
        ("甲", genpkey, [], []),
        ("乙", sec1_other, [], []),
        ("丙", encrypted, ["--in-passphrase-file", str(out_pass)], unlock),
    ]
    for name, pem, extra, openssl_extra in cases:
        imported = secops(other, "keys", "import-private", name, str(pem), *extra)
        assert imported.exit_code == 0, imported.output
        pub = tmp_path / f"{name}.pub.pem"
        pub.write_bytes(run(openssl, "pkey", "-in", str(pem), "-pubout", *openssl_extra))
        assert secops(sender, "keys", "import-public", name, str(pub)).exit_code == 0
        assert own_keys(sender)[name] == own_keys(other)[name]
        sealed = tmp_path / f"{name}.seal"
        assert secops(sender, "data", "encrypt", str(plain), "-o", str(sealed), "--recipient", name).exit_code == 0
        out = tmp_path / f"{name}.csv"
        opened = secops(other, "data", "decrypt", str(sealed), "-o", str(out))
        assert opened.exit_code == 0, opened.output
        assert out.read_bytes() == plain.read_bytes()
    # the SEC1 file is the genpkey key again: already known
    refused(secops(other, "keys", "import-private", "丁", str(sec1)), "already known")
    # and the export of an imported key is the scalar OpenSSL generated
    back = tmp_path / "back.pem"
    assert secops(other, "keys", "export-private", "甲", "-o", str(back)).exit_code == 0
    assert openssl_scalar(openssl, back) == openssl_scalar(openssl, genpkey)


def test_openssl_decrypts_our_encrypted_export(school: Path, tmp_path: Path) -> None:
    openssl = openssl_sm2_or_skip()
    out_pass = secret(tmp_path, PASSPHRASE)
    sealed, plain = tmp_path / "k.enc.pem", tmp_path / "k.pem"
    assert secops(school, "keys", "export-private", "本校", "-o", str(plain)).exit_code == 0
    done = secops(school, "keys", "export-private", "本校", "-o", str(sealed), "--out-passphrase-file", str(out_pass))
    assert done.exit_code == 0, done.output
    assert openssl_scalar(openssl, sealed, "-passin", f"file:{out_pass}") == openssl_scalar(openssl, plain)


def test_bad_inputs_are_one_clear_error_and_nothing_is_written(school: Path, other: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.pem"
    assert secops(school, "keys", "export-private", "本校", "-o", str(good)).exit_code == 0
    text = good.read_text()
    body = "".join(text.splitlines()[1:-1])
    cases: dict[str, tuple[bytes, str]] = {
        "not-pem": (b"hello, this is a roster\n", "not a PEM private key"),
        "public": (b"-----BEGIN PUBLIC KEY-----\nAA==\n-----END PUBLIC KEY-----\n", "public key"),
        "truncated": (
            f"-----BEGIN PRIVATE KEY-----\n{body[:100]}\n-----END PRIVATE KEY-----\n".encode(),
            "damaged or truncated",
        ),
        "cut-file": (text[: len(text) // 2].encode(), "not a PEM private key"),
        "huge": (text.encode() + b"#" * (70 * 1024), "larger than 64 KiB"),
    }
    openssl = shutil.which("openssl")
    if openssl is not None:
        cases["p256"] = (run(openssl, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"), "P-256")
        cases["rsa"] = (
            run(openssl, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"),
            "RSA, not SM2",
        )
    for name, (content, message) in cases.items():
        pem = tmp_path / f"{name}.pem"
        pem.write_bytes(content)
        refused(secops(other, "keys", "import-private", name, str(pem)), message, "not a usable SM2 private key")
    refused(secops(other, "keys", "import-private", "无", str(tmp_path / "missing.pem")), "cannot read")
    refused(secops(other, "keys", "import-private", "目录", str(tmp_path)), "")
    assert nothing_stored(other)


def test_the_gmssl_layout_round_trips(school: Path, other: Path, tmp_path: Path) -> None:
    out_pass = secret(tmp_path, PASSPHRASE)
    pem = tmp_path / "k.gmssl.pem"
    done = secops(
        school, "keys", "export-private", "本校", "-o", str(pem), "--gmssl", "--out-passphrase-file", str(out_pass)
    )
    assert done.exit_code == 0, done.output
    assert pem.read_text().startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----\n")
    imported = secops(other, "keys", "import-private", "一中", str(pem), "--in-passphrase-file", str(out_pass))
    assert imported.exit_code == 0, imported.output
    assert own_keys(other)["一中"] == own_keys(school)["本校"]
