"""The audit trail's keyed head: the count of entries and the last hash, HMAC'd with the audit key,
so that deleting the newest entries (or all of them) is detected, not only edits in the middle.

An existing trail gets its head here only if its chain verifies with the workspace's audit key
(``audit.key`` in the folder secops.store.upgrade.UPGRADE_KEY_FOLDER names, else beside the
SQLite file): the head then vouches for exactly what was provably intact at the upgrade. A chain
that does not verify, or whose key cannot be found, gets no head, and `secops incident
verify-audit` goes on reporting it (a missing key is an error there, never replaced). An empty
trail with its key gets a head of 0 entries; an empty trail without a key gets its head when the
key is made. A sealed key (secops.keyseal) is opened as everywhere else; one that cannot be
opened (no passphrase given) stops the upgrade with that error, and a run with the passphrase
completes it. The hashing is copied here, frozen, so later changes to the audit module cannot
change what this migration computes.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = 16
DESCRIPTION = "incident audit trail head"

_GENESIS = "0" * 64
_KEY_FILE = "audit.key"


def upgrade(conn: Connection) -> None:
    meta = sa.MetaData()
    head = sa.Table(
        "incident_audit_head",
        meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("entries", sa.Integer, nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.Column("mac", sa.String(64), nullable=False),
    )
    meta.create_all(conn)
    key = _find_key(conn)
    if key is None:
        return
    trail = sa.table(
        "incident_audit",
        *(sa.column(name) for name in ("seq", "incident_id", "at", "actor", "action", "detail", "prev_hash", "hash")),
    )
    prev, count = _GENESIS, 0
    for row in conn.execute(sa.select(trail).order_by(trail.c.seq)):
        message = "\x1f".join(
            [prev, str(row.seq), str(row.incident_id), row.at, row.actor, row.action, row.detail]
        ).encode("utf-8")
        intact = (
            row.seq == count + 1
            and row.prev_hash == prev
            and hmac.compare_digest(hmac.new(key, message, hashlib.sha256).hexdigest(), row.hash)
        )
        if not intact:
            return  # no head for a chain that is already broken: verify-audit names the bad entry
        prev, count = row.hash, count + 1
    mac = hmac.new(key, f"incident_audit_head\x1f{count}\x1f{prev}".encode(), hashlib.sha256).hexdigest()
    conn.execute(head.insert().values(id=1, entries=count, last_hash=prev, mac=mac))


def _find_key(conn: Connection) -> bytes | None:
    from secops.keyseal import AUDIT, read_secret_text
    from secops.store.upgrade import UPGRADE_KEY_FOLDER

    folders = [UPGRADE_KEY_FOLDER.get()]
    if conn.engine.url.get_backend_name() == "sqlite" and conn.engine.url.database not in (None, "", ":memory:"):
        folders.append(Path(str(conn.engine.url.database)).parent)
    for folder in folders:
        if folder is not None and (folder / _KEY_FILE).is_file():
            try:
                # a sealed key opens here too; one the process cannot open stops the upgrade with a clear error
                return bytes.fromhex(read_secret_text(folder / _KEY_FILE, AUDIT).strip())
            except ValueError:
                return None
    return None
