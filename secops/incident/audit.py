"""The incident audit trail: an append-only, hash-chained, HMAC-keyed log with a keyed head.

Each entry's hash is HMAC-SHA256(workspace key, previous hash + the entry's canonical fields), so
editing, deleting or reordering rows directly in the database breaks the chain at the first bad
entry. The head (one row: the count of entries and the last hash, HMAC'd with the same key) is
written in the same transaction as each entry, so deleting the newest entries, or all of them,
leaves a head that no longer matches. Without the key (``audit.key`` in the workspace, 0600)
nobody can forge a consistent chain and head; whoever can read the key can (see the README).
Nothing is ever repaired: ``verify`` only reports, and an entry appended after tampering keeps the
evidence (a gap in the numbers, or an entry saying the head was missing).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from secops.config import AUDIT_KEY_FILE
from secops.errors import SecopsError
from secops.fsutil import write_private_new
from secops.i18n import N_, _
from secops.keyseal import AUDIT, read_secret_text
from secops.store import Store
from secops.store.schema import incident_audit, incident_audit_head, incidents

GENESIS = "0" * 64
KEY_FILE = AUDIT_KEY_FILE
HEAD_ID = 1
ENGINE_ACTOR = "secops"
# Entries secops writes itself when it finds the head gone or not matching: the trail keeps them.
HEAD_MISSING = "audit.head-missing"
HEAD_INVALID = "audit.head-invalid"
_MARKERS = (HEAD_MISSING, HEAD_INVALID)


_RESTORE = N_(
    "restore audit.key from the workspace backup; a new key cannot verify or extend the existing trail, "
    "so secops never makes one for it"
)


class AuditKeyError(SecopsError):
    """The audit key is missing or is not the key the trail was written with (exit 2)."""


def _read_key(path: Path) -> bytes:
    try:
        return bytes.fromhex(read_secret_text(path, AUDIT).strip())
    except ValueError:
        raise AuditKeyError(
            _("the audit key {path} is damaged (not hex)").format(path=path), hint=_(_RESTORE)
        ) from None


def _create_key(path: Path) -> bytes | None:
    """Write a new key owner-only; None when another process made it first."""
    key = secrets.token_hex(32)
    return bytes.fromhex(key) if write_private_new(path, (key + "\n").encode("ascii")) else None


def audit_key(workspace_dir: Path, store: Store | None = None) -> bytes:
    """The workspace's audit key (``audit.key``, 0600).

    A missing key is created only for a new, empty trail: with ``store``, a trail that has entries
    or a head and no key is an AuditKeyError saying to restore the key (never a silent new key,
    which would make the whole trail fail to verify). Without ``store`` the key is created as
    before, and ``append`` refuses to extend a trail whose head the new key does not verify.
    """
    path = Path(workspace_dir) / KEY_FILE
    if path.exists():
        return _read_key(path)
    if store is None:
        return _create_key(path) or _read_key(path)
    with store.engine.begin() as conn:
        count = int(conn.execute(sa.select(sa.func.count()).select_from(incident_audit)).scalar_one())
        head = _head(conn)
        recorded = int(conn.execute(sa.select(sa.func.count()).select_from(incidents)).scalar_one())
        if count or (head is not None and head.entries) or recorded:
            # Incidents without a trail mean the trail was deleted: a new key would let it restart "intact".
            held = (
                _("{count} entries").format(count=count)
                if count
                else _("a head recording {count} entries").format(count=head.entries)
                if head is not None and head.entries
                else _("no entries although {count} incident(s) exist (the trail was deleted)").format(count=recorded)
            )
            raise AuditKeyError(
                _("the audit key {path} is missing but the audit trail has {held}").format(path=path, held=held),
                hint=_(_RESTORE),
            )
        key = _create_key(path)
        if key is None:
            return _read_key(path)
        # nothing was ever recorded: a lost key of an empty trail is simply replaced
        _write_head(conn, key, 0, GENESIS, exists=head is not None)
    return key


def _unaudited(conn: Connection, *, besides: int | None = None) -> list[int]:
    """Incidents with no audit entry at all (every incident is opened with one): their entries were deleted."""
    has_entry = sa.exists().where(incident_audit.c.incident_id == incidents.c.id)
    query = sa.select(incidents.c.id).where(~has_entry).order_by(incidents.c.id)
    if besides is not None:
        query = query.where(incidents.c.id != besides)
    return [int(i) for i in conn.execute(query).scalars()]


def ensure_trail(workspace_dir: Path, store: Store) -> bool:
    """Give a new workspace its key and the head of its empty trail; True if made now.

    Leaves an existing trail alone, even one whose key is missing (the incident commands say so).
    """
    if (Path(workspace_dir) / KEY_FILE).exists():
        return False
    try:
        audit_key(workspace_dir, store)
    except AuditKeyError:
        return False
    return True


def canonical(detail: dict[str, Any]) -> str:
    return json.dumps(detail, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(
    key: bytes, prev_hash: str, seq: int, incident_id: int, at: str, actor: str, action: str, detail: str
) -> str:
    message = "\x1f".join([prev_hash, str(seq), str(incident_id), at, actor, action, detail])
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def head_mac(key: bytes, entries: int, last_hash: str) -> str:
    message = f"incident_audit_head\x1f{entries}\x1f{last_hash}"
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def _head(conn: Connection) -> Row[Any] | None:
    return conn.execute(sa.select(incident_audit_head).where(incident_audit_head.c.id == HEAD_ID)).first()


def _head_ok(key: bytes, head: Row[Any]) -> bool:
    return hmac.compare_digest(head_mac(key, head.entries, head.last_hash), head.mac)


def _entry_ok(key: bytes, row: Row[Any]) -> bool:
    digest = entry_hash(key, row.prev_hash, row.seq, row.incident_id, row.at, row.actor, row.action, row.detail)
    return hmac.compare_digest(digest, row.hash)


def _write_head(conn: Connection, key: bytes, entries: int, last_hash: str, *, exists: bool) -> None:
    values = {"entries": entries, "last_hash": last_hash, "mac": head_mac(key, entries, last_hash)}
    if exists:
        conn.execute(incident_audit_head.update().where(incident_audit_head.c.id == HEAD_ID).values(**values))
    else:
        conn.execute(incident_audit_head.insert().values(id=HEAD_ID, **values))


def _insert(
    conn: Connection, key: bytes, seq: int, prev: str, incident_id: int, at: str, actor: str, action: str, detail: str
) -> str:
    digest = entry_hash(key, prev, seq, incident_id, at, actor, action, detail)
    conn.execute(
        incident_audit.insert().values(
            seq=seq,
            incident_id=incident_id,
            at=at,
            actor=actor,
            action=action,
            detail=detail,
            prev_hash=prev,
            hash=digest,
        )
    )
    return digest


def append(
    conn: Connection, key: bytes, *, incident_id: int, at: datetime, actor: str, action: str, detail: dict[str, Any]
) -> int:
    """Append one entry and its head inside the caller's transaction (the change, its record and the
    head commit together).

    The next entry follows the head, not the last row, so entries deleted from the end leave a gap
    that stays visible. A head that is gone, or does not verify while the newest row does, is
    recorded by an entry of its own before this one; a key that verifies neither is refused.
    """
    # FOR UPDATE on PostgreSQL: two writers (center instances, staff at once) queue here rather than
    # both extending the same head and one failing on its sequence number
    head = conn.execute(
        sa.select(incident_audit_head).where(incident_audit_head.c.id == HEAD_ID).with_for_update()
    ).first()
    last = conn.execute(sa.select(incident_audit).order_by(incident_audit.c.seq.desc()).limit(1)).first()
    at_text = at.isoformat()
    if head is not None and _head_ok(key, head):
        seq, prev = head.entries + 1, head.last_hash
    elif last is None and head is None and not (lost := _unaudited(conn, besides=incident_id)):
        seq, prev = 1, GENESIS  # a new trail
    elif last is None and head is None:
        # Trail and head deleted while incidents remain: the restarted chain says so in its first entry.
        note = canonical({"entries_found": 0, "incidents_without_entries": len(lost)})
        prev = _insert(conn, key, 1, GENESIS, incident_id, at_text, ENGINE_ACTOR, HEAD_MISSING, note)
        seq = 2
    elif last is not None and _entry_ok(key, last):
        # The head was deleted or edited by hand: say so in the chain itself, then go on from the last row.
        count = int(conn.execute(sa.select(sa.func.count()).select_from(incident_audit)).scalar_one())
        marker = HEAD_MISSING if head is None else HEAD_INVALID
        note = canonical({"entries_found": count, "last_seq": last.seq})
        prev = _insert(conn, key, last.seq + 1, last.hash, incident_id, at_text, ENGINE_ACTOR, marker, note)
        seq = last.seq + 2
    else:
        raise AuditKeyError(
            _(
                "the audit key does not verify this workspace's audit trail "
                "(it is not the key the trail was written with)"
            ),
            hint=_(_RESTORE),
        )
    digest = _insert(conn, key, seq, prev, incident_id, at_text, actor, action, canonical(detail))
    _write_head(conn, key, seq, digest, exists=head is not None)
    return cast("int", seq)


@dataclass(frozen=True)
class AuditProblem:
    seq: int
    reason: str


def verify(store: Store, key: bytes) -> tuple[int, AuditProblem | None]:
    """(entries checked, the first problem or None): the chain entry by entry, then its head."""
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    with store.engine.connect() as conn:
        head = _head(conn)
        head_ok = head is not None and _head_ok(key, head)
        for row in conn.execute(sa.select(incident_audit).order_by(incident_audit.c.seq)):
            checked += 1
            if row.seq != expected_seq:
                many = row.seq > expected_seq + 1
                gap = (
                    _("entries {first}-{last} are missing, deleted (the next entry is {next})")
                    if many
                    else _("entry {first} is missing, deleted (the next entry is {next})")
                )
                return checked, AuditProblem(
                    expected_seq, gap.format(first=expected_seq, last=row.seq - 1, next=row.seq)
                )
            if row.prev_hash != expected_prev:
                return checked, AuditProblem(row.seq, _("does not follow the previous entry (deleted or reordered)"))
            if not _entry_ok(key, row):
                if row.seq == 1 and head is not None and not head_ok:
                    return checked, AuditProblem(1, _("audit.key is not the key this trail was written with"))
                return checked, AuditProblem(row.seq, _("its content was changed after it was written"))
            if row.action in _MARKERS:
                why = (
                    _("the trail's head was gone when this entry was written: entries before it may be deleted")
                    if row.action == HEAD_MISSING
                    else _("the trail's head was edited when this entry was written: entries before it may be deleted")
                )
                return checked, AuditProblem(row.seq, why)
            expected_prev = row.hash
            expected_seq += 1
        problem = _check_head(head, head_ok, checked, expected_prev)
        lost = [] if problem else _unaudited(conn)
    if lost:
        shown = "、".join(str(i) for i in lost[:10]) + ("…" if len(lost) > 10 else "")
        why = _("{count} incident(s) have no audit entry (incident {ids}): their entries were deleted")
        return checked, AuditProblem(checked + 1, why.format(count=len(lost), ids=shown))
    return checked, problem


def _check_head(head: Row[Any] | None, head_ok: bool, count: int, last_hash: str) -> AuditProblem | None:
    """The intact chain of ``count`` entries ending in ``last_hash`` against its keyed head."""
    if head is None:
        if count:
            why = _(
                "the trail has {count} entries but no head record: the head was deleted, with any entries after "
                "them (or the database was upgraded to schema 16 while audit.key was missing)"
            )
            return AuditProblem(count + 1, why.format(count=count))
        return AuditProblem(
            1, _("the trail has no entries and no head record although its key exists: the trail was deleted")
        )
    if not head_ok:
        return AuditProblem(head.entries, _("its head record does not verify with audit.key: the head was edited"))
    if head.entries > count:
        lost = head.entries - count
        if not count:
            why = _("the trail is empty but its head records {recorded} entries: all {lost} deleted")
            return AuditProblem(1, why.format(recorded=head.entries, lost=lost))
        why = _("the trail ends at entry {count} but its head records {recorded} entries: {lost} deleted from the end")
        return AuditProblem(count + 1, why.format(count=count, recorded=head.entries, lost=lost))
    if head.entries < count:
        why = _("its head records only {recorded} entries: the rest were added outside secops")
        return AuditProblem(head.entries + 1, why.format(recorded=head.entries))
    if not hmac.compare_digest(head.last_hash, last_hash):
        return AuditProblem(count, _("it is not the entry its head records as the last (replaced)"))
    return None


def entries(store: Store, incident_id: int) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(incident_audit).where(incident_audit.c.incident_id == incident_id).order_by(incident_audit.c.seq)
        ).all()
    return [
        {"seq": r.seq, "at": r.at, "actor": r.actor, "action": r.action, "detail": json.loads(r.detail)}
        for r in rows
        if r.action not in _MARKERS  # a note on the trail itself, not on the incident: verify reports it
    ]


@dataclass(frozen=True)
class AuditHead:
    """Where the trail stands: how many entries, and the hash of the last (what the center anchors)."""

    entries: int
    last_hash: str


def current_head(store: Store) -> AuditHead | None:
    """The trail's head as recorded (None before the first entry or without a head row)."""
    with store.engine.connect() as conn:
        head = _head(conn)
    return AuditHead(head.entries, head.last_hash) if head is not None else None


