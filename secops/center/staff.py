"""Center staff: accounts (scrypt hashes), login sessions, and failed-login throttling.

Passwords are hashed with scrypt and a per-user salt; the parameters travel with the hash so
they can be raised later without breaking old accounts. A session is a random token held only
by the browser (HttpOnly cookie); the database keeps its SHA-256, so a copy of ``center.db``
cannot be replayed as a login. Time is always passed in.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import re
import secrets
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from secops.errors import SecopsError
from secops.i18n import _
from secops.store import Store
from secops.store.schema import center_sessions, center_users

T = TypeVar("T")
SESSION_LIFETIME = timedelta(hours=8)
MIN_PASSWORD = 10
USERNAME = re.compile(r"^[\w.@-]{1,64}$")

# scrypt cost: 2**15 x 8 needs 32 MiB and ~0.1 s per check, enough to make offline guessing costly.
_N, _R, _P = 2**15, 8, 1
_MAX_N = 2**20  # refuse absurd stored parameters (a tampered row must not exhaust memory)
_DKLEN = 32


def as_aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive UTC; make it aware."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _utc(now: datetime) -> datetime:
    """SQLite keeps the wall-clock digits and drops the offset: store and compare in UTC only."""
    return now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=_DKLEN, maxmem=128 * r * n + 16 * 1024 * 1024
    )


def hash_password(password: str) -> str:
    """``scrypt$N$r$p$salt$hash`` (hex), the form stored in ``center_users.password_hash``."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, _N, _R, _P)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, encoded: str) -> bool:
    try:
        scheme, n_text, r_text, p_text, salt_hex, hash_hex = encoded.split("$")
        n, r, p = int(n_text), int(r_text), int(p_text)
        salt, expected = bytes.fromhex(salt_hex), bytes.fromhex(hash_hex)
    except ValueError:
        return False
    if scheme != "scrypt" or not (2 <= n <= _MAX_N and 1 <= r <= 32 and 1 <= p <= 16) or len(expected) != _DKLEN:
        return False
    return hmac.compare_digest(_scrypt(password, salt, n, r, p), expected)


@functools.cache
def _dummy_hash() -> str:
    """Checked against when the user does not exist, so an unknown name costs as much time as a known
    one. Made on first use (an scrypt hash: importing this module must not pay for it), then kept."""
    return hash_password(secrets.token_urlsafe(16))


# Each role may do what the roles before it may: a duty officer acknowledges and notes, an analyst
# also grades, assigns, merges and closes, an administrator also manages schools, users, notices
# and periods.
ROLES = ("duty", "analyst", "admin")
ROLE_NAMES = {"duty": "值班员", "analyst": "分析员", "admin": "管理员"}


def check_role(role: str) -> str:
    if role not in ROLES:
        raise SecopsError(
            _("unknown role {role}").format(role=repr(role)),
            hint=_("use one of {choices}").format(choices=", ".join(ROLES)),
        )
    return role


