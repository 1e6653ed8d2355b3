"""Schools, sealed keys, nonces, the rate limiter and the ``secops center school`` commands."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from secops.center.context import load_secret, open_state
from secops.center.nonces import prune_nonces, record_nonce
from secops.center.ratelimit import RateLimiter
from secops.center.schools import SignerCache, add_school, list_schools, revoke_school, unseal
from secops.cli.center_cmd import center
from secops.errors import SecopsError
from secops.protocol import signing
from secops.store import Store

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
CODE = "4111010001"


@pytest.fixture
def state(tmp_path: Path) -> Iterator[Store]:
    store = open_state(tmp_path / "center")
    yield store
    store.dispose()


@pytest.fixture
def secret(tmp_path: Path) -> bytes:
    (tmp_path / "center").mkdir(exist_ok=True)
    return load_secret(tmp_path / "center")


def test_the_database_holds_neither_the_key_nor_the_signing_key(state: Store, secret: bytes, tmp_path: Path) -> None:
    key = add_school(state, CODE, "一中", secret, NOW)
    with sqlite3.connect(tmp_path / "center" / "center.db") as db:
        dump = "\n".join(db.iterdump())
    assert key.secret not in dump and signing.signing_key(key).hex() not in dump
    assert any("center_schools" in line and key.key_id in line for line in dump.splitlines())
    signer = SignerCache(state, secret).lookup(key.key_id)
    assert signer is not None and signer.school == CODE and signer.key == signing.signing_key(key)
    other = SignerCache(state, bytes(32)).lookup(key.key_id)  # the database without center.secret
    assert other is not None and other.key != signing.signing_key(key)


def test_add_twice_rotate_revoke(state: Store, secret: bytes) -> None:
    first = add_school(state, CODE, "一中", secret, NOW)
    with pytest.raises(SecopsError, match="already registered"):
        add_school(state, CODE, "一中", secret, NOW)
    cache = SignerCache(state, secret)
    assert cache.lookup(first.key_id) is not None
    second = add_school(state, CODE, "一中(新)", secret, NOW, rotate=True, rate_per_minute=30)
    cache.invalidate()
    assert cache.lookup(first.key_id) is None
    signer = cache.lookup(second.key_id)
    assert signer is not None and signer.rate_per_minute == 30
    [school] = list_schools(state)
    assert (school.name, school.key_id, school.revoked_at) == ("一中(新)", second.key_id, None)
    revoked = revoke_school(state, CODE, NOW + timedelta(hours=1))
    assert revoked.revoked_at == NOW + timedelta(hours=1)
    cache.invalidate()
    assert cache.lookup(second.key_id) is None
    with pytest.raises(SecopsError, match="not registered"):
        revoke_school(state, "4111010002", NOW)
    with pytest.raises(SecopsError, match="10-digit"):
        add_school(state, "41110", "x", secret, NOW)


def test_seal_is_per_key_id(secret: bytes) -> None:
    from secops.center.schools import seal

    raw = bytes(range(32))
    assert unseal(secret, "aaaaaaaaaaaa", seal(secret, "aaaaaaaaaaaa", raw)) == raw
    assert seal(secret, "aaaaaaaaaaaa", raw) != seal(secret, "bbbbbbbbbbbb", raw)


def test_nonces_are_accepted_once_and_pruned_after_twice_the_skew(state: Store) -> None:
    assert record_nonce(state, CODE, "n" * 32, NOW)
    assert not record_nonce(state, CODE, "n" * 32, NOW + timedelta(seconds=5))
    assert record_nonce(state, "4111010002", "n" * 32, NOW)  # per school
    assert prune_nonces(state, NOW + timedelta(seconds=599)) == 0
    assert prune_nonces(state, NOW + timedelta(seconds=601)) == 2
    assert record_nonce(state, CODE, "n" * 32, NOW + timedelta(seconds=601))


def test_token_bucket_allows_the_rate_then_says_how_long_to_wait() -> None:
    clock = [0.0]
    limiter = RateLimiter(60, clock=lambda: clock[0])
    assert [limiter.take("a", 3) for _ in range(4)] == [0, 0, 0, 20]
    assert limiter.take("b", 3) == 0  # per school
    clock[0] = 20.0
    assert limiter.take("a", 3) == 0 and limiter.take("a", 3) > 0
    assert all(limiter.take("c") == 0 for _ in range(60)) and limiter.take("c") == 1


def test_cli_school_add_list_revoke(tmp_path: Path) -> None:
    runner = CliRunner()
    home = ["--home", str(tmp_path / "c")]
    added = runner.invoke(center, [*home, "school", "add", CODE, "--name", "郑州一中"])
    assert added.exit_code == 0, added.output
    key = signing.parse_key(next(w for w in added.output.split() if w.startswith("sk1.")))
    assert "secops forward setup --center" in added.output and "--key-file" in added.output
    again = runner.invoke(center, [*home, "school", "add", CODE, "--name", "郑州一中"])
    assert isinstance(again.exception, SecopsError) and "already registered" in str(again.exception)
    key_file = tmp_path / "school.key"
    rotated = runner.invoke(
        center, [*home, "school", "add", CODE, "--name", "郑州一中", "--rotate", "--key-file", str(key_file)]
    )
    assert rotated.exit_code == 0 and "sk1." not in rotated.output
    assert key_file.stat().st_mode & 0o777 == 0o600
    new = signing.parse_key(key_file.read_text())
    assert new.key_id != key.key_id
    listed = json.loads(runner.invoke(center, [*home, "school", "list", "--format", "json"]).output)
    assert [(s["code"], s["key_id"], s["status"]) for s in listed] == [(CODE, new.key_id, "active")]
    table = runner.invoke(center, [*home, "school", "list"]).output
    assert "郑州一中" in table and new.key_id in table
    revoked = runner.invoke(center, [*home, "school", "revoke", CODE])
    assert revoked.exit_code == 0 and new.key_id in revoked.output
    listed = json.loads(runner.invoke(center, [*home, "school", "list", "--format", "json"]).output)
    assert listed[0]["status"] == "revoked"
    bad = runner.invoke(center, [*home, "school", "add", "123", "--name", "x"])
    assert isinstance(bad.exception, SecopsError) and "10-digit" in str(bad.exception)


def test_cli_serve_on_a_taken_port_is_one_clear_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = CliRunner().invoke(center, ["--home", str(tmp_path / "c"), "serve", "--port", port])
    assert isinstance(result.exception, SecopsError) and "cannot listen on 127.0.0.1" in str(result.exception)
