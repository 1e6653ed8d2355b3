"""Workspace key files sealed and opened with real files: a passphrase from the environment or a file,
a real file keyring (keyrings.alt, in the test's own folder), and one clear error for each failure."""

from __future__ import annotations

import json
import re
import secrets
import stat
from pathlib import Path

import pytest

from secops.errors import SecopsError
from secops.keyseal import AUDIT, CENTER, DATA, MISSING, PLAIN, SEALED, read_secret, seal_file, state, unseal_file
from secops.keyseal.box import KEYRING, MARKER, PASSPHRASE

PASSPHRASE_TEXT = "correct horse battery"


@pytest.fixture(autouse=True)
def _no_passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECOPS_KEY_PASSPHRASE", raising=False)
    monkeypatch.delenv("SECOPS_KEY_PASSPHRASE_FILE", raising=False)


@pytest.fixture
def file_keyring(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """keyrings.alt's plaintext file backend, its file under the test's own XDG_DATA_HOME."""
    pytest.importorskip("keyrings.alt", reason="keyrings.alt comes with the dev extra")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "python_keyring" / "keyring_pass.cfg"


def _key_file(folder: Path, name: str = AUDIT) -> tuple[Path, bytes]:
    folder.mkdir(exist_ok=True)
    path = folder / name
    content = (secrets.token_hex(32) + "\n").encode()
    path.write_bytes(content)
    path.chmod(0o600)
    return path, content


def test_a_plain_file_reads_as_before(tmp_path: Path) -> None:
    path, content = _key_file(tmp_path / "ws")
    assert read_secret(path, AUDIT) == content
    assert state(path).state == PLAIN and state(path).mode == 0o600
    assert state(tmp_path / "ws" / "center.key").state == MISSING
    with pytest.raises(FileNotFoundError):  # the callers' own "missing key" handling keeps working
        read_secret(tmp_path / "ws" / "center.key", CENTER)


def test_a_passphrase_seal_round_trips_and_nothing_is_in_clear(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, content = _key_file(tmp_path / "ws")
    assert seal_file(path, AUDIT, passphrase=PASSPHRASE_TEXT)
    raw = path.read_bytes()
    assert raw.startswith(MARKER) and content.strip() not in raw and bytes.fromhex(content.decode()) not in raw
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert (state(path).state, state(path).protector) == (SEALED, PASSPHRASE)
    assert not seal_file(path, AUDIT, passphrase=PASSPHRASE_TEXT)  # sealed already: unchanged
    assert path.read_bytes() == raw
    assert read_secret(path, AUDIT, passphrase=PASSPHRASE_TEXT) == content
    monkeypatch.setenv("SECOPS_KEY_PASSPHRASE", PASSPHRASE_TEXT)
    assert read_secret(path, AUDIT) == content
    assert unseal_file(path, AUDIT)
    assert path.read_bytes() == content and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not unseal_file(path, AUDIT)


def test_the_passphrase_file_variable_serves_services(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, content = _key_file(tmp_path / "ws", DATA)
    seal_file(path, DATA, passphrase=PASSPHRASE_TEXT)
    secret_file = tmp_path / "pass"
    secret_file.write_text(PASSPHRASE_TEXT + "\nsecond line ignored\n", encoding="utf-8")
    secret_file.chmod(0o644)
    monkeypatch.setenv("SECOPS_KEY_PASSPHRASE_FILE", str(secret_file))
    with pytest.raises(SecopsError, match="is readable by others"):
        read_secret(path, DATA)
    secret_file.chmod(0o400)  # as systemd's LoadCredential= gives it
    assert read_secret(path, DATA) == content
    monkeypatch.setenv("SECOPS_KEY_PASSPHRASE_FILE", str(tmp_path / "nowhere"))
    with pytest.raises(SecopsError, match="SECOPS_KEY_PASSPHRASE_FILE"):
        read_secret(path, DATA)


def test_no_passphrase_and_a_wrong_one_are_clear_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, _content = _key_file(tmp_path / "ws")
    seal_file(path, AUDIT, passphrase=PASSPHRASE_TEXT)
    with pytest.raises(SecopsError) as missing:  # pytest's stdin is no terminal: no prompt
        read_secret(path, AUDIT)
    assert "sealed with a passphrase and none was given" in missing.value.message
    assert "SECOPS_KEY_PASSPHRASE_FILE" in str(missing.value.hint) and "secops keys unseal" in str(missing.value.hint)
    monkeypatch.setenv("SECOPS_KEY_PASSPHRASE", "not the passphrase")
    with pytest.raises(SecopsError, match=re.escape(f"wrong passphrase for {path}")):
        read_secret(path, AUDIT)
    with pytest.raises(SecopsError, match="wrong passphrase"):
        unseal_file(path, AUDIT)
    assert path.read_bytes().startswith(MARKER)  # still sealed


def test_a_tampered_byte_is_named_as_such(tmp_path: Path) -> None:
    path, _content = _key_file(tmp_path / "ws")
    seal_file(path, AUDIT, passphrase=PASSPHRASE_TEXT)
    document = json.loads(path.read_bytes()[len(MARKER) :])
    document["sealed"] = ("1" if document["sealed"][0] == "0" else "0") + document["sealed"][1:]
    path.write_bytes(MARKER + json.dumps(document).encode())
    with pytest.raises(SecopsError, match="damaged or was altered"):
        read_secret(path, AUDIT, passphrase=PASSPHRASE_TEXT)
    path.write_bytes(path.read_bytes()[:40])  # truncated
    with pytest.raises(SecopsError, match="damaged or was altered"):
        read_secret(path, AUDIT, passphrase=PASSPHRASE_TEXT)


def test_a_sealed_key_cannot_stand_in_for_another(tmp_path: Path) -> None:
    path, _content = _key_file(tmp_path / "ws")
    seal_file(path, AUDIT, passphrase=PASSPHRASE_TEXT)
    swapped = tmp_path / "ws" / "center.key"
    swapped.write_bytes(path.read_bytes())
    with pytest.raises(SecopsError, match=re.escape("holds a sealed audit.key, not the center.key")):
        read_secret(swapped, CENTER, passphrase=PASSPHRASE_TEXT)
    relabelled = path.read_bytes().replace(b'"purpose": "audit.key"', b'"purpose": "center.key"')
    swapped.write_bytes(relabelled)
    with pytest.raises(SecopsError, match="damaged or was altered"):  # the purpose is authenticated
        read_secret(swapped, CENTER, passphrase=PASSPHRASE_TEXT)


def test_the_keyring_keeps_the_wrapping_key_not_the_secret(tmp_path: Path, file_keyring: Path) -> None:
    path, content = _key_file(tmp_path / "ws")
    assert seal_file(path, AUDIT)
    assert (state(path).state, state(path).protector) == (SEALED, KEYRING)
    entry = json.loads(path.read_bytes()[len(MARKER) :])["entry"]
    assert str(path.resolve()) in entry
    kept = file_keyring.read_text()
    assert content.strip().decode() not in kept and content.strip() not in path.read_bytes()
    assert read_secret(path, AUDIT) == content
    assert unseal_file(path, AUDIT)
    assert path.read_bytes() == content
    assert "audit" not in file_keyring.read_text()  # the entry went with the seal


def test_a_keyring_entry_that_is_gone_or_unreachable_is_a_clear_error(
    tmp_path: Path, file_keyring: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _content = _key_file(tmp_path / "ws")
    seal_file(path, AUDIT)
    file_keyring.unlink()
    with pytest.raises(SecopsError, match="the OS keyring holds no key for"):
        read_secret(path, AUDIT)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    with pytest.raises(SecopsError, match="the OS keyring did not answer") as failed:
        read_secret(path, AUDIT)
    assert "PYTHON_KEYRING_BACKEND" in str(failed.value.hint)


def test_a_keyring_that_keeps_nothing_leaves_the_file_plain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sealed file is opened again, through the keyring, before it replaces the plain one."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    path, content = _key_file(tmp_path / "ws")
    with pytest.raises(SecopsError, match="the OS keyring holds no key"):
        seal_file(path, AUDIT)
    assert path.read_bytes() == content
    assert sorted(p.name for p in path.parent.iterdir()) == [AUDIT]  # no temporary file left behind
