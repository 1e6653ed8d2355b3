"""Registered schools and their keys.

The key text (``sk1.<id>.<secret>``) is shown once and never stored. The center keeps only the
derived signing key, sealed: ``signing_key XOR HMAC-SHA256(center secret, key_id)``. A copy of
``center.db`` without ``center.secret`` therefore cannot sign as any school.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from secops.config import check_school_code
from secops.errors import SecopsError
from secops.i18n import _
from secops.protocol import signing
from secops.store import Store
from secops.store.schema import center_schools


@dataclass(frozen=True)
class School:
    code: str
    name: str
    key_id: str
    created_at: datetime
    revoked_at: datetime | None
    rate_per_minute: int | None


@dataclass(frozen=True)
class Signer:
    """What a request handler needs to authenticate a school's (or a lower center's) request."""

    school: str
    key: bytes  # the derived HMAC signing key
    rate_per_minute: int | None  # None: the center's default
    covers: frozenset[str] = frozenset()  # a lower center: the schools it may report for

    def speaks_for(self, code: object) -> bool:
        """Whether this key may send data about ``code``: its own, or a school it covers."""
        return code == self.school or code in self.covers


def _pad(secret: bytes, key_id: str) -> bytes:
    return hmac.new(secret, key_id.encode(), hashlib.sha256).digest()


def seal(secret: bytes, key_id: str, signing_key: bytes) -> str:
    return bytes(a ^ b for a, b in zip(signing_key, _pad(secret, key_id), strict=True)).hex()


def unseal(secret: bytes, key_id: str, sealed: str) -> bytes:
    return bytes(a ^ b for a, b in zip(bytes.fromhex(sealed), _pad(secret, key_id), strict=True))


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _code(code: str) -> str:
    try:
        return check_school_code(code)
    except ValueError as exc:
        raise SecopsError(str(exc), hint=_("use the school's 学校标识码")) from None


def add_school(
    state: Store,
    code: str,
    name: str,
    secret: bytes,
    now: datetime,
    *,
    rotate: bool = False,
    rate_per_minute: int | None = None,
    covers: Sequence[str] = (),
) -> signing.SchoolKey:
    """Register a school (or, with ``rotate``, replace its key) and return the new key, to show once.

    With ``covers`` the registrant is a lower center (a county or city center) that reports for
    those schools: each is listed here too (``via`` the lower center, with no key of its own), so
    this center's lists, notices and periods include them."""
    code = _code(code)
    covered = sorted({_code(c) for c in covers} - {code})
    name = name.strip()
    if not name:
        raise SecopsError(_("a school needs a name"), hint="--name 'XX市第一中学'")
    if rate_per_minute is not None and rate_per_minute < 1:
        raise SecopsError(_("the rate limit must be at least 1 request per minute"))
    key = signing.new_key()
    values = {
        "name": name,
        "key_id": key.key_id,
        "sealed_key": seal(secret, key.key_id, signing.signing_key(key)),
        "created_at": now,
        "revoked_at": None,
    }
    if rate_per_minute is not None:
        values["rate_per_minute"] = rate_per_minute
    if covered:
        values["covers"] = covered
    with state.engine.begin() as conn:
        exists = conn.execute(sa.select(center_schools.c.code).where(center_schools.c.code == code)).first()
        if exists and not rotate:
            raise SecopsError(
                _("school {code} is already registered").format(code=code),
                hint=_("use --rotate to issue a new key (the old one stops working at once)"),
            )
        if exists:
            conn.execute(center_schools.update().where(center_schools.c.code == code).values(**values))
        else:
            conn.execute(center_schools.insert().values(code=code, **values))
        for school in covered:
            _list_covered(conn, school, code, now)
    return key


def active_schools(conn: sa.Connection) -> dict[str, str]:
    """Code -> name of every school this center oversees: registered, not revoked, and not a lower
    center (a center reports for its schools; it has no 零报告 or 通报 of its own to handle)."""
    c = center_schools.c
    rows = conn.execute(sa.select(c.code, c.name, c.covers).where(c.revoked_at.is_(None))).all()
    return {row.code: row.name for row in rows if not row.covers}


