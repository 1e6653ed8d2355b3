"""The center's state on both databases, and what several instances on one database share:
nonces (a replay on another instance is refused), the rate limit, the login throttle and the
housekeeping lease. SQLite always; PostgreSQL when SECOPS_TEST_POSTGRES_URL is set (scripts/test.sh)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from secops.center import auto_incidents, leases, nonces
from secops.center.app import create_app
from secops.center.context import CenterContext, open_state
from secops.center.login_failures import SharedLoginThrottle, prune_login_failures, throttle_for
from secops.center.open import open_center
from secops.center.ratelimit import RateLimiter, SharedRateLimiter, limiter_for
from secops.center.schools import add_school
from secops.center.staff import LoginThrottle
from secops.incident.model import list_incidents
from secops.protocol import signing
from tests.unit.center import alert, body_of
from tests.unit.store.databases import BACKENDS, empty_postgres

SCHOOL = "4111010001"
NOW = datetime(2026, 11, 23, 2, 30, 10, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest) -> str | None:
    """None: the default center.db in the home; else the test PostgreSQL server, emptied."""
    return None if request.param == "sqlite" else empty_postgres()


@pytest.fixture
def two(tmp_path: Path, db: str | None) -> Iterator[tuple[CenterContext, CenterContext]]:
    """Two instances of one center: one home (its secret unseals the school keys), one database."""
    first = open_center(tmp_path / "center", db=db)
    second = open_center(tmp_path / "center", db=db)
    yield first, second
    first.close()
    second.close()


def _signed(key: signing.SchoolKey, body: bytes) -> dict[str, str]:
    return signing.signed_headers(key, SCHOOL, body, now=time.time())


def test_a_replay_on_another_instance_is_refused(two: tuple[CenterContext, CenterContext]) -> None:
    a, b = two
    key = add_school(a.state, SCHOOL, "一中", a.secret, datetime.now(UTC))
    body = body_of([alert(1)])
    headers = _signed(key, body)
    with TestClient(create_app(a)) as first, TestClient(create_app(b)) as second:
        assert first.post(signing.ALERTS_PATH, content=body, headers=headers).status_code == 200
        replay = second.post(signing.ALERTS_PATH, content=body, headers=headers)
        assert replay.status_code == 409 and "nonce" in replay.text
        fresh = second.post(signing.ALERTS_PATH, content=body, headers=_signed(key, body))
        assert fresh.status_code == 200 and fresh.json()["duplicate"] == 1  # one store behind both


@pytest.mark.postgres
def test_two_instances_on_postgresql_enforce_one_rate_limit(tmp_path: Path) -> None:
    url = empty_postgres()
    a = open_center(tmp_path / "center", db=url)
    b = open_center(tmp_path / "center", db=url)
    try:
        key = add_school(a.state, SCHOOL, "一中", a.secret, datetime.now(UTC), rate_per_minute=3)
        with TestClient(create_app(a)) as first, TestClient(create_app(b)) as second:
            codes: list[int] = []
            for client in (first, second, first, second):
                body = body_of([alert(len(codes))])
                codes.append(client.post(signing.ALERTS_PATH, content=body, headers=_signed(key, body)).status_code)
        assert codes[:3] == [200, 200, 200] and codes[3] == 429  # 3 a minute between them, not 3 each
    finally:
        a.close()
        b.close()


def test_the_limiter_fits_the_database(tmp_path: Path, db: str | None) -> None:
    state = open_state(tmp_path / "center", db)
    try:
        chosen = limiter_for(state, 60, lambda: NOW)
        assert isinstance(chosen, RateLimiter if db is None else SharedRateLimiter)
        throttle = throttle_for(state)
        assert isinstance(throttle, LoginThrottle if db is None else SharedLoginThrottle)
        # several worker processes on one SQLite file keep them in the database too
        assert isinstance(limiter_for(state, 60, lambda: NOW, several_processes=True), SharedRateLimiter)
        assert isinstance(throttle_for(state, several_processes=True), SharedLoginThrottle)
    finally:
        state.dispose()


def test_the_shared_buckets_allow_the_rate_then_say_how_long_to_wait(tmp_path: Path, db: str | None) -> None:
    state = open_state(tmp_path / "center", db)
    clock = [NOW]
    one = SharedRateLimiter(state, 60, clock=lambda: clock[0])
    other = SharedRateLimiter(state, 60, clock=lambda: clock[0])
    try:  # the same answers as the in-memory buckets (tests/unit/center/test_schools.py), across two
        assert [limiter.take(SCHOOL, 3) for limiter in (one, other, one, other)] == [0, 0, 0, 20]
        assert one.take("4111010002", 3) == 0  # per school
        clock[0] += timedelta(seconds=20)
        assert other.take(SCHOOL, 3) == 0 and one.take(SCHOOL, 3) > 0
        assert all(one.take("4111010003") == 0 for _ in range(60)) and other.take("4111010003") == 1
        clock[0] -= timedelta(seconds=5)  # another instance's clock a little behind: no refill, no harm
        assert other.take(SCHOOL, 3) > 0
    finally:
        state.dispose()


def test_the_shared_login_throttle_counts_failures_on_every_instance(tmp_path: Path, db: str | None) -> None:
    state = open_state(tmp_path / "center", db)
    try:
        one, other = SharedLoginThrottle(state, limit=3), SharedLoginThrottle(state, limit=3)
        for throttle in (one, other, one):
            assert throttle.retry_after("zhang", "10.0.0.9", NOW) == 0
            throttle.failed("zhang", "10.0.0.9", NOW)
        assert other.retry_after("zhang", "10.0.0.9", NOW) == 15 * 60 + 1
        assert other.retry_after("li", "10.0.0.9", NOW) == 0 and one.address_wait("10.0.0.9", NOW) == 0
        assert one.retry_after("zhang", "10.0.0.9", NOW + timedelta(minutes=15, seconds=1)) == 0
        one.succeeded("zhang", "10.0.0.9")
        assert other.retry_after("zhang", "10.0.0.9", NOW) == 0
        other.failed("li", "10.0.0.8", NOW)
        assert prune_login_failures(state, NOW + timedelta(minutes=16)) == 1
    finally:
        state.dispose()


def test_nonces_are_pruned_in_bounded_batches(tmp_path: Path, db: str | None) -> None:
    state = open_state(tmp_path / "center", db)
    try:
        for n in range(25):
            assert nonces.record_nonce(state, SCHOOL, f"nonce-{n}", NOW)
        assert not nonces.record_nonce(state, SCHOOL, "nonce-3", NOW + timedelta(seconds=1))
        later = NOW + timedelta(hours=1)
        assert nonces.prune_nonces(state, later, batch=10, max_batches=2) == 20  # the rest next time
        assert nonces.prune_nonces(state, later, batch=10, max_batches=2) == 5
        assert nonces.record_nonce(state, SCHOOL, "nonce-3", later)
    finally:
        state.dispose()


def test_a_lease_has_one_holder_and_is_taken_over_after_its_ttl(tmp_path: Path, db: str | None) -> None:
    state = open_state(tmp_path / "center", db)
    ttl = timedelta(seconds=30)
    try:
        assert leases.acquire(state, leases.HOUSEKEEPING, "a", ttl, NOW)
        assert not leases.acquire(state, leases.HOUSEKEEPING, "b", ttl, NOW + timedelta(seconds=10))
        assert leases.acquire(state, leases.HOUSEKEEPING, "a", ttl, NOW + timedelta(seconds=20))  # renewed
        assert not leases.acquire(state, leases.HOUSEKEEPING, "b", ttl, NOW + timedelta(seconds=49))
        # "a" died: nobody renews; once the TTL has passed "b" takes over, and "a" is out
        assert leases.held_by(state, leases.HOUSEKEEPING, NOW + timedelta(seconds=50)) is None
        assert leases.acquire(state, leases.HOUSEKEEPING, "b", ttl, NOW + timedelta(seconds=51))
        assert not leases.acquire(state, leases.HOUSEKEEPING, "a", ttl, NOW + timedelta(seconds=52))
        assert leases.held_by(state, leases.HOUSEKEEPING, NOW + timedelta(seconds=52)) == "b"
        leases.release(state, leases.HOUSEKEEPING, "b", NOW + timedelta(seconds=60))  # a clean stop
        assert leases.acquire(state, leases.HOUSEKEEPING, "a", ttl, NOW + timedelta(seconds=60))
    finally:
        state.dispose()


def test_automatic_incidents_run_on_the_database(tmp_path: Path, db: str | None) -> None:
    ctx = open_center(tmp_path / "center", db=db, now=lambda: NOW)
    try:
        key = add_school(ctx.state, SCHOOL, "一中", ctx.secret, NOW)
        body = body_of([alert(2), alert(3)])  # high and critical
        with TestClient(create_app(ctx)) as client:
            headers = signing.signed_headers(key, SCHOOL, body, now=NOW.timestamp())  # the center's clock
            assert client.post(signing.ALERTS_PATH, content=body, headers=headers).status_code == 200
        opened = auto_incidents.tick(ctx)
        assert opened >= 1 and len(list_incidents(ctx.state)) == opened
        assert auto_incidents.tick(ctx) == 0  # claimed once, cursor saved (both upserts)
    finally:
        ctx.close()


def _secops(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "secops", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "SECOPS_LANG": "en", **(env or {})},
        timeout=120,
        check=False,
    )


@pytest.mark.postgres
def test_the_cli_takes_the_database_from_db_the_environment_or_center_yaml(tmp_path: Path) -> None:
    url = empty_postgres()
    home = tmp_path / "center"
    added = _secops(
        "center",
        "--home",
        str(home),
        "--db",
        url,
        "school",
        "add",
        SCHOOL,
        "--name",
        "一中",
        "--key-file",
        str(tmp_path / "school.key"),
    )
    assert added.returncode == 0, added.stderr
    assert (
        not (home / "center.db").exists()
        or SCHOOL not in _secops("center", "--home", str(home), "school", "list").stdout
    )
    listed = _secops("center", "--home", str(home), "school", "list", "--format", "json", env={"SECOPS_CENTER_DB": url})
    assert SCHOOL in listed.stdout, listed.stderr
    (home / "center.yaml").write_text(f"database: {url}\n", encoding="utf-8")
    listed = _secops("center", "--home", str(home), "school", "list", "--format", "json")
    assert SCHOOL in listed.stdout, listed.stderr


@pytest.mark.postgres
def test_completion_reads_the_postgresql_database(tmp_path: Path) -> None:
    from click.shell_completion import ShellComplete

    from secops.cli.main import cli

    url = empty_postgres()
    state = open_state(tmp_path / "center", url)
    add_school(state, SCHOOL, "一中", b"\0" * 32, NOW)
    state.dispose()

    def complete(args: list[str], incomplete: str) -> list[str]:
        completion = ShellComplete(cli, {}, "secops", "_SECOPS_COMPLETE")
        return [item.value for item in completion.get_completions(args, incomplete)]

    home = ["center", "--home", str(tmp_path / "center")]
    assert complete([*home, "--db", url, "school", "revoke"], "4111") == [SCHOOL]
    assert complete([*home, "school", "revoke"], "4111") == []  # center.db knows no schools
    (tmp_path / "center" / "center.yaml").write_text(f"database: {url}\n", encoding="utf-8")
    assert complete([*home, "school", "revoke"], "4111") == [SCHOOL]
    assert complete([*home, "--db", url, "notice", "show"], "") == []


def test_an_unreachable_database_is_one_clear_error_exit_2(tmp_path: Path) -> None:
    down = _secops(
        "center", "--home", str(tmp_path / "c"), "--db", "postgresql+psycopg://secops@127.0.0.1:1/x", "school", "list"
    )
    assert down.returncode == 2 and "Traceback" not in down.stderr
    assert "cannot open the center database" in down.stderr and "127.0.0.1:1" in down.stderr
    bad = _secops("center", "--home", str(tmp_path / "c"), "--db", "mysql://db/x", "school", "list")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_one_instance_does_the_housekeeping_and_another_takes_over_when_it_stops(
    two: tuple[CenterContext, CenterContext], monkeypatch: pytest.MonkeyPatch
) -> None:
    from secops.center import app as center_app

    ran: list[str] = []
    names = {id(ctx): name for ctx, name in zip(two, "ab", strict=True)}

    def once(ctx: CenterContext, _stop: threading.Event, _every: float, still_leader: Callable[[], bool]) -> None:
        if still_leader():  # as the real one asks before each job
            ran.append(names[id(ctx)])

    monkeypatch.setattr(center_app, "_housekeeping_once", once)
    stops = [threading.Event(), threading.Event()]
    threads = [
        threading.Thread(target=center_app._housekeeping, args=(ctx, stop, 0.02), daemon=True)
        for ctx, stop in zip(two, stops, strict=True)
    ]
    threads[0].start()
    _until(lambda: "a" in ran)
    threads[1].start()
    time.sleep(0.3)  # both tick; only the lease holder works
    assert set(ran) == {"a"}
    stops[0].set()  # a clean stop gives the lease up: "b" takes over at its next tick, not after the TTL
    threads[0].join(timeout=10)
    _until(lambda: "b" in ran)
    stops[1].set()
    threads[1].join(timeout=10)
    assert "a" not in ran[ran.index("b") :]


def _until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_home_without_the_center_keys_or_with_others_is_refused_before_it_makes_any(
    tmp_path: Path, db: str | None
) -> None:
    """The first home to open a database records its keys' fingerprints; a second instance's home
    must hold the same files. Without them it is refused and makes none of its own (a key of its own
    would seal school keys nobody else reads, or rewrite the shared audit trail's head)."""
    from secops.center.home_keys import FILES
    from secops.errors import SecopsError

    first_home, second_home = tmp_path / "a", tmp_path / "b"
    url = db or f"sqlite:///{tmp_path / 'shared.db'}"
    open_center(first_home, db=url).close()
    assert all((first_home / name).is_file() for name in FILES.values())
    with pytest.raises(SecopsError, match=r"lacks center\.secret, center-signing\.key, audit\.key") as refused:
        open_center(second_home, db=url)
    assert "copy center.secret" in (refused.value.hint or "")
    assert not any((second_home / name).exists() for name in FILES.values())
    for name in FILES.values():
        (second_home / name).write_bytes((first_home / name).read_bytes())
    open_center(second_home, db=url).close()  # with the files copied it opens
    # a home whose secret is another: refused by name, whatever else matches
    (second_home / "center.secret").write_bytes(os.urandom(32))
    with pytest.raises(SecopsError, match=r"center\.secret in .* are not the keys"):
        open_center(second_home, db=url)


def test_the_cli_refuses_a_home_that_is_not_the_databases(tmp_path: Path, db: str | None) -> None:
    """`school add` at the first home makes and records the keys; any center command at a bare
    second home on the same database is one error, exit 2, and writes no key there."""
    from click.testing import CliRunner

    from secops.cli.main import cli

    url = db or f"sqlite:///{tmp_path / 'shared.db'}"
    runner = CliRunner()
    first = runner.invoke(
        cli,
        [
            "center",
            "--home",
            str(tmp_path / "a"),
            "--db",
            url,
            "school",
            "add",
            SCHOOL,
            "--name",
            "一中",
            "--key-file",
            str(tmp_path / "s.key"),
        ],
    )
    assert first.exit_code == 0, first.output
    assert (tmp_path / "a" / "audit.key").is_file() and (tmp_path / "a" / "center-signing.key").is_file()
    second = runner.invoke(cli, ["center", "--home", str(tmp_path / "b"), "--db", url, "school", "list"])
    assert second.exit_code == 2 and "lacks center.secret" in second.output, second.output
    assert "Traceback" not in second.output and not (tmp_path / "b" / "center.secret").exists()
