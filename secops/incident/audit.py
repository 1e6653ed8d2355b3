"""The incident audit trail: an append-only, hash-chained, HMAC-keyed log.

Each entry's hash is HMAC-SHA256(workspace key, previous hash + the entry's canonical fields), so
editing, deleting or reordering rows directly in the database breaks the chain at the first bad
entry, and without the key (a file in the workspace, 0600) nobody can forge a consistent chain.
Nothing is ever repaired: ``verify`` only reports.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from secops.store import Store
from secops.store.schema import incident_audit

GENESIS = "0" * 64
KEY_FILE = "audit.key"


def audit_key(workspace_dir: Path) -> bytes:
    """The workspace's audit key, created (0600) on first use."""
    path = Path(workspace_dir) / KEY_FILE
    if not path.exists():
        key = secrets.token_hex(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key + "\n")
    return bytes.fromhex(path.read_text().strip())


def canonical(detail: dict[str, Any]) -> str:
    return json.dumps(detail, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(
    key: bytes, prev_hash: str, seq: int, incident_id: int, at: str, actor: str, action: str, detail: str
) -> str:
    message = "\x1f".join([prev_hash, str(seq), str(incident_id), at, actor, action, detail])
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def append(
    conn: Connection, key: bytes, *, incident_id: int, at: datetime, actor: str, action: str, detail: dict[str, Any]
) -> int:
    """Append one entry inside the caller's transaction (so the change and its record commit together)."""
    last = conn.execute(
        sa.select(incident_audit.c.seq, incident_audit.c.hash).order_by(incident_audit.c.seq.desc()).limit(1)
    ).first()
    seq = (last.seq + 1) if last else 1
    prev = last.hash if last else GENESIS
    at_text = at.isoformat()
    detail_text = canonical(detail)
    digest = entry_hash(key, prev, seq, incident_id, at_text, actor, action, detail_text)
    conn.execute(
        incident_audit.insert().values(
            seq=seq,
            incident_id=incident_id,
            at=at_text,
            actor=actor,
            action=action,
            detail=detail_text,
            prev_hash=prev,
            hash=digest,
        )
    )
    return seq


@dataclass(frozen=True)
class AuditProblem:
    seq: int
    reason: str


def verify(store: Store, key: bytes) -> tuple[int, AuditProblem | None]:
    """(entries checked, the first bad entry or None)."""
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    with store.engine.connect() as conn:
        for row in conn.execute(sa.select(incident_audit).order_by(incident_audit.c.seq)):
            checked += 1
            if row.seq != expected_seq:
                return checked, AuditProblem(expected_seq, f"entry {expected_seq} is missing (next is {row.seq})")
            if row.prev_hash != expected_prev:
                return checked, AuditProblem(row.seq, "does not follow the previous entry (deleted or reordered)")
            digest = entry_hash(key, row.prev_hash, row.seq, row.incident_id, row.at, row.actor, row.action, row.detail)
            if not hmac.compare_digest(digest, row.hash):
                return checked, AuditProblem(row.seq, "its content was changed after it was written")
            expected_prev = row.hash
            expected_seq += 1
    return checked, None


def entries(store: Store, incident_id: int) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(incident_audit).where(incident_audit.c.incident_id == incident_id).order_by(incident_audit.c.seq)
        ).all()
    return [
        {"seq": r.seq, "at": r.at, "actor": r.actor, "action": r.action, "detail": json.loads(r.detail)} for r in rows
    ]
