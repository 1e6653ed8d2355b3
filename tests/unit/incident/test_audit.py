"""The hash-chained audit trail detects edits, deletions and reordering made in the database."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from secops.config import Workspace
from secops.incident.audit import AuditKeyError, append, audit_key, entries, entry_hash, head_mac, verify
from secops.store import Store
from secops.store.schema import incident_audit, incident_audit_head
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


def _delete_from(store: Store, seq: int) -> None:
    with store.engine.begin() as conn:
        conn.execute(incident_audit.delete().where(incident_audit.c.seq >= seq))


def test_a_new_workspace_has_its_key_and_an_empty_head(store: Store, key: bytes) -> None:
    with store.engine.connect() as conn:
        head = conn.execute(sa.select(incident_audit_head)).one()
    assert (head.entries, head.last_hash) == (0, "0" * 64)
    assert verify(store, key) == (0, None)


def test_deleting_the_last_entry_is_named(store: Store, key: bytes) -> None:
    _fill(store, key)
    _delete_from(store, 5)
    checked, problem = verify(store, key)
    assert checked == 4 and problem is not None and problem.seq == 5
    assert problem.reason == "the trail ends at entry 4 but its head records 5 entries: 1 deleted from the end"


def test_deleting_the_last_entries_says_how_many(store: Store, key: bytes) -> None:
    _fill(store, key, 45)
    _delete_from(store, 42)
    _, problem = verify(store, key)
    assert problem is not None and problem.seq == 42
    assert "ends at entry 41 but its head records 45 entries: 4 deleted from the end" in problem.reason


def test_deleting_every_entry_is_detected(store: Store, key: bytes) -> None:
    _fill(store, key)
    _delete_from(store, 1)
    _, problem = verify(store, key)
    assert problem is not None and problem.seq == 1
    assert "the trail is empty but its head records 5 entries: all 5 deleted" in problem.reason


def test_deleting_the_entries_and_the_head_is_detected(store: Store, key: bytes) -> None:
    _fill(store, key)
    _delete_from(store, 1)
    with store.engine.begin() as conn:
        conn.execute(incident_audit_head.delete())
    _, problem = verify(store, key)
    assert problem is not None and "no head record" in problem.reason and "trail was deleted" in problem.reason


def test_deleting_the_head_and_the_tail_is_detected(store: Store, key: bytes) -> None:
    _fill(store, key)
    _delete_from(store, 4)
    with store.engine.begin() as conn:
        conn.execute(incident_audit_head.delete())
    _, problem = verify(store, key)
    assert problem is not None and problem.seq == 4 and "3 entries but no head record" in problem.reason


def test_an_edited_head_is_detected(store: Store, key: bytes) -> None:
    _fill(store, key)
    _delete_from(store, 4)
    with store.engine.begin() as conn:  # shortened to match the truncated chain, without the key
        conn.execute(incident_audit_head.update().values(entries=3))
    _, problem = verify(store, key)
    assert problem is not None and "head record does not verify" in problem.reason


def test_a_replaced_last_entry_is_detected(store: Store, key: bytes) -> None:
    _fill(store, key)
    with store.engine.begin() as conn:  # the head stays: a valid last entry that is not the recorded one
        conn.execute(incident_audit_head.update().values(last_hash="f" * 64, mac=head_mac(key, 5, "f" * 64)))
    _, problem = verify(store, key)
    assert problem is not None and problem.seq == 5 and "replaced" in problem.reason


def test_appending_after_truncation_keeps_the_gap(store: Store, key: bytes) -> None:
    _fill(store, key)
    _delete_from(store, 4)
    _fill(store, key, 1)  # the next change follows the head: entry 6, so 4-5 stay missing
    with store.engine.connect() as conn:
        assert [r.seq for r in conn.execute(sa.select(incident_audit.c.seq).order_by(incident_audit.c.seq))] == [
            1,
            2,
            3,
            6,
        ]
    _, problem = verify(store, key)
    assert problem is not None and problem.seq == 4 and "entries 4-5 are missing" in problem.reason


def test_appending_after_the_head_was_deleted_records_it(store: Store, key: bytes) -> None:
    _fill(store, key)
    _delete_from(store, 5)
    with store.engine.begin() as conn:
        conn.execute(incident_audit_head.delete())
    _fill(store, key, 1)  # a new head is written, but the chain says the old one was gone
    _, problem = verify(store, key)
    assert problem is not None and problem.seq == 5 and "head was gone" in problem.reason
    assert all(e["action"] == "note" for e in entries(store, 1))  # the marker is not incident history


def test_a_key_that_verifies_nothing_cannot_extend_the_trail(store: Store, key: bytes) -> None:
    _fill(store, key)
    with pytest.raises(AuditKeyError, match=r"restore audit\.key"):
        _fill(store, b"\x02" * 32, 1)
    assert verify(store, key) == (5, None)  # the refused change left nothing behind


def test_a_missing_key_of_an_existing_trail_is_an_error_and_no_key_is_made(
    workspace: Workspace, store: Store, key: bytes
) -> None:
    _fill(store, key)
    (workspace.path / "audit.key").unlink()
    with pytest.raises(AuditKeyError, match="missing but the audit trail has 5 entries") as caught:
        audit_key(workspace.path, store)
    assert caught.value.exit_code == 2 and "backup" in str(caught.value)
    assert not (workspace.path / "audit.key").exists()
    _delete_from(store, 1)  # the head alone still needs the key
    with pytest.raises(AuditKeyError, match="a head recording 5 entries"):
        audit_key(workspace.path, store)
    assert not (workspace.path / "audit.key").exists()


def test_a_key_is_made_only_for_a_new_empty_trail(workspace: Workspace, store: Store) -> None:
    (workspace.path / "audit.key").unlink()
    with store.engine.begin() as conn:
        conn.execute(incident_audit_head.delete())
    key = audit_key(workspace.path, store)
    assert stat.S_IMODE((workspace.path / "audit.key").stat().st_mode) == 0o600
    assert verify(store, key) == (0, None)


def test_the_upgrade_seals_an_intact_chain_and_only_that(workspace: Workspace) -> None:
    from secops.store.engine import create_engine
    from secops.store.migrate import apply_migrations

    for tamper in (False, True):
        database = workspace.path / f"old-{tamper}.db"
        engine = create_engine(f"sqlite:///{database}")
        apply_migrations(engine, target=15)
        key = audit_key(workspace.path)
        meta = sa.MetaData()
        old_trail = sa.Table("incident_audit", meta, autoload_with=engine)
        with engine.begin() as conn:
            prev = "0" * 64
            for seq in (1, 2, 3):
                at, detail = (T0 + timedelta(minutes=seq)).isoformat(), f'{{"n":{seq}}}'
                digest = entry_hash(key, prev, seq, 1, at, "值班员", "note", detail)
                values = {"seq": seq, "incident_id": 1, "at": at, "actor": "值班员", "action": "note"}
                conn.execute(old_trail.insert().values(**values, detail=detail, prev_hash=prev, hash=digest))
                prev = digest
            if tamper:
                conn.execute(old_trail.update().where(old_trail.c.seq == 2).values(actor="别人"))
        apply_migrations(engine)
        store = Store(engine=engine, url=str(engine.url))
        checked, problem = verify(store, key)
        if tamper:  # no head vouches for a chain that was already broken: the edit is still named
            assert problem is not None and problem.seq == 2 and "changed" in problem.reason
        else:
            assert (checked, problem) == (3, None)
            _delete_from(store, 3)
            assert "ends at entry 2 but its head records 3" in str(verify(store, key)[1])
        engine.dispose()


def test_the_upgrade_finds_the_key_of_a_database_kept_elsewhere(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from secops.store.engine import create_engine
    from secops.store.migrate import apply_migrations

    (tmp_path / "elsewhere").mkdir()
    url = f"sqlite:///{tmp_path / 'elsewhere' / 'secops.db'}"
    engine = create_engine(url)
    apply_migrations(engine, target=15)
    engine.dispose()
    monkeypatch.setenv("SECOPS_DATABASE_URL", url)
    with open_workspace_store(workspace) as opened:  # migrates, with the workspace's audit.key in reach
        with opened.engine.connect() as conn:
            assert conn.execute(sa.select(incident_audit_head.c.entries)).scalar_one() == 0
        assert verify(opened, audit_key(workspace.path, opened)) == (0, None)
