"""`secops keys seal|unseal|status`: a workspace made by `secops init` seals its keys, every command
still reads them given the passphrase (or the keyring), and without it says so on one line, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from secops.errors import SecopsError
from tests.conftest import SCHOOL_CODE, SCHOOL_NAME, Invoke

INIT = ["init", "--school-code", SCHOOL_CODE, "--school-name", SCHOOL_NAME, "--scope", "127.0.0.1/32"]
PASSPHRASE_TEXT = "correct horse battery"
OPEN = ["incident", "open", "--title", "门户网站被植入后门", "--playbook", "webshell"]


@pytest.fixture
def cli(run_cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    monkeypatch.setenv("SECOPS_NOW", "2026-11-23T10:00:00+08:00")
    monkeypatch.delenv("SECOPS_KEY_PASSPHRASE", raising=False)
    monkeypatch.delenv("SECOPS_KEY_PASSPHRASE_FILE", raising=False)
    assert run_cli(*INIT).exit_code == 0
    return run_cli


def _status(cli: Invoke) -> dict[str, dict[str, str]]:
    done = cli("keys", "status", "--format", "json")
    assert done.exit_code == 0, done.stderr
    return {row["file"]: row for row in json.loads(done.stdout)}


def _one_line_error(result: object) -> str:
    stderr = str(getattr(result, "stderr", ""))
    assert getattr(result, "exit_code", None) == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("secops: error: ") and "Traceback" not in stderr
    return lines[0]


def test_seal_with_a_passphrase_file_then_unseal(cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = tmp_path / "ws"
    plain = (workspace / "audit.key").read_bytes()
    assert _status(cli)["audit.key"] == {"file": "audit.key", "state": "plain", "protector": "", "mode": "0600"}
    assert _status(cli)["center.key"]["state"] == "missing"
    secret = tmp_path / "passphrase"
    secret.write_text(PASSPHRASE_TEXT + "\n", encoding="utf-8")
    secret.chmod(0o600)

    sealed = cli("keys", "seal", "--passphrase-file", str(secret))
    assert sealed.exit_code == 0, sealed.stderr
    assert f"{workspace / 'audit.key'} sealed with a passphrase" in sealed.stdout
    assert _status(cli)["audit.key"] == {
        "file": "audit.key",
        "state": "sealed",
        "protector": "passphrase",
        "mode": "0600",
    }
    assert plain.strip() not in (workspace / "audit.key").read_bytes()
    table = cli("keys", "status")
    assert "sealed (passphrase)" in table.stdout and "not present" in table.stdout
    again = cli("keys", "seal", "--passphrase-file", str(secret))
    assert again.exit_code == 0 and "sealed already; unchanged" in again.stdout

    refused = cli(*OPEN)  # the audit trail needs its key: no passphrase, one line, exit 2
    message = _one_line_error(refused)
    assert "audit.key is sealed with a passphrase and none was given" in message
    assert "SECOPS_KEY_PASSPHRASE_FILE" in message and "secops keys unseal" in message
    monkeypatch.setenv("SECOPS_KEY_PASSPHRASE", "not the passphrase")
    assert "wrong passphrase for" in _one_line_error(cli(*OPEN))
    monkeypatch.setenv("SECOPS_KEY_PASSPHRASE", PASSPHRASE_TEXT)
    opened = cli(*OPEN)
    assert opened.exit_code == 0, opened.stderr
    monkeypatch.delenv("SECOPS_KEY_PASSPHRASE")
    monkeypatch.setenv("SECOPS_KEY_PASSPHRASE_FILE", str(secret))  # as a systemd unit gives it
    verified = cli("incident", "verify-audit")
    assert verified.exit_code == 0 and "intact" in verified.stdout, verified.stderr
    monkeypatch.delenv("SECOPS_KEY_PASSPHRASE_FILE")

    _one_line_error(cli("keys", "unseal"))  # needs the passphrase too
    unsealed = cli("keys", "unseal", "--passphrase-file", str(secret))
    assert unsealed.exit_code == 0 and "plain again" in unsealed.stdout, unsealed.stderr
    assert (workspace / "audit.key").read_bytes() == plain
    assert _status(cli)["audit.key"]["state"] == "plain"
    assert cli("incident", "verify-audit").exit_code == 0


def test_seal_needs_a_passphrase_or_the_keyring(cli: Invoke) -> None:
    refused = cli("keys", "seal")
    assert refused.exit_code == 2 and "--keyring" in refused.stderr
    assert cli("keys", "seal", "--keyring", "--passphrase-file", "x").exit_code == 2
    unknown = cli("keys", "seal", "secops.yaml")
    assert unknown.exit_code == 2 and "not a key secops seals" in unknown.stderr
    assert _status(cli)["audit.key"]["state"] == "plain"


def test_a_sealed_data_key_marks_and_detects(cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the named file is sealed; the watermark commands read the sealed data key."""
    import csv

    from secops.data.watermark.roster import HEADER, roster_rows

    source = tmp_path / "roster.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *roster_rows(2000, seed=1)])
    marked = tmp_path / "marked.csv"
    embed = ["data", "watermark", "embed", str(source), "-o", str(marked), "--recipient", "区教育局"]
    assert cli(*embed).exit_code == 0  # makes data.key, plain
    monkeypatch.setenv("SECOPS_KEY_PASSPHRASE", PASSPHRASE_TEXT)
    assert cli("keys", "seal", "data.key").exit_code == 0
    states = _status(cli)
    assert (states["data.key"]["state"], states["audit.key"]["state"]) == ("sealed", "plain")
    detected = cli("data", "watermark", "detect", str(marked), "--format", "json")
    assert detected.exit_code == 1 and "区教育局" in detected.stdout, detected.stderr
    monkeypatch.delenv("SECOPS_KEY_PASSPHRASE")
    assert "data.key is sealed with a passphrase" in _one_line_error(cli("data", "watermark", "detect", str(marked)))
    assert "does not exist" in _one_line_error(cli("keys", "seal", "center.key"))