def role_allows(role: str, needed: str) -> bool:
    """Whether ``role`` may do what needs ``needed``."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(check_role(needed))


@dataclass(frozen=True)
class StaffUser:
    username: str
    created_at: datetime
    disabled_at: datetime | None
    role: str = "duty"
    last_looked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.disabled_at is None


def check_username(username: str) -> str:
    if not USERNAME.match(username):
        raise SecopsError(
            _("user name {name} is not valid").format(name=repr(username)),
            hint=_("use 1-64 letters, digits, '.', '_', '-' or '@'"),
        )
    return username


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise SecopsError(
            _("the password is too short (at least {count} characters)").format(count=MIN_PASSWORD),
            hint=_("choose a longer one"),
        )
    return password


def add_user(store: Store, username: str, password: str, now: datetime, role: str = "duty") -> StaffUser:
    check_username(username)
    check_password(password)
    check_role(role)
    now = _utc(now)
    try:
        with store.engine.begin() as conn:
            conn.execute(
                center_users.insert().values(
                    username=username,
                    password_hash=hash_password(password),
                    created_at=now,
                    disabled_at=None,
                    role=role,
                )
            )
    except IntegrityError:
        raise SecopsError(
            _("user {name} exists already").format(name=repr(username)), hint=_("see secops center user list")
        ) from None
    return StaffUser(username, now, None, role)


def list_users(store: Store) -> list[StaffUser]:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(center_users).order_by(center_users.c.username)).all()
    users = []
    for row in rows:
        created = as_aware(row.created_at)
        assert created is not None
        users.append(
            StaffUser(row.username, created, as_aware(row.disabled_at), row.role, as_aware(row.last_looked_at))
        )
    return users


def get_user(store: Store, username: str) -> StaffUser | None:
    return next((u for u in list_users(store) if u.username == username), None)


def set_role(store: Store, username: str, role: str) -> StaffUser:
    check_role(role)
    with store.engine.begin() as conn:
        done = conn.execute(center_users.update().where(center_users.c.username == username).values(role=role))
    if done.rowcount == 0:
        raise SecopsError(_("no user {name}").format(name=repr(username)), hint=_("see secops center user list"))
    found = get_user(store, username)
    assert found is not None
    return found


def mark_looked(store: Store, username: str, now: datetime) -> datetime | None:
    """Record that ``username`` looked at the overview now; returns when they looked before."""
    with store.engine.begin() as conn:
        before = conn.execute(
            sa.select(center_users.c.last_looked_at).where(center_users.c.username == username)
        ).scalar()
        conn.execute(center_users.update().where(center_users.c.username == username).values(last_looked_at=_utc(now)))
    return as_aware(before)


def disable_user(store: Store, username: str, now: datetime) -> StaffUser:
    """Disable an account and end its sessions at once (a leaver is logged out everywhere)."""
    now = _utc(now)
    with store.engine.begin() as conn:
        row = conn.execute(sa.select(center_users).where(center_users.c.username == username)).first()
        if row is None:
            raise SecopsError(_("no user {name}").format(name=repr(username)), hint=_("see secops center user list"))
        disabled = as_aware(row.disabled_at) or now
        conn.execute(center_users.update().where(center_users.c.username == username).values(disabled_at=disabled))
        conn.execute(center_sessions.delete().where(center_sessions.c.username == username))
    created = as_aware(row.created_at)
    assert created is not None
    return StaffUser(username, created, disabled)


def authenticate(store: Store, username: str, password: str) -> bool:
    """True only for an active account with this password; unknown names take as long as known ones."""
    with store.engine.connect() as conn:
        row = conn.execute(
            sa.select(center_users.c.password_hash, center_users.c.disabled_at).where(
                center_users.c.username == username
            )
        ).first()
    if row is None:
        verify_password(password, _dummy_hash())
        return False
    good = verify_password(password, row.password_hash)
    return good and row.disabled_at is None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_session(store: Store, username: str, now: datetime) -> str:
    """A new session token for the cookie; only its hash is stored. Expired sessions are swept here."""
    token = secrets.token_urlsafe(32)
    now = _utc(now)
    with store.engine.begin() as conn:
        conn.execute(center_sessions.delete().where(center_sessions.c.expires_at <= now))
        conn.execute(
            center_sessions.insert().values(
                token_hash=_token_hash(token), username=username, created_at=now, expires_at=now + SESSION_LIFETIME
            )
        )
    return token


def session_user(store: Store, token: str | None, now: datetime) -> str | None:
    """The active user a cookie token belongs to, or None (unknown, expired, or account disabled)."""
    if not token or len(token) > 200:
        return None
    s, u = center_sessions.c, center_users.c
    stmt = (
        sa.select(s.username, s.expires_at)
        .join(center_users, u.username == s.username)
        .where(s.token_hash == _token_hash(token), u.disabled_at.is_(None))
    )
    with store.engine.connect() as conn:
        row = conn.execute(stmt).first()
    if row is None:
        return None
    expires = as_aware(row.expires_at)
    return row.username if expires is not None and now < expires else None


def end_session(store: Store, token: str | None) -> None:
    if token:
        with store.engine.begin() as conn:
            conn.execute(center_sessions.delete().where(center_sessions.c.token_hash == _token_hash(token)))


class LoginThrottle:
    """Failed logins, counted three ways: per (user name, client address), per client address and
    over all clients. After ``limit`` failures of one name from one address, ``per_address``
    failures from one address (a flood of made-up names) or ``overall`` failures from anywhere
    within their windows, further attempts are refused until the oldest failure ages out. In
    memory: a restart forgets, which only ever lets a legitimate user in sooner. Several instances on
    one PostgreSQL database share theirs instead (secops.center.login_failures)."""

    shared = False  # its calls stay in memory (cheap on the event loop)

    def __init__(
        self,
        limit: int = 5,
        window: timedelta = timedelta(minutes=15),
        max_keys: int = 10_000,
        *,
        per_address: int = 20,
        overall: int = 100,
        overall_window: timedelta = timedelta(minutes=1),
    ) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self.per_address = per_address
        self.overall = overall
        self.overall_window = overall_window
        self._failures: dict[tuple[str, str], deque[datetime]] = {}
        self._by_address: dict[str, deque[datetime]] = {}
        self._all: deque[datetime] = deque()
        self._lock = threading.Lock()

    @staticmethod
    def _age(times: deque[datetime], since: datetime) -> deque[datetime]:
        while times and times[0] <= since:
            times.popleft()
        return times

    def _recent(self, key: tuple[str, str], now: datetime) -> deque[datetime]:
        return self._age(self._failures.get(key, deque()), now - self.window)

    @staticmethod
    def _wait(times: deque[datetime], limit: int, window: timedelta, now: datetime) -> int:
        if len(times) < limit:
            return 0
        return max(1, int((times[-limit] + window - now).total_seconds()) + 1)

    def retry_after(self, username: str, client: str, now: datetime) -> int:
        """Seconds until another attempt is allowed (0: allowed now)."""
        with self._lock:
            mine = self._recent((username, client), now)
            return max(self._wait(mine, self.limit, self.window, now), self._address_wait(client, now))

    def address_wait(self, client: str, now: datetime) -> int:
        """Like ``retry_after`` without the name: what can be told before the form is read."""
        with self._lock:
            return self._address_wait(client, now)

    def _address_wait(self, client: str, now: datetime) -> int:
        address = self._age(self._by_address.get(client, deque()), now - self.window)
        everyone = self._age(self._all, now - self.overall_window)
        return max(
            self._wait(address, self.per_address, self.window, now),
            self._wait(everyone, self.overall, self.overall_window, now),
        )

    @staticmethod
    def _bound(table: dict[Any, deque[datetime]], max_keys: int, stale: datetime) -> None:
        if len(table) >= max_keys:
            # Drop stale keys first; a flood of distinct names must not grow memory without bound.
            for key in [k for k, v in table.items() if not v or v[-1] <= stale]:
                del table[key]
            if len(table) >= max_keys:
                table.pop(next(iter(table)))

    def failed(self, username: str, client: str, now: datetime) -> None:
        with self._lock:
            self._bound(self._failures, self.max_keys, now - self.window)
            self._bound(self._by_address, self.max_keys, now - self.window)
            times = self._recent((username, client), now)
            times.append(now)
            self._failures[(username, client)] = times
            address = self._age(self._by_address.get(client, deque()), now - self.window)
            address.append(now)
            if len(address) > self.per_address:  # only the last per_address matter
                address.popleft()
            self._by_address[client] = address
            self._age(self._all, now - self.overall_window).append(now)
            if len(self._all) > self.overall:
                self._all.popleft()

    def succeeded(self, username: str, client: str) -> None:
        with self._lock:
            self._failures.pop((username, client), None)


class HashPool:
    """Where password checks run: ``workers`` threads of their own (scrypt takes 32 MiB and ~0.1 s
    each, so the shared pool that ingestion uses must never wait behind a login flood) and at most
    ``queue`` more waiting; ``run`` answers None at once beyond that (the caller says 429). One
    worker by default: a second core stays free for the event loop even on a 2-core host."""

    def __init__(self, workers: int = 1, queue: int = 4) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="center-login")
        self._room = workers + queue
        self._busy = 0
        self._lock = threading.Lock()

    async def run(self, fn: Callable[..., T], *args: Any) -> T | None:
        with self._lock:
            if self._busy >= self._room:
                return None
            self._busy += 1
        try:
            return await asyncio.wrap_future(self._executor.submit(fn, *args))
        finally:
            with self._lock:
                self._busy -= 1

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
