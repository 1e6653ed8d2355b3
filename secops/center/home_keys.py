"""The keys in a center's home and the database they belong to.

A center's home holds three keys: ``center.secret`` (seals the school keys in the database),
``center-signing.key`` (signs what goes down to schools, pinned by them) and ``audit.key`` (chains
the incident audit trail). Several instances of one center share one database, so every home must
hold the same three files. The first home that opens a database records their fingerprints in it
(``center_keys``); a home that lacks one of them, or holds different ones, is refused before it
creates or uses anything: a key of its own would seal school keys no other instance can read, sign
notices schools reject, or rewrite the shared trail's head.

A fingerprint is a SHA-256 of the key under a domain prefix: it identifies the key, it is not it.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from secops.center.context import SECRET_FILE, load_secret
from secops.center.signing_key import SIGNING_KEY_FILE, signing_key
from secops.config import AUDIT_KEY_FILE
from secops.errors import SecopsError
from secops.i18n import N_, _
from secops.store import Store
from secops.store.schema import center_keys
from secops.store.upsert import upsert_insert

FILES = {"secret": SECRET_FILE, "signing": SIGNING_KEY_FILE, "audit": AUDIT_KEY_FILE}
_COPY_HINT = N_(
    "copy center.secret, center-signing.key, audit.key and center.yaml from the center's first instance "
    "(or its backup) into this home: every instance of one center holds the same keys"
)


def fingerprint(name: str, content: bytes) -> str:
    return hashlib.sha256(b"secops-center-key:" + name.encode() + b":" + content.strip()).hexdigest()


def _recorded(state: Store) -> dict[str, str]:
    with state.engine.connect() as conn:
        return {str(r.name): str(r.fingerprint) for r in conn.execute(sa.select(center_keys))}


def bind_home_keys(home: Path, state: Store, now: datetime | None = None) -> None:
    """Refuse a home whose keys are not the database's; otherwise make what is missing on a first
    open (all three keys) and record their fingerprints."""
    from secops.incident.audit import ensure_trail

    recorded = _recorded(state)
    missing = [FILES[name] for name in recorded if not (home / FILES[name]).exists()]
    if missing:
        raise SecopsError(
            _("{home} lacks {files}, which this center's database was set up with").format(
                home=home, files=", ".join(missing)
            ),
            hint=_(_COPY_HINT),
        )
    if "secret" not in recorded:
        load_secret(home)
    if "signing" not in recorded:
        signing_key(home)
    if "audit" not in recorded:
        ensure_trail(home, state)  # leaves a trail whose key was lost alone: the incident commands say so
    present = {name: (home / file).read_bytes() for name, file in FILES.items() if (home / file).exists()}
    found = {name: fingerprint(name, content) for name, content in present.items()}
    new = {name: value for name, value in found.items() if name not in recorded}
    if new:
        with state.engine.begin() as conn:
            for name, value in new.items():
                stmt = upsert_insert(conn, center_keys).values(
                    name=name, fingerprint=value, recorded_at=now or datetime.now(UTC)
                )
                conn.execute(stmt.on_conflict_do_nothing(index_elements=["name"]))
        recorded = _recorded(state)  # another instance opening at the same moment may have won
    differing = [FILES[name] for name, value in found.items() if recorded.get(name, value) != value]
    if differing:
        raise SecopsError(
            _("{files} in {home} are not the keys this center's database was set up with").format(
                files=", ".join(differing), home=home
            ),
            hint=_(_COPY_HINT),
        )
