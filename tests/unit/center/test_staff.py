"""Center staff accounts, sessions and login throttling; the ``secops center user`` commands."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from secops.center import staff
from secops.center.context import open_state
from secops.cli.center_user_cmd import user
from secops.errors import SecopsError
from secops.store import Store
from secops.store.schema import center_sessions, center_users

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
PASSWORD = "a long enough passphrase"


@pytest.fixture
def state(tmp_path: Path) -> Iterator[Store]:
    store = open_state(tmp_path / "center")
    yield store
    store.dispose()


def test_password_hash_carries_its_parameters_and_salt() -> None:
    first, second = staff.hash_password(PASSWORD), staff.hash_password(PASSWORD)
    assert first != second  # per-user salt
    scheme, n, r, p, salt, digest = first.split("$")
    assert (scheme, n, r, p) == ("scrypt", str(2**15), "8", "1") and len(salt) == 32 and len(digest) == 64
    assert staff.verify_password(PASSWORD, first) and staff.verify_password(PASSWORD, second)
    assert not staff.verify_password(PASSWORD + "x", first)
    # Old, cheaper parameters still verify: they are read from the stored hash.
    cheap_salt = bytes(16)
    cheap = hashlib.scrypt(PASSWORD.encode(), salt=cheap_salt, n=2**10, r=8, p=1, dklen=32)
    assert staff.verify_password(PASSWORD, f"scrypt${2**10}$8$1${cheap_salt.hex()}${cheap.hex()}")
    # Damaged or hostile rows fail closed instead of raising or exhausting memory.
    for broken in ("", "bcrypt$x", first.replace("scrypt", "md5"), f"scrypt${2**30}$8$1${salt}${digest}"):
        assert not staff.verify_password(PASSWORD, broken)


def test_accounts(state: Store) -> None:
    staff.add_user(state, "duty", PASSWORD, NOW)
    with pytest.raises(SecopsError, match="exists already"):
        staff.add_user(state, "duty", PASSWORD, NOW)
    with pytest.raises(SecopsError, match="too short"):
        staff.add_user(state, "short", "123456789", NOW)
    with pytest.raises(SecopsError, match="not valid"):
        staff.add_user(state, "bad name", PASSWORD, NOW)
    with state.engine.connect() as conn:
        stored = conn.execute(sa.select(center_users.c.password_hash)).scalar_one()
    assert PASSWORD not in stored and stored.startswith("scrypt$")
    assert staff.authenticate(state, "duty", PASSWORD)
    assert not staff.authenticate(state, "duty", "wrong password")
    assert not staff.authenticate(state, "ghost", PASSWORD)
    staff.add_user(state, "analyst", PASSWORD, NOW)
    assert [(u.username, u.active) for u in staff.list_users(state)] == [("analyst", True), ("duty", True)]
    staff.disable_user(state, "duty", NOW + timedelta(hours=1))
    assert not staff.authenticate(state, "duty", PASSWORD)
    disabled = {u.username: u for u in staff.list_users(state)}["duty"]
    assert disabled.disabled_at == NOW + timedelta(hours=1)
    with pytest.raises(SecopsError, match="no user"):
        staff.disable_user(state, "ghost", NOW)


def test_an_unknown_name_is_checked_against_one_dummy_hash_made_on_first_use(state: Store) -> None:
    import subprocess
    import sys

    # Importing the module hashes nothing: scrypt would take a third of a second at every start.
    probe = (
        "import hashlib\n"
        "def refuse(*a, **k):\n"
        "    raise AssertionError('scrypt at import')\n"
        "hashlib.scrypt = refuse\n"
        "import secops.center.staff\n"
    )
    subprocess.run([sys.executable, "-c", probe], check=True)
    staff._dummy_hash.cache_clear()
    calls: list[str] = []
    real = staff.verify_password

    def spy(password: str, encoded: str) -> bool:
        calls.append(encoded)
        return real(password, encoded)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(staff, "verify_password", spy)
        assert not staff.authenticate(state, "ghost", PASSWORD)
        assert not staff.authenticate(state, "nobody", PASSWORD)
    assert len(calls) == 2 and calls[0] == calls[1] == staff._dummy_hash() and calls[0].startswith("scrypt$")


def test_sessions(state: Store) -> None:
    staff.add_user(state, "duty", PASSWORD, NOW)
    token = staff.create_session(state, "duty", NOW)
    with state.engine.connect() as conn:
        rows = conn.execute(sa.select(center_sessions)).all()
    assert len(rows) == 1 and rows[0].token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in rows[0].token_hash
    assert staff.session_user(state, token, NOW + timedelta(hours=7, minutes=59)) == "duty"
    assert staff.session_user(state, token, NOW + staff.SESSION_LIFETIME) is None
    assert staff.session_user(state, token + "x", NOW) is None
    assert staff.session_user(state, None, NOW) is None
    # A new login sweeps expired sessions.
    other = staff.create_session(state, "duty", NOW + timedelta(hours=9))
    with state.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(center_sessions)).scalar_one() == 1
    staff.end_session(state, other)
    assert staff.session_user(state, other, NOW + timedelta(hours=9)) is None
    # Disabling ends every session of the account.
    kept = staff.create_session(state, "duty", NOW)
    staff.disable_user(state, "duty", NOW)
    assert staff.session_user(state, kept, NOW) is None


def test_throttle_per_user_and_client() -> None:
    throttle = staff.LoginThrottle(limit=3, window=timedelta(minutes=15))
    for minute in range(3):
        assert throttle.retry_after("duty", "10.0.0.1", NOW) == 0
        throttle.failed("duty", "10.0.0.1", NOW + timedelta(minutes=minute))
    wait = throttle.retry_after("duty", "10.0.0.1", NOW + timedelta(minutes=3))
    assert 11 * 60 < wait <= 12 * 60 + 1  # until the first failure is 15 minutes old
    assert throttle.retry_after("duty", "10.0.0.2", NOW) == 0  # another client
    assert throttle.retry_after("other", "10.0.0.1", NOW) == 0  # another name
    assert throttle.retry_after("duty", "10.0.0.1", NOW + timedelta(minutes=15, seconds=1)) == 0
    throttle.failed("duty", "10.0.0.1", NOW + timedelta(minutes=16))
    throttle.succeeded("duty", "10.0.0.1")
    assert throttle.retry_after("duty", "10.0.0.1", NOW + timedelta(minutes=16)) == 0


def test_throttle_memory_is_bounded() -> None:
    throttle = staff.LoginThrottle(limit=3, max_keys=100)
    for index in range(1000):
        throttle.failed(f"user{index}", "10.0.0.1", NOW)
    assert len(throttle._failures) <= 100


def test_cli_add_list_disable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "center"
    monkeypatch.setenv("SECOPS_CENTER_HOME", str(home))
    monkeypatch.setenv("SECOPS_NOW", "2026-11-23T10:30:00+08:00")
    runner = CliRunner()
    added = runner.invoke(user, ["add", "duty"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert added.exit_code == 0, added.output
    assert PASSWORD not in added.output
    mismatch = runner.invoke(user, ["add", "other"], input=f"{PASSWORD}\nsomething else\n{PASSWORD}\n{PASSWORD}\n")
    assert "do not match" in mismatch.output and mismatch.exit_code == 0  # asked again, then accepted
    piped = runner.invoke(user, ["--home", str(home), "add", "analyst", "--password-stdin"], input=PASSWORD + "\n")
    assert piped.exit_code == 0, piped.output
    short = runner.invoke(user, ["add", "intern", "--password-stdin"], input="short\n")
    assert isinstance(short.exception, SecopsError) and "too short" in str(short.exception)

    listed = runner.invoke(user, ["list", "--format", "json"])
    assert listed.exit_code == 0
    assert '"username": "analyst"' in listed.output and '"status": "active"' in listed.output
    assert runner.invoke(user, ["disable", "duty"]).exit_code == 0
    table = runner.invoke(user, ["list"]).output
    assert "duty" in table and "disabled" in table and "2026-11-23 10:30" in table

    state = open_state(home)
    try:
        assert staff.authenticate(state, "analyst", PASSWORD)
        assert not staff.authenticate(state, "duty", PASSWORD)
    finally:
        state.dispose()
    missing = runner.invoke(user, ["disable", "ghost"])
    assert isinstance(missing.exception, SecopsError)
