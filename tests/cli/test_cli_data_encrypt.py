"""`secops keys` and `secops data encrypt|decrypt`: a roster encrypted for two offices opens for each
of them and for no one else; any modified byte, a truncation, a wrong or revoked key, a file that is
not ours: one clear error, exit 2, and no output file."""

from __future__ import annotations

import csv
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from secops.cli.main import cli
from secops.data.watermark.roster import HEADER, roster_rows
from secops.workspace import init_workspace

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)


def make_workspace(path: Path, code: str, name: str) -> Path:
    init_workspace(path, school_code=code, school_name=name, scope=["10.20.0.0/16"], database=None, now=NOW)
    return path


def secops(workspace: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, ["--workspace", str(workspace), *args], catch_exceptions=False, env=env)


@pytest.fixture
def offices(tmp_path: Path) -> dict[str, Path]:
    """A school and two offices; each office made its key and gave the school the public half."""
    places = {
        "school": make_workspace(tmp_path / "school", "4111010001", "一中"),
        "district": make_workspace(tmp_path / "district", "4111010002", "区教育局"),
        "exam": make_workspace(tmp_path / "exam", "4111010003", "考试院"),
        "other": make_workspace(tmp_path / "other", "4111010004", "某公司"),
    }
    for office, name in (("district", "区教育局"), ("exam", "考试院"), ("other", "某公司")):
        made = secops(places[office], "keys", "new", name)
        assert made.exit_code == 0, made.output
        pem = tmp_path / f"{office}.pub.pem"
        exported = secops(places[office], "keys", "export-public", name, "-o", str(pem))
        assert exported.exit_code == 0 and pem.read_text().startswith("-----BEGIN PUBLIC KEY-----")
        if office != "other":
            imported = secops(places["school"], "keys", "import-public", name, str(pem))
            assert imported.exit_code == 0, imported.output
    return places


def roster(path: Path, rows: int = 2000) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(roster_rows(rows, seed=3))
    return path


def test_a_roster_for_two_offices_opens_for_each_and_for_no_one_else(offices: dict[str, Path], tmp_path: Path) -> None:
    source = roster(tmp_path / "roster.csv")
    sealed = tmp_path / "roster.csv.seal"
    done = secops(offices["school"], "data", "encrypt", str(source), "-o", str(sealed), "--recipient", "区教育局",
                  "--recipient", "考试院")  # fmt: skip
    assert done.exit_code == 0, done.output
    assert sealed.read_bytes().startswith(b"SECOPS-SEAL\n")
    first_row = source.read_text(encoding="utf-8").splitlines()[1].split(",")
    assert all(
        cell.encode() not in sealed.read_bytes() for cell in first_row if len(cell.encode()) >= 6
    )  # nothing in clear
    for office in ("district", "exam"):
        out = tmp_path / f"{office}.csv"
        opened = secops(offices[office], "data", "decrypt", str(sealed), "-o", str(out))
        assert opened.exit_code == 0, opened.output
        assert out.read_bytes() == source.read_bytes()
        assert out.stat().st_mode & 0o077 == 0  # student data: owner-only
    for office in ("school", "other"):  # the sender keeps no key to it; a third party has another
        out = tmp_path / f"{office}-try.csv"
        refused = secops(offices[office], "data", "decrypt", str(sealed), "-o", str(out))
        assert refused.exit_code == 2 and "区教育局, 考试院" in refused.output, refused.output
        assert not out.exists() and "Traceback" not in refused.output
    # the release is in the ledger: recipients and the SM3 of the file, never content
    ledger = json.loads(secops(offices["school"], "data", "releases", "--format", "json").stdout)
    encrypted = [r for r in ledger if r.get("kind") == "encrypted"]
    assert [r["recipient"] for r in encrypted] == ["区教育局, 考试院"]


@pytest.mark.parametrize("damage", ["flip-header", "flip-key", "flip-body", "flip-last", "truncate", "append"])
def test_any_modified_byte_or_a_cut_is_refused_and_leaves_nothing(
    offices: dict[str, Path], tmp_path: Path, damage: str
) -> None:
    source = roster(tmp_path / "roster.csv", 5000)  # several 64 KiB chunks
    sealed = tmp_path / "roster.seal"
    assert (
        secops(
            offices["school"], "data", "encrypt", str(source), "-o", str(sealed), "--recipient", "区教育局"
        ).exit_code
        == 0
    )
    data = bytearray(sealed.read_bytes())
    header_end = 16 + int.from_bytes(data[12:16], "big")
    if damage == "flip-header":
        data[header_end - 3] ^= 0x01
    elif damage == "flip-key":
        data[data.index(b'"wrapped":"') + 20] ^= 0x01
    elif damage == "flip-body":
        data[header_end + 70_000] ^= 0x80
    elif damage == "flip-last":
        data[-1] ^= 0x01
    elif damage == "truncate":
        data = data[: header_end + 65_536 + 16]  # exactly at a chunk boundary
    else:
        data += b"\x00"
    sealed.write_bytes(bytes(data))
    out = tmp_path / "out.csv"
    refused = secops(offices["district"], "data", "decrypt", str(sealed), "-o", str(out))
    assert refused.exit_code == 2, refused.output
    assert not out.exists() and not list(tmp_path.glob(".out.csv.*"))
    assert "Traceback" not in refused.output and "张" not in refused.output