def hashes_at(store: Store, seqs: Iterable[int]) -> dict[int, str]:
    """The hash of each entry numbered in ``seqs`` that exists."""
    wanted = sorted(set(seqs))
    found: dict[int, str] = {}
    with store.engine.connect() as conn:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = conn.execute(
                sa.select(incident_audit.c.seq, incident_audit.c.hash).where(incident_audit.c.seq.in_(chunk))
            )
            found.update({int(seq): str(digest) for seq, digest in rows})
    return found


@dataclass(frozen=True)
class AnchorMismatch:
    entries: int
    reason: str


def check_anchors(store: Store, anchors: Iterable[tuple[int, str]]) -> list[AnchorMismatch]:
    """Each (entries, hash of the last) the center saw must still be the trail's hash at that entry:
    an entry rewritten (even with the key) after its head was anchored no longer matches."""
    wanted = [(entries, digest) for entries, digest in anchors if entries > 0]
    found = hashes_at(store, (entries for entries, _digest in wanted))
    problems = []
    for entries, digest in sorted(wanted):
        local = found.get(entries)
        if local is None:
            problems.append(AnchorMismatch(entries, _("the center saw this entry; the local trail no longer has it")))
        elif not hmac.compare_digest(local, digest):
            problems.append(
                AnchorMismatch(entries, _("the local entry differs from the one the center saw: rewritten since"))
            )
    return problems