def test_the_keyring_path(cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("keyrings.alt", reason="keyrings.alt comes with the dev extra")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    sealed = cli("keys", "seal", "--keyring")
    assert sealed.exit_code == 0 and "sealed with the OS keyring" in sealed.stdout, sealed.stderr
    assert _status(cli)["audit.key"]["protector"] == "keyring"
    assert (tmp_path / "xdg" / "python_keyring" / "keyring_pass.cfg").is_file()
    opened = cli(*OPEN)  # no passphrase needed: the keyring opens it
    assert opened.exit_code == 0, opened.stderr
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    assert "the OS keyring did not answer" in _one_line_error(cli(*OPEN))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    assert cli("keys", "unseal").exit_code == 0
    assert _status(cli)["audit.key"]["state"] == "plain"


def test_a_center_homes_upstream_key_is_sealed_by_its_path(
    run_cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lower center's home is no workspace: its upstream.key is named by path and still loads."""
    from secops.protocol import envelope, signing
    from secops.relay.config import Upstream, load_upstream, save_upstream

    home = tmp_path / "center"
    home.mkdir()
    settings = Upstream(
        url="https://127.0.0.1:8600",
        code="4111000001",
        name="某市教育网络安全监测中心",
        center_key=envelope.public_text(envelope.new_private_key()),
    )
    key = signing.new_key()
    save_upstream(home, settings, key)
    monkeypatch.setenv("SECOPS_KEY_PASSPHRASE", PASSPHRASE_TEXT)
    sealed = run_cli("keys", "seal", str(home / "upstream.key"))
    assert sealed.exit_code == 0 and "sealed with a passphrase" in sealed.stdout, sealed.stderr
    assert key.secret.encode() not in (home / "upstream.key").read_bytes()
    assert load_upstream(home) == (settings, key)
    monkeypatch.delenv("SECOPS_KEY_PASSPHRASE")
    with pytest.raises(SecopsError, match=r"upstream\.key is sealed with a passphrase"):
        load_upstream(home)