def test_not_an_envelope_a_revoked_key_and_an_unknown_recipient(offices: dict[str, Path], tmp_path: Path) -> None:
    plain = roster(tmp_path / "roster.csv", 10)
    refused = secops(offices["district"], "data", "decrypt", str(plain), "-o", str(tmp_path / "x.csv"))
    assert refused.exit_code == 2 and "is not a file secops encrypted" in refused.output
    unknown = secops(
        offices["school"], "data", "encrypt", str(plain), "-o", str(tmp_path / "a.seal"), "--recipient", "市教育局"
    )
    assert unknown.exit_code == 2 and "no key named 市教育局" in unknown.output
    assert not (tmp_path / "a.seal").exists()
    assert secops(offices["school"], "keys", "revoke", "考试院").exit_code == 0
    revoked = secops(
        offices["school"], "data", "encrypt", str(plain), "-o", str(tmp_path / "b.seal"), "--recipient", "考试院"
    )
    assert revoked.exit_code == 2 and "revoked" in revoked.output and not (tmp_path / "b.seal").exists()
    listed = json.loads(secops(offices["school"], "keys", "list", "--format", "json").stdout)
    assert {row["name"]: bool(row["revoked"]) for row in listed} == {"区教育局": False, "考试院": True}
    none = secops(offices["school"], "data", "encrypt", str(plain), "-o", str(tmp_path / "c.seal"))
    assert none.exit_code == 2 and "no recipient" in none.output


def test_passphrases_for_a_private_key_and_for_a_file(tmp_path: Path) -> None:
    place = make_workspace(tmp_path / "ws", "4111010005", "二中")
    secret = tmp_path / "pass.txt"
    secret.write_text("正确的口令 correct horse\n")
    made = secops(place, "keys", "new", "本校", "--passphrase-file", str(secret))
    assert made.exit_code == 0, made.output
    key_file = next((place / "keys").glob("*.sm2"))
    assert (
        key_file.stat().st_mode & 0o077 == 0
        and '"sealed"' in key_file.read_text()
        and '"d"' not in key_file.read_text()
    )
    plain = roster(tmp_path / "r.csv", 50)
    sealed = tmp_path / "r.seal"
    assert secops(place, "data", "encrypt", str(plain), "-o", str(sealed), "--recipient", "本校").exit_code == 0
    locked = secops(place, "data", "decrypt", str(sealed), "-o", str(tmp_path / "o1.csv"))
    assert locked.exit_code == 2 and "protected by a passphrase" in locked.output
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase\n")
    bad = secops(place, "data", "decrypt", str(sealed), "-o", str(tmp_path / "o2.csv"), "--passphrase-file", str(wrong))
    assert bad.exit_code == 2 and "wrong passphrase" in bad.output and not (tmp_path / "o2.csv").exists()
    good = secops(
        place,
        "data",
        "decrypt",
        str(sealed),
        "-o",
        str(tmp_path / "o3.csv"),
        env={"SECOPS_KEY_PASSPHRASE": "正确的口令 correct horse"},
    )
    assert good.exit_code == 0 and (tmp_path / "o3.csv").read_bytes() == plain.read_bytes()
    # a file for a passphrase alone (no key at all on the other side)
    shared = tmp_path / "shared.seal"
    assert (
        secops(place, "data", "encrypt", str(plain), "-o", str(shared), "--passphrase-file", str(secret)).exit_code == 0
    )
    elsewhere = make_workspace(tmp_path / "elsewhere", "4111010006", "三中")
    opened = secops(
        elsewhere, "data", "decrypt", str(shared), "-o", str(tmp_path / "o4.csv"), "--passphrase-file", str(secret)
    )
    assert opened.exit_code == 0 and (tmp_path / "o4.csv").read_bytes() == plain.read_bytes()
    nope = secops(
        elsewhere, "data", "decrypt", str(shared), "-o", str(tmp_path / "o5.csv"), "--passphrase-file", str(wrong)
    )
    assert nope.exit_code == 2 and "passphrase does not open" in nope.output


def test_an_existing_output_needs_force_and_the_input_is_never_the_output(
    offices: dict[str, Path], tmp_path: Path
) -> None:
    plain = roster(tmp_path / "r.csv", 10)
    sealed = tmp_path / "r.seal"
    sealed.write_text("keep me")
    kept = secops(offices["school"], "data", "encrypt", str(plain), "-o", str(sealed), "--recipient", "区教育局")
    assert kept.exit_code == 2 and sealed.read_text() == "keep me"
    assert (
        secops(
            offices["school"], "data", "encrypt", str(plain), "-o", str(sealed), "--recipient", "区教育局", "--force"
        ).exit_code
        == 0
    )
    same = secops(
        offices["school"], "data", "encrypt", str(plain), "-o", str(plain), "--recipient", "区教育局", "--force"
    )
    assert same.exit_code == 2 and plain.read_text().startswith(HEADER[0])
    assert os.path.getsize(sealed) > 16


@pytest.mark.parametrize(
    "header",
    [
        b"[" * 200_000,  # deeper than Python's JSON parser goes
        b'{"format":"secops-seal","version":1,"content":{"cipher":"SM4-GCM-STREAM","chunk":1,"nonce_prefix":"00"},'
        b'"recipients":[]}',
        b'{"format":"secops-seal","version":1,"content":{"cipher":"SM4-GCM-STREAM","chunk":"x","nonce_prefix":"zz"},'
        b'"recipients":"x"}',
        b'{"format":"secops-seal","version":9}',
        b"\xff\xfe not json",
    ],
)
def test_a_hostile_header_is_one_clear_error(offices: dict[str, Path], tmp_path: Path, header: bytes) -> None:
    forged = tmp_path / "forged.seal"
    forged.write_bytes(b"SECOPS-SEAL\n" + len(header).to_bytes(4, "big") + header + b"\x00" * 64)
    out = tmp_path / "out.csv"
    refused = secops(offices["district"], "data", "decrypt", str(forged), "-o", str(out))
    assert refused.exit_code == 2, refused.output
    assert "Traceback" not in refused.output and not out.exists()