def _list_covered(conn: sa.Connection, school: str, via: str, now: datetime) -> None:
    """A school a lower center reports for: listed here without a key of its own (its name comes
    with the lower center's relay). A school registered directly keeps its key and gains ``via``."""
    c = center_schools.c
    if conn.execute(sa.select(c.code).where(c.code == school)).first() is not None:
        conn.execute(center_schools.update().where(c.code == school).values(via=via))
        return
    conn.execute(
        center_schools.insert().values(
            code=school,
            name=f"{school}（经 {via}）",
            key_id=f"v{school}",  # never a real key id (those are 12 hex digits): it signs nothing
            sealed_key="",
            created_at=now,
            revoked_at=None,
            via=via,
        )
    )


def rename_covered(state: Store, via: str, names: dict[str, str]) -> int:
    """Names a lower center sent for the schools it covers; returns how many changed."""
    c = center_schools.c
    changed = 0
    with state.engine.begin() as conn:
        for school, name in names.items():
            name = name.strip()[:200]
            if name:
                done = conn.execute(
                    center_schools.update().where(c.code == school, c.via == via, c.name != name).values(name=name)
                )
                changed += done.rowcount
    return changed


def _row(row: sa.Row[tuple[object, ...]]) -> School:
    m = row._mapping
    return School(
        code=m["code"],
        name=m["name"],
        key_id=m["key_id"],
        created_at=_aware(m["created_at"]) or datetime.now(UTC),
        revoked_at=_aware(m["revoked_at"]),
        rate_per_minute=m["rate_per_minute"],
    )


def list_schools(state: Store) -> list[School]:
    with state.engine.connect() as conn:
        return [_row(r) for r in conn.execute(sa.select(center_schools).order_by(center_schools.c.code))]


def get_school(state: Store, code: str) -> School | None:
    with state.engine.connect() as conn:
        row = conn.execute(sa.select(center_schools).where(center_schools.c.code == code)).first()
    return _row(row) if row is not None else None


def revoke_school(state: Store, code: str, now: datetime) -> School:
    """Revoke the school's key; its requests are refused (401) from then on."""
    code = _code(code)
    with state.engine.begin() as conn:
        done = conn.execute(
            center_schools.update()
            .where(center_schools.c.code == code, center_schools.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        if done.rowcount == 0:
            known = conn.execute(sa.select(center_schools.c.code).where(center_schools.c.code == code)).first()
            if known is None:
                raise SecopsError(
                    _("school {code} is not registered").format(code=code), hint=_("see `secops center school list`")
                )
    school = get_school(state, code)
    assert school is not None
    return school


class SignerCache:
    """key_id -> Signer, re-read from the database after ``ttl`` seconds.

    Revocation and rotation happen in another process (the CLI), so entries expire quickly;
    ``invalidate`` makes an in-process change visible at once.
    """

    def __init__(self, state: Store, secret: bytes, *, ttl: float = 1.0) -> None:
        self.state = state
        self.secret = secret
        self.ttl = ttl
        self._entries: dict[str, tuple[float, Signer | None]] = {}
        self._lock = threading.Lock()

    def peek(self, key_id: str) -> tuple[bool, Signer | None]:
        """(True, signer or None) when the cache still knows the answer, else (False, None)."""
        with self._lock:
            hit = self._entries.get(key_id)
        if hit is not None and time.monotonic() - hit[0] < self.ttl:
            return True, hit[1]
        return False, None

    def lookup(self, key_id: str) -> Signer | None:
        """The signer of a known, unrevoked key; None otherwise."""
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(key_id)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        signer = self._load(key_id)
        with self._lock:
            if len(self._entries) > 100_000:  # unknown key ids are cached too: bound the memory
                self._entries.clear()
            self._entries[key_id] = (now, signer)
        return signer

    def _load(self, key_id: str) -> Signer | None:
        c = center_schools.c
        with self.state.engine.connect() as conn:
            row = conn.execute(
                sa.select(c.code, c.sealed_key, c.rate_per_minute, c.covers).where(
                    c.key_id == key_id, c.revoked_at.is_(None)
                )
            ).first()
        if row is None or not row.sealed_key:
            return None
        return Signer(
            school=row.code,
            key=unseal(self.secret, key_id, row.sealed_key),
            rate_per_minute=row.rate_per_minute,
            covers=frozenset(row.covers or ()),
        )

    def invalidate(self) -> None:
        with self._lock:
            self._entries.clear()
