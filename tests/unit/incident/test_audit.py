"""The hash-chained audit trail detects edits, deletions and reordering made in the database."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from secops.config import Workspace
from secops.incident.audit import append, audit_key, entries, verify
from secops.store import Store
from secops.store.schema import incident_audit
from secops.workspace import open_workspace_store

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.fixture
def store(workspace: Workspace) -> Iterator[Store]:
    with open_workspace_store(workspace) as opened:
        yield opened


@pytest.fixture
def key(workspace: Workspace) -> bytes:
    return audit_key(workspace.path)


def _fill(store: Store, key: bytes, n: int = 5) -> None:
    with store.engine.begin() as conn:
        for i in range(n):
            append(
                conn,
                key,
                incident_id=1 + i % 2,
                at=T0 + timedelta(minutes=i),
                actor="值班员",
                action="note",
                detail={"text": f"第 {i} 条记录", "n": i},
            )


def test_a_clean_chain_verifies(store: Store, key: bytes) -> None:
    _fill(store, key)
    assert verify(store, key) == (5, None)
    assert [e["detail"]["n"] for e in entries(store, 1)] == [0, 2, 4]


def test_the_key_file_is_private_and_stable(workspace: Workspace) -> None:
    first = audit_key(workspace.path)
    assert audit_key(workspace.path) == first
    mode = stat.S_IMODE((workspace.path / "audit.key").stat().st_mode)
    assert mode == 0o600


def test_an_edited_row_is_named(store: Store, key: bytes) -> None:
    _fill(store, key)
    with store.engine.begin() as conn:
        conn.execute(incident_audit.update().where(incident_audit.c.seq == 3).values(detail='{"n":3,"text":"改过"}'))
    _, problem = verify(store, key)
    assert problem is not None and problem.seq == 3 and "changed" in problem.reason


def test_a_deleted_row_is_named(store: Store, key: bytes) -> None:
    _fill(store, key)
    with store.engine.begin() as conn:
        conn.execute(incident_audit.delete().where(incident_audit.c.seq == 2))
    _, problem = verify(store, key)
    assert problem is not None and problem.seq == 2 and "missing" in problem.reason


def test_deleting_the_last_rows_and_rechaining_needs_the_key(store: Store, key: bytes) -> None:
    _fill(store, key)
    with store.engine.begin() as conn:  # an attacker rewrites row 4 without knowing the key
        conn.execute(incident_audit.update().where(incident_audit.c.seq == 4).values(actor="别人", hash="0" * 64))
    _, problem = verify(store, key)
    assert problem is not None and problem.seq == 4


def test_reordered_rows_are_detected(store: Store, key: bytes) -> None:
    _fill(store, key)
    with store.engine.begin() as conn:
        rows = {r.seq: r for r in conn.execute(sa.select(incident_audit))}
        for seq, other in ((2, 3), (3, 2)):
            source = rows[other]
            conn.execute(
                incident_audit.update()
                .where(incident_audit.c.seq == seq)
                .values(
                    incident_id=source.incident_id,
                    at=source.at,
                    actor=source.actor,
                    action=source.action,
                    detail=source.detail,
                    prev_hash=source.prev_hash,
                    hash=source.hash,
                )
            )
    _, problem = verify(store, key)
    assert problem is not None and problem.seq == 2


def test_another_workspace_key_does_not_verify(store: Store, key: bytes) -> None:
    _fill(store, key)
    _, problem = verify(store, b"\x01" * 32)
    assert problem is not None and problem.seq == 1
